import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE, fitSimilarity, fivePoints, unitLength, warpFace } from './arcface-align.ts';

describe('fitSimilarity', () => {
	it('recovers a known scale, rotation and shift', () => {
		const s = 0.5,
			t = 0.3;
		const a = s * Math.cos(t),
			b = s * Math.sin(t);
		// src = inverse of (a, b, 7, -3) applied to the template
		const det = a * a + b * b;
		const src = ARCFACE_TEMPLATE.map((p) => ({ x: (a * (p.x - 7) + b * (p.y + 3)) / det, y: (-b * (p.x - 7) + a * (p.y + 3)) / det }));
		const m = fitSimilarity(src);
		expect(m.a).toBeCloseTo(a, 6);
		expect(m.b).toBeCloseTo(b, 6);
		expect(m.tx).toBeCloseTo(7, 5);
		expect(m.ty).toBeCloseTo(-3, 5);
	});
});

describe('fivePoints', () => {
	it('takes eye centres, nose tip and mouth corners from 68 landmarks; null otherwise', () => {
		const lm = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
		expect(fivePoints(lm)).toEqual([
			{ x: 38.5, y: 77 },
			{ x: 44.5, y: 89 },
			{ x: 30, y: 60 },
			{ x: 48, y: 96 },
			{ x: 54, y: 108 }
		]);
		expect(fivePoints(lm.slice(1))).toBeNull();
		expect(fivePoints([...lm.slice(1), { x: Number.NaN, y: 0 }])).toBeNull();
	});
});

describe('warpFace', () => {
	it('samples through the transform, scales to (v − 127.5) / 128, and mirrors', () => {
		// A 112 px image brighter to the right; identity transform.
		const data = new Uint8Array(112 * 112 * 3);
		for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) data.fill(x * 2, (y * 112 + x) * 3, (y * 112 + x) * 3 + 3);
		const image = { data, width: 112, height: 112 };
		const id = { a: 1, b: 0, tx: 0, ty: 0 };
		const out = warpFace(image, id);
		expect(out.length).toBe(3 * 112 * 112);
		expect(out[10]).toBeCloseTo((20 - 127.5) / 128, 5);
		expect(out[2 * 112 * 112 + 10]).toBeCloseTo((20 - 127.5) / 128, 5); // blue plane
		expect(warpFace(image, id, true)[10]).toBeCloseTo((202 - 127.5) / 128, 5);
		// shifted 200 px away: black, i.e. −127.5/128
		expect(warpFace(image, { a: 1, b: 0, tx: 200, ty: 0 })[0]).toBeCloseTo(-127.5 / 128, 5);
	});
});

describe('unitLength', () => {
	it('scales to length 1, leaves zero alone', () => {
		expect([...unitLength(Float32Array.from([3, 4]))]).toEqual([expect.closeTo(0.6), expect.closeTo(0.8)]);
		expect([...unitLength(new Float32Array(2))]).toEqual([0, 0]);
	});
});

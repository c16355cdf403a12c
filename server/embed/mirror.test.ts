import { describe, expect, it } from 'vitest';
import { mirrorImage, rescaledMean } from './mirror.ts';
import type { RgbImage } from './types.ts';

const image = (width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage => {
	const data = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
	return { data, width, height };
};
const norm = (v: Float32Array) => Math.hypot(...v);

describe('mirrorImage', () => {
	it('flips left-right, keeping rows and channels', () => {
		const src = image(3, 2, (x, y) => [x, y, 10 * x + y]);
		const out = mirrorImage(src);
		expect(out).toMatchObject({ width: 3, height: 2 });
		expect([...out.data]).toEqual([2, 0, 20, 1, 0, 10, 0, 0, 0, 2, 1, 21, 1, 1, 11, 0, 1, 1]);
		expect(src.data[0]).toBe(0); // the source is left as is
	});

	it('is its own inverse', () => {
		const src = image(5, 4, (x, y) => [(x * 37 + y) % 256, (y * 91) % 256, (x * y) % 256]);
		expect(mirrorImage(mirrorImage(src)).data).toEqual(src.data);
	});
});

describe('rescaledMean', () => {
	const a = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 0.13);
	const b = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i + 0.4) * 0.12);

	it('is symmetric: a face and its mirror image get the same vector', () => {
		expect(rescaledMean(a, b)).toEqual(rescaledMean(b, a));
	});

	it('points along the mean and keeps the mean of the two lengths', () => {
		const m = rescaledMean(a, b);
		expect(norm(m)).toBeCloseTo((norm(a) + norm(b)) / 2, 5);
		const mid = a.map((x, i) => (x + b[i]!) / 2);
		const cos = m.reduce((s, x, i) => s + x * mid[i]!, 0) / (norm(m) * norm(mid));
		expect(cos).toBeCloseTo(1, 6);
		expect(norm(m)).toBeGreaterThan(norm(mid)); // a plain mean would be shorter
	});

	it('leaves a descriptor that equals its mirror’s unchanged', () => {
		expect([...rescaledMean(a, a)].every((x, i) => Math.abs(x - a[i]!) < 1e-7)).toBe(true);
	});

	it('refuses descriptors of different lengths', () => {
		expect(() => rescaledMean(a, new Float32Array(64))).toThrow(RangeError);
	});
});

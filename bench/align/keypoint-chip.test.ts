import { describe, expect, it } from 'vitest';
import { eyeFrame, fitSquares, fromFrame, keypointChip, leastSquares, predictSquare, toFrame, type Point } from './keypoint-chip.ts';

const kps = (eyeY = 40, tilt = 0): Point[] => [
	{ x: 40, y: eyeY - tilt },
	{ x: 80, y: eyeY + tilt },
	{ x: 60, y: 60 },
	{ x: 60, y: 80 },
	{ x: 20, y: 50 },
	{ x: 100, y: 50 }
];

describe('keypoint chip prototype', () => {
	it('maps points into the eye frame and back', () => {
		const f = eyeFrame(kps(40, 8));
		const p = { x: 71.3, y: 12.9 };
		const back = fromFrame(f, toFrame(f, p));
		expect(back.x).toBeCloseTo(p.x, 9);
		expect(back.y).toBeCloseTo(p.y, 9);
		expect(toFrame(f, f.origin)).toEqual({ x: 0, y: 0 });
		expect(toFrame(eyeFrame(kps()), { x: 80, y: 40 })).toEqual({ x: 0.5, y: 0 });
	});

	it('recovers known weights by least squares', () => {
		const X = Array.from({ length: 30 }, (_, i) => [1, Math.sin(i), Math.cos(i * 1.7), i / 10]);
		const w = [0.3, -1.2, 2, 0.05];
		const y = X.map((row) => row.reduce((s, v, i) => s + v * w[i]!, 0));
		leastSquares(X, y).forEach((wi, i) => expect(wi).toBeCloseTo(w[i]!, 9));
	});

	it('fits the square from the keypoints', () => {
		let seed = 3;
		const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 10 - 5;
		const samples = Array.from({ length: 12 }, () => {
			const points = kps(40 + rand(), rand() / 2);
			points[2] = { x: 60 + rand(), y: 60 + rand() };
			points[3] = { x: 60 + rand(), y: 80 + rand() };
			const f = eyeFrame(points);
			const nose = toFrame(f, points[2]);
			const mouth = toFrame(f, points[3]);
			return { keypoints: points, square: { cx: 0.1 + 0.5 * nose.x, cy: 0.4 + 0.2 * mouth.y, w: 2.5 + 0.1 * mouth.y - 0.3 * nose.y, h: 2 + mouth.x } };
		});
		const model = fitSquares(samples);
		for (const s of samples) {
			const p = predictSquare(model, s.keypoints);
			expect(p.cx).toBeCloseTo(s.square.cx, 6);
			expect(p.cy).toBeCloseTo(s.square.cy, 6);
			expect(p.w).toBeCloseTo(s.square.w, 6);
			expect(p.h).toBeCloseTo(s.square.h, 6);
		}
	});

	it('cuts a level square: with level eyes it is a plain crop', () => {
		const W = 120;
		const data = new Uint8Array(W * W * 3).map((_, i) => (i * 7) % 251);
		const chip = keypointChip({ data, width: W, height: W }, kps(), { cx: 0, cy: 0.5, w: 1 / 1.2, h: 0.5 });
		// Eye distance 40 px: a 40 px square centred 20 px below the eyes, i.e. x 40..80, y 40..80.
		expect([chip.width, chip.height]).toEqual([40, 40]);
		const at = (x: number, y: number, c: number) => data[(y * W + x) * 3 + c];
		expect(chip.data[0]).toBe(at(40, 40, 0));
		expect(chip.data[(39 * 40 + 39) * 3 + 2]).toBe(at(79, 79, 2));
	});
});

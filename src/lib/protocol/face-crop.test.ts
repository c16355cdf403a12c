import { describe, expect, it } from 'vitest';
import { expandBox, wireKeypoints } from './face-crop.ts';

const frame = { width: 200, height: 100 };

describe('expandBox', () => {
	it('grows the box by the margin on each side', () => {
		expect(expandBox({ x: 50, y: 20, width: 40, height: 40 }, 0.25, frame)).toEqual({ x: 40, y: 10, width: 60, height: 60 });
	});

	it('rounds outwards', () => {
		expect(expandBox({ x: 10.4, y: 10.6, width: 20.2, height: 20 }, 0, frame)).toEqual({ x: 10, y: 10, width: 21, height: 21 });
	});

	it('clips at the frame borders', () => {
		expect(expandBox({ x: 5, y: 80, width: 40, height: 40 }, 0.5, frame)).toEqual({ x: 0, y: 60, width: 65, height: 40 });
	});

	it('is empty for a box outside the frame', () => {
		const outside = expandBox({ x: 300, y: 10, width: 10, height: 10 }, 0.1, frame);
		expect(outside.width).toBe(0);
		expect(outside.x).toBeLessThanOrEqual(frame.width);
	});
});

describe('wireKeypoints', () => {
	const kp = [
		{ x: 10, y: 10 },
		{ x: 30, y: 10 },
		{ x: 20, y: 20 },
		{ x: 20, y: 30 },
		{ x: 0, y: 15 },
		{ x: 40, y: 15 }
	];
	it('carries crop keypoints as pairs to 0.1 px', () => {
		expect(wireKeypoints(kp)).toEqual([
			[10, 10],
			[30, 10],
			[20, 20],
			[20, 30],
			[0, 15],
			[40, 15]
		]);
		expect(wireKeypoints([{ x: 1 / 3, y: 2.06 }, ...kp.slice(1)])![0]).toEqual([0.3, 2.1]);
	});
	it('sends none unless all six are there and finite', () => {
		expect(wireKeypoints(kp.slice(0, 5))).toBeUndefined();
		expect(wireKeypoints([...kp, { x: 1, y: 1 }])).toBeUndefined();
		expect(wireKeypoints([{ x: Number.NaN, y: 0 }, ...kp.slice(1)])).toBeUndefined();
		expect(wireKeypoints([{ x: 0, y: Number.POSITIVE_INFINITY }, ...kp.slice(1)])).toBeUndefined();
	});
});

import { describe, expect, it } from 'vitest';
import { expandBox, keypointsInCrop } from './face-crop.ts';

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

describe('keypointsInCrop', () => {
	const kp = [
		{ x: 120, y: 80 },
		{ x: 160, y: 80 },
		{ x: 140, y: 100 },
		{ x: 140, y: 120 },
		{ x: 100, y: 90 },
		{ x: 180, y: 90 }
	];
	it('moves and scales frame keypoints into the crop, to 0.1 px', () => {
		expect(keypointsInCrop(kp, { x: 100, y: 60, width: 100, height: 80 }, { width: 50, height: 40 })).toEqual([
			[10, 10],
			[30, 10],
			[20, 20],
			[20, 30],
			[0, 15],
			[40, 15]
		]);
		expect(keypointsInCrop([{ x: 1 / 3, y: 0 }, ...kp.slice(1)], { x: 0, y: 0, width: 1, height: 1 }, { width: 1, height: 1 })![0]).toEqual([0.3, 0]);
	});
	it('sends none unless all six are there and finite', () => {
		const region = { x: 0, y: 0, width: 10, height: 10 };
		expect(keypointsInCrop(undefined, region, region)).toBeUndefined();
		expect(keypointsInCrop(kp.slice(0, 5), region, region)).toBeUndefined();
		expect(keypointsInCrop([{ x: Number.NaN, y: 0 }, ...kp.slice(1)], region, region)).toBeUndefined();
		expect(keypointsInCrop(kp, { x: 0, y: 0, width: 0, height: 10 }, region)).toBeUndefined();
	});
});

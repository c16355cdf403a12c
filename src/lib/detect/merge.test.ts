import { describe, expect, it } from 'vitest';
import type { Detection } from '../track/tracker.ts';
import { mergeDetections, overlapOfSmaller } from './merge.ts';

const face = (x: number, y: number, size: number, score: number): Detection => ({ box: { x, y, width: size, height: size }, score });

describe('overlapOfSmaller', () => {
	it('is 1 for a box inside another, 0 for boxes apart', () => {
		expect(overlapOfSmaller({ x: 0, y: 0, width: 100, height: 100 }, { x: 10, y: 10, width: 20, height: 20 })).toBe(1);
		expect(overlapOfSmaller({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
	});
});

describe('mergeDetections', () => {
	it('keeps one detection of a face two tiles both saw, the higher score', () => {
		const merged = mergeDetections([[face(100, 100, 40, 0.7)], [face(104, 98, 42, 0.9)]]);
		expect(merged).toEqual([face(104, 98, 42, 0.9)]);
	});

	it('drops a face cut by a tile edge (a part inside the whole box), though their IoU is low', () => {
		const whole = face(100, 100, 60, 0.8);
		const part: Detection = { box: { x: 100, y: 100, width: 25, height: 60 }, score: 0.6 };
		expect(mergeDetections([[part], [whole]])).toEqual([whole]);
	});

	it('keeps neighbours in a group whose boxes touch or overlap a little', () => {
		const row = [face(0, 0, 40, 0.9), face(35, 0, 40, 0.8), face(70, 5, 40, 0.7)];
		expect(mergeDetections([row])).toHaveLength(3);
	});

	it('orders by score and returns nothing for nothing', () => {
		expect(mergeDetections([[face(0, 0, 10, 0.5)], [face(100, 0, 10, 0.9)]]).map((d) => d.score)).toEqual([0.9, 0.5]);
		expect(mergeDetections([])).toEqual([]);
	});
});

import { describe, expect, it } from 'vitest';
import { toCropPoints } from './crop.ts';

describe('keypoints with a crop', () => {
	it('maps video pixels into the pixels of the scaled crop', () => {
		const region = { x: 100, y: 50, width: 200, height: 200 };
		const points = toCropPoints(
			[
				{ x: 100, y: 50 },
				{ x: 300, y: 250 },
				{ x: 150, y: 100 }
			],
			region,
			{ width: 112, height: 112 }
		);
		const expected = [
			{ x: 0, y: 0 },
			{ x: 112, y: 112 },
			{ x: 28, y: 28 }
		];
		points.forEach((p, i) => {
			expect(p.x).toBeCloseTo(expected[i]!.x, 9);
			expect(p.y).toBeCloseTo(expected[i]!.y, 9);
		});
	});
});

import { describe, expect, it } from 'vitest';
import { expandBox } from './face-crop.ts';

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

import { describe, expect, it } from 'vitest';
import { faceAt } from './tap-target.ts';

// A 640×480 canvas shown in a 390×400 element: scale 390/640, letterboxed 54.4 px top and bottom.
const surface = { clientWidth: 390, clientHeight: 400, width: 640, height: 480 };
const big = { id: 'big', box: { x: 100, y: 100, width: 200, height: 200 } };
const small = { id: 'small', box: { x: 150, y: 150, width: 40, height: 40 } };
const scale = 390 / 640;
const toCss = (x: number, y: number) => [x * scale, y * scale + (400 - 480 * scale) / 2] as const;

describe('tap targets over the live video', () => {
	it('finds the face under a tap, the smaller of two overlapping boxes first', () => {
		expect(faceAt(...toCss(250, 250), surface, false, [big, small])?.id).toBe('big');
		expect(faceAt(...toCss(170, 170), surface, false, [big, small])?.id).toBe('small');
		expect(faceAt(...toCss(600, 50), surface, false, [big, small])).toBeNull();
	});

	it('maps a mirrored picture back, and keeps small far faces a finger wide', () => {
		// Mirrored: canvas x 170 is shown at 640 - 170.
		expect(faceAt(...toCss(640 - 170, 170), surface, true, [small])?.id).toBe('small');
		const tiny = { id: 'tiny', box: { x: 500, y: 300, width: 10, height: 10 } };
		expect(faceAt(...toCss(505 + 30, 305), surface, false, [tiny])?.id).toBe('tiny');
		expect(faceAt(...toCss(505 + 60, 305), surface, false, [tiny])).toBeNull();
	});

	it('hits nothing before the canvas has a size', () => {
		expect(faceAt(10, 10, { clientWidth: 0, clientHeight: 0, width: 0, height: 0 }, false, [big])).toBeNull();
	});
});

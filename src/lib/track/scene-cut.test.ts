import { describe, expect, it } from 'vitest';
import { createCutDetector, CUT_ABOVE, frameChange, THUMB_HEIGHT, THUMB_WIDTH } from './scene-cut.ts';

/**
 * A random picture (noise blurred over 3×3 cells, as a camera thumbnail of a scene might look),
 * seen through a camera moved by (shiftX, shiftY) cells, with gain and offset of the exposure.
 */
function picture(seed: number, shiftX = 0, shiftY = 0, gain = 1, offset = 0): Float32Array {
	const W = THUMB_WIDTH + 8;
	const H = THUMB_HEIGHT + 8;
	let state = seed * 2654435761;
	const noise = Array.from({ length: W * H }, () => {
		state = (Math.imul(state, 1103515245) + 12345) >>> 0;
		return (state >>> 8) % 256;
	});
	const out = new Float32Array(THUMB_WIDTH * THUMB_HEIGHT);
	for (let y = 0; y < THUMB_HEIGHT; y++) {
		for (let x = 0; x < THUMB_WIDTH; x++) {
			let v = 0;
			for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) v += noise[(y + 4 + shiftY + dy) * W + (x + 4 + shiftX + dx)]!;
			out[y * THUMB_WIDTH + x] = offset + gain * (v / 9);
		}
	}
	return out;
}
const flat = (value: number) => new Float32Array(THUMB_WIDTH * THUMB_HEIGHT).fill(value);

describe('cut detection', () => {
	it('sees no cut when the picture stays, shakes by a cell or two, or changes brightness', () => {
		const a = picture(1);
		expect(frameChange(a, a)).toBeCloseTo(0, 5);
		expect(frameChange(a, picture(1, 1, 0))).toBeLessThan(0.05);
		expect(frameChange(a, picture(1, -2, 1))).toBeLessThan(0.05);
		expect(frameChange(a, picture(1, 0, 0, 1.4, -30))).toBeCloseTo(0, 5);
		expect(frameChange(a, picture(1, 1, 1))).toBeLessThan(CUT_ABOVE);
	});

	it('sees a cut when the picture is another one', () => {
		for (const seed of [2, 3, 4, 5]) expect(frameChange(picture(1), picture(seed))).toBeGreaterThan(CUT_ABOVE);
	});

	it('compares flat pictures (a black frame) by brightness', () => {
		expect(frameChange(picture(1), flat(0))).toBe(1);
		expect(frameChange(flat(20), flat(21))).toBeLessThan(0.1);
		expect(frameChange(flat(0), flat(200))).toBe(1);
	});

	it('reports cuts frame by frame, never on the first frame', () => {
		const cuts = createCutDetector();
		const seen = [picture(1), picture(1, 1), picture(1, 2), picture(7), picture(7, 1)].map((p) => cuts.isCut(p));
		expect(seen).toEqual([false, false, false, true, false]);
		cuts.reset();
		expect(cuts.isCut(picture(9))).toBe(false);
	});
});

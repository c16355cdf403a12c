import { describe, expect, it } from 'vitest';
import { BLAZEFACE_FULL_RANGE_ANCHORS, BLAZEFACE_SHORT_RANGE_ANCHORS, ssdAnchors } from './ssd-anchors.mjs';

describe('ssdAnchors', () => {
	it('makes the 896 anchors of BlazeFace short range: 16×16×2 at stride 8, then 8×8×6 for three stride-16 layers', () => {
		const anchors = ssdAnchors(BLAZEFACE_SHORT_RANGE_ANCHORS);
		expect(anchors).toHaveLength(896);
		// The first cell's two anchors, then the next cell's.
		expect(anchors.slice(0, 3)).toEqual([
			{ x: 0.5 / 16, y: 0.5 / 16, width: 1, height: 1 },
			{ x: 0.5 / 16, y: 0.5 / 16, width: 1, height: 1 },
			{ x: 1.5 / 16, y: 0.5 / 16, width: 1, height: 1 }
		]);
		expect(anchors[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8, width: 1, height: 1 });
		expect(anchors.at(-1)).toEqual({ x: 7.5 / 8, y: 7.5 / 8, width: 1, height: 1 });
	});

	it('makes the 2304 anchors of BlazeFace full range: one 48×48 layer, row by row', () => {
		const anchors = ssdAnchors(BLAZEFACE_FULL_RANGE_ANCHORS);
		expect(anchors).toHaveLength(2304);
		expect(anchors[0]).toEqual({ x: 0.5 / 48, y: 0.5 / 48, width: 1, height: 1 });
		expect(anchors[1]).toEqual({ x: 1.5 / 48, y: 0.5 / 48, width: 1, height: 1 });
		expect(anchors[48]).toEqual({ x: 0.5 / 48, y: 1.5 / 48, width: 1, height: 1 });
		expect(anchors.at(-1)).toEqual({ x: 47.5 / 48, y: 47.5 / 48, width: 1, height: 1 });
	});

	it('sizes anchors by scale and aspect ratio when they are not fixed', () => {
		const anchors = ssdAnchors({
			inputWidth: 64,
			inputHeight: 64,
			minScale: 0.2,
			maxScale: 0.8,
			strides: [32, 64],
			aspectRatios: [1, 4],
			interpolatedScaleAspectRatio: 0
		});
		// Layer 0: 2×2 cells × 2 ratios at scale 0.2; layer 1: 1 cell × 2 ratios at scale 0.8.
		expect(anchors).toHaveLength(10);
		expect(anchors[0]).toMatchObject({ width: 0.2, height: 0.2 });
		expect(anchors[1]!.width).toBeCloseTo(0.4);
		expect(anchors[1]!.height).toBeCloseTo(0.1);
		expect(anchors[8]).toMatchObject({ x: 0.5, y: 0.5, width: 0.8, height: 0.8 });
	});

	it('gives the lowest layer three boxes a cell when asked to reduce it', () => {
		const anchors = ssdAnchors({
			inputWidth: 32,
			inputHeight: 32,
			minScale: 0.2,
			maxScale: 0.9,
			strides: [16, 32],
			aspectRatios: [1],
			reduceBoxesInLowestLayer: true,
			interpolatedScaleAspectRatio: 0
		});
		expect(anchors).toHaveLength(2 * 2 * 3 + 1);
		expect(anchors[0]).toMatchObject({ width: 0.1, height: 0.1 });
	});

	it('rejects sizes and strides that are not positive', () => {
		expect(() => ssdAnchors({ ...BLAZEFACE_FULL_RANGE_ANCHORS, strides: [] })).toThrow(RangeError);
		expect(() => ssdAnchors({ ...BLAZEFACE_FULL_RANGE_ANCHORS, strides: [0] })).toThrow(RangeError);
		expect(() => ssdAnchors({ ...BLAZEFACE_FULL_RANGE_ANCHORS, inputWidth: 0 })).toThrow(RangeError);
	});
});

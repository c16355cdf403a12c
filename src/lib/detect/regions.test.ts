import { describe, expect, it } from 'vitest';
import { clipToFrame, squareTiles, toFramePixels, wholeFrame } from './regions.ts';

describe('wholeFrame', () => {
	it('centres a landscape frame in a square as wide as it (letterbox bars above and below)', () => {
		expect(wholeFrame(640, 480)).toEqual({ x: 0, y: -80, size: 640 });
	});
	it('and a portrait one in a square as tall as it', () => {
		expect(wholeFrame(480, 640)).toEqual({ x: -80, y: 0, size: 640 });
	});
});

describe('squareTiles', () => {
	it('covers 640×480 with two 480 px squares, left and right', () => {
		expect(squareTiles(640, 480, { size: 480, minOverlap: 0 })).toEqual([
			{ x: 0, y: 0, size: 480 },
			{ x: 160, y: 0, size: 480 }
		]);
	});

	it('covers a portrait frame top and bottom', () => {
		expect(squareTiles(480, 640, { size: 480, minOverlap: 0 })).toEqual([
			{ x: 0, y: 0, size: 480 },
			{ x: 0, y: 160, size: 480 }
		]);
	});

	it('uses one tile, centred, when it holds the frame', () => {
		expect(squareTiles(300, 200, { size: 300, minOverlap: 50 })).toEqual([{ x: 0, y: -50, size: 300 }]);
	});

	it.each([
		[640, 480, 240, 40],
		[1280, 720, 360, 100],
		[641, 479, 200, 150]
	])('%i×%i in %i px tiles: every point covered, neighbours overlapping by ≥ %i px', (width, height, size, minOverlap) => {
		const tiles = squareTiles(width, height, { size, minOverlap });
		for (const [axis, length] of [
			['x', width],
			['y', height]
		] as const) {
			const starts = [...new Set(tiles.map((t) => t[axis]))].sort((a, b) => a - b);
			expect(starts[0]).toBe(0);
			expect(starts.at(-1)! + size).toBe(length);
			for (let i = 1; i < starts.length; i++) expect(starts[i - 1]! + size - starts[i]!).toBeGreaterThanOrEqual(minOverlap);
		}
	});

	it('rejects an overlap as large as the tile', () => {
		expect(() => squareTiles(640, 480, { size: 100, minOverlap: 100 })).toThrow(RangeError);
	});
});

describe('toFramePixels', () => {
	it('scales boxes from the model input to the region and moves them to its place; keypoints from 0..1', () => {
		const [d] = toFramePixels(
			[{ box: { x: 96, y: 48, width: 19.2, height: 19.2 }, score: 0.9, keypoints: [{ x: 0.5, y: 0.25 }] }],
			{ x: 160, y: 0, size: 480 },
			192
		);
		expect(d!.box).toEqual({ x: 160 + 240, y: 120, width: 48, height: 48 });
		expect(d!.keypoints).toEqual([{ x: 400, y: 120 }]);
		expect(d!.score).toBe(0.9);
	});

	it('maps the letterboxed whole frame back, bars included', () => {
		const [d] = toFramePixels([{ box: { x: 0, y: 24, width: 96, height: 96 }, score: 1 }], wholeFrame(640, 480), 192);
		expect(d!.box).toEqual({ x: 0, y: 0, width: 320, height: 320 });
		expect(d!.keypoints).toBeUndefined();
	});
});

describe('clipToFrame', () => {
	it('cuts what lies outside, and drops a box wholly outside', () => {
		expect(clipToFrame({ x: -10, y: 470, width: 30, height: 30 }, 640, 480)).toEqual({ x: 0, y: 470, width: 20, height: 10 });
		expect(clipToFrame({ x: 700, y: 0, width: 30, height: 30 }, 640, 480)).toBeNull();
	});
});

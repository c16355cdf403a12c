// The engine's pure geometry; the networks themselves are exercised by pool.test.ts.
import { describe, expect, it } from 'vitest';
import { alignedChip } from './aligned-chip.ts';
import { alignBox, boxShift, clipBox, MIN_FACE_SIDE, type Pt } from './face-geometry.ts';
import type { RgbImage } from './types.ts';

/** 68 landmarks of an upright face centred on (cx, cy), about `size` px wide, tilted by `deg`. */
function face(cx: number, cy: number, size: number, deg = 0): Pt[] {
	const pts: Pt[] = [];
	for (let i = 0; i < 17; i++) pts.push({ x: -0.5 + i / 16, y: -0.1 + 0.6 * Math.sin((Math.PI * i) / 16) }); // jaw
	for (let i = 17; i < 36; i++) pts.push({ x: -0.3 + ((i - 17) / 18) * 0.6, y: 0 }); // brows, nose
	for (let i = 36; i < 42; i++) pts.push({ x: -0.2 + 0.02 * (i - 36), y: -0.05 }); // left eye
	for (let i = 42; i < 48; i++) pts.push({ x: 0.15 + 0.02 * (i - 42), y: -0.05 }); // right eye
	for (let i = 48; i < 68; i++) pts.push({ x: -0.15 + ((i - 48) / 19) * 0.3, y: 0.3 }); // mouth
	const a = (deg * Math.PI) / 180;
	return pts.map((p) => ({
		x: cx + size * (p.x * Math.cos(a) - p.y * Math.sin(a)),
		y: cy + size * (p.x * Math.sin(a) + p.y * Math.cos(a))
	}));
}

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
	const data = new Uint8Array(width * height * 3);
	for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
	return { data, width, height };
}

describe('clipBox', () => {
	it('rounds and clips to the image', () => {
		expect(clipBox({ x: -3.4, y: 2.6, width: 50, height: 200 }, 40, 100)).toEqual({ x: 0, y: 3, width: 40, height: 97 });
	});

	it('returns null when nothing is left', () => {
		expect(clipBox({ x: 50, y: 0, width: 10, height: 10 }, 40, 100)).toBeNull();
		expect(clipBox({ x: 0, y: 0, width: Number.NaN, height: 10 }, 40, 100)).toBeNull();
	});
});

describe('alignBox', () => {
	it('pads the landmarks’ bounding box by 10 % a side, like face-api', () => {
		const box = alignBox([
			{ x: 10, y: 20 },
			{ x: 110, y: 70 }
		]);
		expect(box).toEqual({ x: 0, y: 15, width: 120, height: 60 });
	});
});

describe('boxShift', () => {
	it('is the largest edge movement relative to the new box', () => {
		expect(boxShift({ x: 0, y: 0, width: 100, height: 100 }, { x: 0, y: 0, width: 100, height: 100 })).toBe(0);
		expect(boxShift({ x: 0, y: 0, width: 100, height: 100 }, { x: 5, y: 0, width: 100, height: 100 })).toBeCloseTo(0.05);
		expect(boxShift({ x: 0, y: 0, width: 100, height: 100 }, { x: 0, y: 0, width: 50, height: 50 })).toBe(1);
	});
});

describe('alignedChip', () => {
	const image = solid(160, 160, [10, 200, 30]);

	it('cuts a square chip around the face', () => {
		const chip = alignedChip(image, face(80, 80, 100))!;
		expect(chip.width).toBe(chip.height);
		expect(chip.width).toBeGreaterThan(100);
		expect(chip.data.length).toBe(chip.width * chip.height * 3);
		const centre = ((chip.height >> 1) * chip.width + (chip.width >> 1)) * 3;
		expect(Array.from(chip.data.subarray(centre, centre + 3))).toEqual([10, 200, 30]);
	});

	it('levels the eyes: a tilted face gives the same chip size', () => {
		const upright = alignedChip(image, face(80, 80, 100))!;
		const tilted = alignedChip(image, face(80, 80, 100, 30))!;
		expect(Math.abs(tilted.width - upright.width)).toBeLessThanOrEqual(1);
	});

	it('samples the rotated image', () => {
		// Left half dark, right half bright; after levelling a 90° face, "right" is image "down".
		const img = solid(160, 160, [0, 0, 0]);
		for (let y = 80; y < 160; y++) for (let x = 0; x < 160; x++) img.data.set([255, 255, 255], (y * 160 + x) * 3);
		const chip = alignedChip(img, face(80, 80, 60, 90))!;
		const row = chip.height >> 1;
		const at = (x: number) => chip.data[(row * chip.width + x) * 3]!;
		expect(at(2)).toBe(0);
		expect(at(chip.width - 3)).toBe(255);
	});

	it("keeps the image upright with level: false (face-api's own alignment box)", () => {
		const img = solid(160, 160, [0, 0, 0]);
		for (let y = 80; y < 160; y++) for (let x = 0; x < 160; x++) img.data.set([255, 255, 255], (y * 160 + x) * 3);
		const chip = alignedChip(img, face(80, 80, 60, 90), { level: false })!;
		const col = chip.width >> 1;
		const at = (y: number) => chip.data[(y * chip.width + col) * 3]!;
		// Not rotated: image "down" stays chip "down".
		expect(at(2)).toBe(0);
		expect(at(chip.height - 3)).toBe(255);
	});

	it('fills outside the image with black', () => {
		const chip = alignedChip(solid(100, 100, [255, 255, 255]), face(50, 50, 95))!;
		expect(chip.data[0]).toBe(0);
	});

	it('refuses degenerate landmarks', () => {
		expect(alignedChip(image, face(80, 80, 100).slice(0, 67))).toBeNull();
		expect(alignedChip(image, face(80, 80, MIN_FACE_SIDE / 2))).toBeNull();
		expect(
			alignedChip(
				image,
				face(80, 80, 100).map((p, i) => (i === 3 ? { x: Number.NaN, y: p.y } : p))
			)
		).toBeNull();
	});

	it('refuses a face mostly outside the crop', () => {
		expect(alignedChip(image, face(200, 80, 100))).toBeNull();
	});
});

// face-api's non-max suppression and box mapping, on hand-made boxes; on the real net's output
// they are checked against face-api itself in scripts/face-api-onnx.test.ts.
import { describe, expect, it } from 'vitest';
import { nonMaxSuppression, ssdFaces } from './ssd-output.ts';

/** Boxes as [top, left, bottom, right] rows, flattened. */
const flat = (...rows: number[][]) => Float32Array.from(rows.flat());
const NMS = { maxResults: 10, iouThreshold: 0.5, scoreThreshold: 0.5 };

describe('nonMaxSuppression (face-api greedy)', () => {
	it('keeps scores above the threshold only, best first', () => {
		const boxes = flat([0, 0, 0.1, 0.1], [0.2, 0.2, 0.3, 0.3], [0.4, 0.4, 0.5, 0.5], [0.6, 0.6, 0.7, 0.7]);
		expect(nonMaxSuppression(boxes, [0.6, 0.5, 0.9, 0.7], NMS)).toEqual([2, 3, 0]);
	});

	it('drops a box overlapping a kept one by more than the threshold, keeps one at exactly it', () => {
		const a = [0, 0, 1, 2];
		const b = [0, 0.5, 1, 2]; // 3/4 of a: IoU 0.75
		const c = [0, 0, 1, 1]; // half of a: IoU exactly 0.5
		const boxes = flat(a, b, c);
		expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.7], NMS)).toEqual([0, 2]);
	});

	it('suppresses only against kept boxes, not against dropped ones', () => {
		// b overlaps a (dropped), c overlaps b but not a: c stays.
		const boxes = flat([0, 0, 1, 1], [0, 0.2, 1, 1.2], [0, 0.9, 1, 1.9]);
		expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.7], NMS)).toEqual([0, 2]);
	});

	it('keeps ties in anchor order, stops at maxResults, and reads corners in either order', () => {
		const boxes = flat([0.5, 0.5, 0.4, 0.4], [0, 0, 0.1, 0.1], [0.8, 0.8, 0.9, 0.9]);
		expect(nonMaxSuppression(boxes, [0.7, 0.7, 0.7], NMS)).toEqual([0, 1, 2]);
		expect(nonMaxSuppression(boxes, [0.7, 0.7, 0.7], { ...NMS, maxResults: 2 })).toEqual([0, 1]);
		// The same box with its corners swapped overlaps it fully.
		expect(nonMaxSuppression(flat([0.4, 0.4, 0.5, 0.5], [0.5, 0.5, 0.4, 0.4]), [0.9, 0.8], NMS)).toEqual([0]);
	});

	it('never suppresses with an empty box; suppresses on a NaN overlap, as face-api does', () => {
		expect(nonMaxSuppression(flat([0, 0, 1, 1], [0.2, 0.2, 0.2, 0.8]), [0.9, 0.8], NMS)).toEqual([0, 1]);
		expect(nonMaxSuppression(flat([0, 0, 1, 1], [0, 0, NaN, 1]), [0.9, 0.8], NMS)).toEqual([0]);
	});
});

describe('ssdFaces', () => {
	it("maps boxes from the padded square to the image's pixels, clamped to the square", () => {
		// 1000 × 500: the square is padded below, the image fills its top 256 of 512 rows.
		const boxes = flat([0, 0, 0.25, 0.5], [-0.1, 0.9, 0.3, 1.2]);
		const faces = ssdFaces(boxes, Float32Array.of(0.9, 0.8), { width: 1000, height: 500, minConfidence: 0.5, maxResults: 10 });
		expect(faces.map((f) => f.score)).toEqual([Math.fround(0.9), Math.fround(0.8)]);
		expect(faces[0]!.box).toEqual({ x: 0, y: 0, width: 500, height: 250 });
		const second = faces[1]!.box;
		expect(second.x).toBeCloseTo(900, 3);
		expect(second.y).toBe(0);
		expect(second.x + second.width).toBeCloseTo(1000, 3);
		expect(second.height).toBeCloseTo(0.6 * 500, 3);
	});

	it('pads a portrait image on the right, with face-api’s rounded reshaped size', () => {
		// 300 × 700: scale 512 / 700, reshaped width round(219.43) = 219, so x stretches by 512 / 219.
		const faces = ssdFaces(flat([0.5, 0.1, 1, 0.3]), [0.99], { width: 300, height: 700, minConfidence: 0.5, maxResults: 10 });
		const { x, y, width, height } = faces[0]!.box;
		expect(x).toBeCloseTo(Math.fround(0.1) * (512 / 219) * 300, 9);
		expect(width).toBeCloseTo((Math.fround(0.3) - Math.fround(0.1)) * (512 / 219) * 300, 9);
		expect(y).toBeCloseTo(350, 9);
		expect(height).toBeCloseTo(350, 9);
	});

	it('refuses outputs whose lengths do not match', () => {
		expect(() => ssdFaces(new Float32Array(7), new Float32Array(2), { width: 10, height: 10, minConfidence: 0.5, maxResults: 1 })).toThrow(RangeError);
	});
});

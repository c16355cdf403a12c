// Human's framing arithmetic (human-crop.ts); the tfjs side was checked against Human 3.3.6 itself
// (its own faceres output on face-api's sample2.jpg: cosine 1.0000, see bench/embedders.ts).
import { describe, expect, it } from 'vitest';
import { blazeFaceAnchors, cutFace, decodeBlazeFaceRow, eyeAngle, humanFaceBox, humanRotation, iou } from './human-crop.ts';

describe('blazeFaceAnchors', () => {
	it("has Human's 896 anchors: 16×16 cells × 2, then 8×8 × 6, centred in their cells", () => {
		const a = blazeFaceAnchors();
		expect(a.length).toBe(2 * 896);
		expect([a[0], a[1], a[2], a[3]]).toEqual([8, 8, 8, 8]);
		// first coarse anchor: stride 32, centre 16
		expect([a[2 * 512], a[2 * 512 + 1]]).toEqual([16, 16]);
		expect([a[2 * 895], a[2 * 895 + 1]]).toEqual([240, 240]);
	});
});

describe('decodeBlazeFaceRow', () => {
	it('adds the anchor, scales to the image and turns the logit into a score', () => {
		const row = [0, 2, -4, 20, 10, ...Array.from({ length: 12 }, (_, k) => k)];
		const d = decodeBlazeFaceRow(row, { x: 100, y: 50 }, { x: 2, y: 3 });
		expect(d.score).toBeCloseTo(0.5);
		expect(d.box).toEqual({ x: (102 - 10) * 2, y: (46 - 5) * 3, width: 40, height: 30 });
		expect(d.keypoints).toHaveLength(6);
		expect(d.keypoints[1]).toEqual({ x: (2 + 100) * 2, y: (3 + 50) * 3 });
	});
});

describe('humanFaceBox', () => {
	it('grows the box ×1.4 about its centre and squares it on the larger side', () => {
		const b = humanFaceBox({ x: 100, y: 100, width: 100, height: 50 });
		expect(b.width).toBe(140);
		expect(b.height).toBe(140);
		expect(b.x + b.width / 2).toBeCloseTo(150, 0);
		expect(b.y + b.height / 2).toBeCloseTo(125, 0);
	});
});

describe('rotation', () => {
	it('Human rotates only past 0.2 rad of the mouth → nose line', () => {
		const kp = (dx: number) => [
			{ x: 0, y: 0 },
			{ x: 10, y: 0 },
			{ x: 5 + dx, y: 10 },
			{ x: 5, y: 20 }
		];
		expect(humanRotation(kp(0))).toBe(0);
		expect(humanRotation(kp(1))).toBe(0);
		expect(Math.abs(humanRotation(kp(5)))).toBeGreaterThan(0.2);
	});
	it('eyeAngle is the slope of the eyes, whichever keypoint comes first', () => {
		expect(
			eyeAngle([
				{ x: 0, y: 0 },
				{ x: 10, y: 10 }
			])
		).toBeCloseTo(Math.PI / 4);
		expect(
			eyeAngle([
				{ x: 10, y: 10 },
				{ x: 0, y: 0 }
			])
		).toBeCloseTo(Math.PI / 4);
	});
});

describe('cutFace', () => {
	const W = 8;
	const image = { width: W, height: W, data: Uint8Array.from({ length: W * W * 3 }, (_, i) => Math.floor(i / 3) % 256) };
	it("at the image's own size and box gives the image back, in 0-1", () => {
		const out = cutFace(image, { x: 0, y: 0, width: W, height: W }, W);
		for (let p = 0; p < W * W; p++) expect(out[p * 3]).toBeCloseTo(p / 255, 5);
	});
	it('is black outside the image and mirrors a half-turn', () => {
		const outside = cutFace(image, { x: 100, y: 100, width: 8, height: 8 }, 4);
		expect(Math.max(...outside)).toBe(0);
		const turned = cutFace(image, { x: 0, y: 0, width: W, height: W }, W, Math.PI);
		expect(turned[0]).toBeCloseTo((W * W - 1) / 255, 3);
	});
});

describe('iou', () => {
	it('is 1 for the same box, 0 for disjoint ones', () => {
		const a = { x: 0, y: 0, width: 10, height: 10 };
		expect(iou(a, a)).toBe(1);
		expect(iou(a, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
		expect(iou(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
	});
});

// Where the landmark net starts from the browser's keypoints: the pure geometry, and the real
// engine on face-api's demo faces (no MediaPipe here: the keypoints are made from the engine's
// own 68 landmarks, eye centres, nose tip, mouth centre and jaw ends, as BlazeFace places them).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropFromPhoto, samplePhotoPath } from '../../tests/helpers/faces.ts';
import { decodeImage } from './decode.ts';
import { loadFaceEngine, type FaceEngine } from './face-engine.ts';
import type { Pt } from './face-geometry.ts';
import type { FoundLandmarks } from './landmark-search.ts';
import { PACKAGE_MODEL_DIR } from './tfjs-runtime.ts';
import { KEYPOINT_TRUST_SHIFT, keypointStartBox } from './keypoint-start.ts';
import type { RgbImage } from './types.ts';

type Kp = Array<[number, number]>;
const mean = (pts: readonly Pt[]): [number, number] => [pts.reduce((s, p) => s + p.x, 0) / pts.length, pts.reduce((s, p) => s + p.y, 0) / pts.length];
function keypointsFrom(landmarks: readonly Pt[]): Kp {
	return [
		mean(landmarks.slice(36, 42)),
		mean(landmarks.slice(42, 48)),
		[landmarks[30]!.x, landmarks[30]!.y],
		mean(landmarks.slice(48, 68)),
		[landmarks[0]!.x, landmarks[0]!.y],
		[landmarks[16]!.x, landmarks[16]!.y]
	];
}
const FRONTAL: Kp = [
	[40, 50],
	[72, 50],
	[56, 68],
	[56, 84],
	[26, 58],
	[86, 58]
];
const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe('keypointStartBox', () => {
	it('puts a frontal face’s box around its eyes, nose and mouth, about four eye distances across', () => {
		const box = keypointStartBox(FRONTAL)!;
		for (const [x, y] of FRONTAL.slice(0, 4)) {
			expect(x).toBeGreaterThan(box.x);
			expect(x).toBeLessThan(box.x + box.width);
			expect(y).toBeGreaterThan(box.y);
			expect(y).toBeLessThan(box.y + box.height);
		}
		expect(box.width / 32).toBeGreaterThan(1.5);
		expect(box.width / 32).toBeLessThan(4);
	});

	it('follows the face when it moves and scales', () => {
		const a = keypointStartBox(FRONTAL)!;
		const b = keypointStartBox(FRONTAL.map(([x, y]) => [x * 2 + 10, y * 2 - 4]))!;
		expect(b.x).toBeCloseTo(a.x * 2 + 10, 6);
		expect(b.width).toBeCloseTo(a.width * 2, 6);
	});

	it('gives no hint for missing, degenerate or non-finite keypoints', () => {
		expect(keypointStartBox(undefined)).toBeNull();
		expect(keypointStartBox(FRONTAL.slice(0, 3))).toBeNull();
		expect(keypointStartBox(FRONTAL.map(() => [50, 50]))).toBeNull();
		expect(keypointStartBox(FRONTAL.map(([x, y], i) => (i === 1 ? [x, Number.NaN] : [x, y])))).toBeNull();
		// Mouth above the eyes: the fit predicts a box of no size, or one the caller clips away.
		const upsideDown = keypointStartBox([
			[40, 50],
			[72, 50],
			[56, 50],
			[56, -2000],
			[26, 58],
			[86, 58]
		]);
		expect(upsideDown === null || upsideDown.width > 0).toBe(true);
	});
});

describe('describeCrop with keypoints (real engine)', () => {
	let engine: FaceEngine;
	const crops: RgbImage[] = [];

	beforeAll(async () => {
		engine = await loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm' });
		for (const n of [1, 3]) {
			const photo = readFileSync(samplePhotoPath(n));
			const image = await decodeImage(photo, { maxSide: 1280 });
			const scale = image.sourceWidth / image.width;
			for (const face of await engine.detectFaces(image)) {
				const box = { x: face.box.x * scale, y: face.box.y * scale, width: face.box.width * scale, height: face.box.height * scale };
				crops.push(await decodeImage(await cropFromPhoto(photo, box, { margin: 0.25, maxSide: 112, quality: 80, format: 'webp' }), { maxSide: 256 }));
			}
		}
	}, 120_000);

	afterAll(() => engine?.dispose());

	it('describes the same face as from the whole crop, with fewer landmark passes', async () => {
		expect(crops.length).toBe(6);
		let passesWhole = 0;
		let passesHinted = 0;
		for (const crop of crops) {
			const whole: FoundLandmarks = {};
			const plain = await engine.describeCrop(crop, whole);
			expect(plain).not.toBeNull();
			const start = keypointStartBox(keypointsFrom(whole.landmarks!))!;
			const hinted: FoundLandmarks = {};
			const fromKeypoints = await engine.describeCrop(crop, hinted, { start, trustShift: KEYPOINT_TRUST_SHIFT });
			// Two crops of one face differ by 0.28–0.53 (pool.test.ts); another person is ≥ 0.45 away.
			expect(distance(plain!, fromKeypoints!)).toBeLessThan(0.25);
			passesWhole += whole.passes!;
			passesHinted += hinted.passes!;
		}
		expect(passesHinted).toBeLessThan(passesWhole);
	});

	it('falls back to the whole crop when the keypoints point nowhere useful', async () => {
		const crop = crops[0]!;
		const plain = await engine.describeCrop(crop);
		for (const start of [
			{ x: 0, y: 0, width: 6, height: 6 },
			{ x: -500, y: -500, width: 50, height: 50 }
		]) {
			const found: FoundLandmarks = {};
			const described = await engine.describeCrop(crop, found, { start, trustShift: KEYPOINT_TRUST_SHIFT });
			expect(described).not.toBeNull();
			expect(distance(plain!, described!)).toBeLessThan(1e-5);
		}
	});
});

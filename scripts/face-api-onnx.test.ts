// face-api's nets rebuilt as ONNX (face-api-onnx.mjs) against face-api itself on tfjs-wasm, on the
// faces of face-api's demo photos: the same faces found by SSD, the same landmarks and descriptors
// (to float rounding), and the engine's fallback to tfjs when the graphs are missing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cropFromPhoto, samplePhotoPath } from '../tests/helpers/faces.ts';
import { decodeImage } from '../server/embed/decode.ts';
import { alignedChip } from '../server/embed/aligned-chip.ts';
import { loadFaceEngine, type FaceEngine } from '../server/embed/face-engine.ts';
import { clipBox } from '../server/embed/face-geometry.ts';
import { loadTfjsRuntime, PACKAGE_MODEL_DIR } from '../server/embed/tfjs-runtime.ts';
import { loadOnnxNets, type OnnxNets } from '../server/embed/onnx/onnx-nets.ts';
import type { DetectedFace, FaceBox, RgbImage } from '../server/embed/types.ts';
import { buildFaceApiOnnx } from './face-api-onnx.mjs';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
	expect(a.length).toBe(b.length);
	let worst = 0;
	for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
	return worst;
};
// Two crops of one face are 0.28-0.53 apart (pool.test.ts), the match margin is ~0.04: agreement
// to 1e-4 is "the same descriptor". Measured by bench:onnx: ≤ 3.3e-7 on chips, 6.3e-6 on crops.
const SAME = 1e-4;

let dir: string;
let emptyDir: string;
let tfjs: FaceEngine;
let onnx: FaceEngine;
let nets: OnnxNets;
const photos: Array<{ image: RgbImage; boxes: FaceBox[] }> = [];
const crops: RgbImage[] = [];

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'facertc-onnx-'));
	emptyDir = await mkdtemp(join(tmpdir(), 'facertc-onnx-none-'));
	await buildFaceApiOnnx(PACKAGE_MODEL_DIR, dir);
	tfjs = await loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', nets: 'tfjs' });
	onnx = await loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', nets: 'onnx', onnxDir: dir });
	nets = await loadOnnxNets({ dir });
	for (const n of [1, 3]) {
		const photo = readFileSync(samplePhotoPath(n));
		const image = await decodeImage(photo, { maxSide: 1280 });
		const boxes = (await tfjs.detectFaces(image)).map((f) => f.box);
		photos.push({ image, boxes });
		const scale = image.sourceWidth / image.width;
		for (const b of boxes) {
			const box = { x: b.x * scale, y: b.y * scale, width: b.width * scale, height: b.height * scale };
			crops.push(await decodeImage(await cropFromPhoto(photo, box, { margin: 0.25, maxSide: 112, quality: 80, format: 'webp' }), { maxSide: 256 }));
		}
	}
}, 180_000);

afterAll(async () => {
	tfjs?.dispose();
	onnx?.dispose();
	await nets?.dispose();
	for (const d of [dir, emptyDir]) if (d) await rm(d, { recursive: true, force: true });
});

describe('face-api nets on onnxruntime-node', () => {
	it('runs where the tfjs engine does, and says so', () => {
		expect(tfjs.backend).toBe('wasm');
		expect(onnx.backend).toBe('onnxruntime-node');
		expect(crops.length).toBe(6);
	});

	it('finds the same 68 landmarks (one pass, SSD boxes, non-square regions)', async () => {
		for (const { image, boxes } of photos) {
			for (const box of boxes) {
				const a = (await tfjs.findLandmarks(image, box, 1))!;
				const [b] = await nets.findLandmarks(image, [clipBox(box, image.width, image.height)!]);
				expect(
					maxDiff(
						a.flatMap((p) => [p.x, p.y]),
						b!.flatMap((p) => [p.x, p.y])
					)
				).toBeLessThan(1e-3);
			}
		}
	});

	it('gives the same descriptor on the same aligned chip, alone or in a batch', async () => {
		const chips: RgbImage[] = [];
		for (const { image, boxes } of photos) {
			for (const box of boxes) {
				const landmarks = await tfjs.findLandmarks(image, box);
				chips.push(alignedChip(image, landmarks!)!);
			}
		}
		const batch = await nets.describeChips(chips);
		for (const [i, chip] of chips.entries()) {
			const a = (await tfjs.describeChip(chip))!;
			expect(maxDiff(a, (await onnx.describeChip(chip))!)).toBeLessThan(SAME);
			expect(maxDiff(a, batch[i]!)).toBeLessThan(SAME);
		}
	});

	it('gives the same descriptor on browser crops (the live path: landmark passes, alignment, net)', async () => {
		for (const crop of crops) {
			const a = (await tfjs.describeCrop(crop))!;
			const b = (await onnx.describeCrop(crop))!;
			expect(maxDiff(a, b)).toBeLessThan(SAME);
		}
	});

	it('gives each crop of a batch (several images, one landmark run a round) its own descriptor', async () => {
		const batch = await onnx.describeCrops(crops.map((image) => ({ image })));
		expect(batch.length).toBe(crops.length);
		for (const [i, crop] of crops.entries()) {
			expect(maxDiff((await tfjs.describeCrop(crop))!, batch[i]!)).toBeLessThan(SAME);
		}
		// Crops in another order get the same answers: no crop's landmarks come from its neighbour.
		const reversed = await onnx.describeCrops([...crops].reverse().map((image) => ({ image })));
		for (const [i, d] of reversed.entries()) expect(maxDiff(d!, batch[crops.length - 1 - i]!)).toBeLessThan(SAME);
	});
});

describe('SSD MobileNet v1 on onnxruntime-node', () => {
	const SSD_OPTIONS = { minConfidence: 0.5, maxResults: 50 };
	// Boxes to well under a pixel and scores to 1e-4, face for face in face-api's order. Measured
	// here: ≤ 1.6e-4 px and ≤ 8e-7 (at 1920 px: ≤ 2.3e-4 px, ≤ 1e-6).
	const SAME_PX = 0.01;
	const SAME_SCORE = 1e-4;

	/** face-api's own locateFaces on tfjs-wasm (unrounded boxes), as the tfjs engine calls it. */
	async function faceApiFaces(image: RgbImage): Promise<DetectedFace[]> {
		const { faceapi, tf } = await loadTfjsRuntime('wasm');
		const ssd = new faceapi.SsdMobilenetv1();
		await ssd.loadFromDisk(PACKAGE_MODEL_DIR);
		const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
		try {
			const found = await ssd.locateFaces(input as unknown as Parameters<typeof ssd.locateFaces>[0], new faceapi.SsdMobilenetv1Options(SSD_OPTIONS));
			return found.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
		} finally {
			input.dispose();
			ssd.dispose();
		}
	}

	/** The six demo photos as the server decodes them (≤ 1280 px), two also turned a quarter (portrait: padded at the right). */
	async function ssdPhotos(): Promise<Array<{ name: string; image: RgbImage }>> {
		const out: Array<{ name: string; image: RgbImage }> = [];
		for (let n = 1; n <= 6; n++) {
			const photo = readFileSync(samplePhotoPath(n));
			out.push({ name: `sample${n}`, image: await decodeImage(photo, { maxSide: 1280 }) });
			if (n === 1 || n === 3)
				out.push({ name: `sample${n} turned`, image: await decodeImage(await sharp(photo).rotate(90).jpeg().toBuffer(), { maxSide: 1280 }) });
		}
		return out;
	}

	it('finds the same faces as face-api on tfjs, in the same order, with the same boxes and scores', async () => {
		let found = 0;
		for (const { name, image } of await ssdPhotos()) {
			const a = await faceApiFaces(image);
			const b = await nets.detectFaces(image, SSD_OPTIONS);
			expect(b.length, name).toBe(a.length);
			for (const [i, face] of a.entries()) {
				const other = b[i]!;
				const dBox = maxDiff([face.box.x, face.box.y, face.box.width, face.box.height], [other.box.x, other.box.y, other.box.width, other.box.height]);
				expect(dBox, `${name} face ${i} box`).toBeLessThan(SAME_PX);
				expect(Math.abs(face.score - other.score), `${name} face ${i} score`).toBeLessThan(SAME_SCORE);
			}
			found += a.length;
		}
		// 3 + 3 + 3 + 4 + 5 + 4 faces upright; turned, 3 in sample1 and 1 in sample3 (SSD wants them upright).
		expect(found).toBe(26);
	}, 120_000);

	it("is what the engine's detectFaces answers on onnxruntime (clipped to whole pixels), and the tfjs engine agrees", async () => {
		const { image } = photos[1]!;
		const raw = await nets.detectFaces(image, SSD_OPTIONS);
		const viaOnnx = await onnx.detectFaces(image);
		expect(viaOnnx).toEqual(raw.map((f) => ({ box: clipBox(f.box, image.width, image.height), score: f.score })));
		const viaTfjs = await tfjs.detectFaces(image);
		expect(viaTfjs.length).toBe(viaOnnx.length);
		viaTfjs.forEach((f, i) => expect(maxDiff(Object.values(f.box), Object.values(viaOnnx[i]!.box))).toBeLessThanOrEqual(1));
	});
});

describe('falling back to tfjs', () => {
	it('runs the nets on tfjs, with a warning, when the graphs are missing', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const engine = await loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', onnxDir: emptyDir, nets: 'auto' });
		try {
			expect(engine.backend).toBe('wasm');
			expect(warn).toHaveBeenCalledWith(expect.stringMatching(/faces, landmarks and descriptors on tfjs wasm: no ONNX graph at /));
			expect(maxDiff((await engine.describeCrop(crops[0]!))!, (await tfjs.describeCrop(crops[0]!))!)).toBe(0);
			expect(await engine.detectFaces(photos[0]!.image)).toEqual(await tfjs.detectFaces(photos[0]!.image));
		} finally {
			engine.dispose();
			warn.mockRestore();
		}
	});

	it("refuses to start when told to use onnxruntime and it can't", async () => {
		await expect(loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', onnxDir: emptyDir, nets: 'onnx' })).rejects.toThrow(/no ONNX graph at/);
	});
});

// face-api's nets rebuilt as ONNX (face-api-onnx.mjs) against face-api itself on tfjs-wasm, on the
// faces of face-api's demo photos: the same landmarks and descriptors (to float rounding), and the
// engine's fallback to tfjs when the graphs are missing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cropFromPhoto, samplePhotoPath } from '../tests/helpers/faces.ts';
import { decodeImage } from '../server/embed/decode.ts';
import { alignedChip } from '../server/embed/aligned-chip.ts';
import { loadFaceEngine, type FaceEngine } from '../server/embed/face-engine.ts';
import { clipBox } from '../server/embed/face-geometry.ts';
import { PACKAGE_MODEL_DIR } from '../server/embed/tfjs-runtime.ts';
import { loadOnnxNets, type OnnxNets } from '../server/embed/onnx/onnx-nets.ts';
import type { FaceBox, RgbImage } from '../server/embed/types.ts';
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
		expect(onnx.backend).toBe('onnxruntime-node+wasm');
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

describe('falling back to tfjs', () => {
	it('runs the nets on tfjs, with a warning, when the graphs are missing', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const engine = await loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', onnxDir: emptyDir, nets: 'auto' });
		try {
			expect(engine.backend).toBe('wasm');
			expect(warn).toHaveBeenCalledWith(expect.stringMatching(/landmarks and descriptors on tfjs wasm: no ONNX graph at /));
			expect(maxDiff((await engine.describeCrop(crops[0]!))!, (await tfjs.describeCrop(crops[0]!))!)).toBe(0);
		} finally {
			engine.dispose();
			warn.mockRestore();
		}
	});

	it("refuses to start when told to use onnxruntime and it can't", async () => {
		await expect(loadFaceEngine({ modelDir: PACKAGE_MODEL_DIR, backend: 'wasm', onnxDir: emptyDir, nets: 'onnx' })).rejects.toThrow(/no ONNX graph at/);
	});
});

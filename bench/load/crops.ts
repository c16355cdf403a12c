/**
 * Face crops for the load benchmark, shaped as the live page ships them (the protocol's 25 %
 * margin, 112 px WebP q0.5: chooseCropSettings on a good link): cut from face-api's demo photos
 * (found with the server's own photo path, in a one-worker pool), and the labelled faces of
 * ../shared/data when present (tight 150 px crops, re-encoded the same way).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { chooseCropSettings } from '../../src/lib/link/bandwidth.ts';
import { FACE_CROP_MARGIN } from '../../src/lib/protocol/face-crop.ts';
import { createEmbedPool } from '../../server/embed/pool.ts';
import { cropFromPhoto, samplePhotoPath } from '../../tests/helpers/faces.ts';
import { startMediapipe } from '../align/mediapipe.ts';
import { DATA_DIR, hasSharedData, labelledFaces } from '../data.ts';

/**
 * `keypoints`: BlazeFace's six in the crop's pixels, as the live page sends them (absent when it
 * found no face). `from`: face-api's demo photos, or ../shared/data's labelled faces.
 */
export type Crop = { bytes: Uint8Array; width: number; height: number; keypoints?: Array<[number, number]>; from: 'demo' | 'labelled' };

const SHIPPED = chooseCropSettings({ dataSaver: false, rttMs: 0, webp: true });
const encode = { maxSide: SHIPPED.maxSide, quality: Math.round(SHIPPED.quality * 100), format: 'webp' as const };

async function withSize(bytes: Buffer, from: Crop['from']): Promise<Crop> {
	const { width = 0, height = 0 } = await sharp(bytes).metadata();
	return { bytes: new Uint8Array(bytes), width, height, from };
}

/**
 * MediaPipe's BlazeFace (in Chromium, as the live page runs it) on each crop: its keypoints go
 * with the crop, as the live page sends its track's. How many crops got them.
 */
async function addKeypoints(crops: Crop[]): Promise<number> {
	const mediapipe = await startMediapipe();
	let found = 0;
	try {
		for (const crop of crops) {
			const png = await sharp(crop.bytes).png().toBuffer();
			const [best] = (await mediapipe.detect(png)).sort((a, b) => b.score - a.score);
			if (!best || best.keypoints.length !== 6) continue;
			crop.keypoints = best.keypoints.map((k): [number, number] => [Math.round(k.x * 10) / 10, Math.round(k.y * 10) / 10]);
			found++;
		}
	} finally {
		await mediapipe.close();
	}
	return found;
}

/** The crops and a line saying where they came from; with BlazeFace's keypoints unless `withKeypoints` is false. */
export async function loadCrops(withKeypoints = true): Promise<{ crops: Crop[]; source: string }> {
	const crops: Crop[] = [];
	const pool = createEmbedPool({ size: 1, modelDir: join('models', 'face-api') });
	try {
		for (const n of [1, 2, 3, 4, 5, 6]) {
			const photo = readFileSync(samplePhotoPath(n));
			const { faces } = await pool.analyzePhoto(photo);
			for (const face of faces) crops.push(await withSize(await cropFromPhoto(photo, face.box, { margin: FACE_CROP_MARGIN, ...encode }), 'demo'));
		}
	} finally {
		await pool.close();
	}
	const fromSamples = crops.length;
	let source = `${fromSamples} faces of face-api's demo photos`;
	if (hasSharedData()) {
		for (const file of [...labelledFaces().values()].flat()) {
			const resized = await sharp(readFileSync(file))
				.resize({ width: encode.maxSide, height: encode.maxSide, fit: 'inside' })
				.webp({ quality: encode.quality })
				.toBuffer();
			crops.push(await withSize(resized, 'labelled'));
		}
		source += ` and ${crops.length - fromSamples} labelled faces of ${join(DATA_DIR, 'faces')}`;
	} else {
		source += ` (shared data absent at ${DATA_DIR}: demo photos only)`;
	}
	if (withKeypoints) source += `; ${await addKeypoints(crops)} of ${crops.length} with BlazeFace's keypoints (as the live page sends them)`;
	else source += '; no keypoints (LOAD_KEYPOINTS=0: as pages from before issue #10.1)';
	const meanBytes = crops.reduce((a, c) => a + c.bytes.byteLength, 0) / crops.length;
	return { crops, source: `${source}; ${encode.maxSide} px WebP q${SHIPPED.quality}, ${(meanBytes / 1000).toFixed(2)} KB on average` };
}

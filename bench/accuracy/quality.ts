/**
 * What bench:accuracy's quality weighting needs of each identity photo's face, measured as the
 * server can at enrolment: head turn (yaw, on the landmarks the enrolment crop's chip is aligned
 * on, as server/embed/pipeline.ts stores it), SSD's detection score, the face's size in the photo,
 * and sharpness (variance of the Laplacian of the grey face at 112 px). Cached in
 * bench/results/accuracy-quality.json by photo and box (a few seconds a photo on first run).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { cropFace, decodeImage } from '../../server/embed/decode.ts';
import { loadFaceEngine, type FaceEngine } from '../../server/embed/face-engine.ts';
import type { FoundLandmarks } from '../../server/embed/landmark-search.ts';
import { ENROL_CROP, findFaces, PHOTO_DECODE_MAX_SIDE } from '../../server/embed/pipeline.ts';
import { yawFromLandmarks } from '../../server/embed/pose.ts';
import type { FaceBox, RgbImage } from '../../server/embed/types.ts';
import type { FaceQuality } from '../../server/gallery/enrol-quality.ts';
import { photoOf, type BenchFace } from './embed.ts';

const CACHE_FILE = join('bench', 'results', 'accuracy-quality.json');

/** Variance of the Laplacian of the grey face, scaled to 112 px (comparable across sizes). */
async function sharpness(image: RgbImage, box: FaceBox): Promise<number> {
	const x = Math.max(0, Math.round(box.x));
	const y = Math.max(0, Math.round(box.y));
	const width = Math.max(1, Math.min(image.width - x, Math.round(box.width)));
	const height = Math.max(1, Math.min(image.height - y, Math.round(box.height)));
	const { data } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
		.extract({ left: x, top: y, width, height })
		.resize(112, 112, { fit: 'fill' })
		.greyscale()
		.convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 })
		.raw()
		.toBuffer({ resolveWithObject: true });
	let sum = 0;
	let sq = 0;
	for (const v of data) {
		sum += v;
		sq += v * v;
	}
	const mean = sum / data.length;
	return sq / data.length - mean * mean;
}

const iou = (a: FaceBox, b: FaceBox) => {
	const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
	const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
	return (w * h) / (a.width * a.height + b.width * b.height - w * h);
};

/** The quality of every identity face, by face (faces without a measure get none). */
export async function measureQuality(faces: ReadonlyArray<BenchFace & { box: FaceBox }>, log: (msg: string) => void): Promise<Map<BenchFace, FaceQuality>> {
	const cache: Record<string, FaceQuality> = existsSync(CACHE_FILE) ? (JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as Record<string, FaceQuality>) : {};
	let engine: FaceEngine | null = null;
	let computed = 0;
	const out = new Map<BenchFace, FaceQuality>();
	const photos = new Map<string, RgbImage>();
	for (const f of faces) {
		if (f.kind !== 'identity') continue;
		const { path } = photoOf(f);
		const bytes = readFileSync(path);
		const key = `${createHash('sha1').update(bytes).digest('hex')}:${f.box.x},${f.box.y},${f.box.width},${f.box.height}`;
		let q = cache[key];
		if (!q) {
			engine ??= await loadFaceEngine({ modelDir: join('models', 'face-api') });
			let image = photos.get(path);
			if (!image) photos.set(path, (image = await decodeImage(bytes, { maxSide: PHOTO_DECODE_MAX_SIDE })));
			const found: FoundLandmarks = {};
			await engine.describeCrop(await cropFace(image, f.box, ENROL_CROP), found);
			const detected = await findFaces(engine, image);
			const score = detected.boxes.reduce((best, b) => (iou(b.box, f.box) > best.o ? { o: iou(b.box, f.box), s: b.score } : best), {
				o: 0,
				s: null as number | null
			}).s;
			q = { yaw: found.landmarks ? yawFromLandmarks(found.landmarks) : null, score, side: f.side, sharpness: await sharpness(image, f.box) };
			cache[key] = q;
			computed++;
		}
		out.set(f, q);
	}
	engine?.dispose();
	if (computed) {
		writeFileSync(CACHE_FILE, JSON.stringify(cache));
		log(`   quality measured for ${computed} identity faces now, the rest cached`);
	}
	return out;
}

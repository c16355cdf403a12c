// The embed pool end to end: real worker threads, real face-api weights, face-api's demo photos.
//
// Distances measured on this set (wasm backend, euclidean on the 128-d descriptors):
//   same face, browser-like crop vs the enrolment crop analyzePhoto made:   ≤ 0.17
//   same face, two browser-like crops (margin 0.2 / q90 vs shifted, margin 0.35, 112 px, q55):
//     0.28-0.29 on sample1, ≤ 0.39 on sample1+3, ≤ 0.53 over all 22 demo faces
//   different people: ≥ 0.487 among the 6 faces of sample1+3, ≥ 0.45 over all 22 faces
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_MODEL_DIR } from './tfjs-runtime.ts';
import { createEmbedPool, type EmbedPool } from './pool.ts';
import type { FaceBox, PhotoAnalysis } from './types.ts';

const DEMO = path.join(PACKAGE_MODEL_DIR, '../demo');
const photo = (n: number) => readFileSync(path.join(DEMO, `sample${n}.jpg`));

const distance = (a: Float32Array, b: Float32Array) => {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
	return Math.sqrt(sum);
};

/** A browser-like JPEG crop: the box moved by (dx, dy)·size, scaled, grown by margin a side. */
async function cropJpeg(
	bytes: Buffer,
	image: { width: number; height: number },
	box: FaceBox,
	o: { margin: number; maxSide: number; quality: number; dx?: number; dy?: number; scale?: number }
): Promise<Uint8Array> {
	const w = box.width * (o.scale ?? 1);
	const h = box.height * (o.scale ?? 1);
	const cx = box.x + box.width / 2 + (o.dx ?? 0) * box.width;
	const cy = box.y + box.height / 2 + (o.dy ?? 0) * box.height;
	const left = Math.max(0, Math.floor(cx - w / 2 - w * o.margin));
	const top = Math.max(0, Math.floor(cy - h / 2 - h * o.margin));
	const right = Math.min(image.width, Math.ceil(cx + w / 2 + w * o.margin));
	const bottom = Math.min(image.height, Math.ceil(cy + h / 2 + h * o.margin));
	const jpeg = await sharp(bytes)
		.extract({ left, top, width: right - left, height: bottom - top })
		.resize(o.maxSide, o.maxSide, { fit: 'inside' })
		.jpeg({ quality: o.quality })
		.toBuffer();
	return new Uint8Array(jpeg);
}

const tightCrop = { margin: 0.2, maxSide: 160, quality: 90 };
const looseCrop = { margin: 0.35, maxSide: 112, quality: 55, dx: 0.06, dy: -0.04, scale: 1.1 };

describe('embed pool (real models)', () => {
	let pool: EmbedPool;
	let sample1: PhotoAnalysis;
	let sample3: PhotoAnalysis;
	const logs: string[] = [];

	beforeAll(async () => {
		// These tests check answers, not timing (pool-logic.test.ts covers timeouts): a generous job
		// limit keeps them green on a slow, busy machine, where one photo can take several seconds.
		pool = createEmbedPool({ size: 2, modelDir: PACKAGE_MODEL_DIR, jobTimeoutMs: 60_000, log: (m) => logs.push(m) });
		await pool.ready();
		[sample1, sample3] = await Promise.all([pool.analyzePhoto(photo(1)), pool.analyzePhoto(photo(3))]);
	}, 120_000);

	afterAll(async () => {
		await pool?.close();
	});

	it('reports the backend once through log', async () => {
		const { backend } = await pool.ready();
		expect(['wasm', 'tensorflow']).toContain(backend);
		expect(logs).toEqual([`embed: 2 workers, backend ${backend}`]);
	});

	it('finds every face of a group photo, boxed in the photo’s own pixels', () => {
		expect([sample1.width, sample1.height]).toEqual([1920, 1280]);
		expect(sample1.faces).toHaveLength(3);
		expect(sample3.faces).toHaveLength(3);
		for (const face of [...sample1.faces, ...sample3.faces]) {
			expect(face.score).toBeGreaterThanOrEqual(0.5);
			expect(face.descriptor).toBeInstanceOf(Float32Array);
			expect(face.descriptor).toHaveLength(128);
		}
		// Detected on a 1280 px copy, reported at 1920 px: left edges ~414, ~839, ~1476.
		const lefts = sample1.faces.map((f) => f.box.x).sort((a, b) => a - b);
		[414, 839, 1476].forEach((x, i) => expect(Math.abs(lefts[i]! - x)).toBeLessThan(15));
		for (const { box } of sample1.faces) {
			expect(box.x + box.width).toBeLessThanOrEqual(1920);
			expect(box.y + box.height).toBeLessThanOrEqual(1280);
		}
		const scores = sample1.faces.map((f) => f.score);
		expect(Math.min(...scores)).toBeGreaterThan(0.9);
		expect(scores).toEqual([...scores].sort((a, b) => b - a));
	});

	it('keeps one face close however the browser crops it', async () => {
		for (const face of sample1.faces) {
			const [a, b] = await Promise.all([
				pool.describeCrop(await cropJpeg(photo(1), sample1, face.box, tightCrop)),
				pool.describeCrop(await cropJpeg(photo(1), sample1, face.box, looseCrop))
			]);
			expect(a.ms).toBeGreaterThan(0);
			expect(distance(a.descriptor!, b.descriptor!)).toBeLessThan(0.4); // measured 0.28-0.29
			expect(distance(a.descriptor!, face.descriptor!)).toBeLessThan(0.25); // measured ≤ 0.10
		}
	}, 60_000);

	it('keeps different people apart', async () => {
		const faces = [...sample1.faces.map((f) => ({ f, bytes: photo(1), img: sample1 })), ...sample3.faces.map((f) => ({ f, bytes: photo(3), img: sample3 }))];
		const live = await Promise.all(faces.map(({ f, bytes, img }) => cropJpeg(bytes, img, f.box, looseCrop).then((c) => pool.describeCrop(c))));
		let nearest = Infinity;
		for (let i = 0; i < faces.length; i++) {
			for (let j = 0; j < faces.length; j++) {
				if (i !== j) nearest = Math.min(nearest, distance(faces[i]!.f.descriptor!, live[j]!.descriptor!));
			}
		}
		expect(nearest).toBeGreaterThan(0.45); // measured 0.487
	}, 60_000);

	it('rejects undecodable bytes with bad-image and keeps working', async () => {
		const garbage = new Uint8Array(2048).map((_, i) => (i * 7919) % 251);
		await expect(pool.describeCrop(garbage)).rejects.toMatchObject({ code: 'bad-image' });
		await expect(pool.analyzePhoto(garbage)).rejects.toMatchObject({ code: 'bad-image' });
		const crop = await cropJpeg(photo(1), sample1, sample1.faces[0]!.box, tightCrop);
		const { descriptor } = await pool.describeCrop(crop);
		expect(descriptor).toHaveLength(128);
		expect(pool.stats()).toMatchObject({ queued: 0, busy: 0, ready: 2, restarts: 0 });
	}, 30_000);

	it('answers null for an image too small to hold a face', async () => {
		const tiny = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#888' } })
			.png()
			.toBuffer();
		expect(await pool.describeCrop(new Uint8Array(tiny))).toMatchObject({ descriptor: null });
		expect(await pool.analyzePhoto(new Uint8Array(tiny))).toMatchObject({ faces: [], width: 20, height: 20 });
	});

	it('describes a batch of crops as each alone (max abs diff < 1e-4), and fails only its bad crop', async () => {
		const faces = [...sample1.faces, ...sample3.faces];
		const crops = await Promise.all(faces.map((f, i) => cropJpeg(photo(i < 3 ? 1 : 3), i < 3 ? sample1 : sample3, f.box, looseCrop)));
		// Alone: one at a time, nothing else waiting.
		const alone: Array<Float32Array | null> = [];
		for (const crop of crops) alone.push((await pool.describeCrop(crop)).descriptor);
		const batches: number[] = [];
		const batched = createEmbedPool({
			size: 1,
			batch: 8,
			modelDir: PACKAGE_MODEL_DIR,
			jobTimeoutMs: 60_000,
			observer: { jobDone: ({ batch }) => batches.push(batch) }
		});
		try {
			// Queued while the worker still loads: it takes them all at once, a garbage crop among them.
			const garbage = new Uint8Array(2048).map((_, i) => (i * 7919) % 251);
			const answers = await Promise.allSettled(
				[...crops.slice(0, 3), garbage, ...crops.slice(3)].map((c, i) => batched.describeCrop(c, { priority: 'live', client: `c${i}` }))
			);
			expect(batches).toEqual(Array(7).fill(7));
			expect(answers[3]).toMatchObject({ status: 'rejected', reason: { code: 'bad-image' } });
			const good = answers.filter((_, i) => i !== 3);
			let maxAbs = 0;
			good.forEach((answer, i) => {
				expect(answer.status).toBe('fulfilled');
				const got = (answer as PromiseFulfilledResult<{ descriptor: Float32Array | null }>).value.descriptor!;
				expect(got).toHaveLength(128);
				for (let k = 0; k < 128; k++) maxAbs = Math.max(maxAbs, Math.abs(got[k]! - alone[i]![k]!));
			});
			expect(maxAbs).toBeLessThan(1e-4); // measured 0 (wasm)
		} finally {
			await batched.close();
		}
	}, 120_000);

	it('leaves the caller’s buffer attached', async () => {
		const crop = await cropJpeg(photo(3), sample3, sample3.faces[0]!.box, tightCrop);
		const length = crop.byteLength;
		await pool.describeCrop(crop);
		expect(crop.byteLength).toBe(length);
	});
});

describe('embed pool limits (real workers)', () => {
	it('rejects overloaded past maxQueue, then closed after close()', async () => {
		const pool = createEmbedPool({ size: 1, modelDir: PACKAGE_MODEL_DIR, maxQueue: 2 });
		const bytes = new Uint8Array(readFileSync(path.join(DEMO, 'sample1.jpg')));
		// The worker is still loading: these wait in the queue.
		const waiting = Promise.allSettled([pool.describeCrop(bytes), pool.analyzePhoto(bytes)]);
		await expect(pool.describeCrop(bytes)).rejects.toMatchObject({ code: 'overloaded' });
		expect(pool.stats()).toMatchObject({ queued: 2, overloaded: 1 });
		await pool.close();
		for (const result of await waiting) {
			expect(result).toMatchObject({ status: 'rejected', reason: { code: 'closed' } });
		}
		await expect(pool.describeCrop(bytes)).rejects.toMatchObject({ code: 'closed' });
		await expect(pool.ready()).rejects.toMatchObject({ code: 'closed' });
	});
});

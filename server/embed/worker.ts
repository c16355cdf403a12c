// Embed worker thread: loads the face engine once, then answers jobs one at a time.
//
// In:  workerData { modelDir, embedder? }  (embedder: EMBEDDER's choice; face-api when absent)
//      { id, kind: 'describe-crop' | 'analyze-photo', bytes: ArrayBuffer, keypoints? }
//      (keypoints: the browser's, in crop pixels, for a crop; see keypoint-start.ts)
// Out: { type: 'ready', backend } | { type: 'fatal', message }   (once, at start-up)
//      { id, ok: true, descriptor: Float32Array | null, ms, landmark? }  (describe-crop;
//        landmark: keypoints used or not, landmark-net runs, for face-api's own embedder)
//      { id, ok: true, faces, width, height, ms }                  (analyze-photo)
//      { id, ok: false, code: 'bad-image' | 'too-large' | 'internal', message }
// A bad job never ends the worker; the pool respawns it if anything else does.
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { decodeImage, scaleBox } from './decode.ts';
import { loadCropDescriber, type EmbedderChoice } from './embedders/load.ts';
import { loadFaceEngine, type FaceEngine, type FoundLandmarks } from './face-engine.ts';
import { KEYPOINT_TRUST_SHIFT, keypointStartBox } from './keypoint-start.ts';
import { analyzeImage, CROP_DECODE_MAX_SIDE, ENROL_PATH, PHOTO_DECODE_MAX_SIDE, type CropDescriber } from './pipeline.ts';
import type { AnalyzedFace } from './types.ts';

export interface WorkerInit {
	modelDir: string;
	embedder?: EmbedderChoice;
}

export type CropKeypoints = ReadonlyArray<readonly [number, number]>;
/** How a crop's landmarks were found: from the browser's keypoints (`used`), sent but of no use, or none sent; and the net's runs. */
export type LandmarkUse = { keypoints: 'used' | 'unusable' | 'none'; passes: number };
export type WorkerJob = { id: number; kind: 'describe-crop' | 'analyze-photo'; bytes: ArrayBuffer; keypoints?: CropKeypoints };

export type WorkerReply =
	| { type: 'ready'; backend: string }
	| { type: 'fatal'; message: string }
	| { id: number; ok: true; descriptor: Float32Array | null; ms: number; landmark?: LandmarkUse }
	| { id: number; ok: true; faces: AnalyzedFace[]; width: number; height: number; ms: number }
	| { id: number; ok: false; code: WorkerErrorCode; message: string };

/** The error codes a job may fail with; anything else is reported as 'internal'. */
export type WorkerErrorCode = 'bad-image' | 'too-large' | 'internal';

type Loaded = { engine: FaceEngine; describe: CropDescriber | undefined };

async function describeCrop({ engine, describe }: Loaded, bytes: Uint8Array, keypoints?: CropKeypoints) {
	const image = await decodeImage(bytes, { maxSide: CROP_DECODE_MAX_SIDE });
	if (describe) return { descriptor: await describe(image) };
	// Keypoints are in the crop's pixels as sent; decoding may have scaled it down.
	const sx = image.width / image.sourceWidth;
	const sy = image.height / image.sourceHeight;
	const start = keypointStartBox(keypoints?.map(([x, y]) => [x * sx, y * sy] as const));
	const found: FoundLandmarks = {};
	const descriptor = await engine.describeCrop(image, found, start ? { start, trustShift: KEYPOINT_TRUST_SHIFT } : undefined);
	const landmark: LandmarkUse = { keypoints: start ? 'used' : keypoints ? 'unusable' : 'none', passes: found.passes ?? 0 };
	return { descriptor, landmark };
}

async function analyzePhoto({ engine, describe }: Loaded, bytes: Uint8Array) {
	const image = await decodeImage(bytes, { maxSide: PHOTO_DECODE_MAX_SIDE });
	const sx = image.sourceWidth / image.width;
	const sy = image.sourceHeight / image.height;
	const faces = (await analyzeImage(engine, image, ENROL_PATH, describe)).map((face) => ({
		...face,
		box: scaleBox(face.box, sx, sy, image.sourceWidth, image.sourceHeight)
	}));
	return { faces, width: image.sourceWidth, height: image.sourceHeight };
}

function start(): void {
	const port = parentPort;
	if (!port) throw new Error('worker.ts must run in a worker thread');
	const { modelDir, embedder } = workerData as WorkerInit;
	const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

	// face-api's engine always loads: SSD finds faces in photos, its landmarks place every embedder's crop.
	const engine: Promise<Loaded> = loadFaceEngine({ modelDir }).then(async (e) => ({
		engine: e,
		describe: embedder ? await loadCropDescriber(embedder, e) : undefined
	}));
	engine.then(
		(e) => post({ type: 'ready', backend: e.engine.backend }),
		(err: unknown) => post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
	);

	// One job at a time: tfjs work is synchronous per op anyway, and the pool sends one job per
	// worker; the chain only guards against a caller that sends more.
	let chain: Promise<void> = Promise.resolve();
	port.on('message', (msg: unknown) => {
		chain = chain.then(() => runJob(msg));
	});

	async function runJob(msg: unknown): Promise<void> {
		const started = performance.now();
		const job = msg as Partial<WorkerJob> | null;
		const id = typeof job?.id === 'number' ? job.id : -1;
		try {
			if (!job || !(job.bytes instanceof ArrayBuffer)) throw new Error('malformed job');
			const bytes = new Uint8Array(job.bytes);
			const e = await engine;
			if (job.kind === 'describe-crop') {
				const { descriptor, landmark } = await describeCrop(e, bytes, Array.isArray(job.keypoints) ? job.keypoints : undefined);
				const owned = descriptor && new Float32Array(descriptor);
				post({ id, ok: true, descriptor: owned, ms: performance.now() - started, ...(landmark ? { landmark } : {}) }, owned ? [owned.buffer] : []);
			} else if (job.kind === 'analyze-photo') {
				const result = await analyzePhoto(e, bytes);
				const transfer: ArrayBuffer[] = [];
				for (const face of result.faces) {
					if (face.descriptor) {
						face.descriptor = new Float32Array(face.descriptor);
						transfer.push(face.descriptor.buffer as ArrayBuffer);
					}
				}
				post({ id, ok: true, ...result, ms: performance.now() - started }, transfer);
			} else {
				throw new Error(`unknown job kind ${String(job.kind)}`);
			}
		} catch (err) {
			const known = err instanceof AppError && (err.code === 'bad-image' || err.code === 'too-large');
			post({
				id,
				ok: false,
				code: known ? err.code : 'internal',
				message: err instanceof Error ? err.message : String(err)
			});
		}
	}
}

start();

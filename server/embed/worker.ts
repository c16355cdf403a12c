// Embed worker thread: loads the face engine once, then answers jobs one message at a time.
//
// In:  workerData { modelDir, embedder? }  (embedder: EMBEDDER's choice; face-api when absent)
//      { id, kind: 'describe-crop' | 'analyze-photo', bytes: ArrayBuffer, keypoints? }
//      (keypoints: the browser's, in crop pixels, for a crop; see keypoint-start.ts)
//      { kind: 'describe-crops', crops: [{ id, bytes, keypoints? }, …] }: several crops described
//      together (one landmark-net call per pass round, one descriptor inference), one reply each
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
import type { FaceNets } from './onnx/nets-choice.ts';
import { loadFaceEngine, type FaceEngine } from './face-engine.ts';
import { analyzeImage, ENROL_PATH, PHOTO_DECODE_MAX_SIDE, prepareCrop, type CropDescriber } from './pipeline.ts';
import type { AnalyzedFace } from './types.ts';

export interface WorkerInit {
	modelDir: string;
	embedder?: EmbedderChoice;
	/** FACE_NETS: what runs face-api's nets, SSD, landmarks and recognition ('auto' when absent). */
	nets?: FaceNets;
}

export type CropKeypoints = ReadonlyArray<readonly [number, number]>;
/** How a crop's landmarks were found: from the browser's keypoints (`used`), sent but of no use, or none sent; and the net's runs. */
export type LandmarkUse = { keypoints: 'used' | 'unusable' | 'none'; passes: number };
export type WorkerJob = { id: number; kind: 'describe-crop' | 'analyze-photo'; bytes: ArrayBuffer; keypoints?: CropKeypoints };
/** A batch of crops (pool.ts hands one to a free worker when several wait); each answered as its own describe-crop. */
export type WorkerBatch = { kind: 'describe-crops'; crops: Array<{ id: number; bytes: ArrayBuffer; keypoints?: CropKeypoints }> };

export type WorkerReply =
	| { type: 'ready'; backend: string }
	| { type: 'fatal'; message: string }
	| { id: number; ok: true; descriptor: Float32Array | null; ms: number; landmark?: LandmarkUse }
	| { id: number; ok: true; faces: AnalyzedFace[]; width: number; height: number; ms: number }
	| { id: number; ok: false; code: WorkerErrorCode; message: string };

/** The error codes a job may fail with; anything else is reported as 'internal'. */
export type WorkerErrorCode = 'bad-image' | 'too-large' | 'internal';

type Loaded = { engine: FaceEngine; describe: CropDescriber | undefined };

type CropResult = { descriptor: Float32Array | null; landmark?: LandmarkUse };

/**
 * Describes crops together; each settles on its own: a crop that does not decode fails alone,
 * the others are described in one engine call (face-api's) or in turn (another embedder).
 */
async function describeCrops(
	{ engine, describe }: Loaded,
	crops: ReadonlyArray<{ bytes: Uint8Array; keypoints?: CropKeypoints | undefined }>
): Promise<Array<PromiseSettledResult<CropResult>>> {
	const prepared = await Promise.allSettled(crops.map((c) => prepareCrop(c.bytes, c.keypoints)));
	const decoded = prepared.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
	const described: Array<PromiseSettledResult<CropResult>> = [];
	if (describe) {
		for (const { input } of decoded) {
			try {
				described.push({ status: 'fulfilled', value: { descriptor: await describe(input.image) } });
			} catch (reason) {
				described.push({ status: 'rejected', reason });
			}
		}
	} else {
		try {
			const descriptors = await engine.describeCrops(decoded.map((d) => d.input));
			decoded.forEach(({ input, keypoints }, i) =>
				described.push({ status: 'fulfilled', value: { descriptor: descriptors[i]!, landmark: { keypoints, passes: input.found.passes ?? 0 } } })
			);
		} catch (reason) {
			for (const _ of decoded) described.push({ status: 'rejected', reason });
		}
	}
	let next = 0;
	return prepared.map((p) => (p.status === 'rejected' ? p : described[next++]!));
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
	const { modelDir, embedder, nets } = workerData as WorkerInit;
	const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

	// face-api's engine always loads: SSD finds faces in photos, its landmarks place every embedder's crop.
	const engine: Promise<Loaded> = loadFaceEngine({ modelDir, ...(nets ? { nets } : {}) }).then(async (e) => ({
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

	const failure = (id: number, err: unknown): WorkerReply => {
		const known = err instanceof AppError && (err.code === 'bad-image' || err.code === 'too-large');
		return { id, ok: false, code: known ? err.code : 'internal', message: err instanceof Error ? err.message : String(err) };
	};

	/** Answers each crop: its descriptor (a copy, transferred) and how its landmarks were found, or why it failed. */
	async function answerCrops(
		e: Loaded,
		crops: ReadonlyArray<{ id: number; bytes: Uint8Array; keypoints?: CropKeypoints | undefined }>,
		started: number
	): Promise<void> {
		const results = await describeCrops(e, crops);
		// Each crop's share of the batch's time.
		const ms = (performance.now() - started) / crops.length;
		results.forEach((result, i) => {
			const { id } = crops[i]!;
			if (result.status === 'rejected') return post(failure(id, result.reason));
			const { descriptor, landmark } = result.value;
			const owned = descriptor && new Float32Array(descriptor);
			post({ id, ok: true, descriptor: owned, ms, ...(landmark ? { landmark } : {}) }, owned ? [owned.buffer] : []);
		});
	}

	const keypointsOf = (raw: unknown) => (Array.isArray(raw) ? (raw as CropKeypoints) : undefined);

	async function runJob(msg: unknown): Promise<void> {
		const started = performance.now();
		if ((msg as Partial<WorkerBatch> | null)?.kind === 'describe-crops') {
			const batch = msg as Partial<WorkerBatch>;
			const crops: Array<Partial<WorkerBatch['crops'][number]> | null> = Array.isArray(batch.crops) ? batch.crops : [];
			const valid: Array<{ id: number; bytes: Uint8Array; keypoints: CropKeypoints | undefined }> = [];
			for (const c of crops) {
				if (typeof c?.id !== 'number') continue;
				if (c.bytes instanceof ArrayBuffer) valid.push({ id: c.id, bytes: new Uint8Array(c.bytes), keypoints: keypointsOf(c.keypoints) });
				else post(failure(c.id, new Error('malformed job')));
			}
			try {
				await answerCrops(await engine, valid, started);
			} catch (err) {
				for (const c of valid) post(failure(c.id, err));
			}
			return;
		}
		const job = msg as Partial<WorkerJob> | null;
		const id = typeof job?.id === 'number' ? job.id : -1;
		try {
			if (!job || !(job.bytes instanceof ArrayBuffer)) throw new Error('malformed job');
			const bytes = new Uint8Array(job.bytes);
			const e = await engine;
			if (job.kind === 'describe-crop') {
				await answerCrops(e, [{ id, bytes, keypoints: keypointsOf(job.keypoints) }], started);
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
			post(failure(id, err));
		}
	}
}

start();

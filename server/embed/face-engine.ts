// The face engine: face-api's three nets and the stages built on them (net-runner.ts says what runs them).
//
// All three nets run on onnxruntime-node when it loads and the graphs npm ci built from the same
// weights are beside them (onnx/onnx-nets.ts; the live path's two, 68 landmarks and descriptor:
// ~4-5× less CPU a face, same numbers to ~3e-7; SSD on whole photos: ~4-6× less CPU, boxes to ~2e-4 px);
// else on tfjs (tfjs-nets.ts), with a warning. tfjs is then loaded, and only then: a worker
// without it starts ~0.5 s sooner and holds ~90 MB less (1.0-1.1 s, 287-301 MB → 0.5-0.56 s,
// 197-218 MB, one engine, 3 loads each, 2 December).
//
// tfjs keeps one engine per JS realm: load once per thread (the embed pool runs one engine per
// worker thread). A second loadFaceEngine in the same thread reuses the same tfjs runtime.
// The pure stages live beside it: landmark-search.ts, aligned-chip.ts, face-geometry.ts.
//
// describeCrop pipeline, chosen by measurement on face-api's demo photos (22 faces, 6 browser-
// like crops each: other margins, shifts, 96-160 px, JPEG q55-90, 12° roll, mirror, blur):
//  1. the 68-landmark net on the whole crop. It expects a tight face box, so on a crop with a
//     20-40 % margin its landmarks come out spread too wide;
//  2. so re-run it on face-api's alignment box of the previous landmarks (their bounding box
//     padded 10 % a side) until that box moves less than 3 % of its size (≤ 4 passes, ~3.5 on
//     average, ~12 ms each on wasm); if the landmarks collapse, retry from the crop's centre;
//  3. cut a square chip around the landmarks from the crop rotated so the eyes are level
//     (face-api only crops, never rotates);
//  4. FaceRecognitionNet on the chip (~28 ms) → 128-d descriptor, compared by euclidean distance.
// Against face-api's own path (one landmark pass, unrotated box) this moved same-face distances
// from mean 0.36 / p95 0.59 to 0.22 / 0.38 (a 12° roll: 0.37 → 0.16) and different-person p1
// from 0.47 to 0.50, for ~68 ms instead of ~40 ms a crop. Running SSD on the crop first was as
// good but took ~400 ms and found no face in half of the crops.
import { clipBox, type Pt } from './face-geometry.ts';
import { cropSearch, MAX_LANDMARK_PASSES, refineSteps, type CropHint, type FoundLandmarks } from './landmark-search.ts';
import { loadOnnxRunner, type NetImage, type NetRunner } from './net-runner.ts';
import type { FaceNets } from './onnx/nets-choice.ts';
import { loadTfjsNets } from './tfjs-nets.ts';
import { PACKAGE_MODEL_DIR } from './tfjs-runtime.ts';
import type { DetectedFace, FaceBox, RgbImage } from './types.ts';

export type { DetectedFace, FaceBox, RgbImage } from './types.ts';

/**
 * The pipeline's stages, each usable on its own (worker.ts and the benches compose them):
 *   detectFaces  (SSD on a whole photo) → findLandmarks (68 points from a start box)
 *   → alignedChip (pure, aligned-chip.ts: square chip, eyes levelled) → describeChip (128-d descriptor).
 * describeCrop is the live path: the four stages on a browser crop, starting from the crop itself.
 */
export interface FaceEngine {
	/** What runs the nets: 'onnxruntime-node', or the tfjs backend ('tensorflow' for tfjs-node, or 'wasm'). */
	readonly backend: string;
	/**
	 * The 128-d descriptor of the face in `image`, which is already a face crop with some margin
	 * (the browser crops ~20-40 % around a detector box, ≤160 px a side). Null when there is no
	 * usable face: image under MIN_CROP_SIDE, face under MIN_FACE_SIDE, or landmarks that fall
	 * outside the crop.
	 */
	describeCrop(image: RgbImage, found?: FoundLandmarks, hint?: CropHint): Promise<Float32Array | null>;
	/** SSD MobileNet v1 on a whole photo: boxes in `image` pixels (clipped), best score first. */
	detectFaces(image: RgbImage): Promise<DetectedFace[]>;
	/**
	 * The 68 landmarks of the face around `start` (a detector box or a whole crop), in `image`
	 * pixels: the landmark net on `start`, then re-run on the landmarks' alignment box until it
	 * settles (at most `maxPasses` runs in all; 1 is face-api's own single pass). Null when the
	 * box collapses under MIN_FACE_SIDE.
	 */
	findLandmarks(image: RgbImage, start: FaceBox, maxPasses?: number): Promise<Pt[] | null>;
	/** FaceRecognitionNet on a chip from alignedChip (resized to 150 px inside): 128 numbers, or null if not finite. */
	describeChip(chip: RgbImage): Promise<Float32Array | null>;
	/**
	 * describeCrop on several crops at once, answers in order: each crop's landmark passes run in
	 * step with the others' (pass k of every crop that needs one in one landmark-net call), then
	 * one descriptor inference on all the chips. Each answer equals describeCrop's on that crop
	 * alone up to float rounding (the nets see the same pixels; batching changes only how the
	 * convolutions are summed: max abs diff measured by bench/load/batch-cost.ts).
	 */
	describeCrops(crops: readonly CropInput[]): Promise<Array<Float32Array | null>>;
	/** describeChip on several chips in one inference, answers in order. */
	describeChips(chips: readonly RgbImage[]): Promise<Array<Float32Array | null>>;
	/** Releases this engine's network weights; later calls throw. */
	dispose(): void;
}

/** One crop for describeCrops: describeCrop's arguments. */
export interface CropInput {
	image: RgbImage;
	found?: FoundLandmarks;
	hint?: CropHint;
}

export interface LoadFaceEngineOptions {
	/** Folder with the ssd_mobilenetv1, face_landmark_68 and face_recognition weights. */
	modelDir?: string;
	/** 'auto' (default): tfjs-node when it loads, else wasm. */
	backend?: 'auto' | 'tensorflow' | 'wasm';
	/** SSD minimum confidence for detectFaces (default 0.5). */
	minConfidence?: number;
	/** SSD maximum faces per photo (default 50). */
	maxFaces?: number;
	/**
	 * What runs the three nets: 'auto' (default: onnxruntime-node when it and the graphs load,
	 * else tfjs with a warning), 'onnx' (throws when it cannot load), 'tfjs'.
	 */
	nets?: FaceNets | 'onnx';
	/** Folder with the ONNX graphs (face_landmark_68_model.onnx, face_recognition_model.onnx, ssd_mobilenetv1_model.onnx); default modelDir. */
	onnxDir?: string;
}

/** Smallest crop side (px) that describeCrop accepts. */
export const MIN_CROP_SIDE = 32;

/**
 * The three networks on onnxruntime-node (the graphs in `onnxDir`), or on tfjs from `modelDir`
 * where those do not load (with a warning) or `nets` is 'tfjs'. tfjs is loaded only then.
 */
export async function loadFaceEngine(options: LoadFaceEngineOptions = {}): Promise<FaceEngine> {
	const modelDir = options.modelDir ?? PACKAGE_MODEL_DIR;
	const runner = await loadRunner(options, modelDir);
	const ssdOptions = { minConfidence: options.minConfidence ?? 0.5, maxResults: options.maxFaces ?? 50 };
	let disposed = false;
	const checkLive = () => {
		if (disposed) throw new Error('face engine disposed');
	};
	const netImage = (image: RgbImage): NetImage => {
		assertRgb(image);
		return runner.netImage(image);
	};

	/**
	 * Runs landmark searches (searchSteps) side by side: each round, one landmark-net call on the
	 * box every unfinished search asks for next. Returns each search's result, in order.
	 */
	async function runSearches<R>(searches: ReadonlyArray<{ input: NetImage; steps: Generator<FaceBox, R, Pt[]> }>): Promise<R[]> {
		const state = searches.map((s) => ({ ...s, step: s.steps.next() }));
		for (;;) {
			const pending = state.filter((s) => !s.step.done);
			if (pending.length === 0) break;
			const found = await runner.landmarksIn(pending.map((s) => ({ input: s.input, box: s.step.value as FaceBox })));
			pending.forEach((s, i) => (s.step = s.steps.next(found[i]!)));
		}
		return state.map((s) => s.step.value as R);
	}

	async function describeChips(chips: readonly RgbImage[]): Promise<Array<Float32Array | null>> {
		checkLive();
		if (chips.length === 0) return [];
		for (const chip of chips) assertRgb(chip);
		return (await runner.describeChips(chips)).map((d) => (d.length > 0 && d.every(Number.isFinite) ? d : null));
	}

	async function describeCrops(crops: readonly CropInput[]): Promise<Array<Float32Array | null>> {
		checkLive();
		for (const { image } of crops) assertRgb(image);
		const inputs: NetImage[] = [];
		const searched: Array<{ at: number; input: NetImage; steps: Generator<FaceBox, RgbImage | null, Pt[]> }> = [];
		let chips: Array<RgbImage | null>;
		try {
			crops.forEach(({ image, found, hint }, at) => {
				if (Math.min(image.width, image.height) < MIN_CROP_SIDE) return;
				const input = netImage(image);
				inputs.push(input);
				searched.push({ at, input, steps: cropSearch(image, found, hint) });
			});
			chips = crops.map(() => null);
			const results = await runSearches(searched);
			searched.forEach(({ at }, i) => (chips[at] = results[i]!));
		} finally {
			for (const input of inputs) input.dispose();
		}
		const present = chips.flatMap((chip) => (chip ? [chip] : []));
		const descriptors = await describeChips(present);
		let next = 0;
		return chips.map((chip) => (chip ? descriptors[next++]! : null));
	}

	return {
		backend: runner.backend,
		describeChips,
		describeCrops,

		async describeChip(chip) {
			return (await describeChips([chip]))[0]!;
		},

		async findLandmarks(image, start, maxPasses = MAX_LANDMARK_PASSES) {
			checkLive();
			const box = clipBox(start, image.width, image.height);
			if (!box) return null;
			const input = netImage(image);
			try {
				return (await runSearches([{ input, steps: refineSteps(image, box, maxPasses) }]))[0]!;
			} finally {
				input.dispose();
			}
		},

		async describeCrop(image, found, hint) {
			return (await describeCrops([{ image, ...(found ? { found } : {}), ...(hint ? { hint } : {}) }]))[0]!;
		},

		async detectFaces(image) {
			checkLive();
			assertRgb(image);
			const faces: DetectedFace[] = [];
			for (const d of await runner.locateFaces(image, ssdOptions)) {
				const box = clipBox(d.box, image.width, image.height);
				if (box) faces.push({ box, score: d.score });
			}
			return faces.sort((a, b) => b.score - a.score);
		},

		dispose() {
			if (disposed) return;
			disposed = true;
			runner.dispose();
		}
	};
}

async function loadRunner(options: LoadFaceEngineOptions, modelDir: string): Promise<NetRunner> {
	const nets = options.nets ?? 'auto';
	if (nets !== 'tfjs') {
		try {
			return await loadOnnxRunner(options.onnxDir ?? modelDir);
		} catch (err) {
			if (nets === 'onnx') throw err;
			const runner = await loadTfjsNets(modelDir, options.backend ?? 'auto');
			// One line per worker: the server still works, at tfjs's speed.
			console.warn(`face engine: faces, landmarks and descriptors on tfjs ${runner.backend}: ${err instanceof Error ? err.message : String(err)}`);
			return runner;
		}
	}
	return loadTfjsNets(modelDir, options.backend ?? 'auto');
}

function assertRgb(image: RgbImage): void {
	const { width, height, data } = image;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
		throw new RangeError(`bad image size ${width}x${height}`);
	}
	if (data.length !== width * height * 3) {
		throw new RangeError(`image data has ${data.length} bytes, expected ${width * height * 3}`);
	}
}

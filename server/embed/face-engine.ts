// The face engine: the only module that loads tfjs and face-api.
//
// Backend: `@tensorflow/tfjs-node` (native libtensorflow, with face-api.node.js) when it resolves
// and loads; else `@tensorflow/tfjs-backend-wasm` (SIMD, single-threaded: tfjs disables wasm
// threads under Node) with face-api.node-wasm.js and the .wasm binaries read from the backend
// package's own dist/ folder on disk.
//
// The two nets of the live path (68 landmarks, descriptor) run on onnxruntime-node when it loads
// and the graphs npm ci built from the same weights are beside them (onnx/onnx-nets.ts: ~4-5×
// less CPU a face, same numbers to ~3e-7); else on tfjs, with a warning. SSD stays on tfjs.
//
// tfjs keeps one engine per JS realm: load once per thread (the embed pool runs one engine per
// worker thread). A second loadFaceEngine in the same thread reuses the same tfjs runtime.
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
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiTypes from '@vladmandic/face-api';
import type * as TfTypes from '@tensorflow/tfjs';
import { loadOnnxNets, type OnnxNets } from './onnx/onnx-nets.ts';
import type { FaceNets } from './onnx/nets-choice.ts';
import type { DetectedFace, FaceBox, RgbImage } from './types.ts';
import { installWasmConcat } from './wasm-concat.ts';

export type { DetectedFace, FaceBox, RgbImage } from './types.ts';

type FaceApi = typeof FaceApiTypes;
type Tf = typeof TfTypes;
type Tensor3D = TfTypes.Tensor3D;

/**
 * The pipeline's stages, each usable on its own (worker.ts and the benches compose them):
 *   detectFaces  (SSD on a whole photo) → findLandmarks (68 points from a start box)
 *   → alignedChip (pure, below: square chip, eyes levelled) → describeChip (128-d descriptor).
 * describeCrop is the live path: the four stages on a browser crop, starting from the crop itself.
 */
export interface FaceEngine {
	/**
	 * What runs the nets: the tfjs backend ('tensorflow' for tfjs-node, or 'wasm'), prefixed with
	 * 'onnxruntime-node+' when the landmark and recognition nets run there (SSD stays on tfjs).
	 */
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

/** Filled by describeCrop with the 68 landmarks (crop pixels) the chip was aligned on, e.g. for the pose. */
export interface FoundLandmarks {
	landmarks?: Pt[];
	/** Landmark net runs it took, all starts counted (the live path's main cost after the descriptor). */
	passes?: number;
}

/** One crop for describeCrops: describeCrop's arguments. */
export interface CropInput {
	image: RgbImage;
	found?: FoundLandmarks;
	hint?: CropHint;
}

/** What the browser knows of the face in a crop (keypoint-start.ts). */
export interface CropHint {
	/** Where to start the landmark net (crop pixels), from the browser detector's keypoints. */
	start: FaceBox;
	/** A second pass only when the first moved the box more than this share of its size. */
	trustShift: number;
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
	 * What runs the landmark and recognition nets: 'auto' (default: onnxruntime-node when it and
	 * the graphs load, else tfjs with a warning), 'onnx' (throws when it cannot load), 'tfjs'.
	 */
	nets?: FaceNets | 'onnx';
	/** Folder with the ONNX graphs (face_landmark_68_model.onnx, face_recognition_model.onnx); default modelDir. */
	onnxDir?: string;
}

/** Smallest crop side (px) that describeCrop accepts. */
export const MIN_CROP_SIDE = 32;
/** Smallest landmark bounding box side (px) that describeCrop accepts. */
export const MIN_FACE_SIDE = 20;
/** Landmark passes at most, and the box movement (fraction of its size) that ends them early. */
export const MAX_LANDMARK_PASSES = 4;
export const LANDMARK_CONVERGENCE = 0.03;
/** face-api's alignment padding: the landmarks' bounding box grows this much on each side. */
export const ALIGN_PADDING = 0.1;

const require = createRequire(import.meta.url);
const FACE_API_DIR = path.dirname(require.resolve('@vladmandic/face-api/package.json'));

/** The weights shipped inside the face-api package (the app copies them to models/face-api). */
export const PACKAGE_MODEL_DIR = path.join(FACE_API_DIR, 'model');

interface Runtime {
	faceapi: FaceApi;
	tf: Tf;
	backend: string;
}

let runtime: Promise<Runtime> | null = null;

async function loadTensorflow(): Promise<Runtime> {
	// Throws when tfjs-node is not installed or its native binding is missing.
	require.resolve('@tensorflow/tfjs-node');
	const faceapi = require(path.join(FACE_API_DIR, 'dist/face-api.node.js')) as FaceApi;
	const tf = faceapi.tf as unknown as Tf;
	if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node backend did not initialise');
	await tf.ready();
	return { faceapi, tf, backend: tf.getBackend() };
}

async function loadWasm(): Promise<Runtime> {
	const faceApiFile = path.join(FACE_API_DIR, 'dist/face-api.node-wasm.js');
	// Resolve the wasm backend from face-api's bundle so that both use the same module instance.
	const fromFaceApi = createRequire(faceApiFile);
	const wasm = fromFaceApi('@tensorflow/tfjs-backend-wasm') as {
		setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
	};
	const faceapi = fromFaceApi(faceApiFile) as FaceApi;
	const tf = faceapi.tf as unknown as Tf;
	// A directory prefix on disk, read by emscripten with fs. usePlatformFetch must stay false:
	// true would fetch() the path, which Node's fetch cannot do for files.
	const wasmDir = path.dirname(fromFaceApi.resolve('@tensorflow/tfjs-backend-wasm'));
	wasm.setWasmPaths(wasmDir + path.sep, false);
	if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend did not initialise');
	await tf.ready();
	installWasmConcat(tf);
	return { faceapi, tf, backend: tf.getBackend() };
}

async function loadRuntime(pref: 'auto' | 'tensorflow' | 'wasm'): Promise<Runtime> {
	if (!runtime) {
		const attempt = (async () => {
			if (pref !== 'wasm') {
				try {
					return await loadTensorflow();
				} catch (err) {
					if (pref === 'tensorflow') throw err;
				}
			}
			return loadWasm();
		})();
		runtime = attempt;
		attempt.catch(() => {
			if (runtime === attempt) runtime = null;
		});
	}
	const loaded = await runtime;
	if (pref !== 'auto' && loaded.backend !== pref) {
		throw new Error(`tfjs already runs on backend ${loaded.backend} in this thread`);
	}
	return loaded;
}

/** Loads tfjs (once per thread) and the three networks from `modelDir`. */
export async function loadFaceEngine(options: LoadFaceEngineOptions = {}): Promise<FaceEngine> {
	const modelDir = options.modelDir ?? PACKAGE_MODEL_DIR;
	const { faceapi, tf, backend } = await loadRuntime(options.backend ?? 'auto');

	const ssd = new faceapi.SsdMobilenetv1();
	const landmarkNet = new faceapi.FaceLandmark68Net();
	const recognitionNet = new faceapi.FaceRecognitionNet();
	const disposeNets = () => {
		for (const net of [ssd, landmarkNet, recognitionNet]) if (net.isLoaded) net.dispose();
	};
	try {
		await ssd.loadFromDisk(modelDir);
		await landmarkNet.loadFromDisk(modelDir);
		await recognitionNet.loadFromDisk(modelDir);
	} catch (err) {
		disposeNets();
		throw err;
	}
	let onnx: OnnxNets | null = null;
	const nets = options.nets ?? 'auto';
	if (nets !== 'tfjs') {
		try {
			onnx = await loadOnnxNets({ dir: options.onnxDir ?? modelDir });
		} catch (err) {
			if (nets === 'onnx') {
				disposeNets();
				throw err;
			}
			// One line per worker: the server still works, at tfjs's speed.
			console.warn(`face engine: landmarks and descriptors on tfjs ${backend}: ${err instanceof Error ? err.message : String(err)}`);
		}
	}
	const ssdOptions = new faceapi.SsdMobilenetv1Options({
		minConfidence: options.minConfidence ?? 0.5,
		maxResults: options.maxFaces ?? 50
	});
	let disposed = false;

	const toTensor = (image: RgbImage): Tensor3D => {
		assertRgb(image);
		return tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
	};
	// face-api declares its own copy of the tfjs types; at run time they are the same objects.
	const forFaceApi = (t: Tensor3D) => t as unknown as FaceApiTypes.tf.Tensor3D;
	const checkLive = () => {
		if (disposed) throw new Error('face engine disposed');
	};

	/**
	 * The image the landmark passes run on: tfjs wants it as one tensor for all passes (made on
	 * first use, disposed by the caller), onnxruntime reads the pixels.
	 */
	type NetImage = { image: RgbImage; tensor(): Tensor3D; dispose(): void };
	const netImage = (image: RgbImage): NetImage => {
		assertRgb(image);
		let tensor: Tensor3D | null = null;
		return {
			image,
			tensor: () => (tensor ??= toTensor(image)),
			dispose: () => tensor?.dispose()
		};
	};

	/**
	 * The 68 landmarks of the face in each `box` (whole pixels, inside) of its `input`, in that
	 * input's pixel coordinates: one landmark-net call for all of them (face-api pads and resizes
	 * each region to 112 px on its own, so a region's answer does not depend on its batch-mates).
	 */
	async function landmarksIn(regions: ReadonlyArray<{ input: NetImage; box: FaceBox }>): Promise<Pt[][]> {
		if (onnx) return onnx.findLandmarksIn(regions.map(({ input, box }) => ({ image: input.image, box })));
		return landmarksOnTfjs(regions.map(({ input, box }) => ({ input: input.tensor(), box })));
	}

	async function landmarksOnTfjs(regions: ReadonlyArray<{ input: Tensor3D; box: FaceBox }>): Promise<Pt[][]> {
		const cut = regions.map(({ input, box }) => {
			const whole = box.x === 0 && box.y === 0 && box.width === input.shape[1] && box.height === input.shape[0];
			return whole ? input : tf.slice(input, [box.y, box.x, 0], [box.height, box.width, 3]);
		});
		try {
			const found = (await landmarkNet.detectLandmarks(cut.map(forFaceApi))) as FaceApiTypes.FaceLandmarks68[];
			return found.map((landmarks, i) => {
				const { box } = regions[i]!;
				return landmarks.positions.map((p) => ({ x: p.x + box.x, y: p.y + box.y }));
			});
		} finally {
			cut.forEach((region, i) => region !== regions[i]!.input && region.dispose());
		}
	}

	/**
	 * Runs landmark searches (searchSteps) side by side: each round, one landmark-net call on the
	 * box every unfinished search asks for next. Returns each search's result, in order.
	 */
	async function runSearches<R>(searches: ReadonlyArray<{ input: NetImage; steps: Generator<FaceBox, R, Pt[]> }>): Promise<R[]> {
		const state = searches.map((s) => ({ ...s, step: s.steps.next() }));
		for (;;) {
			const pending = state.filter((s) => !s.step.done);
			if (pending.length === 0) break;
			const found = await landmarksIn(pending.map((s) => ({ input: s.input, box: s.step.value as FaceBox })));
			pending.forEach((s, i) => (s.step = s.steps.next(found[i]!)));
		}
		return state.map((s) => s.step.value as R);
	}

	async function describeChips(chips: readonly RgbImage[]): Promise<Array<Float32Array | null>> {
		checkLive();
		if (chips.length === 0) return [];
		if (onnx) return (await onnx.describeChips(chips)).map((d) => (d.every(Number.isFinite) ? d : null));
		const tensors: Tensor3D[] = [];
		try {
			for (const chip of chips) tensors.push(toTensor(chip));
			const descriptors = (await recognitionNet.computeFaceDescriptor(tensors.map(forFaceApi))) as Float32Array[];
			return descriptors.map((d) => (d.length > 0 && d.every(Number.isFinite) ? d : null));
		} finally {
			for (const t of tensors) t.dispose();
		}
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
		backend: onnx ? `onnxruntime-node+${backend}` : backend,
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
			const input = toTensor(image);
			try {
				const detections = await ssd.locateFaces(forFaceApi(input), ssdOptions);
				const faces: DetectedFace[] = [];
				for (const d of detections) {
					const box = clipBox(d.box, image.width, image.height);
					if (box) faces.push({ box, score: d.score });
				}
				return faces.sort((a, b) => b.score - a.score);
			} finally {
				input.dispose();
			}
		},

		dispose() {
			if (disposed) return;
			disposed = true;
			disposeNets();
			void onnx?.dispose();
		}
	};
}

/**
 * A landmark search from `start`, as steps (the engine's runSearches runs several side by side):
 * yields each box to run the landmark net on and is handed back its landmarks; re-runs on their
 * alignment box until it settles (at most `maxPasses` runs). Returns the last landmarks, or null
 * when the box collapses under MIN_FACE_SIDE. `count.passes` counts the runs.
 */
export function* refineSteps(
	image: { width: number; height: number },
	start: FaceBox,
	maxPasses: number,
	trustShift?: number,
	count?: FoundLandmarks
): Generator<FaceBox, Pt[] | null, Pt[]> {
	let box = start;
	let landmarks = yield box;
	if (count) count.passes = (count.passes ?? 0) + 1;
	for (let pass = 1; pass < maxPasses; pass++) {
		const next = clipBox(alignBox(landmarks), image.width, image.height);
		if (!next || Math.min(next.width, next.height) < MIN_FACE_SIDE) return null;
		if (pass > 1 && boxShift(box, next) < LANDMARK_CONVERGENCE) break;
		// A start placed by the browser's keypoints is already about where the landmarks' box
		// lands: one pass is enough unless that pass moved it.
		if (pass === 1 && trustShift !== undefined && boxShift(box, next) < trustShift) break;
		box = next;
		landmarks = yield box;
		if (count) count.passes = (count.passes ?? 0) + 1;
	}
	return landmarks;
}

/**
 * describeCrop's landmark search on one crop, as steps (refineSteps): from the browser's
 * keypoints when it sent them (fewer landmark passes); else, or should that fail, from the whole
 * crop; should the landmarks collapse, from its centre (the crop minus a 20 % margin a side),
 * which rescues some small or blurred faces. Returns the aligned chip, or null.
 */
export function* cropSearch(image: RgbImage, found?: FoundLandmarks, hint?: CropHint): Generator<FaceBox, RgbImage | null, Pt[]> {
	const inset = (share: number): FaceBox => ({
		x: image.width * share,
		y: image.height * share,
		width: image.width * (1 - 2 * share),
		height: image.height * (1 - 2 * share)
	});
	const starts: Array<{ box: FaceBox; trustShift?: number }> = [
		...(hint ? [{ box: hint.start, trustShift: hint.trustShift }] : []),
		{ box: inset(0) },
		{ box: inset(0.2) }
	];
	for (const start of starts) {
		const box = clipBox(start.box, image.width, image.height);
		if (start.trustShift !== undefined && (!box || Math.min(box.width, box.height) < MIN_FACE_SIDE)) continue;
		const landmarks = box && (yield* refineSteps(image, box, MAX_LANDMARK_PASSES, start.trustShift, found));
		const chip = landmarks && alignedChip(image, landmarks);
		if (chip) {
			if (found) found.landmarks = landmarks;
			return chip;
		}
	}
	return null;
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

export interface Pt {
	x: number;
	y: number;
}

/** Rounds a box to whole pixels and clips it to the image; null when nothing is left. */
export function clipBox(box: FaceBox, width: number, height: number): FaceBox | null {
	const x0 = Math.max(0, Math.round(box.x));
	const y0 = Math.max(0, Math.round(box.y));
	const x1 = Math.min(width, Math.round(box.x + box.width));
	const y1 = Math.min(height, Math.round(box.y + box.height));
	if (!(x1 - x0 >= 1 && y1 - y0 >= 1)) return null;
	return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function bounds(points: readonly Pt[]): { minX: number; minY: number; maxX: number; maxY: number } {
	let minX = Infinity;
	let minY = Infinity;
	let maxX = -Infinity;
	let maxY = -Infinity;
	for (const p of points) {
		minX = Math.min(minX, p.x);
		maxX = Math.max(maxX, p.x);
		minY = Math.min(minY, p.y);
		maxY = Math.max(maxY, p.y);
	}
	return { minX, minY, maxX, maxY };
}

/** face-api's alignment box (`FaceLandmarks.align()`): the bounding box grown 10 % a side. */
export function alignBox(points: readonly Pt[]): FaceBox {
	const { minX, minY, maxX, maxY } = bounds(points);
	const w = maxX - minX;
	const h = maxY - minY;
	return { x: minX - w * ALIGN_PADDING, y: minY - h * ALIGN_PADDING, width: w * (1 + 2 * ALIGN_PADDING), height: h * (1 + 2 * ALIGN_PADDING) };
}

/** The largest edge movement between two boxes, as a fraction of the larger side of `b`. */
export function boxShift(a: FaceBox, b: FaceBox): number {
	const d = Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y), Math.abs(a.x + a.width - b.x - b.width), Math.abs(a.y + a.height - b.y - b.height));
	return d / Math.max(b.width, b.height);
}

function mean(points: readonly Pt[], from: number, to: number): Pt {
	let x = 0;
	let y = 0;
	for (let i = from; i < to; i++) {
		x += points[i]!.x;
		y += points[i]!.y;
	}
	return { x: x / (to - from), y: y / (to - from) };
}

export interface ChipOptions {
	/** Rotate so the eyes are level (default); false cuts face-api's upright alignment box. */
	level?: boolean;
}

/**
 * The chip fed to the recognition net: a square around face-api's alignment box, cut from the
 * image rotated (about the eyes' midpoint) so that the eyes are level, bilinear, black outside
 * the image. Null when the landmarks are not 68 finite points, the face is under MIN_FACE_SIDE,
 * or more than 10 % of the landmarks fall outside the image (the crop missed the face).
 */
export function alignedChip(image: RgbImage, landmarks: readonly Pt[], { level: levelEyes = true }: ChipOptions = {}): RgbImage | null {
	if (landmarks.length !== 68 || !landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
	const leftEye = mean(landmarks, 36, 42);
	const rightEye = mean(landmarks, 42, 48);
	const angle = levelEyes ? Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) : 0;
	const cos = Math.cos(angle);
	const sin = Math.sin(angle);
	const cx = (leftEye.x + rightEye.x) / 2;
	const cy = (leftEye.y + rightEye.y) / 2;
	// The landmarks in the de-rotated frame: rotation by -angle about (cx, cy).
	const level = landmarks.map((p) => ({
		x: cx + (p.x - cx) * cos + (p.y - cy) * sin,
		y: cy - (p.x - cx) * sin + (p.y - cy) * cos
	}));
	const b = bounds(level);
	const faceW = b.maxX - b.minX;
	const faceH = b.maxY - b.minY;
	if (Math.min(faceW, faceH) < MIN_FACE_SIDE) return null;
	const tolX = faceW * 0.05;
	const tolY = faceH * 0.05;
	let outside = 0;
	for (const p of landmarks) {
		if (p.x < -tolX || p.y < -tolY || p.x > image.width + tolX || p.y > image.height + tolY) outside++;
	}
	if (outside > landmarks.length * 0.1) return null;

	const box = alignBox(level);
	const side = Math.max(box.width, box.height);
	const left = box.x + box.width / 2 - side / 2;
	const top = box.y + box.height / 2 - side / 2;
	const size = Math.max(1, Math.round(side));
	const step = side / size;

	const { width: W, height: H, data: src } = image;
	const out = new Uint8Array(size * size * 3);
	for (let v = 0; v < size; v++) {
		const qy = top + (v + 0.5) * step - cy;
		for (let u = 0; u < size; u++) {
			const qx = left + (u + 0.5) * step - cx;
			// Back to image coordinates (rotation by +angle), then to pixel-centre indices.
			const px = cx + qx * cos - qy * sin - 0.5;
			const py = cy + qx * sin + qy * cos - 0.5;
			const x0 = Math.floor(px);
			const y0 = Math.floor(py);
			const fx = px - x0;
			const fy = py - y0;
			const o = (v * size + u) * 3;
			for (let c = 0; c < 3; c++) {
				const p00 = pixel(src, W, H, x0, y0, c);
				const p10 = pixel(src, W, H, x0 + 1, y0, c);
				const p01 = pixel(src, W, H, x0, y0 + 1, c);
				const p11 = pixel(src, W, H, x0 + 1, y0 + 1, c);
				const upper = p00 + (p10 - p00) * fx;
				const lower = p01 + (p11 - p01) * fx;
				out[o + c] = Math.round(upper + (lower - upper) * fy);
			}
		}
	}
	return { data: out, width: size, height: size };
}

function pixel(src: Uint8Array, w: number, h: number, x: number, y: number, c: number): number {
	return x < 0 || y < 0 || x >= w || y >= h ? 0 : src[(y * w + x) * 3 + c]!;
}

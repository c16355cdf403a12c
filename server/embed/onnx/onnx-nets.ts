// face-api's networks (recognition, 68 landmarks, SSD MobileNet v1) on onnxruntime-node: the only module that loads onnxruntime-node for them.
// The graphs are face-api's own weights rebuilt as ONNX by scripts/face-api-onnx.mjs at `npm ci`
// (models/face-api/*.onnx, beside the weights); onnxruntime's CPU kernels (MLAS: AVX2/AVX-512 here) run them. One
// intra-op thread by default: the embed pool already runs one worker per core.
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { DetectedFace, FaceBox, RgbImage } from '../types.ts';
import { inputFloats, LANDMARK_SIZE, netInput, RECOGNITION_SIZE } from './net-input.ts';
import { SSD_SIZE, ssdFaces } from './ssd-output.ts';

export const RECOGNITION_MODEL_FILE = 'face_recognition_model.onnx';
export const LANDMARK_MODEL_FILE = 'face_landmark_68_model.onnx';
export const SSD_MODEL_FILE = 'ssd_mobilenetv1_model.onnx';
const DESCRIPTOR_FLOATS = 128;
const LANDMARK_POINTS = 68;
/** SSD MobileNet v1's anchors at 512 px (its `Output/extra_dim`). */
const SSD_ANCHORS = 5118;

export interface Point {
	x: number;
	y: number;
}

export interface OnnxNets {
	/** The runtime's name and version, for logs. */
	readonly runtime: string;
	/** FaceRecognitionNet on chips from alignedChip, one 128-d descriptor each (one run for all). */
	describeChips(chips: readonly RgbImage[]): Promise<Float32Array[]>;
	/**
	 * FaceLandmark68Net on `regions` of `image` (whole-pixel boxes inside it, clipBox's output):
	 * 68 points each, in `image` pixels, as face-api's detectLandmarks gives them (one run for all).
	 */
	findLandmarks(image: RgbImage, regions: readonly FaceBox[]): Promise<Point[][]>;
	/** The same on regions of several images (a batch of crops): one run for all. */
	findLandmarksIn(regions: ReadonlyArray<{ image: RgbImage; box: FaceBox }>): Promise<Point[][]>;
	/**
	 * SSD MobileNet v1 on a whole image, as face-api's locateFaces: boxes in `image` pixels,
	 * unrounded (clipBox them), in face-api's order (best score first).
	 */
	detectFaces(image: RgbImage, options: SsdOptions): Promise<DetectedFace[]>;
	dispose(): Promise<void>;
}

export interface SsdOptions {
	/** Scores must be above this (0..1, face-api's default 0.5). */
	minConfidence: number;
	/** At most this many faces. */
	maxResults: number;
}

export interface LoadOnnxNetsOptions {
	/** The folder with the graphs (npm ci writes them beside face-api's weights, models/face-api). */
	dir: string;
	/** Intra-op threads (default 1). */
	threads?: number;
}

const require = createRequire(import.meta.url);

/** Throws when onnxruntime-node or a graph is missing, saying which. */
export async function loadOnnxNets({ dir, threads = 1 }: LoadOnnxNetsOptions): Promise<OnnxNets> {
	const ort = require('onnxruntime-node') as typeof Ort;
	const open = async (name: string) => {
		const file = join(dir, name);
		await access(file).catch((err: unknown) => {
			throw new Error(`no ONNX graph at ${file} (npm ci builds it: scripts/prepare-models.mjs)`, { cause: err });
		});
		const session = await ort.InferenceSession.create(file, {
			intraOpNumThreads: threads,
			interOpNumThreads: 1,
			executionMode: 'sequential',
			graphOptimizationLevel: 'all'
		});
		const [input] = session.inputNames;
		if (!input || session.outputNames.length === 0) {
			await session.release();
			throw new Error(`${file}: expected one input and an output`);
		}
		/**
		 * Runs a batch of `count` images of `size` px from `data`; returns each output in one array,
		 * checked to hold `per[k]` floats an image for output k (the session's output order).
		 */
		const run = async (data: Float32Array, count: number, size: number, ...per: number[]): Promise<Float32Array[]> => {
			const feeds = { [input]: new ort.Tensor('float32', data, [count, 3, size, size]) };
			const results = await session.run(feeds);
			return per.map((floats, k) => {
				const result = results[session.outputNames[k]!];
				if (!result || !(result.data instanceof Float32Array) || result.data.length !== count * floats) throw new Error(`${file}: unexpected output`);
				return result.data;
			});
		};
		return { session, run };
	};
	type Net = Awaited<ReturnType<typeof open>>;
	// One after another, so a missing or wrong graph releases the sessions already open.
	const nets: Net[] = [];
	const releaseAll = () => Promise.all(nets.map((net) => net.session.release()));
	try {
		for (const name of [RECOGNITION_MODEL_FILE, LANDMARK_MODEL_FILE, SSD_MODEL_FILE]) nets.push(await open(name));
		const outputs = nets[2]!.session.outputNames.join();
		if (outputs !== 'boxes,scores') throw new Error(`${SSD_MODEL_FILE}: expected outputs boxes and scores, found ${outputs}`);
	} catch (err) {
		await releaseAll();
		throw err;
	}
	const [recognition, landmark, ssd] = nets as [Net, Net, Net];
	let disposed = false;
	const checkLive = () => {
		if (disposed) throw new Error('onnx nets disposed');
	};

	async function findLandmarksIn(regions: ReadonlyArray<{ image: RgbImage; box: FaceBox }>): Promise<Point[][]> {
		checkLive();
		if (regions.length === 0) return [];
		const per = inputFloats(LANDMARK_SIZE);
		const data = new Float32Array(regions.length * per);
		regions.forEach(({ image, box }, i) => netInput(image, { size: LANDMARK_SIZE, region: box, out: data, offset: i * per }));
		const [values] = await landmark.run(data, regions.length, LANDMARK_SIZE, 2 * LANDMARK_POINTS);
		return regions.map(({ box }, i) => landmarksIn(values!.subarray(i * 2 * LANDMARK_POINTS, (i + 1) * 2 * LANDMARK_POINTS), box));
	}

	return {
		runtime: `onnxruntime-node ${ort.env.versions.node ?? '?'}`,

		async describeChips(chips) {
			checkLive();
			if (chips.length === 0) return [];
			const per = inputFloats(RECOGNITION_SIZE);
			const data = new Float32Array(chips.length * per);
			chips.forEach((chip, i) => netInput(chip, { size: RECOGNITION_SIZE, out: data, offset: i * per }));
			const [values] = await recognition.run(data, chips.length, RECOGNITION_SIZE, DESCRIPTOR_FLOATS);
			return chips.map((_, i) => values!.slice(i * DESCRIPTOR_FLOATS, (i + 1) * DESCRIPTOR_FLOATS));
		},

		async detectFaces(image, { minConfidence, maxResults }) {
			checkLive();
			const data = netInput(image, { size: SSD_SIZE, padding: 'end' });
			const [boxes, scores] = await ssd.run(data, 1, SSD_SIZE, 4 * SSD_ANCHORS, SSD_ANCHORS);
			return ssdFaces(boxes!, scores!, { width: image.width, height: image.height, minConfidence, maxResults });
		},

		findLandmarks(image, regions) {
			return findLandmarksIn(regions.map((box) => ({ image, box })));
		},

		findLandmarksIn,

		async dispose() {
			if (disposed) return;
			disposed = true;
			await releaseAll();
		}
	};
}

const f = Math.fround;

/**
 * face-api's postProcess + FaceLandmarks68 on one region: the net's outputs are relative to the
 * padded square; back to the region (float32, as tfjs does), then × its size + its corner.
 */
function landmarksIn(raw: Float32Array, region: FaceBox): Point[] {
	const { width, height } = region;
	const scale = LANDMARK_SIZE / Math.max(width, height);
	const w = width * scale;
	const h = height * scale;
	const padX = w < h ? f(Math.abs(w - h) / 2) : 0;
	const padY = h < w ? f(Math.abs(w - h) / 2) : 0;
	const points: Point[] = [];
	for (let i = 0; i < LANDMARK_POINTS; i++) {
		const rx = f(f(f(raw[2 * i]! * LANDMARK_SIZE) - padX) / f(w));
		const ry = f(f(f(raw[2 * i + 1]! * LANDMARK_SIZE) - padY) / f(h));
		points.push({ x: rx * width + region.x, y: ry * height + region.y });
	}
	return points;
}

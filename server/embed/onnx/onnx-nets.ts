// face-api's networks on onnxruntime-node: the only module that loads onnxruntime-node for them.
// The graphs are face-api's own weights rebuilt as ONNX by scripts/face-api-onnx.mjs at `npm ci`
// (models/face-api-onnx/); onnxruntime's CPU kernels (MLAS: AVX2/AVX-512 here) run them. One
// intra-op thread by default: the embed pool already runs one worker per core.
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { RgbImage } from '../types.ts';
import { RECOGNITION_INPUT_FLOATS, RECOGNITION_SIZE, recognitionInput } from './recognition-input.ts';

/** Where `npm ci` writes the graphs, under the models folder. */
export const ONNX_MODEL_SUBDIR = 'face-api-onnx';
export const RECOGNITION_MODEL_FILE = 'face_recognition_model.onnx';
const DESCRIPTOR_FLOATS = 128;

export interface OnnxNets {
	/** The runtime's name and version, for logs. */
	readonly runtime: string;
	/** FaceRecognitionNet on chips from alignedChip, one 128-d descriptor each (one run for all). */
	describeChips(chips: readonly RgbImage[]): Promise<Float32Array[]>;
	dispose(): Promise<void>;
}

export interface LoadOnnxNetsOptions {
	/** The models folder (the graphs are in its face-api-onnx/). */
	modelDir: string;
	/** Intra-op threads (default 1). */
	threads?: number;
}

const require = createRequire(import.meta.url);

/** Throws when onnxruntime-node or the graph is missing, with what is missing. */
export async function loadOnnxNets({ modelDir, threads = 1 }: LoadOnnxNetsOptions): Promise<OnnxNets> {
	const file = join(modelDir, ONNX_MODEL_SUBDIR, RECOGNITION_MODEL_FILE);
	await access(file).catch((err: unknown) => {
		throw new Error(`no ONNX graph at ${file} (npm ci builds it: scripts/prepare-models.mjs)`, { cause: err });
	});
	const ort = require('onnxruntime-node') as typeof Ort;
	const session = await ort.InferenceSession.create(file, {
		intraOpNumThreads: threads,
		interOpNumThreads: 1,
		executionMode: 'sequential',
		graphOptimizationLevel: 'all'
	});
	const [input] = session.inputNames;
	const [output] = session.outputNames;
	if (!input || !output) throw new Error(`${file}: expected one input and one output`);
	let disposed = false;
	return {
		runtime: `onnxruntime-node ${ort.env.versions.node ?? '?'}`,
		async describeChips(chips) {
			if (disposed) throw new Error('onnx nets disposed');
			if (chips.length === 0) return [];
			const data = new Float32Array(chips.length * RECOGNITION_INPUT_FLOATS);
			chips.forEach((chip, i) => recognitionInput(chip, data, i * RECOGNITION_INPUT_FLOATS));
			const feeds = { [input]: new ort.Tensor('float32', data, [chips.length, 3, RECOGNITION_SIZE, RECOGNITION_SIZE]) };
			const result = (await session.run(feeds))[output];
			if (!result || result.data.length !== chips.length * DESCRIPTOR_FLOATS) throw new Error(`${file}: unexpected output`);
			const values = result.data as Float32Array;
			return chips.map((_, i) => values.slice(i * DESCRIPTOR_FLOATS, (i + 1) * DESCRIPTOR_FLOATS));
		},
		async dispose() {
			if (disposed) return;
			disposed = true;
			await session.release();
		}
	};
}

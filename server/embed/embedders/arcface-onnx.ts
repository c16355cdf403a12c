// An ArcFace-style ONNX face embedder (opt-in, EMBEDDER=arcface-onnx). Its weights are not a project
// dependency (see the README's licence table: the model file is given by path, ARCFACE_MODEL); it runs
// on `onnxruntime-node`, the runtime face-api's own nets use (server/embed/onnx/), or on
// `onnxruntime-web` (WASM, one thread) where that is installed and the native one does not load.
//
// A crop goes through face-api's landmark stage (the same ≤4 passes as the default path), the five
// ArcFace points are fitted onto the 112 px template, and the model's 512 numbers are scaled to unit
// length, so euclidean distance ranks as cosine does.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FaceEngine } from '../face-engine.ts';
import type { RgbImage } from '../types.ts';
import { ARCFACE_SIZE, fitSimilarity, fivePoints, unitLength, warpFace } from './arcface-align.ts';

type Session = {
	run(feeds: Record<string, unknown>): Promise<Record<string, { data: ArrayLike<number>; dims: readonly number[] }>>;
	readonly inputNames: readonly string[];
	readonly outputNames: readonly string[];
	release?(): Promise<void>;
};
type Ort = {
	InferenceSession: { create(model: Uint8Array, options: object): Promise<Session> };
	Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => object;
	env: { wasm: { numThreads?: number; wasmPaths?: string } };
};

export type OnnxRuntimeName = 'onnxruntime-web' | 'onnxruntime-node';

export interface ArcFaceEmbedder {
	readonly runtime: OnnxRuntimeName;
	readonly dim: number;
	/** The unit-length descriptor of the face in a crop; null when face-api finds no landmarks. */
	describeCrop(image: RgbImage): Promise<Float32Array | null>;
	/** The model alone on an aligned face tensor (3 × 112 × 112, from warpFace). */
	describeAligned(input: Float32Array): Promise<Float32Array>;
	dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Loads whichever runtime is installed (`prefer` first); throws with what to install when none is. */
function loadRuntime(prefer?: OnnxRuntimeName): { ort: Ort; name: OnnxRuntimeName } {
	const order: OnnxRuntimeName[] = prefer ? [prefer] : ['onnxruntime-node', 'onnxruntime-web'];
	const errors: string[] = [];
	for (const name of order) {
		try {
			const ort = require(name) as Ort;
			if (name === 'onnxruntime-web') {
				// Threads would need SharedArrayBuffer workers of its own; the pool already runs one
				// worker per core. The .wasm files sit beside the package's main file.
				ort.env.wasm.numThreads = 1;
				ort.env.wasm.wasmPaths = join(dirname(require.resolve(name)), '/');
			}
			return { ort, name };
		} catch (err) {
			errors.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
		}
	}
	throw new Error(
		`EMBEDDER=arcface-onnx needs an ONNX runtime: onnxruntime-node (npm ci installs it) does not load here; npm install --no-save onnxruntime-web@1.30.0 (${errors.join('; ')})`
	);
}

export interface ArcFaceOptions {
	/** Path of the .onnx model (input 1×3×112×112, output 1×512). */
	modelFile: string;
	/** The face engine of this thread: its landmark stage places the five points. */
	engine: FaceEngine;
	runtime?: OnnxRuntimeName;
}

export async function loadArcFaceEmbedder({ modelFile, engine, runtime }: ArcFaceOptions): Promise<ArcFaceEmbedder> {
	const { ort, name } = loadRuntime(runtime);
	let bytes: Uint8Array;
	try {
		bytes = new Uint8Array(await readFile(modelFile));
	} catch (err) {
		throw new Error(`ARCFACE_MODEL ${modelFile} cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
	}
	const session = await ort.InferenceSession.create(
		bytes,
		name === 'onnxruntime-node' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : { executionProviders: ['wasm'] }
	);
	const inputName = session.inputNames[0];
	const outputName = session.outputNames[0];
	if (!inputName || !outputName) throw new Error(`${modelFile}: no input or output`);

	async function describeAligned(input: Float32Array): Promise<Float32Array> {
		const out = await session.run({ [inputName!]: new ort.Tensor('float32', input, [1, 3, ARCFACE_SIZE, ARCFACE_SIZE]) });
		const result = out[outputName!];
		if (!result) throw new Error(`${modelFile}: no output ${outputName}`);
		return unitLength(Float32Array.from(result.data));
	}
	// One run at load: a model of another shape fails here, at start, not on the first crop.
	const probe = await describeAligned(new Float32Array(3 * ARCFACE_SIZE * ARCFACE_SIZE));
	const dim = probe.length;

	return {
		runtime: name,
		dim,
		describeAligned,
		async describeCrop(image) {
			const landmarks = await engine.findLandmarks(image, { x: 0, y: 0, width: image.width, height: image.height });
			const five = landmarks && fivePoints(landmarks);
			if (!five) return null;
			const v = await describeAligned(warpFace(image, fitSimilarity(five)));
			return v.every(Number.isFinite) ? v : null;
		},
		async dispose() {
			await session.release?.();
		}
	};
}

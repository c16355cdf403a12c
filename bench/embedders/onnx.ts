/**
 * The ArcFace-style ONNX candidate of bench:embedders: the server's opt-in embedder
 * (server/embed/embedders/arcface-onnx.ts) on `faceplugin-face-recognition-js`'s
 * model/fr_feature.onnx (ARCFACE_MODEL or FACEPLUGIN_MODEL), run by every ONNX runtime installed
 * (onnxruntime-node, a dependency, and onnxruntime-web where installed by hand), so their costs can
 * be compared. The model is not a dependency: see bench/embedders.ts.
 */
import { existsSync } from 'node:fs';
import type { FaceEngine } from '../../server/embed/face-engine.ts';
import { loadArcFaceEmbedder, type ArcFaceEmbedder, type OnnxRuntimeName } from '../../server/embed/embedders/arcface-onnx.ts';
import type { RgbImage } from '../../server/embed/types.ts';

export type OnnxDescriber = {
	runtime: OnnxRuntimeName;
	describeCrop(crop: RgbImage): Promise<Float32Array | null>;
	/** Every runtime that loaded, each able to run the model alone (cost comparison of runtimes). */
	runtimes: Array<{ runtime: OnnxRuntimeName; runOnce(): Promise<void> }>;
};

/** Null (and says why) when the model file or every runtime is missing. */
export async function loadOnnxDescriber(engine: FaceEngine): Promise<OnnxDescriber | null> {
	const modelFile = process.env.ARCFACE_MODEL ?? process.env.FACEPLUGIN_MODEL ?? '';
	if (!existsSync(modelFile)) {
		console.log('bench:embedders: ARCFACE_MODEL (or FACEPLUGIN_MODEL) not set or missing: the ONNX candidate is left out (see bench/embedders.ts)');
		return null;
	}
	const loaded: ArcFaceEmbedder[] = [];
	for (const runtime of ['onnxruntime-node', 'onnxruntime-web'] as const) {
		try {
			loaded.push(await loadArcFaceEmbedder({ modelFile, engine, runtime }));
		} catch (err) {
			console.log(`bench:embedders: ${runtime} not usable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
		}
	}
	const main = process.env.ONNX_RUNTIME ? loaded.find((l) => l.runtime === process.env.ONNX_RUNTIME) : loaded[0];
	if (!main) return null;
	const sample = new Float32Array(3 * 112 * 112).fill(0.1);
	return {
		runtime: main.runtime,
		describeCrop: (crop) => main.describeCrop(crop),
		runtimes: loaded.map((l) => ({ runtime: l.runtime, runOnce: async () => void (await l.describeAligned(sample)) }))
	};
}

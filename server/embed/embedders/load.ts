// Loads the embedder a worker runs, from the choice the pool passes in workerData (EMBEDDER).
// face-api's own describeCrop needs nothing more (undefined: the pipeline's default).
import type { FaceEngine } from '../face-engine.ts';
import type { CropDescriber } from '../pipeline.ts';
import { loadArcFaceEmbedder } from './arcface-onnx.ts';
import { EMBEDDERS, type EmbedderId } from './registry.ts';

export type EmbedderChoice = { id: EmbedderId; /** The .onnx file for arcface-onnx. */ modelFile?: string | null };

export async function loadCropDescriber(choice: EmbedderChoice, engine: FaceEngine): Promise<CropDescriber | undefined> {
	if (choice.id === 'face-api') return undefined;
	if (choice.id === 'arcface-onnx') {
		if (!choice.modelFile) throw new Error('EMBEDDER=arcface-onnx needs ARCFACE_MODEL: the path of the .onnx model');
		const arcface = await loadArcFaceEmbedder({ modelFile: choice.modelFile, engine });
		const want = EMBEDDERS['arcface-onnx'].dim;
		if (arcface.dim !== want) throw new Error(`ARCFACE_MODEL ${choice.modelFile} gives ${arcface.dim} numbers, expected ${want}`);
		return (crop) => arcface.describeCrop(crop);
	}
	throw new Error(`unknown embedder ${String((choice as { id: unknown }).id)}`);
}

// Loads a tfjs graph model (model.json + weight shards) from disk into the tfjs runtime that
// face-engine.ts set up in this thread. The `@tensorflow/tfjs` package in the browser build has
// no file-system loader, so the shards are read here and handed over with tf.io.fromMemory.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfTypes from '@tensorflow/tfjs';

export type Tf = typeof TfTypes;
export type GraphModel = TfTypes.GraphModel;

const require = createRequire(import.meta.url);

/**
 * The tfjs module face-api runs on in this thread (its node-wasm bundle requires
 * `@tensorflow/tfjs` from its own location; resolving from there gives the same module instance,
 * so the backend face-engine.ts chose is the one in force). Load the face engine first.
 */
export function sharedTf(): Tf {
	const faceApiFile = require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js');
	return createRequire(faceApiFile)('@tensorflow/tfjs') as Tf;
}

type ModelJson = {
	modelTopology: unknown;
	weightsManifest: Array<{ paths: string[]; weights: TfTypes.io.WeightsManifestEntry[] }>;
	format?: string;
	generatedBy?: string;
	convertedBy?: string | null;
	signature?: unknown;
	userDefinedMetadata?: Record<string, unknown>;
};

/** Reads `file` (a tfjs model.json) and the shards it names beside it; throws with the path on any fault. */
export async function loadGraphModel(tf: Tf, file: string): Promise<GraphModel> {
	let json: ModelJson;
	try {
		json = JSON.parse(await readFile(file, 'utf8')) as ModelJson;
	} catch (err) {
		throw new Error(`cannot read model ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
	}
	if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${file} is not a tfjs graph model`);
	const dir = dirname(file);
	const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(dir, p)))));
	const all = Buffer.concat(shards);
	const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
	const artifacts: TfTypes.io.ModelArtifacts = {
		modelTopology: json.modelTopology,
		weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
		weightData,
		...(json.format ? { format: json.format } : {}),
		...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
		...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
		...(json.signature ? { signature: json.signature } : {}),
		...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {})
	};
	return tf.loadGraphModel(tf.io.fromMemory(artifacts));
}

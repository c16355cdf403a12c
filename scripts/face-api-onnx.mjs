// Builds face-api's networks as ONNX graphs from its tfjs weights (beside them, models/face-api/), for
// server/embed/onnx/onnx-nets.ts. Run by prepare-models.mjs; also runnable alone:
//   node scripts/face-api-onnx.mjs [weightsDir] [outDir]
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faceLandmarkGraph } from './face-landmark-onnx.mjs';
import { faceRecognitionGraph } from './face-recognition-onnx.mjs';
import { ssdMobilenetGraph } from './ssd-mobilenet-onnx.mjs';
import { writeOnnxModel } from './onnx-writer.mjs';
import { readTfjsWeights } from './tfjs-weights.mjs';

/** The graphs built, by output file name, from face-api's weights manifest names. */
export const FACE_API_ONNX = Object.freeze({
	'face_recognition_model.onnx': { manifest: 'face_recognition_model-weights_manifest.json', build: faceRecognitionGraph },
	'face_landmark_68_model.onnx': { manifest: 'face_landmark_68_model-weights_manifest.json', build: faceLandmarkGraph },
	'ssd_mobilenetv1_model.onnx': { manifest: 'ssd_mobilenetv1_model-weights_manifest.json', build: ssdMobilenetGraph }
});

/** The scripts (in scripts/) that make the graphs: a change to one rebuilds them at install. */
export const FACE_API_ONNX_SOURCES = Object.freeze([
	'face-api-onnx.mjs',
	'face-recognition-onnx.mjs',
	'face-landmark-onnx.mjs',
	'ssd-mobilenet-onnx.mjs',
	'onnx-graph.mjs',
	'onnx-writer.mjs',
	'tfjs-weights.mjs'
]);

/**
 * Writes every graph of FACE_API_ONNX from the weights in `weightsDir` into `outDir`; returns
 * the files written.
 * @param {string} weightsDir @param {string} outDir
 */
export async function buildFaceApiOnnx(weightsDir, outDir) {
	await mkdir(outDir, { recursive: true });
	const written = [];
	for (const [file, { manifest, build }] of Object.entries(FACE_API_ONNX)) {
		const bytes = writeOnnxModel(build(await readTfjsWeights(join(weightsDir, manifest))));
		const output = join(outDir, file);
		const temporary = `${output}.tmp-${process.pid}`;
		try {
			await writeFile(temporary, bytes);
			await rename(temporary, output);
		} finally {
			await rm(temporary, { force: true });
		}
		written.push(output);
	}
	return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const root = resolve(fileURLToPath(import.meta.url), '..', '..');
	const [weightsDir = join(root, 'models', 'face-api'), outDir = weightsDir] = process.argv.slice(2);
	for (const file of await buildFaceApiOnnx(weightsDir, outDir)) console.log(`face-api-onnx: wrote ${file}`);
}

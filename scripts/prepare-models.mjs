// Prepares the model files loaded at run time under models/. Run by `npm ci` (the `prepare`
// script), so it is plain ESM with no dependencies beyond what the packages ship.
//
//   models/blaze_face_short_range.tflite  MediaPipe Tasks FaceDetector model: $BLAZEFACE_MODEL
//       (a file path or http(s) URL of the official model) copied as is, or else the legacy
//       @mediapipe/face_detection raw model with the input metadata Tasks requires added.
//   models/blaze_face_full_range.tflite   the same package's full-range model made runnable by
//       Tasks' ObjectDetector (blazeface-full-range.mjs): faces in a room, down to ~20 px of 640.
//   models/face-api/                      @vladmandic/face-api weights the recognizer loads, and
//       its three nets (SSD, landmarks, recognition) rebuilt from them as ONNX graphs (face-api-onnx.mjs),
//       which the workers run on onnxruntime-node.
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFullRangeModel, FULL_RANGE_DECODING } from './blazeface-full-range.mjs';
import { buildFaceApiOnnx, FACE_API_ONNX, FACE_API_ONNX_SOURCES } from './face-api-onnx.mjs';
import { readDetectorMetadata } from './tflite-detector-metadata.mjs';
import { addImageInputMetadata, readModelMetadata } from './tflite-metadata.mjs';

const require = createRequire(import.meta.url);
const scriptsDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(scriptsDir, '..');
const modelsDir = join(repoRoot, 'models');
const shortRangeOutput = join(modelsDir, 'blaze_face_short_range.tflite');
const fullRangeOutput = join(modelsDir, 'blaze_face_full_range.tflite');
// Each output has a `.source` record of where it came from, so switching BLAZEFACE_MODEL on or off
// rebuilds it even when the existing file is newer than the new source.
const sourceRecord = (/** @type {string} */ output) => `${output}.source`;
const faceApiModels = ['ssd_mobilenetv1_model', 'face_landmark_68_model', 'face_recognition_model'];
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/** @param {string} message */
const log = (message) => console.log(`prepare-models: ${message}`);
/** @param {string} path */
const shown = (path) => relative(repoRoot, path) || path;

/** @param {string} name */
function packageDir(name) {
	try {
		return dirname(require.resolve(`${name}/package.json`));
	} catch (error) {
		throw new Error(`package ${name} is not installed (${/** @type {Error} */ (error).message.split('\n')[0]})`, { cause: error });
	}
}

/** @param {string} path */
async function mtimeOf(path) {
	try {
		return (await stat(path)).mtimeMs;
	} catch {
		return undefined;
	}
}

/** @param {string} path */
async function readTextIfAny(path) {
	try {
		return await readFile(path, 'utf8');
	} catch {
		return undefined;
	}
}

/**
 * Avoids leaving a truncated model behind when a download or build fails midway.
 * @param {string} path @param {Uint8Array} bytes
 */
async function writeAtomically(path, bytes) {
	const temporary = `${path}.tmp-${process.pid}`;
	try {
		await writeFile(temporary, bytes);
		await rename(temporary, path);
	} finally {
		await rm(temporary, { force: true });
	}
}

/**
 * @typedef {{ key: string, inputs: string[], produce: () => Promise<Uint8Array>, action: string,
 *   check: (bytes: Uint8Array) => void }} BlazeFacePlan
 * `key` identifies the source; `inputs` are local files the output must be newer than; `check`
 * throws when the bytes would not load in MediaPipe Tasks.
 */

/** Node's fetch says only "fetch failed"; the reason (DNS, refused, TLS...) is in `cause`. @param {Error} error */
function describeFetchError(error) {
	const cause = /** @type {{ cause?: { message?: string } }} */ (error).cause;
	return cause?.message ? `${error.message} (${cause.message})` : error.message;
}

/** @param {string} url @returns {BlazeFacePlan} */
function downloadPlan(url) {
	return {
		key: url,
		inputs: [],
		check: (bytes) => assertHasTaskMetadata(bytes, url),
		action: `downloaded ${url}`,
		produce: async () => {
			let response;
			try {
				response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
			} catch (error) {
				throw new Error(`BLAZEFACE_MODEL download of ${url} failed: ${describeFetchError(/** @type {Error} */ (error))}`, { cause: error });
			}
			if (!response.ok) {
				const status = `HTTP ${response.status} ${response.statusText}`;
				throw new Error(`BLAZEFACE_MODEL download of ${url} failed: ${status}`);
			}
			return new Uint8Array(await response.arrayBuffer());
		}
	};
}

/** @param {string} path @returns {BlazeFacePlan} */
function copyPlan(path) {
	return {
		key: path,
		inputs: [path],
		check: (bytes) => assertHasTaskMetadata(bytes, path),
		action: `copied ${path}`,
		produce: async () => {
			try {
				return new Uint8Array(await readFile(path));
			} catch (error) {
				throw new Error(`BLAZEFACE_MODEL file cannot be read: ${/** @type {Error} */ (error).message}`, { cause: error });
			}
		}
	};
}

/** The scripts a built model depends on: a change to any of them rebuilds it. */
const generators = ['tflite-flatbuffer.mjs', 'tflite-metadata.mjs'].map((f) => join(scriptsDir, f));

/** @returns {BlazeFacePlan} */
function shortRangeBuildPlan() {
	const raw = join(packageDir('@mediapipe/face_detection'), 'face_detection_short_range.tflite');
	return {
		key: `metadata added to ${shown(raw)}`,
		inputs: [raw, ...generators],
		check: (bytes) => assertHasTaskMetadata(bytes, shown(raw)),
		action: `built from ${shown(raw)} with added input metadata`,
		produce: async () => addImageInputMetadata(new Uint8Array(await readFile(raw)), { name: 'BlazeFace short-range' })
	};
}

/** @returns {BlazeFacePlan} */
function shortRangePlan() {
	const source = process.env.BLAZEFACE_MODEL?.trim();
	if (!source) return shortRangeBuildPlan();
	if (/^https?:\/\//i.test(source)) return downloadPlan(source);
	return copyPlan(resolve(source));
}

/** @returns {BlazeFacePlan} */
function fullRangePlan() {
	const raw = join(packageDir('@mediapipe/face_detection'), 'face_detection_full_range.tflite');
	const extra = ['tflite-graph.mjs', 'tflite-detector-metadata.mjs', 'ssd-anchors.mjs', 'blazeface-full-range.mjs'];
	return {
		key: `made runnable by Tasks' ObjectDetector from ${shown(raw)}`,
		inputs: [raw, ...generators, ...extra.map((f) => join(scriptsDir, f))],
		check: (bytes) => {
			const { decoding, anchors, outputs } = readDetectorMetadata(bytes);
			if (anchors.length !== FULL_RANGE_DECODING.numBoxes || decoding.numBoxes !== anchors.length || outputs.length !== 2) {
				throw new Error(`${shown(raw)}: the detector metadata written does not read back (${anchors.length} anchors)`);
			}
		},
		action: `built from ${shown(raw)}: box outputs reordered for Tasks, anchors and decoding in its metadata`,
		produce: async () => buildFullRangeModel(new Uint8Array(await readFile(raw)))
	};
}

/** @param {string} output @param {BlazeFacePlan} plan */
async function isUpToDate(output, plan) {
	const outputTime = await mtimeOf(output);
	if (outputTime === undefined || (await readTextIfAny(sourceRecord(output))) !== plan.key) return false;
	const inputTimes = await Promise.all(plan.inputs.map(mtimeOf));
	return inputTimes.every((time) => time !== undefined && time <= outputTime);
}

/**
 * Catches a wrong file or URL now rather than when the browser fails to start the graph.
 * @param {Uint8Array} bytes @param {string} key
 */
function assertHasTaskMetadata(bytes, key) {
	let metadata;
	try {
		metadata = readModelMetadata(bytes);
	} catch (error) {
		throw new Error(`${key}: ${/** @type {Error} */ (error).message}`, { cause: error });
	}
	if (metadata.tfliteMetadata === undefined) {
		throw new Error(`${key} has no TFLITE_METADATA, which MediaPipe Tasks needs; unset BLAZEFACE_MODEL to build one from the raw model`);
	}
}

/** @param {string} output @param {BlazeFacePlan} plan */
async function prepareBlazeFace(output, plan) {
	if (await isUpToDate(output, plan)) {
		log(`${shown(output)} is up to date (${plan.key})`);
		return;
	}
	const bytes = await plan.produce();
	plan.check(bytes);
	await writeAtomically(output, bytes);
	await writeFile(sourceRecord(output), plan.key);
	log(`${shown(output)}: ${plan.action} (${bytes.length} bytes)`);
}

/** A manifest plus the weight shards it lists. @param {string} dir @param {string} model */
async function faceApiFiles(dir, model) {
	const manifest = `${model}-weights_manifest.json`;
	/** @type {Array<{ paths: string[] }>} */
	const groups = JSON.parse(await readFile(join(dir, manifest), 'utf8'));
	return [manifest, ...groups.flatMap((group) => group.paths)];
}

/** @param {string} source @param {string} destination */
async function copyIfStale(source, destination) {
	const [sourceStat, destinationTime] = await Promise.all([stat(source), mtimeOf(destination)]);
	if (destinationTime !== undefined && destinationTime >= sourceStat.mtimeMs) return false;
	await copyFile(source, destination);
	return true;
}

async function copyFaceApiWeights() {
	const sourceDir = join(packageDir('@vladmandic/face-api'), 'model');
	const destinationDir = join(modelsDir, 'face-api');
	await mkdir(destinationDir, { recursive: true });
	const files = (await Promise.all(faceApiModels.map((model) => faceApiFiles(sourceDir, model)))).flat();
	const copied = await Promise.all(files.map((file) => copyIfStale(join(sourceDir, file), join(destinationDir, file))));
	const count = copied.filter(Boolean).length;
	const summary = count === 0 ? `${files.length} files up to date` : `copied ${count} of ${files.length} files`;
	log(`${shown(destinationDir)}: ${summary}`);
}

/** The ONNX graphs, rebuilt when older than a weight file they come from or a script that writes them. */
async function buildFaceApiGraphs() {
	const dir = join(modelsDir, 'face-api');
	const manifests = Object.values(FACE_API_ONNX).map((graph) => graph.manifest.replace(/-weights_manifest\.json$/, ''));
	const inputs = [
		...(await Promise.all(manifests.map((model) => faceApiFiles(dir, model)))).flat().map((file) => join(dir, file)),
		...FACE_API_ONNX_SOURCES.map((file) => join(scriptsDir, file))
	];
	const newestInput = Math.max(...(await Promise.all(inputs.map(async (file) => (await stat(file)).mtimeMs))));
	const outputTimes = await Promise.all(Object.keys(FACE_API_ONNX).map((file) => mtimeOf(join(dir, file))));
	if (outputTimes.every((t) => t !== undefined && t >= newestInput)) {
		log(`${shown(dir)}: ONNX graphs up to date`);
		return;
	}
	const written = await buildFaceApiOnnx(dir, dir);
	log(`${shown(dir)}: built ${written.map((file) => relative(dir, file)).join(', ')}`);
}

async function main() {
	await mkdir(modelsDir, { recursive: true });
	await prepareBlazeFace(shortRangeOutput, shortRangePlan());
	await prepareBlazeFace(fullRangeOutput, fullRangePlan());
	await copyFaceApiWeights();
	await buildFaceApiGraphs();
}

main().catch((/** @type {Error} */ error) => {
	console.error(`prepare-models: FAILED: ${error.message}`);
	process.exitCode = 1;
});

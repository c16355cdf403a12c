// tfjs and face-api, loaded once per thread: the only module that loads them.
//
// Backend: `@tensorflow/tfjs-node` (native libtensorflow, with face-api.node.js) when it resolves
// and loads; else `@tensorflow/tfjs-backend-wasm` (SIMD, single-threaded: tfjs disables wasm
// threads under Node) with face-api.node-wasm.js and the .wasm binaries read from the backend
// package's own dist/ folder on disk. tfjs keeps one engine per JS realm, so a second load in the
// same thread reuses the same runtime.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiTypes from '@vladmandic/face-api';
import type * as TfTypes from '@tensorflow/tfjs';
import { installWasmConcat } from './wasm-concat.ts';

type FaceApi = typeof FaceApiTypes;
type Tf = typeof TfTypes;

const require = createRequire(import.meta.url);
const FACE_API_DIR = path.dirname(require.resolve('@vladmandic/face-api/package.json'));

/** The weights shipped inside the face-api package (the app copies them to models/face-api). */
export const PACKAGE_MODEL_DIR = path.join(FACE_API_DIR, 'model');

export interface TfjsRuntime {
	faceapi: FaceApi;
	tf: Tf;
	backend: string;
}

let runtime: Promise<TfjsRuntime> | null = null;

async function loadTensorflow(): Promise<TfjsRuntime> {
	// Throws when tfjs-node is not installed or its native binding is missing.
	require.resolve('@tensorflow/tfjs-node');
	const faceapi = require(path.join(FACE_API_DIR, 'dist/face-api.node.js')) as FaceApi;
	const tf = faceapi.tf as unknown as Tf;
	if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node backend did not initialise');
	await tf.ready();
	return { faceapi, tf, backend: tf.getBackend() };
}

async function loadWasm(): Promise<TfjsRuntime> {
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

/** Whether this thread has loaded (or is loading) tfjs: it costs ~90 MB, so only the fallback does. */
export function isTfjsLoaded(): boolean {
	return runtime !== null;
}

export async function loadTfjsRuntime(pref: 'auto' | 'tensorflow' | 'wasm'): Promise<TfjsRuntime> {
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

/** Serves the built app, the prepared models and MediaPipe's WASM from its package. */
import express from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { policyForFile } from './headers.ts';
import { precompressed } from './precompressed.ts';

const require = createRequire(import.meta.url);

export const MEDIAPIPE_WASM_PATH = '/vendor/mediapipe/wasm';
export const MODELS_PATH = '/models';

export function mediapipeWasmDir(): string {
	// Its `exports` hide package.json; the CommonJS entry sits at the package root.
	return join(dirname(require.resolve('@mediapipe/tasks-vision')), 'wasm');
}

/** The service worker must be revalidated on every update check, or a new build is seen late. */
const SERVICE_WORKER_FILE = 'service-worker.js';
/** What MediaPipe's FilesetResolver loads on a browser with WASM SIMD (all current phones). */
const PAGE_WASM_FILES = ['vision_wasm_internal.wasm', 'vision_wasm_internal.js'];

/**
 * What is wrong with `buildDir` as the built app, or null: without its shell (`index.html`) every
 * page answers 404 while `/healthz` says all is well, so the start says so.
 */
export function buildProblem(buildDir: string): string | null {
	if (existsSync(join(buildDir, 'index.html'))) return null;
	return `BUILD_DIR ${buildDir} holds no built app (no index.html): pages answer 404 until \`npm run build\` makes it, or BUILD_DIR names where it is`;
}

export function createStatic({
	buildDir,
	modelsDir,
	onCompressError
}: {
	buildDir: string;
	modelsDir: string;
	/** A file that could not be compressed (it is served plain). */
	onCompressError?: (file: string, err: unknown) => void;
}): express.Router {
	const router = express.Router();
	const shell = join(buildDir, 'index.html');
	// The app's policy (headers.ts) on everything served from here: pages, and the service worker,
	// whose own fetches (the precache) follow the policy of its script's response. It also keeps
	// MediaPipe Tasks from posting usage logs to a Google endpoint: the page talks to this server only.
	const shellPolicy = policyForFile(shell);
	const pagePolicies = new Map<string, () => string>();
	const policyFor = (file: string) => {
		if (file === shell || !file.endsWith('.html')) return shellPolicy();
		if (!pagePolicies.has(file)) pagePolicies.set(file, policyForFile(file));
		return pagePolicies.get(file)!();
	};
	router.use((_req, res, next) => {
		res.setHeader('content-security-policy', shellPolicy());
		next();
	});
	// Model and WASM files change only with a package upgrade, which changes the app build too.
	// Each folder sends its big files compressed once they are (precompressed.ts), else plain.
	const served = (path: string, dir: string, cacheControl: string, options: Parameters<typeof express.static>[1]) => {
		const compressed = precompressed(dir, { cacheControl, onError: onCompressError });
		router.use(path, compressed, express.static(dir, { ...options, fallthrough: false }));
		return compressed;
	};
	const wasm = served(MEDIAPIPE_WASM_PATH, mediapipeWasmDir(), 'public, max-age=604800', { maxAge: '7d' });
	served(MODELS_PATH, modelsDir, 'public, max-age=86400', { maxAge: '1d' });
	served('/_app/immutable', join(buildDir, '_app/immutable'), 'public, max-age=31536000, immutable', { immutable: true, maxAge: '365d' });
	// The page, or the service worker checking for an update, comes a second or more before the
	// WASM it will ask for: compress that now, so the first phone after a restart gets 3–4 MB, not 13.
	let warmed = false;
	const warmWasm = () => {
		if (warmed) return;
		warmed = true;
		void wasm.warm(PAGE_WASM_FILES);
	};
	const setAppHeaders = (res: express.Response, path: string) => {
		const name = basename(path);
		if (name === SERVICE_WORKER_FILE || name.endsWith('.html')) warmWasm();
		res.setHeader('content-security-policy', policyFor(path));
		if (name === SERVICE_WORKER_FILE) res.setHeader('cache-control', 'no-cache');
		else if (name.endsWith('.webmanifest')) res.setHeader('content-type', 'application/manifest+json; charset=utf-8');
	};
	router.use(express.static(buildDir, { index: 'index.html', maxAge: 0, setHeaders: setAppHeaders }));
	// SPA fallback: any other page path gets the shell, which routes on the client.
	router.get(/^\/(?!api\/|peerjs\/|healthz$|metrics$).*/, (req, res, next) => {
		if (!req.accepts('html') || !existsSync(shell)) return next();
		warmWasm();
		res.sendFile(shell);
	});
	return router;
}

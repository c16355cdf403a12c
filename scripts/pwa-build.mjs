// The PWA half of the build, run by vite.config.ts once SvelteKit's adapter has written build/:
// renders the app icons into it and writes the precache list into the service worker SvelteKit
// bundled from src/service-worker/ (workbox-build `injectManifest`: every file listed with the MD5
// of its content, so a new build re-downloads only what changed and drops what is gone).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { injectManifest } from 'workbox-build';
import { ICONS, renderIcon } from './pwa-icons.mjs';

/** Where the service worker source says "put the precache list here". */
export const INJECTION_POINT = 'self.__WB_MANIFEST';

/**
 * Files the page loads from the server rather than from the build, precached so detection works
 * with no network: MediaPipe's WASM and both BlazeFace models (short range for faces near the
 * camera, full range for a room; the live page loads both at start). MediaPipe picks `vision_wasm_internal` on every browser with WASM SIMD (all
 * current ones); the `_nosimd_` and `_module_` variants (25 MB more) are cached on first use instead.
 */
function servedFiles(modelsDir) {
	const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-vision')), 'wasm');
	return [
		{ url: '/vendor/mediapipe/wasm/vision_wasm_internal.js', file: join(wasmDir, 'vision_wasm_internal.js') },
		{ url: '/vendor/mediapipe/wasm/vision_wasm_internal.wasm', file: join(wasmDir, 'vision_wasm_internal.wasm') },
		{ url: '/models/blaze_face_short_range.tflite', file: join(modelsDir, 'blaze_face_short_range.tflite') },
		{ url: '/models/blaze_face_full_range.tflite', file: join(modelsDir, 'blaze_face_full_range.tflite') }
	];
}

/**
 * Icons and precache list into `buildDir`. Throws when the worker is missing or already injected,
 * or a served file is missing. Resolves with a one-line summary.
 */
export async function finishPwaBuild({ buildDir, modelsDir }) {
	const swFile = join(buildDir, 'service-worker.js');
	if (!existsSync(swFile)) throw new Error(`${swFile} is missing: is src/service-worker/ there?`);
	if (!readFileSync(swFile, 'utf8').includes(INJECTION_POINT)) {
		throw new Error(`${swFile} has no ${INJECTION_POINT} left to fill`);
	}

	mkdirSync(join(buildDir, 'icons'), { recursive: true });
	for (const icon of ICONS) writeFileSync(join(buildDir, icon.path), await renderIcon(icon));

	const additionalManifestEntries = servedFiles(modelsDir).map(({ url, file }) => {
		if (!existsSync(file)) throw new Error(`${file} is missing (${url}): run \`npm ci\` to prepare it`);
		return { url, revision: createHash('md5').update(readFileSync(file)).digest('hex') };
	});

	const { count, size, warnings } = await injectManifest({
		swSrc: swFile,
		swDest: swFile,
		globDirectory: buildDir,
		globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,woff2}'],
		// Hashed file names already change with their content.
		dontCacheBustURLsMatching: /^_app\/immutable\//,
		additionalManifestEntries,
		injectionPoint: INJECTION_POINT
	});
	if (warnings.length > 0) throw new Error(`workbox: ${warnings.join('; ')}`);
	const { version } = JSON.parse(readFileSync(join(buildDir, '_app/version.json'), 'utf8'));
	return (
		`pwa: ${ICONS.length} icons; service worker ${version} precaches ${count} files ` +
		`(${(size / 1e6).toFixed(1)} MB from the build, plus MediaPipe's WASM and the two BlazeFace models)`
	);
}

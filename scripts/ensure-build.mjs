// Builds the web app when `build/` is missing, unfinished or older than its sources, so `npm start`
// serves what the checkout holds without rebuilding on every start.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Written last by the build (vite.config.ts fills in its precache list after the adapter ran).
const BUILT = 'build/service-worker.js';
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json', 'scripts/pwa-build.mjs', 'scripts/pwa-icons.mjs'];

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
	return newest;
}

// A build stopped before its last step leaves a worker with no precache list.
const finished = existsSync(BUILT) && !readFileSync(BUILT, 'utf8').includes('self.__WB_MANIFEST');
const builtAt = finished ? statSync(BUILT).mtimeMs : 0;
const sourcesAt = Math.max(...SOURCES.map(newestMtime));
if (builtAt >= sourcesAt) {
	console.log('build: up to date');
} else {
	console.log(builtAt ? 'build: sources changed, rebuilding' : 'build: no finished build yet, building');
	// NODE_ENV=production whatever the caller's: under vitest (NODE_ENV=test, when a browser test
	// finds the build stale) vite would resolve Svelte's development build, whose layout never
	// registers the service worker.
	const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
	if (result.status !== 0) {
		console.error('build: failed');
		process.exit(result.status ?? 1);
	}
}

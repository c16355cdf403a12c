/**
 * What the service worker may keep. Pure, so it is shared by the worker and its unit test; imports
 * nothing (the worker can load no DOM or app code).
 */

/** Paths whose answers change from one request to the next: the worker never answers them. */
const LIVE_PATHS: readonly RegExp[] = [/^\/api(\/|$)/, /^\/peerjs(\/|$)/, /^\/healthz$/, /^\/metrics$/];

/** Runtime (non-precached) assets live in one cache per build, deleted when another build activates. */
export const RUNTIME_CACHE_PREFIX = 'facertc-runtime-';

export function runtimeCacheName(version: string): string {
	return `${RUNTIME_CACHE_PREFIX}${version}`;
}

/** True for the REST API, signalling, health and metrics: always to the network, never cached. */
export function isLiveEndpoint(pathname: string): boolean {
	return LIVE_PATHS.some((re) => re.test(pathname));
}

/** For workbox's NavigationRoute: page loads of these paths go to the server, not the app shell. */
export const NAVIGATION_DENYLIST: readonly RegExp[] = LIVE_PATHS;

/**
 * How a same-origin GET outside the precache is cached:
 * - `immutable`: MediaPipe's other WASM variants and models, which change only with a new build
 *   (cache first, in this build's runtime cache);
 * - `asset`: scripts, styles, images and fonts (served from cache, refreshed behind);
 * - `network`: everything else, live endpoints included, left to the browser.
 */
export type CacheRule = 'immutable' | 'asset' | 'network';

export function cacheRuleFor(pathname: string, destination: string): CacheRule {
	if (isLiveEndpoint(pathname)) return 'network';
	if (pathname.startsWith('/vendor/') || pathname.startsWith('/models/')) return 'immutable';
	if (['script', 'style', 'image', 'font', 'manifest'].includes(destination)) return 'asset';
	return 'network';
}

/** Caches of older builds to delete once this build's worker activates. */
export function staleRuntimeCaches(cacheNames: readonly string[], version: string): string[] {
	const current = runtimeCacheName(version);
	return cacheNames.filter((name) => name.startsWith(RUNTIME_CACHE_PREFIX) && name !== current);
}

/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * The service worker: the app works with no network once visited. SvelteKit bundles this file
 * (workbox modules included) into build/service-worker.js; `scripts/build-pwa.mjs` then writes the
 * precache list (app shell, MediaPipe's WASM, the BlazeFace model, each with its content hash)
 * where `self.__WB_MANIFEST` stands.
 *
 * A new build's worker installs beside the running one and waits: the page offers to reload into
 * it (src/lib/pwa/), which posts `SKIP_WAITING`.
 */
import { version } from '$service-worker';
import { cacheNames, clientsClaim, setCacheNameDetails } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, StaleWhileRevalidate } from 'workbox-strategies';
import { NAVIGATION_DENYLIST, cacheRuleFor, runtimeCacheName, staleRuntimeCaches } from '../lib/pwa/cache-policy.ts';
import type { WorkerReply, WorkerRequest } from '../lib/pwa/messages.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

const RUNTIME_MAX_ENTRIES = 40;

setCacheNameDetails({ prefix: 'facertc' });
// Precached entries are keyed by URL and content hash: installing a new build fetches what changed,
// and its activation deletes entries the new list no longer holds.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any page of the app (/, /enrol, …) is the one SPA shell; API and signalling paths are not pages.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [...NAVIGATION_DENYLIST] }));

const runtimeCache = runtimeCacheName(version);
const expiration = () => new ExpirationPlugin({ maxEntries: RUNTIME_MAX_ENTRIES });
const sameOriginGet = (url: URL, request: Request) => url.origin === self.location.origin && request.method === 'GET';
registerRoute(
	({ url, request }) => sameOriginGet(url, request) && cacheRuleFor(url.pathname, request.destination) === 'immutable',
	new CacheFirst({ cacheName: runtimeCache, plugins: [expiration()] })
);
registerRoute(
	({ url, request }) => sameOriginGet(url, request) && cacheRuleFor(url.pathname, request.destination) === 'asset',
	new StaleWhileRevalidate({ cacheName: runtimeCache, plugins: [expiration()] })
);
// Nothing else is routed, so the worker never answers /api, /peerjs, /healthz or /metrics.

self.addEventListener('activate', (event) => {
	event.waitUntil(caches.keys().then((names) => Promise.all(staleRuntimeCaches(names, version).map((name) => caches.delete(name)))));
});

self.addEventListener('message', (event) => {
	const request = event.data as WorkerRequest | null;
	if (request?.type === 'SKIP_WAITING') {
		void self.skipWaiting();
	} else if (request?.type === 'GET_VERSION') {
		const reply: WorkerReply = { version, precache: cacheNames.precache };
		event.ports[0]?.postMessage(reply);
	}
});

// The first install takes the open page at once; later ones wait for the user (see above).
clientsClaim();

/** Messages between the page and its service worker (`postMessage`). */

/** `SKIP_WAITING` is the one workbox-window's `messageSkipWaiting()` sends. */
export type WorkerRequest = { type: 'SKIP_WAITING' } | { type: 'GET_VERSION' };

/** The answer to `GET_VERSION`: the build the worker belongs to and its precache's name. */
export type WorkerReply = { version: string; precache: string };

/**
 * Crop backoff: when the recognizer answers a crop `overloaded` or `rate-limited`, it says how
 * long to wait (`retryAfterMs`, the client's fair turn on a busy server); the page then sends no
 * crop for that long, and for longer each time it hears it again before a crop is answered
 * (doubling, capped), with jitter so that phones told the same thing do not come back together.
 * Pure: the clock and the randomness are handed in.
 */
import type { ServerMessage } from '../protocol/messages.ts';

export type CropBackoffOptions = {
	now: () => number;
	/** In [0, 1). Default Math.random. */
	random?: () => number;
	/** Pause when the server gives no retry-after (an older server), ms. Default 1000. */
	defaultMs?: number;
	/** Longest pause, ms. Default 10 000. */
	maxMs?: number;
	/** How long the page still says "busy" after the last refusal, ms. Default 3000. */
	busyForMs?: number;
};

export type CropBackoff = {
	/** Reads every message from the recognizer. */
	observe(message: ServerMessage): void;
	/** Whether a crop may go now. */
	allows(): boolean;
	/** Ms left before a crop may go (0: now). */
	remainingMs(): number;
	/** The server refused a crop for load within the last `busyForMs`. */
	busy(): boolean;
	/** Forgets everything (a new connection). */
	reset(): void;
};

/** The error codes that mean "the server is busy: come back later". */
const BUSY_CODES = new Set(['overloaded', 'rate-limited']);
const JITTER = 0.2;

export function createCropBackoff(options: CropBackoffOptions): CropBackoff {
	const { now } = options;
	const random = options.random ?? Math.random;
	const defaultMs = options.defaultMs ?? 1000;
	const maxMs = options.maxMs ?? 10_000;
	const busyForMs = options.busyForMs ?? 3000;
	let pausedUntil = -Infinity;
	let lastRefusal = -Infinity;
	/** Refusals since the last answered crop. */
	let strikes = 0;

	return {
		observe(message) {
			if (message.type === 'identity') {
				strikes = 0;
				return;
			}
			if (message.type !== 'error' || !BUSY_CODES.has(message.code)) return;
			const t = now();
			const base = message.retryAfterMs ?? defaultMs;
			const pause = Math.min(maxMs, base * 2 ** Math.min(strikes, 10)) * (1 - JITTER + 2 * JITTER * random());
			strikes++;
			lastRefusal = t;
			pausedUntil = Math.max(pausedUntil, t + pause);
		},
		allows: () => now() >= pausedUntil,
		remainingMs: () => Math.max(0, pausedUntil - now()),
		busy: () => now() - lastRefusal < busyForMs,
		reset() {
			pausedUntil = -Infinity;
			lastRefusal = -Infinity;
			strikes = 0;
		}
	};
}

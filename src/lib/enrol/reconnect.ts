/**
 * Tries again, by itself, to reach a server that could not be reached: after 2 s, then twice as
 * long each time up to 30 s, and at once when the browser says the network is back or the page
 * comes back to the front. Pure but for the timer and event ports it is given.
 */

export type ReconnectPorts = {
	/** Resolves true once the server answered (the retries stop), false when it still cannot be reached. */
	attempt(): Promise<boolean>;
	setTimer(fn: () => void, ms: number): unknown;
	clearTimer(handle: unknown): void;
};

export const RETRY_FIRST_MS = 2000;
export const RETRY_MAX_MS = 30_000;

export type Reconnect = {
	/** The server could not be reached: start retrying (no-op while already retrying). */
	lost(): void;
	/** Try now (the network is back, the page is visible again), and keep retrying if that fails. */
	now(): void;
	readonly retrying: boolean;
	stop(): void;
};

export function createReconnect(ports: ReconnectPorts): Reconnect {
	let timer: unknown = null;
	let delay = RETRY_FIRST_MS;
	let retrying = false;
	let trying = false;
	let stopped = false;

	function schedule(): void {
		if (stopped) return;
		timer = ports.setTimer(() => {
			timer = null;
			void tryOnce();
		}, delay);
		delay = Math.min(RETRY_MAX_MS, delay * 2);
	}

	async function tryOnce(): Promise<void> {
		if (trying || stopped) return;
		trying = true;
		try {
			if (await ports.attempt().catch(() => false)) {
				retrying = false;
				delay = RETRY_FIRST_MS;
			} else if (timer === null) schedule();
		} finally {
			trying = false;
		}
	}

	return {
		lost() {
			if (retrying || stopped) return;
			retrying = true;
			delay = RETRY_FIRST_MS;
			schedule();
		},
		now() {
			if (!retrying || stopped) return;
			if (timer !== null) ports.clearTimer(timer);
			timer = null;
			delay = RETRY_FIRST_MS;
			void tryOnce();
		},
		get retrying() {
			return retrying;
		},
		stop() {
			stopped = true;
			if (timer !== null) ports.clearTimer(timer);
			timer = null;
		}
	};
}

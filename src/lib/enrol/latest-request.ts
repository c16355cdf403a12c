/**
 * The latest of a stream of requests, such as what is typed in a search box: each waits `delayMs`
 * of quiet before it is sent, and a newer one cancels an older one, waiting or in flight (its
 * signal aborts, and its answer, should one still come, is dropped). Pure: timers are injected.
 */
export type LatestRequest<Q> = {
	/** Asks for `query`, after the delay, or `now`. */
	ask(query: Q, options?: { now?: boolean }): void;
	/** Drops what is waiting or in flight. */
	cancel(): void;
	/** Whether a request waits or is in flight. */
	readonly busy: boolean;
};

export type LatestRequestDeps<Q, R> = {
	run(query: Q, signal: AbortSignal): Promise<R>;
	/** The answer to the latest query only. */
	onAnswer(answer: R, query: Q): void;
	/** The failure of the latest query only (a cancelled one never comes here). */
	onError(error: unknown, query: Q): void;
	delayMs: number;
	setTimer(fn: () => void, ms: number): unknown;
	clearTimer(handle: unknown): void;
};

export function createLatestRequest<Q, R>(deps: LatestRequestDeps<Q, R>): LatestRequest<Q> {
	let timer: unknown = null;
	let inFlight: AbortController | null = null;
	/** Grows with every ask and cancel: an answer of an older turn is stale. */
	let turn = 0;

	function cancel(): void {
		turn++;
		if (timer !== null) deps.clearTimer(timer);
		timer = null;
		inFlight?.abort();
		inFlight = null;
	}

	function send(query: Q, mine: number): void {
		timer = null;
		const controller = new AbortController();
		inFlight = controller;
		const settle = (fn: () => void) => {
			if (mine !== turn) return;
			inFlight = null;
			fn();
		};
		deps.run(query, controller.signal).then(
			(answer) => settle(() => deps.onAnswer(answer, query)),
			(error: unknown) => settle(() => deps.onError(error, query))
		);
	}

	return {
		ask(query, { now = false } = {}) {
			cancel();
			const mine = turn;
			if (now) send(query, mine);
			else timer = deps.setTimer(() => send(query, mine), deps.delayMs);
		},
		cancel,
		get busy() {
			return timer !== null || inFlight !== null;
		}
	};
}

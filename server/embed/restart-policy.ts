/**
 * When to restart a crashed embed worker. Pure: the clock is handed in.
 *
 * Each worker slot counts its crashes in a row: the n-th waits `baseMs` × 2^(n−1) before the
 * restart, capped at `maxMs`. A worker that stays up for `healthyAfterMs` clears its count. A slot
 * with `crashLoopAt` or more crashes in a row is in a crash loop (health and metrics say so) until
 * a restarted worker has been healthy that long.
 */
export type RestartPolicyOptions = {
	now: () => number;
	/** Default 100 ms: one crash costs a worker little. */
	baseMs?: number;
	/** Default 30 s. */
	maxMs?: number;
	/** Default 60 s. */
	healthyAfterMs?: number;
	/** Default 3. */
	crashLoopAt?: number;
};

export type RestartPolicy = {
	/** The slot's worker crashed (or was ended for hanging): ms to wait before restarting it. */
	crashed(slot: number): number;
	/** The slot's worker is up and ready. */
	ready(slot: number): void;
	/** Crashes in a row of this slot (0 once healthy long enough). */
	crashes(slot: number): number;
	crashLooping(slot: number): boolean;
};

export function createRestartPolicy(options: RestartPolicyOptions): RestartPolicy {
	const { now } = options;
	const baseMs = options.baseMs ?? 100;
	const maxMs = options.maxMs ?? 30_000;
	const healthyAfterMs = options.healthyAfterMs ?? 60_000;
	const crashLoopAt = options.crashLoopAt ?? 3;
	const slots = new Map<number, { inARow: number; readyAt: number | null }>();
	const stateOf = (slot: number) => {
		let state = slots.get(slot);
		if (!state) slots.set(slot, (state = { inARow: 0, readyAt: null }));
		return state;
	};
	/** The count, cleared when the current worker has been up long enough. */
	const inARow = (slot: number) => {
		const state = stateOf(slot);
		if (state.readyAt !== null && now() - state.readyAt >= healthyAfterMs) state.inARow = 0;
		return state.inARow;
	};

	return {
		crashed(slot) {
			const state = stateOf(slot);
			state.inARow = inARow(slot) + 1;
			state.readyAt = null;
			return Math.min(maxMs, baseMs * 2 ** (state.inARow - 1));
		},
		ready(slot) {
			stateOf(slot).readyAt = now();
		},
		crashes: inARow,
		crashLooping: (slot) => inARow(slot) >= crashLoopAt
	};
}

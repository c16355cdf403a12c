/**
 * Undoable deletes: a delete is only carried out after a grace period, during which the page hides
 * the item and offers Undo; leaving the page carries out what is pending at once. Pure but for the
 * timer port and the `commit` it is given.
 */

export type DeferredDeletePorts<K> = {
	/** Carries the delete out (e.g. the DELETE request). A rejection brings the item back. */
	commit(key: K, options: { leaving: boolean }): Promise<void>;
	setTimer(fn: () => void, ms: number): unknown;
	clearTimer(handle: unknown): void;
	/** After every change to what is pending; `failed` when a commit was refused (the item is back). */
	onChange?(pending: readonly K[], failed?: { key: K; error: unknown }): void;
};

/** How long Undo is offered, ms. Long enough to read the message and reach the button. */
export const UNDO_WINDOW_MS = 8000;

export type DeferredDeletes<K> = {
	/** Hides `key` now and deletes it after the window; returns its undo. */
	remove(key: K): () => void;
	undo(key: K): boolean;
	isPending(key: K): boolean;
	readonly pending: readonly K[];
	/** Carries out everything pending now (the page is being left); resolves when all were sent. */
	flush(options?: { leaving?: boolean }): Promise<void>;
};

export function createDeferredDeletes<K>(ports: DeferredDeletePorts<K>, windowMs = UNDO_WINDOW_MS): DeferredDeletes<K> {
	const timers = new Map<K, unknown>();
	const changed = (failed?: { key: K; error: unknown }) => ports.onChange?.([...timers.keys()], failed);

	async function carryOut(key: K, leaving: boolean): Promise<void> {
		if (!timers.has(key)) return;
		ports.clearTimer(timers.get(key));
		timers.delete(key);
		try {
			await ports.commit(key, { leaving });
			changed();
		} catch (error) {
			changed({ key, error });
		}
	}

	const self: DeferredDeletes<K> = {
		remove(key) {
			if (!timers.has(key)) {
				timers.set(
					key,
					ports.setTimer(() => void carryOut(key, false), windowMs)
				);
				changed();
			}
			return () => void self.undo(key);
		},
		undo(key) {
			if (!timers.has(key)) return false;
			ports.clearTimer(timers.get(key));
			timers.delete(key);
			changed();
			return true;
		},
		isPending: (key) => timers.has(key),
		get pending() {
			return [...timers.keys()];
		},
		async flush({ leaving = true } = {}) {
			await Promise.all([...timers.keys()].map((key) => carryOut(key, leaving)));
		}
	};
	return self;
}

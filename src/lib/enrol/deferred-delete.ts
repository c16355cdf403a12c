/**
 * Undoable deletes: a delete is only carried out after a grace period, during which the page hides
 * the item and offers Undo; leaving the page carries out what is pending at once. While the user
 * is at the Undo offer (pointer on it, or keyboard focus in it) the window stands still, so reading
 * it or reaching the button never runs it out (WCAG 2.2.1, timing adjustable). Pure but for the
 * timer and clock ports and the `commit` it is given.
 */

export type DeferredDeletePorts<K> = {
	/** Carries the delete out (e.g. the DELETE request). A rejection brings the item back. */
	commit(key: K, options: { leaving: boolean }): Promise<void>;
	setTimer(fn: () => void, ms: number): unknown;
	clearTimer(handle: unknown): void;
	/** Milliseconds on a monotonic clock (e.g. performance.now). */
	now(): number;
	/** After every change to what is pending; `failed` when a commit was refused (the item is back). */
	onChange?(pending: readonly K[], failed?: { key: K; error: unknown }): void;
};

/** How long Undo is offered, ms. Long enough to read the message and reach the button. */
export const UNDO_WINDOW_MS = 8000;
/** After a hold, at least this long is left: letting go of the offer does not run it out at once. */
export const UNDO_AFTER_HOLD_MS = 2000;

export type DeferredDeletes<K> = {
	/** Hides `key` now and deletes it after the window; returns its undo. */
	remove(key: K): () => void;
	undo(key: K): boolean;
	isPending(key: K): boolean;
	readonly pending: readonly K[];
	/** Carries out everything pending now (the page is being left); resolves when all were sent. */
	flush(options?: { leaving?: boolean }): Promise<void>;
	/**
	 * `true` stops every window where it is (the user is at the offer); `false` lets them run on
	 * with what was left, at least UNDO_AFTER_HOLD_MS. Deletes added while held wait too.
	 */
	hold(held: boolean): void;
};

export function createDeferredDeletes<K>(ports: DeferredDeletePorts<K>, windowMs = UNDO_WINDOW_MS): DeferredDeletes<K> {
	/** Per pending key: its running timer (none while held) and when its window ends, or what is left of it while held. */
	const pending = new Map<K, { timer: unknown; endsAt: number; left: number }>();
	let held = false;
	const changed = (failed?: { key: K; error: unknown }) => ports.onChange?.([...pending.keys()], failed);

	function start(key: K, ms: number) {
		return { timer: ports.setTimer(() => void carryOut(key, false), ms), endsAt: ports.now() + ms, left: ms };
	}

	function drop(key: K): boolean {
		const entry = pending.get(key);
		if (!entry) return false;
		if (entry.timer !== undefined) ports.clearTimer(entry.timer);
		pending.delete(key);
		return true;
	}

	async function carryOut(key: K, leaving: boolean): Promise<void> {
		if (!drop(key)) return;
		try {
			await ports.commit(key, { leaving });
			changed();
		} catch (error) {
			changed({ key, error });
		}
	}

	const self: DeferredDeletes<K> = {
		remove(key) {
			if (!pending.has(key)) {
				pending.set(key, held ? { timer: undefined, endsAt: Infinity, left: windowMs } : start(key, windowMs));
				changed();
			}
			return () => void self.undo(key);
		},
		undo(key) {
			if (!drop(key)) return false;
			changed();
			return true;
		},
		isPending: (key) => pending.has(key),
		get pending() {
			return [...pending.keys()];
		},
		async flush({ leaving = true } = {}) {
			await Promise.all([...pending.keys()].map((key) => carryOut(key, leaving)));
		},
		hold(next) {
			if (next === held) return;
			held = next;
			const now = ports.now();
			for (const [key, entry] of pending) {
				if (held) {
					ports.clearTimer(entry.timer);
					pending.set(key, { timer: undefined, endsAt: Infinity, left: Math.max(0, entry.endsAt - now) });
				} else {
					pending.set(key, start(key, Math.max(entry.left, UNDO_AFTER_HOLD_MS)));
				}
			}
		}
	};
	return self;
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeferredDeletes, UNDO_AFTER_HOLD_MS, UNDO_WINDOW_MS } from './deferred-delete.ts';

describe('deferred deletes', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	function setup(refuse: Set<string> = new Set()) {
		const committed: Array<[string, boolean]> = [];
		const changes: Array<{ pending: string[]; failed?: string }> = [];
		const deletes = createDeferredDeletes<string>({
			commit: async (key, { leaving }) => {
				if (refuse.has(key)) throw new Error(`refused ${key}`);
				committed.push([key, leaving]);
			},
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
			now: () => Date.now(),
			onChange: (pending, failed) => changes.push({ pending: [...pending], ...(failed && { failed: failed.key }) })
		});
		return { deletes, committed, changes };
	}

	it('deletes only once the undo window has passed', async () => {
		const { deletes, committed } = setup();
		deletes.remove('a');
		expect(deletes.isPending('a')).toBe(true);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS - 1);
		expect(committed).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(committed).toEqual([['a', false]]);
		expect(deletes.pending).toEqual([]);
	});

	it('undo keeps the item, and a second remove of a pending item is one delete', async () => {
		const { deletes, committed, changes } = setup();
		const undo = deletes.remove('a');
		deletes.remove('a');
		deletes.remove('b');
		undo();
		expect(deletes.undo('a')).toBe(false);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS * 2);
		expect(committed).toEqual([['b', false]]);
		expect(changes.map((c) => c.pending)).toEqual([['a'], ['a', 'b'], ['b'], []]);
	});

	it('carries out everything pending at once when the page is left', async () => {
		const { deletes, committed } = setup();
		deletes.remove('a');
		deletes.remove('b');
		await deletes.flush();
		expect(committed).toEqual([
			['a', true],
			['b', true]
		]);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS * 2);
		expect(committed).toHaveLength(2);
	});

	it('brings the item back and says so when the delete is refused', async () => {
		const { deletes, changes } = setup(new Set(['a']));
		deletes.remove('a');
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS);
		expect(deletes.isPending('a')).toBe(false);
		expect(changes.at(-1)).toEqual({ pending: [], failed: 'a' });
	});

	it('stands still while held, then runs on with what was left', async () => {
		const { deletes, committed } = setup();
		deletes.remove('a');
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS - 3000);
		deletes.hold(true);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS * 10);
		expect(committed).toEqual([]);
		deletes.hold(false);
		await vi.advanceTimersByTimeAsync(3000 - 1);
		expect(committed).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(committed).toEqual([['a', false]]);
	});

	it('leaves at least a moment after a hold, and a delete made while held waits its whole window', async () => {
		const { deletes, committed } = setup();
		deletes.remove('a');
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS - 10);
		deletes.hold(true);
		deletes.hold(true);
		deletes.remove('b');
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS * 2);
		deletes.hold(false);
		deletes.hold(false);
		await vi.advanceTimersByTimeAsync(UNDO_AFTER_HOLD_MS - 1);
		expect(committed).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(committed).toEqual([['a', false]]);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS - UNDO_AFTER_HOLD_MS);
		expect(committed).toEqual([
			['a', false],
			['b', false]
		]);
	});

	it('undoes and flushes what is held like anything else', async () => {
		const { deletes, committed } = setup();
		deletes.remove('a');
		deletes.remove('b');
		deletes.hold(true);
		expect(deletes.undo('a')).toBe(true);
		await deletes.flush();
		expect(committed).toEqual([['b', true]]);
		deletes.hold(false);
		await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS * 2);
		expect(committed).toEqual([['b', true]]);
	});
});

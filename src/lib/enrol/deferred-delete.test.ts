import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeferredDeletes, UNDO_WINDOW_MS } from './deferred-delete.ts';

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
});

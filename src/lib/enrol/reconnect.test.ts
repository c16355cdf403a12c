import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReconnect, RETRY_FIRST_MS, RETRY_MAX_MS } from './reconnect.ts';

describe('reconnect', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	function setup(answers: boolean[]) {
		const calls: number[] = [];
		const reconnect = createReconnect({
			attempt: async () => {
				calls.push(Date.now());
				return answers.shift() ?? true;
			},
			setTimer: (fn, ms) => setTimeout(fn, ms),
			clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>)
		});
		return { reconnect, calls };
	}

	it('retries with a growing pause, capped, until the server answers, then stops', async () => {
		const { reconnect, calls } = setup([false, false, false, false, false, false, true]);
		const start = Date.now();
		reconnect.lost();
		await vi.advanceTimersByTimeAsync(200_000);
		expect(calls.map((t) => t - start)).toEqual([2000, 6000, 14000, 30000, 60000, 90000, 120000]);
		expect(reconnect.retrying).toBe(false);
		await vi.advanceTimersByTimeAsync(100_000);
		expect(calls).toHaveLength(7);
		expect(RETRY_FIRST_MS).toBe(2000);
		expect(RETRY_MAX_MS).toBe(30_000);
	});

	it('tries at once when told the network is back, and only while it is retrying', async () => {
		const { reconnect, calls } = setup([false, true]);
		reconnect.now();
		await vi.advanceTimersByTimeAsync(0);
		expect(calls).toHaveLength(0);
		reconnect.lost();
		reconnect.lost();
		await vi.advanceTimersByTimeAsync(1000);
		reconnect.now();
		await vi.advanceTimersByTimeAsync(0);
		expect(calls).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(RETRY_FIRST_MS);
		expect(calls).toHaveLength(2);
		expect(reconnect.retrying).toBe(false);
	});

	it('does nothing once stopped', async () => {
		const { reconnect, calls } = setup([false]);
		reconnect.lost();
		reconnect.stop();
		await vi.advanceTimersByTimeAsync(60_000);
		expect(calls).toHaveLength(0);
	});
});

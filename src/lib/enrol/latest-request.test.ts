import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLatestRequest } from './latest-request.ts';

type Call = { query: string; signal: AbortSignal; resolve(answer: string): void; reject(error: unknown): void };

function setup(delayMs = 250) {
	const calls: Call[] = [];
	const answers: string[] = [];
	const errors: unknown[] = [];
	const latest = createLatestRequest<string, string>({
		run: (query, signal) => new Promise((resolve, reject) => calls.push({ query, signal, resolve, reject })),
		onAnswer: (answer, query) => answers.push(`${query}→${answer}`),
		onError: (error) => errors.push(error),
		delayMs,
		setTimer: (fn, ms) => setTimeout(fn, ms),
		clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
	});
	return { latest, calls, answers, errors };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the latest request', () => {
	it('waits for a pause in typing, then asks once, for what was typed last', async () => {
		const { latest, calls, answers } = setup();
		for (const query of ['a', 'ad', 'ada']) {
			latest.ask(query);
			await vi.advanceTimersByTimeAsync(100);
		}
		expect(calls).toEqual([]);
		expect(latest.busy).toBe(true);
		await vi.advanceTimersByTimeAsync(150);
		expect(calls.map((c) => c.query)).toEqual(['ada']);
		calls[0]!.resolve('3 people');
		await vi.advanceTimersByTimeAsync(0);
		expect(answers).toEqual(['ada→3 people']);
		expect(latest.busy).toBe(false);
	});

	it('cancels a request in flight when a newer one is asked, and drops its late answer', async () => {
		const { latest, calls, answers, errors } = setup();
		latest.ask('ann', { now: true });
		expect(calls.map((c) => c.query)).toEqual(['ann']);
		latest.ask('anna', { now: true });
		expect(calls[0]!.signal.aborted).toBe(true);
		calls[0]!.resolve('stale');
		calls[0]!.reject(new Error('aborted'));
		calls[1]!.resolve('fresh');
		await vi.advanceTimersByTimeAsync(0);
		expect(answers).toEqual(['anna→fresh']);
		expect(errors).toEqual([]);
	});

	it('says the failure of the latest request, and nothing after a cancel', async () => {
		const { latest, calls, answers, errors } = setup();
		latest.ask('x', { now: true });
		calls[0]!.reject(new Error('offline'));
		await vi.advanceTimersByTimeAsync(0);
		expect(errors).toEqual([new Error('offline')]);
		latest.ask('y');
		latest.cancel();
		await vi.advanceTimersByTimeAsync(1000);
		expect(calls).toHaveLength(1);
		latest.ask('z', { now: true });
		latest.cancel();
		expect(calls[1]!.signal.aborted).toBe(true);
		calls[1]!.resolve('late');
		await vi.advanceTimersByTimeAsync(0);
		expect(answers).toEqual([]);
		expect(latest.busy).toBe(false);
	});
});

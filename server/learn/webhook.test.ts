import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhook, type WebhookOutcome } from './webhook.ts';

afterEach(() => {
	vi.useRealTimers();
});

/** A fetch whose answers the test gives one by one. */
function scriptedFetch() {
	const calls: Array<{ body: string; answer(status: number): void; fail(): void }> = [];
	const fetch = ((_url: string, init: RequestInit) =>
		new Promise<Response>((resolve, reject) => {
			calls.push({
				body: typeof init.body === 'string' ? init.body : '',
				answer: (status) => resolve(new Response(null, { status })),
				fail: () => reject(new Error('refused'))
			});
		})) as unknown as typeof globalThis.fetch;
	return { fetch, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('webhook', () => {
	it('posts each event, one at a time, retrying a failure with backoff until it goes through', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		const { fetch, calls } = scriptedFetch();
		const outcomes: WebhookOutcome[] = [];
		const hook = createWebhook({ url: 'http://hook', fetch, baseDelayMs: 1000, onOutcome: (o) => outcomes.push(o) });
		hook.post({ n: 1 });
		hook.post({ n: 2 });
		expect(calls).toHaveLength(1);
		calls[0]!.answer(500);
		await settle();
		expect(outcomes).toEqual(['retried']);
		await vi.advanceTimersByTimeAsync(600);
		expect(calls).toHaveLength(1); // still backing off (≥ 750 ms with jitter)
		await vi.advanceTimersByTimeAsync(800);
		expect(calls.map((c) => c.body)).toEqual(['{"n":1}', '{"n":1}']);
		calls[1]!.answer(204);
		await settle();
		expect(calls.map((c) => c.body)).toEqual(['{"n":1}', '{"n":1}', '{"n":2}']);
		calls[2]!.answer(200);
		await settle();
		expect(outcomes).toEqual(['retried', 'sent', 'sent']);
		expect(hook.pending).toBe(0);
		hook.close();
	});

	it('gives an event up after maxAttempts, and drops the oldest waiting when the queue is full', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		const { fetch, calls } = scriptedFetch();
		const outcomes: WebhookOutcome[] = [];
		const hook = createWebhook({ url: 'http://hook', fetch, maxAttempts: 2, maxQueue: 2, baseDelayMs: 10, onOutcome: (o) => outcomes.push(o) });
		hook.post({ n: 1 });
		hook.post({ n: 2 });
		hook.post({ n: 3 }); // n: 2 waits behind n: 1 (in flight) and is the one dropped
		expect(outcomes).toEqual(['dropped']);
		calls[0]!.fail();
		await settle();
		await vi.advanceTimersByTimeAsync(20);
		calls[1]!.fail();
		await settle();
		expect(outcomes).toEqual(['dropped', 'retried', 'failed']);
		expect(calls.at(-1)!.body).toBe('{"n":3}');
		hook.close();
	});
});

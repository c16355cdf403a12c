/**
 * WEBHOOK_URL: one JSON POST per sighting, retried with backoff, from a bounded queue that drops
 * the oldest when full. Never in the recognizer's way: `post` only queues; one request at a
 * time is in flight, each with a timeout, on timers that do not hold the process open.
 */
export type WebhookOutcome = 'sent' | 'retried' | 'failed' | 'dropped';

export type WebhookOptions = {
	url: string;
	/** Injected for tests; the global fetch by default. */
	fetch?: typeof fetch;
	/** Events waiting at most; a new one beyond drops the oldest. Default 200. */
	maxQueue?: number;
	/** Tries per event (the first included). Default 5. */
	maxAttempts?: number;
	/** Wait before the first retry, doubled each time up to `maxDelayMs`. Defaults 1 s, 60 s. */
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** One request's limit. Default 5 s. */
	timeoutMs?: number;
	onOutcome?: (outcome: WebhookOutcome) => void;
	log?: (msg: string) => void;
};

export type Webhook = {
	post(body: object): void;
	readonly pending: number;
	/** Stops sending; what is queued is dropped. */
	close(): void;
};

export function createWebhook(options: WebhookOptions): Webhook {
	const { url, maxQueue = 200, maxAttempts = 5, baseDelayMs = 1000, maxDelayMs = 60_000, timeoutMs = 5000 } = options;
	const send = options.fetch ?? fetch;
	const queue: Array<{ body: string; attempts: number }> = [];
	let busy = false;
	/** A retry is waiting out its backoff: new events wait behind it. */
	let waiting = false;
	let closed = false;
	let timer: NodeJS.Timeout | undefined;
	let inFlight: AbortController | null = null;
	let lastProblem = '';

	async function attempt(item: { body: string; attempts: number }): Promise<boolean> {
		inFlight = new AbortController();
		const cut = setTimeout(() => inFlight?.abort(), timeoutMs);
		try {
			const res = await send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: item.body, signal: inFlight.signal });
			await res.arrayBuffer().catch(() => undefined);
			if (res.ok) return true;
			lastProblem = `HTTP ${res.status}`;
			return false;
		} catch (err) {
			lastProblem = (err as Error).message;
			return false;
		} finally {
			clearTimeout(cut);
			inFlight = null;
		}
	}

	function pump(): void {
		if (busy || closed || queue.length === 0) return;
		busy = true;
		const item = queue[0]!;
		void attempt(item).then((ok) => {
			busy = false;
			if (closed) return;
			item.attempts++;
			if (ok) {
				queue.shift();
				options.onOutcome?.('sent');
				return pump();
			}
			if (item.attempts >= maxAttempts) {
				queue.shift();
				options.onOutcome?.('failed');
				options.log?.(`webhook: gave up on an event after ${item.attempts} tries (${lastProblem})`);
				return pump();
			}
			options.onOutcome?.('retried');
			const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (item.attempts - 1)) * (0.75 + Math.random() / 2);
			waiting = true;
			timer = setTimeout(() => {
				waiting = false;
				pump();
			}, delay);
			timer.unref();
		});
	}

	return {
		post(body) {
			if (closed) return;
			if (queue.length >= maxQueue) {
				// The head may be in flight: drop the next oldest instead.
				queue.splice(busy ? 1 : 0, 1);
				options.onOutcome?.('dropped');
			}
			queue.push({ body: JSON.stringify(body), attempts: 0 });
			if (!waiting) pump();
		},
		get pending() {
			return queue.length;
		},
		close() {
			closed = true;
			clearTimeout(timer);
			inFlight?.abort();
			queue.length = 0;
		}
	};
}

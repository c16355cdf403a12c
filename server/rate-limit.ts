/**
 * Token buckets, alone or one per key (client address). Pure but for `now` (ms), which tests
 * replace.
 */
export type Clock = () => number;
const defaultClock: Clock = () => performance.now();

export type Take = { ok: true } | { ok: false; /** whole seconds until one token is back, ≥ 1 */ retryAfterS: number };

/** Token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export function createTokenBucket({ capacity, perSecond, now = defaultClock }: { capacity: number; perSecond: number; now?: Clock }): {
	take(): boolean;
} {
	let tokens = capacity;
	let last = now();
	return {
		take() {
			const t = now();
			tokens = Math.min(capacity, tokens + ((t - last) / 1000) * perSecond);
			last = t;
			if (tokens < 1) return false;
			tokens -= 1;
			return true;
		}
	};
}

export type KeyedLimiter = {
	/** Takes `cost` tokens from `key`'s bucket, or says how long to wait. */
	take(key: string, cost?: number): Take;
	/** Buckets held now (bounded by `maxKeys`). */
	readonly size: number;
};

/**
 * One token bucket per key. At most `maxKeys` buckets are kept: past that, the buckets that have
 * refilled completely are dropped first (they hold nothing a new bucket would not), then the
 * least recently used, so a flood of new addresses costs bounded memory.
 */
export function createKeyedLimiter({
	capacity,
	perSecond,
	maxKeys = 10_000,
	now = defaultClock
}: {
	capacity: number;
	perSecond: number;
	maxKeys?: number;
	now?: Clock;
}): KeyedLimiter {
	const buckets = new Map<string, { tokens: number; last: number }>();
	const level = (b: { tokens: number; last: number }, t: number) => Math.min(capacity, b.tokens + ((t - b.last) / 1000) * perSecond);

	function evict(t: number): void {
		for (const [key, b] of buckets) {
			if (buckets.size < maxKeys) return;
			if (level(b, t) >= capacity) buckets.delete(key);
		}
		// Still full: the least recently used go (Map keeps insertion order; take() re-inserts).
		for (const key of buckets.keys()) {
			if (buckets.size < maxKeys) return;
			buckets.delete(key);
		}
	}

	return {
		take(key, cost = 1) {
			const t = now();
			let b = buckets.get(key);
			if (b) buckets.delete(key);
			else {
				evict(t);
				b = { tokens: capacity, last: t };
			}
			b.tokens = level(b, t);
			b.last = t;
			buckets.set(key, b);
			if (b.tokens < cost) return { ok: false, retryAfterS: Math.max(1, Math.ceil((cost - b.tokens) / perSecond)) };
			b.tokens -= cost;
			return { ok: true };
		},
		get size() {
			return buckets.size;
		}
	};
}

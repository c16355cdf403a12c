import { describe, expect, it } from 'vitest';
import { createKeyedLimiter } from './rate-limit.ts';

describe('keyed token buckets', () => {
	it('keeps one bucket per key and says how long to wait', () => {
		let t = 0;
		const limiter = createKeyedLimiter({ capacity: 2, perSecond: 0.5, now: () => t });
		expect(limiter.take('a')).toEqual({ ok: true });
		expect(limiter.take('a')).toEqual({ ok: true });
		expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 2 });
		expect(limiter.take('b')).toEqual({ ok: true });
		t += 2000;
		expect(limiter.take('a')).toEqual({ ok: true });
	});

	it('holds at most maxKeys buckets, dropping full ones first', () => {
		let t = 0;
		const limiter = createKeyedLimiter({ capacity: 1, perSecond: 1, maxKeys: 3, now: () => t });
		limiter.take('drained');
		t += 5000;
		limiter.take('x');
		limiter.take('y');
		// 'x' and 'y' are drained; the first bucket has refilled: it is the one to go, and x stays drained.
		limiter.take('z');
		expect(limiter.size).toBe(3);
		expect(limiter.take('x').ok).toBe(false);
		for (let i = 0; i < 50; i++) limiter.take(`flood-${i}`);
		expect(limiter.size).toBeLessThanOrEqual(3);
	});
});

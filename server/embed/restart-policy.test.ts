import { describe, expect, it } from 'vitest';
import { createRestartPolicy } from './restart-policy.ts';

describe('restart policy', () => {
	it('backs off exponentially, capped, per slot', () => {
		const clock = { t: 0 };
		const policy = createRestartPolicy({ now: () => clock.t, baseMs: 100, maxMs: 1000 });
		expect([1, 2, 3, 4, 5, 6].map(() => policy.crashed(0))).toEqual([100, 200, 400, 800, 1000, 1000]);
		expect(policy.crashed(1)).toBe(100);
		expect(policy.crashes(0)).toBe(6);
	});

	it('calls three crashes in a row a crash loop, and clears it once a worker stays up long enough', () => {
		const clock = { t: 0 };
		const policy = createRestartPolicy({ now: () => clock.t, healthyAfterMs: 60_000 });
		policy.crashed(0);
		policy.crashed(0);
		expect(policy.crashLooping(0)).toBe(false);
		policy.crashed(0);
		expect(policy.crashLooping(0)).toBe(true);
		policy.ready(0);
		clock.t = 59_999;
		// Up, but not for long yet: still a loop, and the next crash keeps counting.
		expect(policy.crashLooping(0)).toBe(true);
		expect(policy.crashed(0)).toBe(800);
		policy.ready(0);
		clock.t += 60_000;
		expect(policy.crashLooping(0)).toBe(false);
		expect(policy.crashed(0)).toBe(100);
	});
});

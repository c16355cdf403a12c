import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../protocol/messages.ts';
import { createCropBackoff } from './backoff.ts';

const overloaded = (retryAfterMs?: number): ServerMessage => ({
	type: 'error',
	code: 'overloaded',
	message: 'busy',
	requestId: 1,
	...(retryAfterMs === undefined ? {} : { retryAfterMs })
});
const answer: ServerMessage = { type: 'identity', requestId: 2, trackId: 1, label: 'alice', personId: 'a', distance: 0.3, confidence: 0.9 };

function setup(random = () => 0.5) {
	const clock = { t: 1000 };
	return { clock, backoff: createCropBackoff({ now: () => clock.t, random, maxMs: 4000, busyForMs: 3000 }) };
}

describe('crop backoff', () => {
	it('lets crops go until the server says it is busy, then waits what it asked', () => {
		const { clock, backoff } = setup();
		expect(backoff.allows()).toBe(true);
		expect(backoff.busy()).toBe(false);
		backoff.observe(overloaded(500));
		expect(backoff.allows()).toBe(false);
		expect(backoff.remainingMs()).toBe(500);
		expect(backoff.busy()).toBe(true);
		clock.t += 499;
		expect(backoff.allows()).toBe(false);
		clock.t += 1;
		expect(backoff.allows()).toBe(true);
		// Still shown as busy a while after, so the page does not flicker.
		expect(backoff.busy()).toBe(true);
		clock.t += 2500;
		expect(backoff.busy()).toBe(false);
	});

	it('doubles the wait while refusals keep coming, capped, and starts over once a crop is answered', () => {
		const { clock, backoff } = setup();
		const pauses: number[] = [];
		for (let i = 0; i < 5; i++) {
			backoff.observe(overloaded(500));
			pauses.push(backoff.remainingMs());
			clock.t += backoff.remainingMs();
		}
		expect(pauses).toEqual([500, 1000, 2000, 4000, 4000]);
		backoff.observe(answer);
		backoff.observe(overloaded(500));
		expect(backoff.remainingMs()).toBe(500);
	});

	it('spreads clients told the same thing by ±20 %', () => {
		const early = setup(() => 0);
		const late = setup(() => 0.999999);
		early.backoff.observe(overloaded(1000));
		late.backoff.observe(overloaded(1000));
		expect(early.backoff.remainingMs()).toBe(800);
		expect(late.backoff.remainingMs()).toBeCloseTo(1200, 0);
	});

	it('waits a second when the server gives no retry-after, heeds rate-limited, and ignores other errors', () => {
		const { backoff } = setup();
		backoff.observe({ type: 'error', code: 'bad-image', message: 'no', requestId: 3 });
		expect(backoff.allows()).toBe(true);
		backoff.observe(overloaded());
		expect(backoff.remainingMs()).toBe(1000);
		backoff.reset();
		expect(backoff.allows()).toBe(true);
		backoff.observe({ type: 'error', code: 'rate-limited', message: 'slow down', retryAfterMs: 2000 });
		expect(backoff.remainingMs()).toBe(2000);
	});

	it('never shortens a pause already running', () => {
		const { backoff } = setup();
		backoff.observe(overloaded(3000));
		backoff.observe(answer);
		backoff.observe(overloaded(200));
		expect(backoff.remainingMs()).toBe(3000);
	});
});

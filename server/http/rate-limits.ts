/**
 * Per-address rate limits on the REST routes that cost the server real work (embedding faces,
 * writing the gallery) or guard a secret (pairing codes). A refused request gets 429
 * `rate-limited` with `Retry-After` before its body is read.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { clientAddress } from '../client-address.ts';
import type { RateLimitedRoute } from '../metrics.ts';
import { createKeyedLimiter, type Clock } from '../rate-limit.ts';

/**
 * Budgets per address: a burst, then a sustained rate. Generous for a person at the People page
 * or a script enrolling a class list one photo at a time (an embedding takes ~30–100 ms of a
 * core); tight enough that one address cannot keep every core busy alone.
 */
export const REST_BUDGETS: Record<Exclude<RateLimitedRoute, 'crops' | 'frames' | 'connections'>, { capacity: number; perSecond: number }> = {
	recognize: { capacity: 30, perSecond: 5 },
	enrol: { capacity: 40, perSecond: 2 },
	import: { capacity: 10, perSecond: 0.2 },
	pair: { capacity: 10, perSecond: 1 / 6 }
};

export type RestLimiter = (route: keyof typeof REST_BUDGETS) => RequestHandler;

export function createRestLimits({
	trustProxy,
	onLimited,
	now
}: {
	trustProxy: boolean;
	onLimited?: (route: RateLimitedRoute) => void;
	now?: Clock;
}): RestLimiter {
	const limiters = Object.fromEntries(
		Object.entries(REST_BUDGETS).map(([route, budget]) => [route, createKeyedLimiter({ ...budget, ...(now ? { now } : {}) })])
	) as Record<keyof typeof REST_BUDGETS, ReturnType<typeof createKeyedLimiter>>;
	return (route) => (req, res, next) => {
		const taken = limiters[route].take(clientAddress(req, trustProxy));
		if (taken.ok) return next();
		onLimited?.(route);
		res.setHeader('retry-after', String(taken.retryAfterS));
		next(new AppError('rate-limited', `too many ${route} requests from your address: try again in ${taken.retryAfterS} s`));
	};
}

/**
 * Shared-secret checks: the admin token for the gallery (always set: given or made, tokens.ts),
 * the recognize token or the admin token for recognition (REST, and the data channel at its
 * signalling offer) unless recognition is open. Tokens are compared as SHA-256 digests in
 * constant time, so neither the length nor the content of a wrong guess leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../src/lib/protocol/errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether two secrets are equal, in time that tells nothing of either: compared as digests, so
 * strings of any length or alphabet are fine (a raw timingSafeEqual throws on buffers of unequal
 * byte length, and 43 characters of UTF-8 need not be 43 bytes).
 */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

/** True when `given` is one of the configured tokens. */
export type TokenCheck = (given: unknown) => boolean;

/**
 * A check that accepts any of `tokens` (unset ones are skipped); null when none is set, which
 * means the resource is open.
 */
export function tokenCheck(...tokens: Array<string | null | undefined>): TokenCheck | null {
	const expected = tokens.filter((t): t is string => !!t).map(digest);
	if (expected.length === 0) return null;
	return (given) => {
		if (typeof given !== 'string' || given === '') return false;
		const d = digest(given);
		// Compare against every token, without stopping early.
		return expected.reduce((ok, e) => timingSafeEqual(d, e) || ok, false);
	};
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: Request): string | null {
	const header = req.get('authorization') ?? '';
	return header.startsWith('Bearer ') ? header.slice(7).trim() : null;
}

/** True when the resource is open or the request carries an accepted token. */
export function isAuthorized(check: TokenCheck | null, req: Request): boolean {
	return check === null || check(bearerToken(req));
}

/** 401 `unauthorized` unless the request is authorized (see `isAuthorized`). */
export function requireToken(check: TokenCheck | null, message = 'this change needs the admin token'): RequestHandler {
	if (!check) return (_req, _res, next) => next();
	return (req, res, next) => {
		if (check(bearerToken(req))) return next();
		res.setHeader('www-authenticate', 'Bearer realm="facertc"');
		next(new AppError('unauthorized', message));
	};
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../src/lib/protocol/errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Requires `Authorization: Bearer <token>` when a token is configured; compares in constant time. */
export function requireToken(token: string | null): RequestHandler {
	if (!token) return (_req, _res, next) => next();
	const expected = digest(token);
	return (req, _res, next) => {
		const header = req.get('authorization') ?? '';
		const given = header.startsWith('Bearer ') ? header.slice(7) : '';
		if (given && timingSafeEqual(digest(given), expected)) return next();
		next(new AppError('unauthorized', 'this change needs the admin token'));
	};
}

import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { silentLogger } from '../log.ts';
import { errorHandler } from './errors.ts';

/** What errorHandler answered for `err`: status, headers, body. */
function answer(err: unknown) {
	const sent = { status: 0, headers: {} as Record<string, string>, body: null as unknown };
	const res = {
		setHeader(name: string, value: string) {
			sent.headers[name.toLowerCase()] = value;
			return res;
		},
		status(code: number) {
			sent.status = code;
			return res;
		},
		json(body: unknown) {
			sent.body = body;
			return res;
		}
	};
	errorHandler(silentLogger)(err, {} as Request, res as unknown as Response, () => {});
	return sent;
}

const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('errorHandler: what the store could not do', () => {
	it('answers a locked SQLite file 503 unavailable with Retry-After, in words', () => {
		for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']) {
			expect(answer(driverError(code, 'database is locked'))).toEqual({
				status: 503,
				headers: { 'retry-after': '1' },
				body: { code: 'unavailable', error: expect.stringMatching(/^the gallery file is locked by another process/) }
			});
		}
	});

	it('answers a full disk 507 storage-full', () => {
		for (const err of [driverError('SQLITE_FULL', 'database or disk is full'), driverError('ENOSPC', 'no space left on device')]) {
			expect(answer(err)).toMatchObject({ status: 507, body: { code: 'storage-full', error: expect.stringMatching(/disk is full: nothing was saved/) } });
		}
	});

	it('keeps other failures a 500 internal, and says when to retry an overloaded server', () => {
		expect(answer(driverError('SQLITE_CORRUPT', 'database disk image is malformed'))).toMatchObject({ status: 500, body: { code: 'internal' } });
		expect(answer(new AppError('overloaded', 'busy', { retryAfterMs: 1500 }))).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
	});
});

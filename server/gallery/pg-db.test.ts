import { describe, expect, it } from 'vitest';
import { toAppError } from './pg-db.ts';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('toAppError: only a connection that cannot be had is "unreachable"', () => {
	it('says unavailable for lost or refused connections, timeouts and a server shutting down', () => {
		const unreachable = [
			withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
			withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example.org'),
			withCode('ECONNRESET', 'read ECONNRESET'),
			new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'all addresses refused'),
			new Error('Connection terminated unexpectedly'),
			new Error('Connection terminated due to connection timeout'),
			new Error('timeout exceeded when trying to connect'),
			new Error('Query read timeout'),
			withCode('57P01', 'terminating connection due to administrator command'),
			withCode('08006', 'connection failure'),
			withCode('53300', 'sorry, too many clients already')
		];
		for (const err of unreachable) {
			expect(toAppError(err), err.message).toMatchObject({
				code: 'unavailable',
				message: expect.stringMatching(/^gallery database unreachable: /),
				cause: err
			});
		}
	});

	it('leaves everything else as it is: a newer schema, a refused password, a bug', () => {
		const others = [
			new Error(
				'postgres://db/facertc: gallery schema version 99 is newer than this FaceRTC knows (8); run a FaceRTC at least as new as the one that wrote it'
			),
			withCode('28P01', 'password authentication failed for user "facertc"'),
			withCode('23505', 'duplicate key value violates unique constraint'),
			new TypeError("Cannot read properties of undefined (reading 'version')")
		];
		for (const err of others) expect(toAppError(err)).toBe(err);
	});

	it('says a full disk on the database server as storage-full', () => {
		expect(toAppError(withCode('53100', 'could not extend file: No space left on device'))).toMatchObject({ code: 'storage-full' });
	});
});

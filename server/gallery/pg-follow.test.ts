import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { StoreLog } from './gallery.ts';
import type { PgDatabase, Sql } from './pg-db.ts';
import { followGallery } from './pg-follow.ts';
import { createSnapshot } from './snapshot.ts';

/** A database that answers an empty gallery at version 1 while `up`, and is unreachable otherwise. */
function fakeDatabase() {
	const state = { up: true, handlers: null as Parameters<PgDatabase['listen']>[1] | null };
	const sql = (async (text: string) => (text.includes('gallery_state') ? [{ version: '1', pruned_below: '0' }] : [])) as Sql;
	const db: PgDatabase = {
		sql,
		async transaction(fn) {
			if (!state.up) throw new AppError('unavailable', 'gallery database unreachable', { cause: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
			return fn(sql);
		},
		listen(_channel, handlers) {
			state.handlers = handlers;
			return async () => {};
		},
		close: async () => {}
	};
	return { db, state };
}

function recordingLog() {
	const lines: Array<['info' | 'warn', string]> = [];
	const log: StoreLog = { info: (msg) => lines.push(['info', msg]), warn: (msg) => lines.push(['warn', msg]) };
	return { log, lines };
}

describe('followGallery: what it logs, and how loud', () => {
	it('says a lost database as a warning (seen at LOG_LEVEL=warn), and its coming back as info', async () => {
		const { db, state } = fakeDatabase();
		const { log, lines } = recordingLog();
		const follower = await followGallery({ db, snapshot: createSnapshot(), model: 'm1', dim: 4, pollMs: 3_600_000, log });
		try {
			state.up = false;
			await expect(follower.refresh()).rejects.toMatchObject({ code: 'unavailable' });
			state.handlers!.onError(new Error('Connection terminated unexpectedly'));
			expect(lines).toEqual([
				['warn', 'gallery: could not follow the database (connect ECONNREFUSED 127.0.0.1:5432)'],
				['warn', expect.stringMatching(/^gallery: notification connection lost \(Connection terminated unexpectedly\)/)]
			]);
			lines.length = 0;
			state.up = true;
			await follower.refresh();
			state.handlers!.onConnect();
			expect(lines).toEqual([
				['info', 'gallery: database reachable again'],
				['info', 'gallery: notification connection back']
			]);
		} finally {
			await follower.close();
		}
	});
});

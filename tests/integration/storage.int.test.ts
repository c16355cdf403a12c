/**
 * The real server and its real SQLite file when the storage misbehaves: the file locked by another
 * process (as an `sqlite3` shell's `BEGIN IMMEDIATE` would), the disk full, a file it cannot open.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the gallery file locked by another process', () => {
	let server: TestServer;
	let personId: string;

	beforeAll(async () => {
		server = await startTestServer({ env: { EMBED_WORKERS: '1' } });
		const res = await server.api('/api/people', json({ name: 'Kim' }));
		personId = ((await res.json()) as { id: string }).id;
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('answers writes 503 with Retry-After at once, and never freezes the other requests', async () => {
		const other = new Database(join(server.dataDir, 'gallery.db'), { timeout: 0 });
		other.exec('BEGIN IMMEDIATE');
		other.prepare("INSERT INTO settings (key, value) VALUES ('held', '1')").run();
		try {
			const started = performance.now();
			const [deleted, health] = await Promise.all([
				server.api(`/api/people/${personId}`, { method: 'DELETE' }),
				fetch(`${server.url}/healthz`).then(async (res) => ({ res, ms: performance.now() - started }))
			]);
			expect(health.res.status).toBe(200);
			// Was 4.9 s: the synchronous driver waited 5 s for the lock with the event loop held.
			expect(health.ms).toBeLessThan(1500);
			for (const res of [
				deleted,
				await server.api('/api/people', json({ name: 'Lee' })),
				await server.api(`/api/people/${personId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Kay' }) })
			]) {
				expect(res.status).toBe(503);
				expect(res.headers.get('retry-after')).toBe('1');
				expect(await res.json()).toMatchObject({ code: 'unavailable', error: expect.stringMatching(/the gallery file is locked by another process/) });
			}
		} finally {
			other.exec('ROLLBACK');
			other.close();
		}
		const res = await server.api(`/api/people/${personId}`, { method: 'DELETE' });
		expect(res.status).toBe(204);
	});
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMissing, startPostgres, type TestPostgres } from '../../tests/helpers/postgres.ts';
import { galleryContract, waitUntil } from './gallery.contract.ts';
import { learnContract } from './learn.contract.ts';
import { peoplePageContract } from './people-page.contract.ts';
import { createPgGallery } from './pg-gallery.ts';
import { PAGE_AFTER_SQL, THUMBNAIL_SQL } from './pg-people.ts';

const missing = postgresMissing();
let server: TestPostgres | undefined;

if (missing) {
	console.log(`skipping the PostgreSQL gallery tests: ${missing}`);
	describe.skip(`postgres gallery (${missing})`, () => it('needs PostgreSQL', () => {}));
} else {
	beforeAll(async () => {
		server = await startPostgres();
	}, 60_000);
	afterAll(async () => {
		await server?.stop();
	});
	const pgFixture = async () => {
		const url = await server!.createDatabase();
		return {
			open: async ({ model = 'm1' } = {}) => createPgGallery({ url, model, dim: 4, pollMs: 200 }),
			cleanup: async () => {},
			exec: async (statement: string) => {
				const client = new pg.Client({ connectionString: url });
				await client.connect();
				await client.query(statement);
				await client.end();
			}
		};
	};
	galleryContract('postgres', pgFixture);
	learnContract('postgres', pgFixture);
	peoplePageContract('postgres', pgFixture);

	describe('postgres gallery schema and reach', () => {
		it('refuses a database written by a newer FaceRTC', async () => {
			const url = await server!.createDatabase();
			await (await createPgGallery({ url, model: 'm1', dim: 4 })).close();
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			await client.query('UPDATE facertc_schema SET version = 99');
			await client.end();
			await expect(createPgGallery({ url, model: 'm1', dim: 4 })).rejects.toThrow(/schema version 99 is newer/);
		});

		it('reads a page and each latest thumbnail from indexes (migration 009), whatever the statistics', async () => {
			const url = await server!.createDatabase();
			await (await createPgGallery({ url, model: 'm1', dim: 4 })).close();
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			try {
				// Sequential scans and sorts priced out: an index that serves the query is taken if there is one.
				await client.query('SET enable_seqscan = off');
				await client.query('SET enable_sort = off');
				const plan = async (sql: string, values: unknown[] = []) =>
					(await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n');
				expect(await plan(PAGE_AFTER_SQL, [101, 'm', 'x'])).toMatch(/Index (Only )?Scan using people_order on people p .*\n\s+Index Cond: \(ROW/);
				expect(await plan(`SELECT (${THUMBNAIL_SQL}) FROM people p WHERE p.id = $1`, ['x'])).toMatch(/Index Scan Backward using faces_person_seq on faces t/);
			} finally {
				await client.end();
			}
		});

		it('says the database is unreachable, without waiting long, when it cannot connect', async () => {
			const url = `postgres://postgres@127.0.0.1:${server!.port}/postgres`.replace(String(server!.port), '1');
			await expect(createPgGallery({ url, model: 'm1', dim: 4 })).rejects.toMatchObject({ code: 'unavailable' });
		});

		it('a follower that falls behind the kept changes reloads everything, and ends equal', async () => {
			const url = await server!.createDatabase();
			const open = () => createPgGallery({ url, model: 'm1', dim: 4, pollMs: 100, changesKept: 2 });
			const [writer, follower] = await Promise.all([open(), open()]);
			try {
				const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => writer.enrolPerson(`p${i}`, [{ embedding: Float32Array.from([i, 1, 0, 0]) }])));
				await Promise.all(ids.slice(0, 6).map(({ person }) => writer.deletePerson(person.id)));
				await writer.renamePerson(ids[6]!.person.id, 'renamed');
				const view = (g: typeof writer) =>
					g
						.entries()
						.map((e) => `${e.personId}:${e.name}:${e.embedding[0]}`)
						.sort();
				await waitUntil(() => view(follower).join() === view(writer).join(), 'the follower equals the writer');
				expect(view(follower)).toHaveLength(6);
				expect(follower.entries().some((e) => e.name === 'renamed')).toBe(true);
			} finally {
				await Promise.all([writer.close(), follower.close()]);
			}
		});

		it('stops naming within its stale bound when the database goes, says why, and recovers', async () => {
			const url = await server!.createDatabase();
			const gallery = await createPgGallery({ url, model: 'm1', dim: 4, pollMs: 100, staleAfterMs: 1000 });
			try {
				await gallery.enrolPerson('kim', [{ embedding: Float32Array.from([1, 0, 0, 0]) }]);
				expect(gallery.entries()).toHaveLength(1);
				await server!.pause();
				const waited = await waitUntil(() => !gallery.health().ok, 'the gallery calls itself stale');
				expect(() => gallery.entries()).toThrow(expect.objectContaining({ code: 'unavailable' }));
				expect(gallery.health().reason).toMatch(/gallery database unreachable for \d+ s/);
				await expect(gallery.listPeople()).rejects.toMatchObject({ code: 'unavailable' });
				console.log(`postgres: stopped naming ${waited.toFixed(0)} ms after the database went (bound 1000 ms + one poll)`);
				await server!.start();
				await waitUntil(() => gallery.health().ok, 'the gallery is fresh again');
				expect(gallery.entries()).toHaveLength(1);
			} finally {
				await server!.start();
				await gallery.close();
			}
		});
	});
}

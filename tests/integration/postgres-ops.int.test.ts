/**
 * What an operator sees of the real server on a real PostgreSQL gallery when the database
 * misbehaves: an outage in the log at the level it deserves, a schema newer than the code said as
 * such (not as "unreachable").
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type LogLine = { level: number; msg: string; component?: string };
const WARN = 40;
const INFO = 30;

/** The server's JSON log lines so far. */
const logLines = (server: TestServer): LogLine[] =>
	server.logs
		.join('')
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line) as LogLine);

async function waitForLine(server: TestServer, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<LogLine> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const line = logLines(server).find((l) => pattern.test(l.msg));
		if (line) return line;
		if (Date.now() > deadline) throw new Error(`${what}: not logged within ${timeoutMs} ms:\n${server.logs.join('')}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

async function query(url: string, text: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(text);
	} finally {
		await client.end();
	}
}

const missing = postgresMissing();
if (missing) {
	describe.skip(`the server on PostgreSQL (${missing})`, () => it('needs PostgreSQL', () => {}));
} else {
	describe('the server on PostgreSQL, as an operator sees it', () => {
		let postgres: TestPostgres;
		beforeAll(async () => {
			postgres = await startPostgres();
		});
		afterAll(async () => {
			await postgres?.stop();
		});

		it('logs losing the database as a warning (seen at LOG_LEVEL=warn), and its return as info', async () => {
			const url = await postgres.createDatabase();
			const server = await startTestServer({ env: { DATABASE_URL: url, EMBED_WORKERS: '1' } });
			try {
				await postgres.pause();
				const lost = await waitForLine(server, /^gallery: could not follow the database/, 'the outage');
				expect(lost).toMatchObject({ level: WARN, component: 'gallery' });
				await postgres.start();
				const back = await waitForLine(server, /^gallery: database reachable again/, 'the return');
				expect(back).toMatchObject({ level: INFO, component: 'gallery' });
			} finally {
				await postgres.start();
				await server.stop();
			}
		});

		it('refuses to start on a schema newer than the code, and says so, not "unreachable"', async () => {
			const url = await postgres.createDatabase();
			await (await startTestServer({ env: { DATABASE_URL: url, EMBED_WORKERS: '1' } })).stop();
			await query(url, 'UPDATE facertc_schema SET version = 99');
			const failed = await startTestServer({ env: { DATABASE_URL: url, EMBED_WORKERS: '1' } }).then(
				() => null,
				(err: Error) => err.message
			);
			expect(failed).toMatch(/^server exited with 1:/);
			expect(failed).toMatch(/gallery schema version 99 is newer than this FaceRTC knows/);
			expect(failed).not.toMatch(/unreachable/);
		});
	});
}

/**
 * Several FaceRTC servers sharing one PostgreSQL gallery (issue 12), for real: a throwaway
 * PostgreSQL cluster, two servers on it, real WebRTC data channels. Enrol on one and be named by
 * the other; delete on one and be forgotten by the other; a client of a server that dies goes on
 * with the other by itself; a server killed in the middle of a large import leaves the gallery as
 * before or after it; a server restarted while the other serves; the database lost and back.
 * Delays are printed, never asserted (no timed assertions: CI machines are slow and shared).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/lib/protocol/messages.ts';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startFailoverProxy, type FailoverProxy } from '../helpers/failover-proxy.ts';
import { connectTestPeer, type TestPeer } from '../helpers/node-peer.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The admin token the servers made and keep in the database (read from there once they are up). */
let ADMIN = '';
const missing = postgresMissing();
const photo = readFileSync(samplePhotoPath(1));
type Json = Record<string, unknown>;

async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
	const res = await fetch(`${server.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
	});
	const text = await res.text();
	return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

/** Asks again and again until `done` holds; returns ms from the start. Generous timeout, never a timed assertion. */
async function askUntil(ask: () => Promise<ServerMessage>, done: (reply: ServerMessage) => boolean, what: string, timeoutMs = 60_000): Promise<number> {
	const start = performance.now();
	let last: ServerMessage | null = null;
	while (performance.now() - start < timeoutMs) {
		last = await ask();
		if (done(last)) return performance.now() - start;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error(`timed out waiting until ${what}; last reply ${JSON.stringify(last)}`);
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<number> {
	const start = performance.now();
	while (!(await probe().catch(() => false))) {
		if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting until ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	return performance.now() - start;
}

const named = (label: string) => (m: ServerMessage) => m.type === 'identity' && m.label === label;

if (missing) {
	console.log(`skipping the multi-server tests: ${missing}`);
	describe.skip(`two servers sharing PostgreSQL (${missing})`, () => it('needs PostgreSQL', () => {}));
} else {
	describe('two servers sharing one PostgreSQL gallery', () => {
		let postgres: TestPostgres;
		let url: string;
		const nodes: { a?: TestServer; b?: TestServer } = {};
		const peers: TestPeer[] = [];
		let probe: Buffer;
		/** The enrolment photo of the same face, as the People page sends it. */
		let enrolImage = '';
		let requestId = 0;
		// No ADMIN_TOKEN: each server makes one, and with DATABASE_URL they must agree on it.
		const env = () => ({ DATABASE_URL: url, ADMIN_TOKEN: '', OPEN_RECOGNITION: '1', EMBED_WORKERS: '1', MAX_UPLOAD_MB: '40' });
		const startNode = () => startTestServer({ env: env() });
		const identify = (peer: TestPeer) => async () => {
			const id = ++requestId;
			peer.send({ type: 'identify', requestId: id, trackId: 1, width: 112, height: 112, crop: probe });
			for (;;) {
				const reply = await peer.next();
				if (reply.type !== 'welcome' && reply.requestId === id) return reply;
			}
		};

		beforeAll(async () => {
			postgres = await startPostgres();
			url = await postgres.createDatabase('facertc_nodes');
			[nodes.a, nodes.b] = await Promise.all([startNode(), startNode()]);
			const db = new pg.Client({ connectionString: url });
			await db.connect();
			ADMIN = (await db.query<{ value: string }>("SELECT value FROM secrets WHERE name = 'admin-token'")).rows[0]!.value;
			await db.end();
			// A busy machine may answer 503 overloaded / 504 timeout / 429: ask again, as a client would.
			let faces: Array<{ box: FaceBox }> | undefined;
			let last = '';
			await waitFor(
				async () => {
					const res = await fetch(`${nodes.a!.url}/api/recognize`, { method: 'POST', body: new Uint8Array(photo), headers: { 'content-type': 'image/jpeg' } });
					const body = (await res.json()) as { faces?: Array<{ box: FaceBox }> };
					last = `${res.status} ${JSON.stringify(body).slice(0, 200)}`;
					faces = body.faces;
					return res.status === 200 || ![429, 503, 504].includes(res.status);
				},
				'server A finds the faces of the sample photo',
				120_000
			);
			if (!faces) throw new Error(`recognize on server A: ${last}`);
			const largest = [...faces].sort((x, y) => y.box.width * y.box.height - x.box.width * x.box.height)[0]!.box;
			probe = await cropFromPhoto(photo, largest, { margin: 0.2, maxSide: 112, quality: 60 });
			const enrolPhoto = await cropFromPhoto(photo, largest, { margin: 0.35, quality: 92 });
			enrolImage = `data:image/jpeg;base64,${enrolPhoto.toString('base64')}`;
		});
		afterAll(async () => {
			for (const peer of peers) peer.close();
			await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
			await postgres?.stop();
		});

		it('servers started together make one admin token, kept in the database, that both accept; a pairing code made on one is good once on the other', async () => {
			expect(ADMIN).toMatch(/^[A-Za-z0-9_-]{43}$/);
			for (const node of [nodes.a!, nodes.b!]) {
				expect((await call(node, 'GET', '/api/people')).status).toBe(200);
				const wrong = await fetch(`${node.url}/api/people`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
				expect(wrong.status).toBe(401);
			}
			// A pairing link made on A (the People page's QR code) is good once, on whichever server the phone reaches.
			const made = await call(nodes.a!, 'POST', '/api/pair/codes', { role: 'admin' });
			expect(made.status).toBe(201);
			const redeem = (node: TestServer) =>
				fetch(`${node.url}/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: made.body.code }) });
			const onB = await redeem(nodes.b!);
			expect(onB.status).toBe(200);
			expect(await onB.json()).toEqual({ role: 'admin', token: ADMIN });
			expect((await redeem(nodes.a!)).status).toBe(401);
		});

		it('a face enrolled on one server is named by the other, and forgotten there once deleted', async () => {
			const onB = await connectTestPeer(nodes.b!.url, { token: ADMIN });
			peers.push(onB);
			expect(await identify(onB)()).toMatchObject({ type: 'identity', label: 'unknown' });
			const enrolled = await call(nodes.a!, 'POST', '/api/people?force=1', { name: 'alice', images: [enrolImage] });
			expect(enrolled.status).toBe(201);
			const reached = await askUntil(identify(onB), named('alice'), 'server B names alice');
			console.log(`enrolled on A → named by B after ${reached.toFixed(0)} ms (one crop embedded per ask, ~30–100 ms each)`);
			expect(await call(nodes.b!, 'GET', `/api/people/${enrolled.body.id as string}`)).toMatchObject({ status: 200, body: { name: 'alice', faces: 1 } });

			expect((await call(nodes.a!, 'DELETE', `/api/people/${enrolled.body.id as string}`)).status).toBe(204);
			const forgotten = await askUntil(identify(onB), named('unknown'), 'server B forgets alice');
			console.log(`deleted on A → forgotten by B after ${forgotten.toFixed(0)} ms`);
			expect((await call(nodes.b!, 'GET', `/api/people/${enrolled.body.id as string}`)).status).toBe(404);
		});

		it('a client of a server that dies goes on with the other by itself, and the restarted server knows what was enrolled meanwhile', async () => {
			const bea = await call(nodes.a!, 'POST', '/api/people?force=1', { name: 'bea', images: [enrolImage] });
			expect(bea.status).toBe(201);
			// A load balancer in front of both: sticky to A while A is up (deploy/ has the real configs).
			const order = () => [nodes.a!.port, nodes.b!.port];
			const proxy: FailoverProxy = await startFailoverProxy(order);
			const { loadPeerJs } = await import('../../server/recognizer/webrtc-runtime.ts');
			loadPeerJs();
			const { PeerLink } = await import('../../src/lib/link/peer-link.ts');
			const link = new PeerLink(new URL(proxy.url));
			const welcomes: string[] = [];
			const answers: ServerMessage[] = [];
			link.on('message', (m) => (m.type === 'welcome' ? welcomes.push(m.recognizer) : answers.push(m)));
			let killedAt = 0;
			const states: string[] = [];
			link.on('state', (state, detail) => killedAt && states.push(`${(performance.now() - killedAt).toFixed(0)} ms ${state}${detail ? ` (${detail})` : ''}`));
			const ask = async () => {
				const id = ++requestId;
				const sent = link.send({ type: 'identify', requestId: id, trackId: 2, width: 112, height: 112, crop: probe });
				if (!sent) return { type: 'error', code: 'closed', message: 'link not connected' } as ServerMessage;
				const start = performance.now();
				// An answer lost with a dying server is asked again (the client's tracker would resend too).
				while (performance.now() - start < 5_000) {
					const found = answers.find((m) => m.type !== 'welcome' && m.requestId === id);
					if (found) return found;
					await new Promise((resolve) => setTimeout(resolve, 10));
				}
				return { type: 'error', code: 'timeout', message: 'no answer' } as ServerMessage;
			};
			try {
				link.start();
				await waitFor(async () => welcomes.length > 0, 'the link reaches server A');
				const firstRecognizer = welcomes[0]!;
				await askUntil(ask, named('bea'), 'server A names bea through the link');

				const a = nodes.a!;
				const aDir = a.dataDir;
				killedAt = performance.now();
				a.child.kill('SIGKILL');
				await a.stop();
				const back = await askUntil(ask, named('bea'), 'the link names bea again, through server B');
				expect(welcomes.at(-1)).not.toBe(firstRecognizer);
				console.log(`server A killed → the client was named again through server B after ${back.toFixed(0)} ms; link: ${states.join(', ')}`);

				// While A is down, B serves and enrols.
				const cleo = await call(nodes.b!, 'POST', '/api/people?force=1', { name: 'cleo', images: [enrolImage] });
				expect(cleo.status).toBe(201);
				nodes.a = await startNode();
				expect(aDir).not.toBe(nodes.a.dataDir);
				const people = (await call(nodes.a, 'GET', '/api/people')).body as unknown as Array<{ name: string }>;
				expect(people.map((p) => p.name).sort()).toEqual(['bea', 'cleo']);
				const onA = await connectTestPeer(nodes.a.url, { token: ADMIN });
				peers.push(onA);
				const reply = await identify(onA)();
				// bea and cleo share a face: the margin rule says unknown, but the answer now comes from the shared gallery.
				expect(reply).toMatchObject({ type: 'identity' });
				expect((await call(nodes.a, 'GET', '/healthz')).body).toMatchObject({ ok: true, people: 2, gallery: { store: 'postgres' } });
			} finally {
				link.close();
				await proxy.close();
				await call(nodes.b!, 'POST', '/api/import?mode=replace', {
					format: 'facertc-gallery',
					version: 1,
					model: (await call(nodes.b!, 'GET', '/api/export')).body.model,
					dim: 128,
					people: []
				});
			}
		});

		it('a server killed in the middle of a large import leaves the gallery as before or after it', async () => {
			const PEOPLE = 20_000;
			const { model, dim } = (await call(nodes.a!, 'GET', '/api/export')).body as { model: string; dim: number };
			const seeded = await call(nodes.a!, 'POST', '/api/people?force=1', { name: 'dana', images: [enrolImage] });
			expect(seeded.status).toBe(201);
			let seed = 11;
			const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
			const doc = JSON.stringify({
				format: 'facertc-gallery',
				version: 1,
				model,
				dim,
				people: Array.from({ length: PEOPLE }, (_, i) => ({
					name: `imported ${i}`,
					faces: [{ embedding: Array.from({ length: dim }, () => Math.round(random() * 1e4) / 1e4) }]
				}))
			});
			const onB = await connectTestPeer(nodes.b!.url, { token: ADMIN });
			peers.push(onB);
			await askUntil(identify(onB), named('dana'), 'server B names dana');

			const watcher = new pg.Client({ connectionString: url });
			await watcher.connect();
			try {
				const a = nodes.a!;
				const exited = new Promise((resolve) => a.child.once('exit', resolve));
				const request = call(a, 'POST', '/api/import', doc).catch((err: Error) => err);
				// Kill it once its transaction is writing rows (PostgreSQL shows the statement).
				const writing = await waitFor(
					async () => {
						const { rows } = await watcher.query(
							"SELECT 1 FROM pg_stat_activity WHERE application_name = 'facertc' AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO%'"
						);
						return rows.length > 0;
					},
					'the import is writing',
					120_000
				);
				a.child.kill('SIGKILL');
				await exited;
				const answer = await request;
				await a.stop();
				// The database sees the connection go and rolls the transaction back; nothing is half there.
				await waitFor(
					async () => (await watcher.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'facertc' AND backend_xid IS NOT NULL")).rows.length === 0,
					'the killed transaction is gone'
				);
				const { rows } = await watcher.query<{ people: string; faceless: string }>(
					'SELECT COUNT(*) AS people, COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = p.id)) AS faceless FROM people p'
				);
				expect([1, 1 + PEOPLE]).toContain(Number(rows[0]!.people));
				expect(Number(rows[0]!.faceless)).toBe(0);
				console.log(
					`SIGKILL during an import of ${PEOPLE} people on A (${writing.toFixed(0)} ms after the request, while inserting): ` +
						`${Number(rows[0]!.people) === 1 ? 'nothing' : 'everything'} was kept; the client saw ${answer instanceof Error ? 'a dropped connection' : `HTTP ${answer.status}`}`
				);
				// B served throughout and agrees with the database.
				await askUntil(identify(onB), named('dana'), 'server B still names dana');
				expect((await call(nodes.b!, 'GET', '/healthz')).body).toMatchObject({ ok: true, people: Number(rows[0]!.people) });

				nodes.a = await startNode();
				const again = await call(nodes.a, 'POST', '/api/import', doc);
				expect(again).toMatchObject({ status: 200, body: { imported: PEOPLE } });
				const total = Number(rows[0]!.people) + PEOPLE;
				const spread = await waitFor(async () => ((await call(nodes.b!, 'GET', '/healthz')).body.people as number) === total, 'server B holds the import');
				console.log(`an import of ${PEOPLE} people on A reached B ${spread.toFixed(0)} ms after A answered`);
			} finally {
				await watcher.end();
			}
		});

		it('a server that loses the database stops naming within its bound, says why, and recovers', async () => {
			const onB = await connectTestPeer(nodes.b!.url, { token: ADMIN });
			peers.push(onB);
			await askUntil(identify(onB), named('dana'), 'server B names dana');
			await postgres.pause();
			const stale = await waitFor(async () => (await fetch(`${nodes.b!.url}/healthz`)).status === 503, 'server B reports 503');
			const health = (await call(nodes.b!, 'GET', '/healthz')).body;
			expect(health).toMatchObject({ ok: false, reason: expect.stringMatching(/gallery database unreachable for \d+ s/) });
			console.log(`database stopped → server B answered 503 after ${stale.toFixed(0)} ms (bound: 5 s since its last check): ${health.reason as string}`);
			expect(await identify(onB)()).toMatchObject({ type: 'error', code: 'unavailable', message: expect.stringMatching(/unreachable/) });
			expect(await call(nodes.b!, 'GET', '/api/people')).toMatchObject({ status: 503, body: { code: 'unavailable' } });

			await postgres.start();
			const recovered = await waitFor(async () => (await fetch(`${nodes.b!.url}/healthz`)).status === 200, 'server B is healthy again');
			console.log(`database back → server B healthy after ${recovered.toFixed(0)} ms`);
			await askUntil(identify(onB), named('dana'), 'server B names dana again');
			await waitFor(async () => (await fetch(`${nodes.a!.url}/healthz`)).status === 200, 'server A is healthy again');
		});
	});
}

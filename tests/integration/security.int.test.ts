/**
 * Issue #8 against the real server (child process, real PeerServer, real WebRTC): closed by
 * default and pairing; the recognizer's id kept from squatters at start-up and while its
 * signalling is down; a flood of channels from one address; a client killed with its channels
 * open; per-address rate limits; names that cannot pass for others; the drain on SIGTERM.
 * Figures (latencies, descriptors, seconds to clean up) are printed, never asserted on time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/lib/protocol/messages.ts';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { findFaces } from '../helpers/gallery.ts';
import { connectTestPeer, firstReply, type Refused, type TestPeer } from '../helpers/node-peer.ts';
import { TEST_ADMIN_TOKEN, authHeaders, startTestServer, type TestServer } from '../helpers/server.ts';

type Json = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` returns a value (not undefined), polling; fails after `timeoutMs` naming `what`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}

/** Opens a signalling socket with this id and token the way PeerJS does; says what the server answered first. */
function register(server: { port: number }, id: string, token = 'squatter-token', origin?: string): Promise<string> {
	return new Promise((resolve) => {
		const ws = new WebSocket(
			`ws://127.0.0.1:${server.port}/peerjs/peerjs?key=peerjs&id=${encodeURIComponent(id)}&token=${token}&version=1.5.5`,
			origin ? { origin } : {}
		);
		const done = (what: string) => {
			ws.removeAllListeners();
			ws.on('error', () => {});
			ws.terminate();
			resolve(what);
		};
		// eslint-disable-next-line @typescript-eslint/no-base-to-string -- ws hands a text frame over as a Buffer (binaryType 'nodebuffer')
		ws.on('message', (data) => done((JSON.parse(String(data)) as { type: string }).type));
		ws.on('close', () => done('closed'));
		ws.on('error', () => done('unreachable'));
	});
}

function freePort(): Promise<number> {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function metric(server: TestServer, name: string, labels = ''): Promise<number> {
	const text = await (await fetch(`${server.url}/metrics`)).text();
	const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
	return line ? Number(line.split(' ').pop()) : 0;
}

async function call(server: TestServer, method: string, path: string, body?: unknown, token: string | null = server.adminToken) {
	const res = await fetch(`${server.url}${path}`, {
		method,
		headers: { ...(token ? authHeaders(token) : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
}

/** Connects, honouring the server's Retry-After on a refusal, as the live page does. */
async function connectPolitely(server: TestServer, timeoutMs = 90_000): Promise<TestPeer> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			return await connectTestPeer(server.url);
		} catch (err) {
			const refused = err as Refused;
			if (refused.type !== 'refused' || Date.now() > deadline) throw err;
			await sleep(refused.retryAfterS * 1000);
		}
	}
}

describe('closed by default, and pairing', () => {
	let server: TestServer;
	const env = { ADMIN_TOKEN: '', OPEN_RECOGNITION: '0', EMBED_WORKERS: '1' };

	beforeAll(async () => {
		server = await startTestServer({ env });
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('makes its own tokens, readable by its user only, and says how to pair', async () => {
		// The banner follows the start line the helper waits for.
		await until('the pairing banner', () => (server.logs.join('').includes('Pair a browser') ? true : undefined));
		for (const file of ['admin-token', 'recognize-token']) {
			expect(statSync(join(server.dataDir, file)).mode & 0o777, file).toBe(0o600);
		}
		expect(server.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const logs = server.logs.join('');
		expect(logs).toMatch(/recognition needs a paired device/);
		expect(logs).toMatch(/Pair a browser on this machine \(one use, 10 min\):\n {2}http:\/\/localhost:\d+\/pair#code=[A-Za-z0-9_-]{22}/);
		// The token itself is never printed.
		expect(logs).not.toContain(server.adminToken);
	});

	it('keeps the gallery and recognition closed to anyone without a token, loopback included', async () => {
		const guarded: Array<[string, string, unknown?]> = [
			['GET', '/api/people'],
			['GET', '/api/people/x'],
			['GET', '/api/people/x/faces'],
			['POST', '/api/people', { name: 'Eve' }],
			['GET', '/api/export'],
			['POST', '/api/import', { format: 'facertc-gallery' }],
			['PATCH', '/api/settings', { keepThumbnails: true }],
			['POST', '/api/pair/codes', { role: 'admin' }]
		];
		for (const [method, path, body] of guarded) {
			expect({ method, path, status: (await call(server, method, path, body, null)).status }).toEqual({ method, path, status: 401 });
		}
		const recognize = await fetch(`${server.url}/api/recognize`, { method: 'POST', body: new Uint8Array([1]), headers: { 'content-type': 'image/jpeg' } });
		expect(recognize.status).toBe(401);
		expect((await call(server, 'GET', '/api/settings', undefined, null)).body).toMatchObject({
			adminTokenRequired: true,
			recognizeTokenRequired: true,
			authorized: false
		});
		expect(await firstReply(server.url)).toMatchObject({ type: 'refused', code: 'unauthorized', retryAfterS: 0 });
		expect(await firstReply(server.url, { metadata: { token: server.adminToken } })).toMatchObject({ type: 'welcome' });
		expect((await call(server, 'GET', '/api/people')).status).toBe(200);
	});

	it('pairs a browser with a one-time code, and an admin pairs a phone for recognition only', async () => {
		const code = /localhost:\d+\/pair#code=([A-Za-z0-9_-]{22})/.exec(server.logs.join(''))![1]!;
		expect(await call(server, 'POST', '/api/pair', { code }, null)).toMatchObject({ status: 200, body: { role: 'admin', token: server.adminToken } });
		const again = await call(server, 'POST', '/api/pair', { code }, null);
		expect(again).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
		expect(again.body.error).toMatch(/unknown, used already, or expired/);
		// A code of the right length in another alphabet is a wrong code (it was a 500).
		expect(await call(server, 'POST', '/api/pair', { code: 'é'.repeat(22) }, null)).toMatchObject({ status: 401 });

		const made = await call(server, 'POST', '/api/pair/codes', { role: 'recognize' });
		expect(made).toMatchObject({ status: 201, body: { role: 'recognize', code: expect.any(String), expiresAt: expect.any(Number) } });
		expect((made.body.links as string[])[0]).toMatch(/^http:\/\/[^/]+\/pair#code=[A-Za-z0-9_-]{22}$/);
		const phone = await call(server, 'POST', '/api/pair', { code: made.body.code }, null);
		expect(phone).toMatchObject({ status: 200, body: { role: 'recognize', token: expect.any(String) } });
		const look = phone.body.token as string;
		expect(look).toBe(readFileSync(join(server.dataDir, 'recognize-token'), 'utf8').trim());
		const recognized = await fetch(`${server.url}/api/recognize`, {
			method: 'POST',
			body: new Uint8Array(readFileSync(samplePhotoPath(1))),
			headers: { 'content-type': 'image/jpeg', ...authHeaders(look) }
		});
		expect(recognized.status).toBe(200);
		expect(await firstReply(server.url, { metadata: { token: look } })).toMatchObject({ type: 'welcome' });
		// A device paired for recognition does not see the gallery.
		expect((await call(server, 'GET', '/api/people', undefined, look)).status).toBe(401);
	});

	it('throttles guessing at pairing codes, with Retry-After', async () => {
		const statuses: number[] = [];
		let retryAfter: string | null = null;
		for (let i = 0; i < 14; i++) {
			const res = await call(server, 'POST', '/api/pair', { code: 'x'.repeat(22) }, null);
			statuses.push(res.status);
			if (res.status === 429) {
				retryAfter = res.headers.get('retry-after');
				expect(res.body).toMatchObject({ code: 'rate-limited' });
			}
		}
		expect(statuses).toContain(429);
		expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
	});

	it('keeps its token across restarts', async () => {
		const { adminToken, dataDir } = server;
		await server.stop({ keepData: true });
		server = await startTestServer({ dataDir, env });
		expect(server.adminToken).toBe(adminToken);
		expect((await call(server, 'GET', '/api/people')).status).toBe(200);
	});
});

describe('names that cannot pass for others', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startTestServer({ env: { EMBED_WORKERS: '1' } });
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('refuses direction overrides, invisible characters and names past the limit, saying why', async () => {
		const cases: Array<[string, RegExp]> = [
			['Ann\u202egnp.exe', /text-direction control \(U\+202E\)/],
			['\u2067Bob', /text-direction control \(U\+2067\)/],
			['Al\u200bice', /invisible character \(U\+200B\)/],
			['Al\u2060ice', /invisible character \(U\+2060\)/],
			['a'.repeat(65), /65 characters long; the limit is 64/]
		];
		for (const [name, message] of cases) {
			const res = await call(server, 'POST', '/api/people', { name });
			expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 400, code: 'bad-request' });
			expect(res.body.error).toMatch(message);
		}
		expect((await call(server, 'GET', '/api/people')).body).toEqual([]);
	});

	it('refuses a second person whose name is the same but for case, width or joiners, renames too', async () => {
		const ann = await call(server, 'POST', '/api/people', { name: 'Ann Lee' });
		expect(ann.status).toBe(201);
		for (const name of ['ann lee', 'ANN  LEE', 'Ａｎｎ Ｌｅｅ', 'An\u200dn Lee']) {
			const res = await call(server, 'POST', '/api/people', { name });
			expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 409, code: 'conflict' });
			expect(res.body.error).toMatch(/"Ann Lee" is already enrolled/);
		}
		const bob = await call(server, 'POST', '/api/people', { name: 'Bob 👩\u200d💻' });
		expect(bob.status).toBe(201);
		expect((await call(server, 'PATCH', `/api/people/${bob.body.id}`, { name: 'ann LEE' })).status).toBe(409);
		expect((await call(server, 'PATCH', `/api/people/${ann.body.id}`, { name: 'ANN LEE' })).body).toMatchObject({ name: 'ANN LEE' });
		expect(((await call(server, 'GET', '/api/people')).body as unknown as Array<{ name: string }>).map((p) => p.name).sort()).toEqual([
			'ANN LEE',
			'Bob 👩\u200d💻'
		]);
	});

	it('gives a name to one of several requests that ask for it at the same moment', async () => {
		const names = ['Penny', 'penny', 'PENNY', 'Ｐｅｎｎｙ', 'Penny'];
		const answers = await Promise.all(names.map((name) => call(server, 'POST', '/api/people', { name })));
		expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
		const people = (await call(server, 'GET', '/api/people')).body as unknown as Array<{ name: string }>;
		expect(people.filter((p) => p.name.toLowerCase().normalize('NFKC') === 'penny')).toHaveLength(1);
	});
});

describe('the recognizer id belongs to the server', () => {
	let server: TestServer;
	afterAll(async () => {
		await server?.stop();
	});

	it('refuses squatters on the id and its prefix during start-up', async () => {
		const port = await freePort();
		const ids = ['facertc-recognizer', 'facertc-recognizer-000000000000', 'facertc-recognizer-squat', 'c-0000000000000000-000000000000000000000000'];
		const outcomes = new Map<string, number>();
		let started = false;
		const starting = startTestServer({ port, env: { EMBED_WORKERS: '1' } }).finally(() => (started = true));
		let extra = 20;
		while (!started || extra-- > 0) {
			for (const id of ids) {
				const outcome = await register({ port }, id);
				outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
			}
			if (!started) await sleep(10);
		}
		server = await starting;
		console.log(`squatter during start-up: ${JSON.stringify(Object.fromEntries(outcomes))}`);
		expect(outcomes.has('OPEN')).toBe(false);
		expect(outcomes.get('ERROR')).toBeGreaterThan(0);
		expect(await firstReply(server.url)).toMatchObject({ type: 'welcome' });
	});

	it('keeps the id while the recognizer is off signalling, says so on /healthz, and takes it back', async () => {
		const { recognizerId } = (await (await fetch(`${server.url}/api/config`)).json()) as { recognizerId: string };
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		expect(await metric(server, 'facertc_recognizer_registered')).toBe(1);
		process.kill(server.child.pid!, 'SIGUSR2');
		const down = await until('/healthz to say the recognizer is off signalling', async () => {
			const res = await fetch(`${server.url}/healthz`);
			return res.status === 503 ? ((await res.json()) as Json) : undefined;
		});
		expect(down).toMatchObject({ ok: false, reason: expect.stringMatching(/recognizer not registered with signalling/) });
		for (const id of [recognizerId, `${recognizerId}x`, 'facertc-recognizer']) {
			for (let i = 0; i < 5; i++) expect(await register(server, id, `guess-${i}`), id).toBe('ERROR');
		}
		// A client asking for the recognizer now is told to come back, not left hanging.
		expect(await firstReply(server.url)).toMatchObject({ type: 'refused', code: 'overloaded', retryAfterS: expect.any(Number) });

		process.kill(server.child.pid!, 'SIGUSR2');
		await until('/healthz to be 200 again', async () => ((await fetch(`${server.url}/healthz`)).status === 200 ? true : undefined));
		expect(((await (await fetch(`${server.url}/api/config`)).json()) as { recognizerId: string }).recognizerId).toBe(recognizerId);
		expect(await firstReply(server.url)).toMatchObject({ type: 'welcome' });
		expect(server.logs.join('')).toMatch(/lost signalling, reconnecting/);
	});

	it('refuses a recognizer token of any alphabet on its id, and keeps serving', async () => {
		const { recognizerId } = (await (await fetch(`${server.url}/api/config`)).json()) as { recognizerId: string };
		// 43 characters, as long as the real token, 86 bytes of UTF-8: this ended the process.
		for (const token of ['é'.repeat(43), '€'.repeat(43), 'x'.repeat(43)]) {
			expect(await register(server, recognizerId, encodeURIComponent(token)), token).toBe('ERROR');
		}
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		expect(await firstReply(server.url)).toMatchObject({ type: 'welcome' });
	});

	it('gives clients their ids, and takes signalling only from its own pages', async () => {
		const issued = async () => (await fetch(`${server.url}/peerjs/peerjs/id`)).text();
		expect(await register(server, 'my-own-id')).toBe('ERROR');
		expect(await register(server, await issued(), 't1', 'http://evil.example')).toBe('ERROR');
		expect(await register(server, await issued(), 't2', `http://127.0.0.1:${server.port}`)).toBe('OPEN');
		expect(await register(server, await issued(), 't3')).toBe('OPEN');
	});
});

/**
 * Descriptors a server may still hold once every channel is closed: @roamhq/wrtc frees a closed
 * connection's pipes and sockets when V8 collects its objects, so up to about one connection's
 * worth (~18), sometimes two, can wait for a GC (seen: +8 to +18 after a flood, and under the
 * baseline later). A leak of the channels themselves is far more: each holds ~18, a flood peaks
 * 150–200 over the baseline, and the unbounded server of issue #8 kept 10 000.
 */
const FD_SLACK = 40;

describe('one address cannot take the server down', () => {
	let server: TestServer;
	const peers: TestPeer[] = [];
	let crop: Buffer;
	beforeAll(async () => {
		server = await startTestServer({ env: { EMBED_WORKERS: '1' } });
		// Before the rate-limit test spends this address's recognition budget.
		const photo = readFileSync(samplePhotoPath(1));
		const [face] = await findFaces(server.url, photo);
		crop = await cropFromPhoto(photo, face!, { margin: 0.25, maxSide: 112, quality: 70 });
	});
	afterAll(async () => {
		for (const p of peers) p.close();
		await server?.stop();
	});

	it('closes the channels of a client killed mid-session and gives their descriptors back', async () => {
		const pid = server.child.pid!;
		const warm = await connectPolitely(server);
		warm.close();
		await until('the warm-up channel to close', async () => ((await metric(server, 'facertc_peers_connected')) === 0 ? true : undefined));
		const baseline = fdCount(pid);
		const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/hold-channels.ts', server.url, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
		const opened = await new Promise<number>((resolve, reject) => {
			child.stdout.on('data', (chunk: Buffer) => {
				const match = /open (\d+)/.exec(chunk.toString());
				if (match) resolve(Number(match[1]));
			});
			child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
		});
		expect(opened).toBe(2);
		await until('the server to count both channels', async () => ((await metric(server, 'facertc_peers_connected')) === 2 ? true : undefined));
		const held = fdCount(pid);
		const killedAt = Date.now();
		child.kill('SIGKILL');
		await until(
			'the server to close the dead client’s channels',
			async () => ((await metric(server, 'facertc_peers_connected')) === 0 ? true : undefined),
			120_000
		);
		const closedAfterS = (Date.now() - killedAt) / 1000;
		const after = await until('descriptors to come back', () => (fdCount(pid) <= baseline + FD_SLACK ? fdCount(pid) : undefined), 60_000);
		const reasons = await (await fetch(`${server.url}/metrics`)).text();
		console.log(
			`client killed: channels closed after ${closedAfterS.toFixed(1)} s (${/facertc_channels_closed_total\{reason="[a-z-]+"\} \d+/g.exec(reasons)?.[0] ?? ''}; ` +
				`descriptors ${baseline} before, ${held} with 2 channels, ${after} after)`
		);
		expect(
			(await metric(server, 'facertc_channels_closed_total', 'reason="peer-lost"')) + (await metric(server, 'facertc_channels_closed_total', 'reason="idle"'))
		).toBeGreaterThanOrEqual(2);
	});

	it('refuses a flood of connects beyond the cap at the offer, keeps answering /healthz, gives descriptors back, then serves a new client', async () => {
		const pid = server.child.pid!;
		const baseline = fdCount(pid);
		const FLOOD = 40;
		let flooding = true;
		const latencies: number[] = [];
		const health = (async () => {
			while (flooding) {
				const t0 = performance.now();
				const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
				expect(res.status).toBe(200);
				latencies.push(performance.now() - t0);
				await sleep(50);
			}
		})();
		let peakFds = baseline;
		const sampler = setInterval(() => (peakFds = Math.max(peakFds, fdCount(pid))), 50);
		const results = await Promise.allSettled(Array.from({ length: FLOOD }, () => connectTestPeer(server.url)));
		flooding = false;
		await health;
		clearInterval(sampler);
		for (const r of results) if (r.status === 'fulfilled') peers.push(r.value);
		const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Refused | Error] : []));
		const refused = rejected.filter((r): r is Refused => (r as Refused).type === 'refused');
		// Admitted but not open in time on a loaded machine (the server closes those after 10 s): not a refusal.
		const failed = rejected.filter((r) => (r as Refused).type !== 'refused').map((r) => (r as Error).message);
		const codes = new Set(refused.map((r) => r.code));
		latencies.sort((a, b) => a - b);
		console.log(
			`flood of ${FLOOD} connects from one address: ${peers.length} opened, ${refused.length} refused (${[...codes].join(', ')}), ` +
				`${failed.length} admitted but not opened (${[...new Set(failed)].join('; ')}); ` +
				`/healthz answered ${latencies.length} times during it, median ${latencies[latencies.length >> 1]?.toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms; ` +
				`server descriptors ${baseline} → peak ${peakFds}`
		);
		expect(latencies.length).toBeGreaterThan(0);
		expect(peers.length).toBeGreaterThan(0);
		expect(peers.length).toBeLessThanOrEqual(6);
		// At most the connect-rate burst (twice the per-address cap, 12) is ever admitted; the rest is refused at the offer.
		expect(refused.length).toBeGreaterThanOrEqual(FLOOD - 12);
		expect(refused.every((r) => r.code === 'rate-limited' || r.code === 'overloaded')).toBe(true);
		expect(await metric(server, 'facertc_channels_refused_total', 'reason="pending-per-address"')).toBeGreaterThan(0);

		for (const p of peers.splice(0)) p.close();
		const after = await until('descriptors to come back after the flood', () => (fdCount(pid) <= baseline + FD_SLACK ? fdCount(pid) : undefined), 60_000);
		expect(await metric(server, 'facertc_peers_connected')).toBe(0);
		console.log(`after the flood: ${after} descriptors (baseline ${baseline})`);

		const fresh = await connectPolitely(server);
		peers.push(fresh);
		fresh.send({ type: 'hello', client: 'after-flood' });
		expect(await fresh.next()).toMatchObject({ type: 'welcome' });
	});

	it('caps the TCP connections one address holds, serves other addresses meanwhile, and gives the slots back', async () => {
		// From other loopback addresses than the test's own: 127.0.0.2 floods, 127.0.0.3 is someone else.
		const healthzFrom = (localAddress: string) =>
			new Promise<number>((resolve, reject) => {
				const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/healthz', localAddress }, (res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				});
				req.on('error', reject);
				req.end();
			});
		const before = await metric(server, 'facertc_rate_limited_total', 'route="connections"');
		const sockets: Socket[] = [];
		let closed = 0;
		for (let i = 0; i < 300; i++) {
			const socket = connect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.2' });
			socket.on('error', () => {});
			socket.on('close', () => closed++);
			// Half a request's headers, as a slow-loris client sends.
			socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
			sockets.push(socket);
		}
		try {
			const refused = await until('connections over the cap closed', async () => {
				const n = (await metric(server, 'facertc_rate_limited_total', 'route="connections"')) - before;
				return n > 0 && closed >= n ? n : undefined;
			});
			console.log(`300 half-open connections from one address: ${refused} closed at once, ${300 - closed} held`);
			// Some held (under the cap), the rest closed by the server before a byte was read.
			expect(closed).toBeLessThan(300);
			expect(closed).toBeGreaterThanOrEqual(refused);
			expect(await healthzFrom('127.0.0.3')).toBe(200);
		} finally {
			for (const socket of sockets) socket.destroy();
		}
		// The slots come back once the connections close.
		expect(await until('the address served again', async () => ((await healthzFrom('127.0.0.2').catch(() => 0)) === 200 ? true : undefined))).toBe(true);
	});

	it('drops a flood of small frames unread, serves another client meanwhile, and the flooder again once it calms down', async () => {
		for (const p of peers.splice(0)) p.close();
		const flooder = await connectPolitely(server);
		const other = await connectPolitely(server);
		peers.push(flooder, other);
		const junk = new Uint8Array(16).fill(7);
		const t0 = performance.now();
		// 3 000 frames in 25-frame bursts 10 ms apart: up to ~2 500 a second, 60 times the budget.
		for (let sent = 0; sent < 3_000; sent += 25) {
			for (let i = 0; i < 25; i++) flooder.sendRaw(junk.slice().buffer);
			await sleep(10);
		}
		const floodS = (performance.now() - t0) / 1000;
		const droppedSoon = await until('frames dropped unread', async () => {
			const n = await metric(server, 'facertc_rate_limited_total', 'route="frames"');
			return n >= 1_000 ? n : undefined;
		});
		// The other client of the same address is answered meanwhile, and so is /healthz.
		other.send({ type: 'identify', requestId: 1, trackId: 1, width: 112, height: 112, crop: new Uint8Array(crop) });
		expect(await other.next(60_000)).toMatchObject({ type: 'identity', requestId: 1 });
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		const replies: ServerMessage[] = [];
		for (;;) {
			const reply = await flooder.next(2_000).catch(() => null);
			if (!reply) break;
			replies.push(reply);
		}
		const warned = replies.filter((r) => r.type === 'error' && r.code === 'rate-limited').length;
		const dropped = await metric(server, 'facertc_rate_limited_total', 'route="frames"');
		expect(dropped).toBeGreaterThanOrEqual(droppedSoon);
		console.log(`3000 junk frames on one channel in ${floodS.toFixed(1)} s: ${dropped} dropped unread, ${replies.length} answered (${warned} rate-limited)`);
		expect(warned).toBeGreaterThan(0);
		// Every frame is either dropped unread or decoded and answered (bad-request), plus a word a second.
		expect(replies.length - warned).toBe(3_000 - dropped);
		// Calmed down, the same channel is served again.
		flooder.send({ type: 'hello', client: 'calm again' });
		expect(await flooder.next(30_000)).toMatchObject({ type: 'welcome' });
	});

	it('passes no candidate for a channel the server has closed, so they cannot pile up in its PeerJS', async () => {
		const { recognizerId } = (await (await fetch(`${server.url}/api/config`)).json()) as { recognizerId: string };
		const id = await (await fetch(`${server.url}/peerjs/peerjs/id`)).text();
		const ws = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs/peerjs?key=peerjs&id=${encodeURIComponent(id)}&token=late-candidates&version=1.5.5`);
		try {
			await new Promise<void>((resolve, reject) => {
				ws.on('message', () => resolve());
				ws.on('error', reject);
			});
			const payload = { connectionId: 'dc_late', type: 'data', serialization: 'raw', label: 'dc_late', reliable: true, metadata: { token: server.adminToken } };
			// An offer whose description cannot be used: admitted, then never opened, then closed by the server.
			ws.send(JSON.stringify({ type: 'OFFER', dst: recognizerId, payload: { ...payload, sdp: { type: 'offer', sdp: 'not a session description' } } }));
			const before = await metric(server, 'facertc_signalling_refused_total', 'reason="released"');
			const candidate = {
				type: 'CANDIDATE',
				dst: recognizerId,
				payload: { connectionId: 'dc_late', type: 'data', candidate: { candidate: 'x'.repeat(8_000) } }
			};
			const dropped = await until(
				'a candidate dropped once the channel was released',
				async () => {
					ws.send(JSON.stringify(candidate));
					await sleep(400);
					const n = await metric(server, 'facertc_signalling_refused_total', 'reason="released"');
					return n > before ? n : undefined;
				},
				45_000
			);
			expect(dropped).toBeGreaterThan(before);
			expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		} finally {
			ws.terminate();
		}
	});

	it('rate-limits crops per address across channels, and REST recognition per address with 429 and Retry-After', async () => {
		for (const p of peers.splice(0)) p.close();
		const a = await connectPolitely(server);
		const b = await connectPolitely(server);
		peers.push(a, b);
		// Rounds of 4 crops per channel (the in-flight limit of one channel), 20 per channel in all:
		// under a per-channel budget of 20 none would be refused; the per-address budget is 20 for both.
		const junk = new TextEncoder().encode('not a picture');
		const replies: ServerMessage[] = [];
		const t0 = performance.now();
		for (let round = 0; round < 5; round++) {
			for (let i = 0; i < 4; i++) {
				a.send({ type: 'identify', requestId: round * 10 + i, trackId: 1, width: 10, height: 10, crop: junk });
				b.send({ type: 'identify', requestId: round * 10 + i, trackId: 2, width: 10, height: 10, crop: junk });
			}
			for (let i = 0; i < 4; i++) replies.push(await a.next(), await b.next());
		}
		const limited = replies.filter((r) => r.type === 'error' && r.code === 'rate-limited').length;
		console.log(
			`40 crops on two channels of one address in ${(performance.now() - t0).toFixed(0)} ms: ${limited} rate-limited, ${replies.filter((r) => r.type === 'error' && r.code === 'overloaded').length} overloaded`
		);
		expect(limited).toBeGreaterThan(0);

		const statuses: number[] = [];
		let limitedRes: Response | null = null;
		for (let i = 0; i < 45; i++) {
			const res = await fetch(`${server.url}/api/recognize`, { method: 'POST', body: new Uint8Array([1, 2, 3]), headers: { 'content-type': 'image/jpeg' } });
			statuses.push(res.status);
			if (res.status === 429) limitedRes ??= res;
			else await res.arrayBuffer();
		}
		expect(statuses).toContain(422);
		expect(statuses).toContain(429);
		expect(Number(limitedRes!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(await limitedRes!.json()).toMatchObject({ code: 'rate-limited' });
		expect(await metric(server, 'facertc_rate_limited_total', 'route="recognize"')).toBeGreaterThan(0);
		expect(await metric(server, 'facertc_rate_limited_total', 'route="crops"')).toBeGreaterThan(0);
	});

	it('on SIGTERM answers what is in flight, tells clients it is going, and exits 0', async () => {
		const peer = await connectPolitely(server);
		peers.push(peer);
		// One round trip first: the client's side of a channel can open before the server's, and a
		// farewell sent on a channel not yet open on the server never arrives.
		peer.send({ type: 'hello', client: 'sigterm' });
		expect(await peer.next(30_000)).toMatchObject({ type: 'welcome' });
		peer.send({ type: 'identify', requestId: 77, trackId: 1, width: 112, height: 112, crop });
		await sleep(0);
		server.child.kill('SIGTERM');
		const seen: ServerMessage[] = [];
		for (;;) {
			const message = await peer.next(30_000);
			seen.push(message);
			if (message.type === 'error' && message.code === 'closed') break;
		}
		console.log(`SIGTERM with a crop in flight, the client saw: ${seen.map((m) => (m.type === 'error' ? `error ${m.code}` : m.type)).join(', ')}`);
		expect(seen.at(-1)).toMatchObject({ type: 'error', code: 'closed', message: expect.stringMatching(/restarting/) });
		expect(seen.filter((m) => m.type === 'error' && m.code !== 'closed' && m.code !== 'rate-limited')).toEqual([]);
		expect(await server.stop()).toBe(0);
	});
});

describe('crash policy', () => {
	it('refuses a bad setting naming it (exit 2); logs an uncaught exception even at LOG_LEVEL=silent and exits 1', async () => {
		const bad = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
			env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'silent' },
			encoding: 'utf8',
			timeout: 60_000
		});
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/PORT must be an integer from 0 to 65535/);

		const port = await freePort();
		const dataDir = mkdtempSync(join(tmpdir(), 'facertc-crash-'));
		const child = spawn(process.execPath, ['--import', 'tsx', '--import', './tests/helpers/crash-on-sighup.ts', 'server/main.ts'], {
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				DATA_DIR: dataDir,
				LOG_LEVEL: 'silent',
				ADMIN_TOKEN: TEST_ADMIN_TOKEN,
				OPEN_RECOGNITION: '1',
				EMBED_WORKERS: '1'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		try {
			await until(
				'the silent server to answer',
				async () => {
					const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
					return res?.status === 200 ? true : undefined;
				},
				120_000
			);
			expect(stdout).toBe('');
			child.kill('SIGHUP');
			expect(await exited).toBe(1);
			const fatal = JSON.parse(stderr.trim().split('\n').at(-1)!) as { level: number; msg: string; err: { message: string; stack: string } };
			expect(fatal).toMatchObject({ level: 60, msg: expect.stringMatching(/uncaught exception; exiting for the supervisor to restart/) });
			expect(fatal.err.message).toBe('crash test: thrown from a timer');
			expect(fatal.err.stack).toMatch(/crash-on-sighup\.ts/);
		} finally {
			child.kill('SIGKILL');
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});

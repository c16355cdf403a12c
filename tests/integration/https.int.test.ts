/**
 * Built-in HTTPS: the real server with `--https` / `HTTPS=1` / TLS_CERT+TLS_KEY. Every client here
 * trusts exactly the certificate the server made (or was given), so each handshake also checks that
 * the certificate is valid for 127.0.0.1.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { DataConnection } from 'peerjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadPeerJs } from '../../server/recognizer/webrtc-runtime.ts';
import { generateSelfSigned } from '../../server/tls.ts';
import { decodeServerMessage, encodeClientMessage } from '../../src/lib/protocol/messages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Answer = { status: number; body: string; peerFingerprint: string; headers: Record<string, string | string[] | undefined> };

/** GET over TLS trusting only `ca`; also returns the fingerprint of the certificate served. */
function get(url: string, ca: string): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = request(url, { ca, agent: false }, (res) => {
			const peerFingerprint = (res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peerFingerprint, headers: res.headers }));
		});
		req.on('error', reject);
		req.end();
	});
}

const ENV = { EMBED_WORKERS: '1' };
const dirs: string[] = [];
const tempDir = () => {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-https-'));
	dirs.push(dir);
	return dir;
};
let server: TestServer | null = null;

afterAll(async () => {
	await server?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('built-in HTTPS with a generated certificate', () => {
	const dataDir = tempDir();
	let cert = '';
	let fingerprint = '';

	beforeAll(async () => {
		server = await startTestServer({ dataDir, args: ['--https'], env: ENV });
		cert = readFileSync(join(dataDir, 'tls/cert.pem'), 'utf8');
		fingerprint = new X509Certificate(cert).fingerprint256;
	});

	it('answers over TLS with the certificate it made in DATA_DIR', async () => {
		expect(server!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		const health = await get(`${server!.url}/healthz`, cert);
		expect(health.status).toBe(200);
		expect(JSON.parse(health.body)).toMatchObject({ ok: true });
		expect(health.peerFingerprint).toBe(fingerprint);
		expect(server!.logs.join('')).toContain(`https: generated certificate ${join(dataDir, 'tls/cert.pem')}, SHA-256 ${fingerprint}`);
		const page = await get(`${server!.url}/`, cert);
		expect(page.status).toBe(200);
		expect(page.body).toContain('manifest.webmanifest');
		expect(page.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
	});

	it('answers plain http:// on its port with a redirect to https://, and keeps serving TLS', async () => {
		const plain = await new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
			const req = httpRequest(`${server!.url.replace('https:', 'http:')}/people?x=1`, { agent: false }, (res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (body += chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
			});
			req.on('error', reject);
			req.end();
		});
		expect(plain).toEqual({ status: 308, location: `https://127.0.0.1:${server!.port}/people?x=1`, body: 'This server speaks HTTPS only.\n' });
		// A Host header that is not a host name is not echoed into the redirect.
		const raw = await new Promise<string>((resolve, reject) => {
			const socket = connect(server!.port, '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\nHost: evil.example/"><script>\r\n\r\n'));
			let text = '';
			socket.on('data', (chunk) => (text += chunk.toString()));
			socket.on('end', () => resolve(text));
			socket.on('error', reject);
		});
		expect(raw).toMatch(new RegExp(`^HTTP/1\\.1 308[^]*\r\nlocation: https://localhost:${server!.port}/\r\n`, 'i'));
		expect((await get(`${server!.url}/healthz`, cert)).status).toBe(200);
	});

	it('runs PeerJS signalling over wss, with an id the server gave', async () => {
		const id = (await get(`${server!.url}/peerjs/peerjs/id`, cert)).body;
		const url = `${server!.url.replace('https:', 'wss:')}/peerjs/peerjs?key=peerjs&id=${id}&token=t1`;
		const first = await new Promise<unknown>((resolve, reject) => {
			const ws = new WebSocket(url, { ca: cert });
			ws.once('message', (data: Buffer) => {
				ws.close();
				resolve(JSON.parse(data.toString()));
			});
			ws.once('error', reject);
		});
		expect(first).toEqual({ type: 'OPEN' });
	});

	it('reaches the recognizer over a data channel signalled through wss', async () => {
		const config = JSON.parse((await get(`${server!.url}/api/config`, cert)).body) as { peerPath: string; peerKey: string; recognizerId: string };
		const { Peer } = loadPeerJs();
		// PeerJS opens `new WebSocket(url)` on the global: trust our certificate there, as a browser
		// does once its user accepted it.
		class TrustingWebSocket extends WebSocket {
			constructor(address: string) {
				super(address, { ca: cert });
			}
		}
		const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
		Object.assign(globalThis, { WebSocket: TrustingWebSocket });
		// Given the id the server issued, PeerJS skips its id request over fetch (which has no `ca` option).
		const id = (await get(`${server!.url}/peerjs/peerjs/id`, cert)).body;
		const peer = new Peer(id, {
			host: '127.0.0.1',
			port: server!.port,
			path: config.peerPath,
			key: config.peerKey,
			secure: true,
			debug: 0,
			config: { iceServers: [] }
		});
		try {
			const welcome = await new Promise<unknown>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('no welcome over the data channel')), 30_000);
				peer.on('error', reject);
				peer.on('open', () => {
					const conn: DataConnection = peer.connect(config.recognizerId, { reliable: true, serialization: 'raw' });
					conn.on('open', () => {
						const frame = encodeClientMessage({ type: 'hello', client: 'https-test' });
						void conn.send(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
					});
					conn.on('data', (raw) => {
						clearTimeout(timer);
						resolve(decodeServerMessage(raw));
					});
				});
			});
			expect(welcome).toMatchObject({ ok: true, message: { type: 'welcome' } });
		} finally {
			peer.destroy();
			Object.assign(globalThis, { WebSocket: saved });
		}
	});

	it('reuses that certificate on restart (HTTPS=1 this time)', async () => {
		await server!.stop();
		server = await startTestServer({ dataDir, env: { ...ENV, HTTPS: '1' } });
		expect(readFileSync(join(dataDir, 'tls/cert.pem'), 'utf8')).toBe(cert);
		const health = await get(`${server.url}/healthz`, cert);
		expect(health.status).toBe(200);
		expect(health.peerFingerprint).toBe(fingerprint);
		expect(server.logs.join('')).toContain('https: reused certificate');
		await server.stop();
		server = null;
	});
});

describe('built-in HTTPS with given certificate files', () => {
	it('serves TLS_CERT/TLS_KEY as they are and generates nothing', async () => {
		const dir = tempDir();
		const dataDir = tempDir();
		const given = generateSelfSigned({ dnsNames: ['facertc.test'], ips: ['127.0.0.1'] });
		writeFileSync(join(dir, 'cert.pem'), given.cert);
		writeFileSync(join(dir, 'key.pem'), given.key);
		server = await startTestServer({ dataDir, env: { ...ENV, TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem') } });
		expect(server.url.startsWith('https:')).toBe(true);
		const health = await get(`${server.url}/healthz`, given.cert);
		expect(health.status).toBe(200);
		expect(health.peerFingerprint).toBe(new X509Certificate(given.cert).fingerprint256);
		expect(existsSync(join(dataDir, 'tls'))).toBe(false);
		expect(server.logs.join('')).toContain('https: given certificate');
	});
});

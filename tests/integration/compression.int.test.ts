/**
 * The page's big static files go out compressed (server/http/precompressed.ts), against the real
 * server over raw HTTP (fetch would decode them and hide what was sent): brotli or gzip as the
 * request takes them, byte for byte the file once decoded; the plain file for a browser that takes
 * neither, for a range request, and before the first compression is done; 304 for the ETag a
 * browser already holds; nothing outside the folder.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediapipeWasmDir } from '../../server/http/static.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
const WASM_PATH = '/vendor/mediapipe/wasm/vision_wasm_internal.wasm';
const wasm = readFileSync(join(mediapipeWasmDir(), 'vision_wasm_internal.wasm'));
const model = readFileSync(join('models', 'blaze_face_short_range.tflite'));

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
	// The path as written (a URL object would resolve `%2e%2e` before sending).
	const { hostname, port } = new URL(server.url);
	return new Promise((resolve, reject) => {
		const req = request({ hostname, port, path, method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

/**
 * The first GET starts the compression (a HEAD does not); asks again until `want` comes (gzip is
 * ready before brotli), bounded.
 */
async function compressed(path: string, encoding: string, want = encoding.split(/[,;]/)[0]!.trim(), method = 'GET'): Promise<Raw> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const res = await get(path, { 'accept-encoding': encoding }, method);
		if (res.headers['content-encoding'] === want || Date.now() > deadline) return res;
		await new Promise((r) => setTimeout(r, 200));
	}
}

beforeAll(async () => {
	server = await startTestServer();
}, 120_000);
afterAll(() => server?.stop());

describe('compressed static files', () => {
	it('starts compressing the WASM the page will load when the page itself is asked for', async () => {
		// Only HEADs of the loader follow, and a HEAD starts no compression: it comes from the page's request.
		const loader = '/vendor/mediapipe/wasm/vision_wasm_internal.js';
		expect((await get(loader, { 'accept-encoding': 'br' }, 'HEAD')).headers['content-encoding']).toBeUndefined();
		expect((await get('/', { accept: 'text/html' })).status).toBe(200);
		const head = await compressed(loader, 'br', 'br', 'HEAD');
		expect(head.headers['content-encoding']).toBe('br');
	});

	it('sends the plain file at first, then brotli that decodes to the same bytes', async () => {
		const first = await get(WASM_PATH, { 'accept-encoding': 'gzip, deflate, br' });
		expect(first.status).toBe(200);
		expect(first.headers.vary).toMatch(/accept-encoding/i);
		if (!first.headers['content-encoding']) expect(first.body.equals(wasm)).toBe(true);
		const br = await compressed(WASM_PATH, 'gzip, deflate, br', 'br');
		expect(br.headers['content-encoding']).toBe('br');
		expect(br.headers['content-type']).toBe('application/wasm');
		expect(Number(br.headers['content-length'])).toBe(br.body.length);
		expect(br.body.length).toBeLessThan(wasm.length / 3);
		expect(brotliDecompressSync(br.body).equals(wasm)).toBe(true);
		expect(br.headers['cache-control']).toMatch(/max-age=604800/);
		expect(br.headers['content-security-policy']).toBeTruthy();
	});

	it('sends gzip to a browser that takes gzip only, and the plain file to one that takes neither', async () => {
		const gz = await compressed(WASM_PATH, 'gzip;q=1, br;q=0', 'gzip');
		expect(gz.headers['content-encoding']).toBe('gzip');
		expect(gunzipSync(gz.body).equals(wasm)).toBe(true);
		const plain = await get(WASM_PATH, { 'accept-encoding': 'identity' });
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(plain.body.equals(wasm)).toBe(true);
	});

	it('answers 304 to the ETag a browser holds, HEAD without a body, and a range request from the plain file', async () => {
		const br = await compressed(WASM_PATH, 'br');
		const etag = String(br.headers.etag);
		expect(etag).toMatch(/-br"$/);
		const again = await get(WASM_PATH, { 'accept-encoding': 'br', 'if-none-match': `"other", ${etag}` });
		expect(again.status).toBe(304);
		expect(again.body.length).toBe(0);
		// The gzip form has its own tag: a cache holding brotli bytes never answers for it.
		const gzTag = (await compressed(WASM_PATH, 'gzip')).headers.etag;
		expect(gzTag).not.toBe(etag);
		const head = await get(WASM_PATH, { 'accept-encoding': 'br' }, 'HEAD');
		expect([head.headers['content-encoding'], head.body.length]).toEqual(['br', 0]);
		const range = await get(WASM_PATH, { 'accept-encoding': 'br', range: 'bytes=0-99' });
		expect(range.status).toBe(206);
		expect(range.headers['content-encoding']).toBeUndefined();
		expect(range.body.equals(wasm.subarray(0, 100))).toBe(true);
	});

	it('compresses the detector model too, and serves nothing outside the folder', async () => {
		const br = await compressed('/models/blaze_face_short_range.tflite', 'br');
		expect(br.headers['content-encoding']).toBe('br');
		expect(brotliDecompressSync(br.body).equals(model)).toBe(true);
		for (const path of ['/models/..%2f..%2fpackage.json', '/models/%2e%2e/package.json', '/models/..%5c..%5cpackage.json']) {
			const res = await get(path, { 'accept-encoding': 'br' });
			expect(res.status, path).toBeGreaterThanOrEqual(400);
			expect(res.body.toString()).not.toMatch(/"name": "facertc"/);
		}
	});
});

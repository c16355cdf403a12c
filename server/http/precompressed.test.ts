import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, precompressed } from './precompressed.ts';

const chooseEncoding = (header: string | undefined) => acceptedEncodings(header)[0] ?? null;

describe('chooseEncoding', () => {
	it('prefers brotli, then gzip, as the browser lists them', () => {
		expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
		expect(chooseEncoding('gzip, deflate')).toBe('gzip');
		expect(chooseEncoding('GZIP')).toBe('gzip');
		expect(chooseEncoding('*')).toBe('br');
	});

	it('honours q=0 and takes nothing it was not offered', () => {
		expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
		expect(chooseEncoding('br; q=0, gzip;q=0')).toBeNull();
		expect(chooseEncoding('*, br;q=0')).toBe('gzip');
		expect(chooseEncoding('*;q=0')).toBeNull();
		expect(chooseEncoding('identity')).toBeNull();
		expect(chooseEncoding('deflate')).toBeNull();
		expect(chooseEncoding('')).toBeNull();
		expect(chooseEncoding(undefined)).toBeNull();
	});
});

describe('precompressed', () => {
	// A real folder and the real zlib; only Express's request and response are stood in for.
	const dir = mkdtempSync(join(tmpdir(), 'precompressed-'));
	const text = Buffer.from('const face = "box";\n'.repeat(5000));
	writeFileSync(join(dir, 'page.js'), text);
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	type Sent = { next: boolean; headers: Record<string, string>; body?: Buffer; status: number };
	function ask(handler: ReturnType<typeof precompressed>, path: string, acceptEncoding: string): Sent {
		const sent: Sent = { next: false, headers: {}, status: 200 };
		const res = {
			setHeader: (name: string, value: string) => void (sent.headers[name.toLowerCase()] = value),
			type: (t: string) => void (sent.headers['content-type'] = t),
			status: (code: number) => ((sent.status = code), res),
			end: (body?: Buffer) => void (sent.body = body)
		};
		const req = { method: 'GET', path, headers: { 'accept-encoding': acceptEncoding } };
		handler(req as never, res as never, () => void (sent.next = true));
		return sent;
	}

	it('sends nothing compressed before it is ready, and brotli that decodes to the file once warmed', async () => {
		const handler = precompressed(dir, { cacheControl: 'public' });
		expect(ask(handler, '/page.js', 'br').next).toBe(true);
		await handler.warm(['page.js']);
		const sent = ask(handler, '/page.js', 'gzip, br');
		expect([sent.next, sent.headers['content-encoding']]).toEqual([false, 'br']);
		expect(brotliDecompressSync(sent.body!).equals(text)).toBe(true);
		expect(ask(handler, '/page.js', 'gzip').headers['content-encoding']).toBe('gzip');
	});

	it('warms nothing outside its folder and no file that is not there', async () => {
		const handler = precompressed(join(dir, 'sub'), { cacheControl: 'public' });
		await handler.warm(['../page.js', 'missing.js']);
		expect(ask(handler, '/../page.js', 'br').next).toBe(true);
		expect(ask(handler, '/missing.js', 'br').next).toBe(true);
	});
});

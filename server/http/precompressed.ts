/**
 * The big files a phone downloads before it can find a face (MediaPipe's WASM, the detector
 * models, the build's hashed scripts), sent compressed: brotli where the browser takes it, else
 * gzip. They never change while the server runs, so each is compressed once, on its first request,
 * on zlib's thread pool (not the event loop), and kept in memory; until that is done, for a range
 * request, or for a browser that takes neither, the plain file goes out as before (express.static
 * behind this). `npm run bench` does not see it: it is the first load, not the live uplink.
 * Measured: MediaPipe's `vision_wasm_internal.wasm` 13.0 MB plain, 3.07 MB brotli, 3.85 MB gzip.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { RequestHandler } from 'express';

export type Encoding = 'br' | 'gzip';

/** What is worth compressing: the page's WASM, scripts, styles and detector models (not face-api's server-side weights). */
const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.json', '.svg', '.tflite']);
/** Smaller files gain too little for the work; larger ones are not the page's. */
const MIN_BYTES = 1024;
const MAX_BYTES = 32 * 1024 * 1024;
/** Brotli 9: 1.8 s once for the 13 MB WASM, 4 % smaller than quality 5; 11 would take a minute. */
const BROTLI_QUALITY = 9;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The encodings an `Accept-Encoding` header takes, best first: brotli before gzip (it is ~20 %
 * smaller here), each only when listed (or `*`) without `q=0`; empty when neither is taken.
 */
export function acceptedEncodings(header: string | undefined): Encoding[] {
	if (!header) return [];
	const taken = new Map<string, boolean>();
	for (const part of header.split(',')) {
		const [name = '', ...params] = part.trim().toLowerCase().split(';');
		const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
		taken.set(name.trim(), !q || Number(q[1]) > 0);
	}
	const accepts = (coding: Encoding) => taken.get(coding) ?? taken.get('*') ?? false;
	return (['br', 'gzip'] as const).filter(accepts);
}

/** A file's compressed forms as they come: gzip is ready in ~0.4 s for the WASM, brotli in ~2 s. */
type Compressed = { br: Buffer | null; gzip: Buffer | null; etag: string; mtimeMs: number };

export interface PrecompressedOptions {
	/** `Cache-Control` to send with every compressed file of this folder. */
	cacheControl: string;
	/** Failures to compress (logged once per file; the plain file is served instead). */
	onError?: (file: string, err: unknown) => void;
}

export type PrecompressedHandler = RequestHandler & {
	/**
	 * Starts compressing files of the folder (paths relative to it) before anyone asks for them;
	 * resolves when done. The shell's first request calls it for the WASM (static.ts), so the
	 * first phone after a restart does not get the plain 13 MB while it runs.
	 */
	warm(relativePaths: readonly string[]): Promise<void>;
};

/**
 * Middleware for the folder `dir`, mounted where express.static serves it (which stays behind it
 * for everything this does not send).
 */
export function precompressed(dir: string, { cacheControl, onError }: PrecompressedOptions): PrecompressedHandler {
	const root = resolve(dir);
	/** null: not worth compressing, or it failed. */
	const ready = new Map<string, Compressed | null>();
	const working = new Map<string, Promise<void>>();

	async function compress(file: string): Promise<void> {
		try {
			// Only files that exist are remembered (a client asking for made-up names grows nothing).
			const info = await stat(file).catch(() => null);
			if (!info?.isFile()) return;
			if (info.size < MIN_BYTES || info.size > MAX_BYTES) return void ready.set(file, null);
			const plain = await readFile(file);
			// Worth it only when it saves something (already-compressed data does not shrink).
			const worth = (b: Buffer) => (b.length < plain.length * 0.95 ? b : null);
			const entry: Compressed = { br: null, gzip: null, etag: createHash('sha1').update(plain).digest('base64url').slice(0, 22), mtimeMs: info.mtimeMs };
			// Its failure is caught here, not left pending while gzip runs (an unobserved rejection ends the process).
			const br = brotli(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: plain.length } }).catch(
				(err: unknown) => {
					onError?.(file, err);
					return null;
				}
			);
			// gzip is served while brotli is still at work: a browser that takes both gets the faster one first.
			entry.gzip = worth(await gzipAsync(plain, { level: 9 }));
			ready.set(file, entry);
			const compressed = await br;
			entry.br = compressed && worth(compressed);
		} catch (err) {
			ready.set(file, null);
			onError?.(file, err);
		} finally {
			working.delete(file);
		}
	}

	/** The file under the folder for a request path, or null for anything outside it. */
	function fileFor(path: string): string | null {
		let relative: string;
		try {
			relative = decodeURIComponent(path);
		} catch {
			return null;
		}
		const file = resolve(join(root, relative));
		return relative.includes('\0') || !file.startsWith(root + sep) ? null : file;
	}

	function start(file: string): Promise<void> {
		let job = working.get(file);
		if (!job) {
			job = compress(file);
			working.set(file, job);
		}
		return job;
	}

	const handler: RequestHandler = (req, res, next) => {
		if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.range) return next();
		const extension = extname(req.path).toLowerCase();
		if (!COMPRESSIBLE.has(extension)) return next();
		const file = fileFor(req.path);
		if (!file) return next();
		// The plain answer too: a cache must not give it to a browser that asked otherwise.
		res.setHeader('vary', 'Accept-Encoding');
		const accepted = acceptedEncodings(req.headers['accept-encoding']);
		if (accepted.length === 0) return next();
		if (!ready.has(file)) {
			// A HEAD downloads nothing: it does not set off 2 s of compression.
			if (req.method === 'GET') void start(file);
			return next();
		}
		const entry = ready.get(file);
		const encoding = accepted.find((e) => entry?.[e]);
		const body = encoding && entry?.[encoding];
		if (!entry || !encoding || !body) return next();
		const etag = `"${entry.etag}-${encoding}"`;
		res.setHeader('etag', etag);
		res.setHeader('cache-control', cacheControl);
		res.setHeader('last-modified', new Date(entry.mtimeMs).toUTCString());
		res.type(extension);
		const known = req.headers['if-none-match']?.split(',').map((tag) => tag.trim());
		if (known?.includes(etag)) return void res.status(304).end();
		res.setHeader('content-encoding', encoding);
		res.setHeader('content-length', String(body.length));
		if (req.method === 'HEAD') return void res.end();
		res.end(body);
	};
	return Object.assign(handler, {
		async warm(relativePaths: readonly string[]) {
			const files = relativePaths.map((p) => fileFor(`/${p}`)).filter((f): f is string => f !== null && !ready.has(f));
			await Promise.all(files.map(start));
		}
	});
}

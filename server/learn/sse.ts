/**
 * Server-sent events for dashboards (`GET /api/sightings/stream`): every open stream gets each
 * published event; a comment line every `heartbeatMs` keeps proxies from closing it; at most
 * `maxPerAddress` streams per client address and `maxTotal` in all; a client that stops reading
 * (over `maxBufferedBytes` waiting) is cut rather than buffered for; `close()` (SIGTERM) ends every
 * stream with a `close` event so clients know it was the server.
 */
import type { Request, Response } from 'express';
import { AppError } from '../../src/lib/protocol/errors.ts';

export const HEARTBEAT_MS = 15_000;
export const MAX_STREAMS_PER_ADDRESS = 4;
export const MAX_STREAMS = 64;
const MAX_BUFFERED_BYTES = 256 * 1024;

export type SseHub = {
	/** Opens a stream on `res`; throws AppError('rate-limited') over the caps, before any header is sent. */
	open(req: Request, res: Response, address: string): void;
	publish(event: string, data: unknown): void;
	readonly clients: number;
	close(): void;
};

export function createSseHub({
	heartbeatMs = HEARTBEAT_MS,
	maxPerAddress = MAX_STREAMS_PER_ADDRESS,
	maxTotal = MAX_STREAMS,
	maxBufferedBytes = MAX_BUFFERED_BYTES
}: { heartbeatMs?: number; maxPerAddress?: number; maxTotal?: number; maxBufferedBytes?: number } = {}): SseHub {
	const streams = new Map<Response, string>();
	let closed = false;

	function drop(res: Response): void {
		if (!streams.delete(res)) return;
		res.end();
	}
	function write(res: Response, text: string): void {
		if (res.writableLength > maxBufferedBytes) return drop(res);
		res.write(text);
	}

	const heartbeat = setInterval(() => {
		for (const res of [...streams.keys()]) write(res, `: heartbeat ${Date.now()}\n\n`);
	}, heartbeatMs);
	heartbeat.unref();

	return {
		open(req, res, address) {
			if (closed) throw new AppError('unavailable', 'the server is shutting down');
			const mine = [...streams.values()].filter((a) => a === address).length;
			if (mine >= maxPerAddress || streams.size >= maxTotal) {
				throw new AppError('rate-limited', `at most ${maxPerAddress} event streams per address and ${maxTotal} in all`);
			}
			res.status(200).set({
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-cache, no-transform',
				connection: 'keep-alive',
				'x-accel-buffering': 'no'
			});
			res.flushHeaders();
			streams.set(res, address);
			res.write('retry: 5000\n: connected\n\n');
			const gone = () => drop(res);
			req.on('close', gone);
			res.on('error', gone);
		},
		publish(event, data) {
			const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
			for (const res of [...streams.keys()]) write(res, text);
		},
		get clients() {
			return streams.size;
		},
		close() {
			closed = true;
			clearInterval(heartbeat);
			for (const res of [...streams.keys()]) {
				res.write('event: close\ndata: {"reason":"the server is shutting down"}\n\n');
				drop(res);
			}
		}
	};
}

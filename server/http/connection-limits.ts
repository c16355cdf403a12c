/**
 * Bounds on plain TCP connections, before HTTP sees a byte: without them one address could open
 * connections that each send half a header and hold a file descriptor for a minute (200 seen held
 * for 40 s; review, 3 December) until the process runs out of descriptors for everyone, its
 * database included.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../client-address.ts';

export type ConnectionLimits = {
	/** Open connections one address may hold; further ones are closed at once. Ignored behind a proxy (every connection is the proxy's). */
	perAddress: number;
	/** Open connections in all (`server.maxConnections`): Node refuses more. */
	total: number;
	/** A request's headers must arrive within this (Node's default is 60 s). */
	headersTimeoutMs: number;
	/** And the whole request, body included (Node's default is 300 s: a body trickled a byte at a time held a slot that long). */
	requestTimeoutMs: number;
	/** Behind a trusted proxy the TCP peer is the proxy: no per-address cap. */
	trustProxy: boolean;
	onRefused?: () => void;
};

/** The slowest link a whole upload must still get through on: 1 Mbit/s (a poor phone link). */
const SLOWEST_UPLOAD_BYTES_PER_S = 125_000;

/**
 * A browser keeps a handful of connections per origin, plus its signalling socket and event stream.
 * A request has 120 s, or longer when the largest body allowed (`maxUploadBytes`, as base64 in
 * JSON: 4/3 as long) needs more at 1 Mbit/s: 15 MB in 120 s; 200 MB in ~36 minutes.
 */
export function defaultConnectionLimits(channelsPerAddress: number, trustProxy: boolean, maxUploadBytes = 0): ConnectionLimits {
	const requestTimeoutMs = Math.max(120_000, Math.ceil(((maxUploadBytes * 4) / 3 / SLOWEST_UPLOAD_BYTES_PER_S) * 1000));
	return { perAddress: Math.max(128, channelsPerAddress * 16), total: 2048, headersTimeoutMs: 15_000, requestTimeoutMs, trustProxy };
}

/** Applies `limits` to `server`. */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
	server.maxConnections = limits.total;
	server.headersTimeout = limits.headersTimeoutMs;
	server.requestTimeout = limits.requestTimeoutMs;
	const open = new Map<string, number>();
	if (!limits.trustProxy) {
		server.on('connection', (socket: Socket) => {
			// One IPv6 host holds a whole /64: counted as one address, as every other limit does.
			const address = addressKey(socket.remoteAddress);
			const count = (open.get(address) ?? 0) + 1;
			if (count > limits.perAddress) {
				limits.onRefused?.();
				socket.destroy();
				return;
			}
			open.set(address, count);
			socket.once('close', () => {
				const left = (open.get(address) ?? 1) - 1;
				if (left > 0) open.set(address, left);
				else open.delete(address);
			});
		});
	}
}

import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultConnectionLimits, limitConnections } from './connection-limits.ts';

/** Sockets as the server's 'connection' event hands them over: an address, destroy, close. */
function socket(remoteAddress: string) {
	const s = Object.assign(new EventEmitter(), { remoteAddress, destroyed: false, destroy: () => ((s.destroyed = true), s.emit('close')) });
	return s;
}

describe('limitConnections', () => {
	const limits = { perAddress: 3, total: 100, headersTimeoutMs: 15_000, requestTimeoutMs: 120_000, trustProxy: false };

	it('counts an IPv6 /64 as one address, and gives the slots back when sockets close', () => {
		const server = new EventEmitter() as unknown as Server;
		limitConnections(server, limits);
		const connect = (address: string) => {
			const s = socket(address);
			server.emit('connection', s as unknown as Socket);
			return s;
		};
		const held = ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1:ffff::9'].map(connect);
		expect(held.some((s) => s.destroyed)).toBe(false);
		// A fourth address of the same /64 is the same client.
		expect(connect('2001:db8:0:1::abcd').destroyed).toBe(true);
		// Another /64 and an IPv4 client are not.
		expect(connect('2001:db8:0:2::1').destroyed).toBe(false);
		expect(connect('192.0.2.7').destroyed).toBe(false);
		held[0]!.emit('close');
		expect(connect('2001:db8:0:1::5').destroyed).toBe(false);
		expect(server.requestTimeout).toBe(120_000);
	});

	it('gives a request 120 s, or what the largest upload allowed needs at 1 Mbit/s', () => {
		expect(defaultConnectionLimits(6, false, 10 * 1024 * 1024).requestTimeoutMs).toBe(120_000);
		// MAX_UPLOAD_MB=200, as base64: 280 MB at 125 kB/s.
		expect(defaultConnectionLimits(6, false, 200 * 1024 * 1024).requestTimeoutMs).toBe(Math.ceil(((200 * 1024 * 1024 * 4) / 3 / 125_000) * 1000));
	});
});

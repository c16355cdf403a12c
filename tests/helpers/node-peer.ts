/** A real PeerJS client in Node (over @roamhq/wrtc) that speaks the FaceRTC protocol to the recognizer. */
import type { DataConnection, Peer } from 'peerjs';
import { decodeServerMessage, encodeClientMessage, type ClientMessage, type ServerMessage } from '../../src/lib/protocol/messages.ts';
import { decodeRefusal, type Refusal } from '../../src/lib/protocol/refusal.ts';
import { loadPeerJs } from '../../server/recognizer/webrtc-runtime.ts';
import { TEST_ADMIN_TOKEN } from './server.ts';

/** The server refused the channel at the signalling offer (no peer connection was made). */
export type Refused = { type: 'refused' } & Refusal;

/** A PeerJS error, read as the server's refusal when it is one. */
export function refusalOf(err: unknown): Refused | null {
	const refusal = (err as { type?: string } | null)?.type === 'server-error' ? decodeRefusal((err as Error).message) : null;
	return refusal && { type: 'refused', ...refusal };
}

export type TestPeer = {
	/** This client's PeerJS id (server-issued): with a track id, what a correction names. */
	id: string;
	/** Sends raw bytes (or anything) without encoding, to test the server's defences. */
	sendRaw(data: unknown): void;
	send(message: ClientMessage): void;
	/** Whether the channel is open: a send on one the server has closed can crash @roamhq/wrtc (seen: a segfault in a flood test). */
	readonly open: boolean;
	/** Resolves with the next message the recognizer sends. */
	next(timeoutMs?: number): Promise<ServerMessage>;
	close(): void;
};

/**
 * A PeerJS peer in Node on the server's signalling (loopback, no ICE servers), and the recognizer's
 * id to connect to: what every Node client of the tests and benchmarks starts from.
 */
export async function openServerPeer(baseUrl: string): Promise<{ peer: Peer; recognizerId: string }> {
	const config = (await (await fetch(`${baseUrl}/api/config`)).json()) as { peerPath: string; peerKey: string; recognizerId: string };
	const url = new URL(baseUrl);
	const { Peer: PeerClass } = loadPeerJs();
	const peer: Peer = new PeerClass({
		host: url.hostname,
		port: Number(url.port),
		path: config.peerPath,
		key: config.peerKey,
		secure: false,
		debug: 0,
		config: { iceServers: [] }
	});
	return { peer, recognizerId: config.recognizerId };
}

/**
 * `serialization` names what the offer tells the recognizer to use; a name PeerJS does not know
 * is sent as such (the client itself still speaks raw), to test the recognizer's defences.
 * `token` goes in the connect metadata (the admin token by default, so it works whether or not
 * recognition is open), with `metadata`'s fields beside it (the live page's `deviceId` and
 * `deviceName`, or whatever a test sends there). Rejects with the server's refusal (`Refused`)
 * when the offer is refused.
 */
export async function connectTestPeer(
	baseUrl: string,
	{ serialization = 'raw', token = TEST_ADMIN_TOKEN, metadata = {} }: { serialization?: string; token?: string | null; metadata?: Record<string, unknown> } = {}
): Promise<TestPeer> {
	const { peer, recognizerId } = await openServerPeer(baseUrl);
	const inbox: ServerMessage[] = [];
	const waiters: Array<(m: ServerMessage) => void> = [];
	// The server closes a channel idle for 45 s; like the live page, say hello when idle, and keep
	// the welcomes those hellos bring out of the test's inbox.
	let lastSent = Date.now();
	let keepAlives = 0;

	const conn = await new Promise<DataConnection>((resolve, reject) => {
		// A peer left behind would keep its signalling socket (and the server's descriptors) open.
		const timer = setTimeout(() => {
			peer.destroy();
			reject(new Error('data channel did not open'));
		}, 20_000);
		peer.on('error', (err) => {
			clearTimeout(timer);
			peer.destroy();
			// The server's refusal is rejected as data ({ type: 'refused', code, … }) for tests to match.
			// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
			reject(refusalOf(err) ?? err);
		});
		peer.on('open', () => {
			const serializers = (peer as unknown as { _serializers: Record<string, new (...args: unknown[]) => { serialization: string }> })._serializers;
			if (!serializers[serialization]) {
				// A raw connection whose offer carries the given name (PeerJS sends the class's own name).
				const Raw = serializers.raw!;
				serializers[serialization] = class extends Raw {
					constructor(...args: unknown[]) {
						super(...args);
						this.serialization = serialization;
					}
				};
			}
			const fields = { ...(token ? { token } : {}), ...metadata };
			const c = peer.connect(recognizerId, { reliable: true, serialization, ...(Object.keys(fields).length > 0 ? { metadata: fields } : {}) });
			c.on('open', () => {
				clearTimeout(timer);
				resolve(c);
			});
			c.on('data', (raw) => {
				const decoded = decodeServerMessage(raw);
				if (!decoded.ok) throw new Error(`recognizer sent a bad frame: ${decoded.message}`);
				if (decoded.message.type === 'welcome' && keepAlives > 0) {
					keepAlives--;
					return;
				}
				const waiter = waiters.shift();
				if (waiter) waiter(decoded.message);
				else inbox.push(decoded.message);
			});
		});
	});

	const sendFrame = (message: ClientMessage) => {
		const frame = encodeClientMessage(message);
		// `raw` serialization: send() returns no promise here and throws on failure.
		void conn.send(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
		lastSent = Date.now();
	};
	const keepAlive = setInterval(() => {
		if (!conn.open || Date.now() - lastSent < 15_000) return;
		keepAlives++;
		sendFrame({ type: 'hello', client: 'node-test-peer keep-alive' });
	}, 5_000);
	keepAlive.unref();

	return {
		id: peer.id,
		sendRaw: (data) => {
			void conn.send(data);
			lastSent = Date.now();
		},
		send: sendFrame,
		get open() {
			return conn.open;
		},
		next(timeoutMs = 30_000) {
			const queued = inbox.shift();
			if (queued) return Promise.resolve(queued);
			return new Promise((resolve, reject) => {
				const waiter = (m: ServerMessage) => {
					clearTimeout(timer);
					resolve(m);
				};
				// A waiter that timed out leaves the queue, or it would swallow the next reply.
				const timer = setTimeout(() => {
					waiters.splice(waiters.indexOf(waiter), 1);
					reject(new Error('no reply from the recognizer'));
				}, timeoutMs);
				waiters.push(waiter);
			});
		},
		close() {
			clearInterval(keepAlive);
			conn.close();
			peer.destroy();
		}
	};
}

/**
 * Opens a fresh data channel to the recognizer (PeerJS connect `metadata` as given), says hello,
 * and resolves with the first message back, `{ type: 'refused', code, … }` when the server refuses
 * the channel at the signalling offer, or 'closed' when the recognizer closes the channel first.
 * Rejects after `timeoutMs`, naming the step it was stuck at.
 */
export async function firstReply(
	baseUrl: string,
	{ metadata, timeoutMs = 20_000 }: { metadata?: unknown; timeoutMs?: number } = {}
): Promise<ServerMessage | Refused | 'closed'> {
	const { peer, recognizerId } = await openServerPeer(baseUrl);
	try {
		return await new Promise<ServerMessage | Refused | 'closed'>((resolve, reject) => {
			let stage = 'signalling';
			const timer = setTimeout(() => reject(new Error(`no answer from the recognizer (stuck at: ${stage})`)), timeoutMs);
			const done = (value: ServerMessage | Refused | 'closed') => {
				clearTimeout(timer);
				resolve(value);
			};
			peer.on('error', (err) => {
				const refused = refusalOf(err);
				if (refused) return done(refused);
				clearTimeout(timer);
				reject(err);
			});
			peer.on('open', () => {
				stage = 'data channel';
				const conn = peer.connect(recognizerId, { reliable: true, serialization: 'raw', ...(metadata === undefined ? {} : { metadata }) });
				conn.on('open', () => {
					stage = 'first reply';
					const hello = encodeClientMessage({ type: 'hello', client: 'node-test-peer' });
					void conn.send(hello.buffer.slice(hello.byteOffset, hello.byteOffset + hello.byteLength));
				});
				conn.on('data', (raw) => {
					const decoded = decodeServerMessage(raw);
					if (decoded.ok) done(decoded.message);
					else reject(new Error(`recognizer sent a bad frame: ${decoded.message}`));
				});
				conn.on('close', () => done('closed'));
			});
		});
	} finally {
		peer.destroy();
	}
}

/**
 * The recognizer as a PeerJS peer in Node: turns data-channel frames into session calls and
 * guards PeerJS against what clients send.
 */
import {
	decodeClientMessage,
	encodeServerMessage,
	type ServerMessage
} from '../../src/lib/protocol/messages.ts';
import type { IceServer } from '../config.ts';
import type { RecognizerSession } from './recognizer.ts';
import { createReplyGate } from './reply-gate.ts';
import { loadPeerJs } from './webrtc-runtime.ts';

type DataConnection = import('peerjs').DataConnection;
type PeerInstance = import('peerjs').Peer;

/** Frames a single connection may have in the recognizer at once; more are answered `overloaded`. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 4;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;
/** How long a refused client may keep its channel after the refusal is sent. */
const REFUSE_CLOSE_AFTER_MS = 5_000;

export type PeerEndpointOptions = {
	host: string;
	port: number;
	path: string;
	key: string;
	id: string;
	iceServers: readonly IceServer[];
	openSession: () => RecognizerSession;
	log: (msg: string) => void;
	onConnections?: (count: number) => void;
	onFrame?: (direction: 'in' | 'out', bytes: number) => void;
	/**
	 * Decides from the PeerJS connect `metadata` (the browser sends `{ token }`) whether a client
	 * may use the recognizer; a refused one gets one `unauthorized` error frame and is closed.
	 * Absent: everyone may.
	 */
	authorize?: (metadata: unknown) => boolean;
};

export type PeerEndpoint = { id: string; connections(): number; close(): void };

/**
 * Every client offer names a serializer; PeerJS does `new serializers[name]` and a name it
 * lacks throws inside its socket handler, which in Node kills the process. Force `raw` for every
 * name, so every byte a client sends reaches our own decoder and nothing else.
 */
function hardenPeer(peer: PeerInstance, log: (msg: string) => void): void {
	const internals = peer as unknown as {
		_serializers: Record<string, unknown>;
		_handleMessage: (message: unknown) => void;
	};
	const raw = internals._serializers.raw;
	internals._serializers = new Proxy({}, { get: () => raw });
	const handleMessage = internals._handleMessage.bind(peer);
	internals._handleMessage = (message) => {
		try {
			handleMessage(message);
		} catch (err) {
			log(`recognizer: dropped a signalling message: ${(err as Error).message}`);
		}
	};
}

function toArrayBuffer(frame: Uint8Array): ArrayBuffer {
	return frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer;
}

export function startPeerEndpoint(options: PeerEndpointOptions): Promise<PeerEndpoint> {
	const { log } = options;
	const connections = new Set<DataConnection>();
	let closed = false;
	let reconnectDelay = RECONNECT_MIN_MS;
	let reconnectTimer: NodeJS.Timeout | undefined;

	const peer = new (loadPeerJs().Peer)(options.id, {
		host: options.host,
		port: options.port,
		path: options.path,
		key: options.key,
		secure: false,
		debug: 0,
		config: { iceServers: [...options.iceServers] }
	});
	hardenPeer(peer, log);

	function send(conn: DataConnection, message: ServerMessage): void {
		if (!conn.open) return;
		const frame = encodeServerMessage(message);
		try {
			conn.send(toArrayBuffer(frame));
			options.onFrame?.('out', frame.byteLength);
		} catch (err) {
			log(`recognizer: send to ${conn.peer} failed: ${(err as Error).message}`);
		}
	}

	/**
	 * Closing right after sending can tear the peer connection down before the refusal reaches
	 * the client (PeerJS's `close({ flush })` does not work on `raw` channels), and a drained
	 * buffer only means the frame left for SCTP. Our client closes as soon as it reads the
	 * refusal; anyone else is closed after REFUSE_CLOSE_AFTER_MS.
	 */
	function refuse(conn: DataConnection): void {
		let timer: NodeJS.Timeout | undefined;
		conn.on('open', () => {
			send(conn, { type: 'error', code: 'unauthorized', message: 'this recognizer needs a token' });
			timer = setTimeout(() => conn.close(), REFUSE_CLOSE_AFTER_MS).unref();
		});
		conn.on('close', () => clearTimeout(timer));
		conn.on('error', (err) => log(`recognizer: connection ${conn.peer}: ${err.message}`));
	}

	function serve(conn: DataConnection): void {
		if (options.authorize && !options.authorize(conn.metadata)) return refuse(conn);
		const session = options.openSession();
		const replies = createReplyGate<ServerMessage>((message) => send(conn, message));
		let inFlight = 0;
		conn.on('open', () => {
			connections.add(conn);
			options.onConnections?.(connections.size);
			replies.open();
		});
		conn.on('data', (raw: unknown) => {
			options.onFrame?.('in', raw instanceof ArrayBuffer ? raw.byteLength : 0);
			if (inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
				const decoded = decodeClientMessage(raw);
				const requestId = decoded.ok && decoded.message.type === 'identify' ? decoded.message.requestId : undefined;
				const reply: ServerMessage = { type: 'error', code: 'overloaded', message: 'too many crops in flight' };
				return replies.deliver(requestId === undefined ? reply : { ...reply, requestId });
			}
			inFlight++;
			session
				.handle(raw)
				.then((reply) => replies.deliver(reply))
				.catch((err: unknown) => log(`recognizer: ${(err as Error).message}`))
				.finally(() => inFlight--);
		});
		conn.on('error', (err) => log(`recognizer: connection ${conn.peer}: ${err.message}`));
		conn.on('close', () => {
			replies.close();
			connections.delete(conn);
			options.onConnections?.(connections.size);
		});
	}

	peer.on('connection', serve);
	peer.on('call', (call) => call.close());
	peer.on('disconnected', () => {
		if (closed) return;
		log(`recognizer: lost signalling, reconnecting in ${reconnectDelay} ms`);
		reconnectTimer = setTimeout(() => {
			if (!closed && !peer.destroyed) peer.reconnect();
		}, reconnectDelay);
		reconnectDelay = Math.min(RECONNECT_MAX_MS, reconnectDelay * 2);
	});

	const endpoint: PeerEndpoint = {
		id: options.id,
		connections: () => connections.size,
		close() {
			closed = true;
			clearTimeout(reconnectTimer);
			for (const conn of connections) conn.close();
			peer.destroy();
		}
	};

	return new Promise((resolve, reject) => {
		let opened = false;
		peer.on('open', () => {
			reconnectDelay = RECONNECT_MIN_MS;
			if (!opened) {
				opened = true;
				resolve(endpoint);
			}
		});
		peer.on('error', (err) => {
			log(`recognizer: ${err.type}: ${err.message}`);
			if (!opened) {
				endpoint.close();
				reject(err);
			}
		});
	});
}

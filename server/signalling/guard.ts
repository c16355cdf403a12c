/**
 * The gate in front of the PeerServer (`peer`): every signalling WebSocket and every message a
 * client sends passes here before PeerJS's server sees it.
 *
 * - Ids: a client socket must carry an id the server issued (peer-ids.ts); the recognizer's id is
 *   accepted only with the recognizer's secret token, so nobody can take it, at start-up or while
 *   the recognizer's own socket is down.
 * - Sockets: at most `socketsPerAddress` per client address and `socketsTotal` in all; messages are
 *   at most MAX_MESSAGE_BYTES (ws `maxPayload`) and a socket that floods is closed.
 * - Messages: a client may only talk to the recognizer (browsers never talk to each other here),
 *   so nothing is queued for ids that do not exist. An `OFFER` is where a peer connection would
 *   be born: `admitOffer` decides first, and a refused client gets an `ERROR` whose text is a
 *   protocol refusal (src/lib/protocol/refusal.ts) — no native peer connection is ever made for it.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { encodeRefusal, type Refusal } from '../../src/lib/protocol/refusal.ts';
import { clientAddress } from '../client-address.ts';
import type { Logger } from '../log.ts';
import { createTokenBucket } from '../rate-limit.ts';
import type { PeerIds } from './peer-ids.ts';
import { sameSecret } from '../http/auth.ts';
import { channelKey } from './admission.ts';

/** Largest signalling message: an SDP offer with many candidates is ~5 KB. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Messages a client socket may send per second, sustained (PeerJS: a heartbeat every 5 s, an offer, a few candidates). */
const MESSAGES_PER_SECOND = 10;
const MESSAGE_BURST = 40;

export type OfferCheck = (offer: { key: string; address: string; metadata: unknown }) => (Refusal & { reason: string }) | null;

export type SignallingGuardOptions = {
	recognizerId: string;
	recognizerIdPrefix: string;
	/** The recognizer's PeerJS `token`: only its holder may register `recognizerId`. */
	recognizerToken: string;
	peerIds: PeerIds;
	trustProxy: boolean;
	socketsPerAddress: number;
	socketsTotal: number;
	admitOffer: OfferCheck;
	/**
	 * Whether an admitted channel is still held (not yet released by the recognizer). Its ICE
	 * candidates and answers pass only while it is: PeerJS keeps messages for a connection it does
	 * not know, forever, so candidates sent on after the server closed a channel grew its memory
	 * by ~2 MB a second from one address (review, 3 December). Default: always held.
	 */
	holds?: (key: string) => boolean;
	log: Logger;
	/** A socket or message refused, by reason (for metrics). */
	onRefused?: (reason: string) => void;
	/** Called with the number of client sockets, and when the recognizer's socket comes and goes. */
	onClients?: (count: number) => void;
	onRecognizer?: (registered: boolean) => void;
};

export type SignallingGuard = {
	/** For the PeerServer's `createWebSocketServer` option. */
	createWebSocketServer(options: ServerOptions): WebSocketServer;
	/** True while the recognizer's signalling socket is connected. */
	recognizerRegistered(): boolean;
	/** Test hook: drops the recognizer's socket; with `hold`, refuses it until `release()`. */
	dropRecognizer(options?: { hold?: boolean }): void;
	release(): void;
	/** Refuses every new offer from now on (shutdown). */
	stopAdmitting(): void;
	/** Closes every signalling socket (shutdown: an HTTP server does not close upgraded sockets itself). */
	closeSockets(): void;
};

type ClientMessage = { type?: unknown; dst?: unknown; payload?: { connectionId?: unknown; type?: unknown; metadata?: unknown } };

const originHost = (origin: string) => {
	try {
		return new URL(origin).host;
	} catch {
		return null;
	}
};

export function createSignallingGuard(options: SignallingGuardOptions): SignallingGuard {
	const { recognizerId, log } = options;
	const perAddress = new Map<string, number>();
	const sockets = new Set<WebSocket>();
	let clients = 0;
	let recognizerSocket: WebSocket | null = null;
	let held = false;
	let admitting = true;

	function refuse(socket: WebSocket, reason: string, msg: string): void {
		options.onRefused?.(reason);
		log.debug({ reason }, 'signalling: refused a socket');
		socket.send(JSON.stringify({ type: 'ERROR', payload: { msg } }));
		socket.close();
	}

	function refusal(refused: Refusal): string {
		return encodeRefusal(refused);
	}

	function acceptRecognizer(socket: WebSocket, token: string): boolean {
		if (!sameSecret(token, options.recognizerToken)) {
			refuse(socket, 'reserved-id', `the id ${recognizerId} belongs to this server's recognizer`);
			return false;
		}
		if (held) {
			refuse(socket, 'held', 'recognizer held off by a test hook');
			return false;
		}
		recognizerSocket = socket;
		options.onRecognizer?.(true);
		socket.once('close', () => {
			if (recognizerSocket !== socket) return;
			recognizerSocket = null;
			options.onRecognizer?.(false);
		});
		return true;
	}

	function acceptClient(socket: WebSocket, id: string, address: string): boolean {
		if (id.startsWith(options.recognizerIdPrefix)) {
			refuse(socket, 'reserved-id', `ids starting with ${options.recognizerIdPrefix} belong to this server's recognizer`);
			return false;
		}
		if (!options.peerIds.isIssued(id)) {
			refuse(socket, 'unissued-id', 'peer ids are assigned by this server: connect without an id');
			return false;
		}
		const mine = perAddress.get(address) ?? 0;
		if (mine >= options.socketsPerAddress) {
			refuse(socket, 'sockets-per-address', refusal({ code: 'rate-limited', message: 'too many signalling connections from your address', retryAfterS: 5 }));
			return false;
		}
		if (clients >= options.socketsTotal) {
			refuse(socket, 'sockets-total', refusal({ code: 'overloaded', message: 'the server is serving as many clients as it can', retryAfterS: 10 }));
			return false;
		}
		perAddress.set(address, mine + 1);
		clients++;
		options.onClients?.(clients);
		socket.once('close', () => {
			const left = (perAddress.get(address) ?? 1) - 1;
			if (left > 0) perAddress.set(address, left);
			else perAddress.delete(address);
			clients--;
			options.onClients?.(clients);
		});
		filterMessages(socket, id, address);
		return true;
	}

	/** Lets through only what a browser needs to reach the recognizer; the rest is dropped. */
	function filterMessages(socket: WebSocket, id: string, address: string): void {
		const bucket = createTokenBucket({ capacity: MESSAGE_BURST, perSecond: MESSAGES_PER_SECOND });
		const admitted = new Set<string>();
		const emit = socket.emit.bind(socket);
		// The PeerServer listens for 'message' itself; filtering at emit keeps it from ever seeing a refused one.
		socket.emit = ((event: string | symbol, ...args: unknown[]) => {
			if (event !== 'message') return emit(event, ...args);
			if (!bucket.take()) {
				options.onRefused?.('flood');
				log.debug('signalling: closed a flooding socket');
				socket.terminate();
				return false;
			}
			return pass(args[0]) ? emit(event, ...args) : false;
		}) as typeof socket.emit;

		function pass(data: unknown): boolean {
			let message: ClientMessage;
			try {
				message = JSON.parse(String(data)) as ClientMessage;
			} catch {
				return false;
			}
			if (typeof message !== 'object' || message === null) return false;
			if (message.type === 'HEARTBEAT') return true;
			if (message.dst !== recognizerId) return drop('not-to-recognizer');
			if (message.type === 'LEAVE') return true;
			const connectionId = message.payload?.connectionId;
			if (typeof connectionId !== 'string' || connectionId.length > 64) return drop('bad-message');
			const key = channelKey(id, connectionId);
			if (message.type === 'CANDIDATE' || message.type === 'ANSWER') {
				if (!admitted.has(key)) return drop('not-admitted');
				if (options.holds && !options.holds(key)) {
					admitted.delete(key);
					return drop('released');
				}
				return true;
			}
			if (message.type !== 'OFFER' || message.payload?.type !== 'data') return drop('bad-message');
			if (admitted.has(key)) return drop('repeated-offer');
			const refused = !admitting
				? { reason: 'shutting-down', code: 'closed' as const, message: 'the server is shutting down', retryAfterS: 5 }
				: !recognizerSocket
					? { reason: 'unavailable', code: 'overloaded' as const, message: 'the recognizer is reconnecting', retryAfterS: 2 }
					: options.admitOffer({ key, address, metadata: message.payload.metadata });
			if (refused) {
				const { reason, ...wire } = refused;
				options.onRefused?.(`offer-${reason}`);
				socket.send(JSON.stringify({ type: 'ERROR', payload: { msg: refusal(wire) } }));
				return false;
			}
			// Keys of channels long gone would otherwise stay as long as the socket.
			if (admitted.size >= 64 && options.holds) for (const k of admitted) if (!options.holds(k)) admitted.delete(k);
			admitted.add(key);
			return true;
		}

		function drop(reason: string): false {
			options.onRefused?.(reason);
			return false;
		}
	}

	function onConnection(socket: WebSocket, req: IncomingMessage, facade: EventEmitter): void {
		socket.on('error', (err) => log.debug({ err: err.message }, 'signalling: socket error'));
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
		// A browser always says which page opened the socket: only this server's own pages may
		// (another site could otherwise spend a visitor's per-address quota). Node clients send none.
		const origin = req.headers.origin;
		const hosts = [req.headers.host, options.trustProxy ? req.headers['x-forwarded-host'] : undefined].flat();
		if (origin && !hosts.includes(originHost(origin) ?? '')) return refuse(socket, 'cross-origin', 'signalling is for this server’s own pages');
		const params = new URL(req.url ?? '', 'http://signalling').searchParams;
		const id = params.get('id') ?? '';
		const token = params.get('token') ?? '';
		// PeerServer answers a missing id, token or key itself.
		const accepted =
			!id || !token ? true : id === recognizerId ? acceptRecognizer(socket, token) : acceptClient(socket, id, clientAddress(req, options.trustProxy));
		if (accepted) facade.emit('connection', socket, req);
	}

	return {
		createWebSocketServer(wsOptions) {
			const real = new WebSocketServer({ ...wsOptions, maxPayload: MAX_MESSAGE_BYTES });
			const facade = new EventEmitter();
			real.on('error', (err) => facade.emit('error', err));
			real.on('connection', (socket, req) => onConnection(socket, req, facade));
			return facade as unknown as WebSocketServer;
		},
		recognizerRegistered: () => recognizerSocket !== null,
		dropRecognizer({ hold = false } = {}) {
			held = hold;
			recognizerSocket?.terminate();
		},
		release() {
			held = false;
		},
		stopAdmitting() {
			admitting = false;
		},
		closeSockets() {
			for (const socket of sockets) socket.terminate();
		}
	};
}

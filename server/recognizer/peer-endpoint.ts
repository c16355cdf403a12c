/**
 * The recognizer as a PeerJS peer in Node: turns data-channel frames into session calls, guards
 * PeerJS against what clients send, keeps its signalling registration by itself, and gives every
 * channel's native resources back as soon as it is of no use: never opened, idle, or its peer gone.
 */
import { parseDevice, type DeviceInfo } from '../../src/lib/protocol/device.ts';
import { decodeClientMessage, encodeServerMessage, MAX_CROPS_PER_SECOND, type ServerMessage } from '../../src/lib/protocol/messages.ts';
import type { IceServer } from '../config.ts';
import type { Logger } from '../log.ts';
import type { CloseReason } from '../metrics.ts';
import { PENDING_TIMEOUT_MS, channelKey, type Admission } from '../signalling/admission.ts';
import type { RecognizerSession } from './recognizer.ts';
import { createReplyGate } from './reply-gate.ts';
import { createTokenBucket } from '../rate-limit.ts';
import { loadPeerJs } from './webrtc-runtime.ts';

type DataConnection = import('peerjs').DataConnection;
type PeerInstance = import('peerjs').Peer;

/** Frames a single connection may have in the recognizer at once; more are answered `overloaded`. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 4;
/** The retry-after of such an answer: about one crop's turn on a busy server. */
const IN_FLIGHT_RETRY_MS = 250;
/**
 * Frames of any kind a channel may send: a burst, then a steady rate, both scaled by the per-address
 * crop rate (CROP_RATE_PER_ADDRESS; 20 gives 60, then 40 a second). The per-address crop limit
 * counts only crops that reach the recognizer, after decoding; without this, a channel sending
 * ~6 000 `hello` or junk frames a second (each decoded and answered) held the event loop for
 * 18 s of a 15 s flood and /healthz waited as long (review, 3 December). A page sends at most
 * MAX_CROPS_PER_SECOND crops and a keepalive. Over the budget a frame costs a few µs; the channel
 * is not closed for it (closing channels under a flood made the flooding test client's own
 * @roamhq/wrtc segfault now and then, and a channel that calms down is served again).
 */
function frameBudget(cropsPerSecond: number): { burst: number; perSecond: number } {
	return { burst: 3 * cropsPerSecond, perSecond: 2 * cropsPerSecond };
}
/** An open channel that sent nothing for this long is closed (the live page says hello every 15 s). */
export const IDLE_TIMEOUT_MS = 45_000;
/** A peer connection ICE calls `disconnected` for this long is taken for gone (ICE would call it `failed` only after ~30 s). */
export const PEER_LOST_GRACE_MS = 4_000;
const SWEEP_INTERVAL_MS = 1_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export type PeerEndpointOptions = {
	host: string;
	port: number;
	path: string;
	key: string;
	id: string;
	/** The secret PeerJS token that lets this peer, and only it, register `id` (see signalling/guard.ts). */
	token: string;
	iceServers: readonly IceServer[];
	/** Admitted channels: every channel must have passed the signalling offer check. */
	admission: Pick<Admission, 'opened' | 'release' | 'addressOf'>;
	/**
	 * A session for a client at `address` whose PeerJS id is `peerId` (per-address limits live in
	 * the recognizer), on the device its connect metadata names (parseDevice: display only).
	 */
	openSession: (client: { address: string; peerId: string; device: DeviceInfo | null }) => RecognizerSession;
	log: Logger;
	onConnections?: (count: number) => void;
	onFrame?: (direction: 'in' | 'out', bytes: number) => void;
	onClosed?: (reason: CloseReason) => void;
	onRegistered?: (registered: boolean) => void;
	/** A crop answered `overloaded` because its channel had MAX_IN_FLIGHT_PER_CONNECTION in the recognizer. */
	onInFlightRefused?: () => void;
	/** A frame dropped unread: its channel was over its frameBudget. */
	onFloodDropped?: () => void;
	/** The per-address crop rate (CROP_RATE_PER_ADDRESS), which a channel's frame budget follows. Default MAX_CROPS_PER_SECOND. */
	cropsPerSecond?: number;
	now?: () => number;
};

export type EndpointHealth = { registered: true } | { registered: false; reason: string };

export type PeerEndpoint = {
	id: string;
	/** Data channels open now. */
	connections(): number;
	/** Native peer connections held now: open channels and those being set up. */
	peerConnections(): number;
	health(): EndpointHealth;
	/**
	 * Shutdown: waits (at most `timeoutMs`) for answers in flight, tells every client the server is
	 * going (`closed` error frame), closes every channel and leaves signalling. Resolves to the
	 * number of crops still unanswered when the time was up (0: the drain finished).
	 */
	drain(timeoutMs: number): Promise<number>;
	close(): void;
};

/**
 * Every client offer names a serializer; PeerJS does `new serializers[name]` and a name it
 * lacks throws inside its socket handler, which in Node kills the process. Force `raw` for every
 * name, so every byte a client sends reaches our own decoder and nothing else.
 */
function hardenPeer(peer: PeerInstance, log: Logger): void {
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
			log.warn({ err: (err as Error).message }, 'recognizer: dropped a signalling message');
		}
	};
}

function toArrayBuffer(frame: Uint8Array): ArrayBuffer {
	return frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer;
}

type Tracked = {
	conn: DataConnection;
	key: string;
	born: number;
	lastFrame: number;
	/** When ICE first said `disconnected` (null while connected). */
	lostSince: number | null;
	inFlight: number;
	closing: boolean;
	/** Called once when the channel is forgotten (closed by either side): its waiting crops are dropped. */
	gone?: () => void;
};

export function startPeerEndpoint(options: PeerEndpointOptions): Promise<PeerEndpoint> {
	const { log, admission } = options;
	const now = options.now ?? (() => performance.now());
	const tracked = new Map<DataConnection, Tracked>();
	let closed = false;
	let registered = false;
	let lastProblem = 'not registered yet';
	let reconnectDelay = RECONNECT_MIN_MS;
	let reconnectTimer: NodeJS.Timeout | undefined;

	const peer = new (loadPeerJs().Peer)(options.id, {
		host: options.host,
		port: options.port,
		path: options.path,
		key: options.key,
		token: options.token,
		secure: false,
		debug: 0,
		// PeerJS pings the signalling server every 5 s by default: keep it, the PeerServer drops silent sockets.
		config: { iceServers: [...options.iceServers] }
	});
	hardenPeer(peer, log);

	function setRegistered(value: boolean, problem?: string): void {
		if (problem) lastProblem = problem;
		if (registered === value) return;
		registered = value;
		options.onRegistered?.(value);
	}

	function send(conn: DataConnection, message: ServerMessage): void {
		if (!conn.open) return;
		const frame = encodeServerMessage(message);
		try {
			// Every connection is `raw` (hardenPeer): send() returns no promise here and throws on failure.
			void conn.send(toArrayBuffer(frame));
			options.onFrame?.('out', frame.byteLength);
		} catch (err) {
			log.debug({ err: (err as Error).message }, 'recognizer: send failed');
		}
	}

	/** Closes a channel and gives back its native peer connection. */
	function shut(t: Tracked, reason: CloseReason, farewell?: ServerMessage): void {
		if (t.closing) return;
		t.closing = true;
		if (farewell) send(t.conn, farewell);
		options.onClosed?.(reason);
		log.debug({ reason }, 'recognizer: closing a channel');
		try {
			t.conn.close();
		} catch (err) {
			log.debug({ err: (err as Error).message }, 'recognizer: close failed');
		}
		forget(t);
	}

	function forget(t: Tracked): void {
		if (!tracked.delete(t.conn)) return;
		t.gone?.();
		admission.release(t.key);
		options.onConnections?.(countOpen());
	}

	const countOpen = () => [...tracked.values()].filter((t) => t.conn.open).length;

	/**
	 * PeerJS stores a signalling message for a connection it does not know, to hand it over should
	 * that connection's offer come later, and never forgets it. A client's offer always comes
	 * before its candidates on the one socket, so what waits here a sweep later is for a channel
	 * already closed: dropped (the signalling guard already stops most of them).
	 */
	function dropLostMessages(): void {
		const lost = (peer as unknown as { _lostMessages?: unknown })._lostMessages;
		if (lost instanceof Map) lost.clear();
	}

	function sweep(): void {
		dropLostMessages();
		const t0 = now();
		for (const t of [...tracked.values()]) {
			const state = t.conn.peerConnection?.connectionState ?? 'new';
			const ice = t.conn.peerConnection?.iceConnectionState ?? 'new';
			if (state === 'failed' || state === 'closed' || ice === 'failed' || ice === 'closed') {
				shut(t, 'peer-lost');
			} else if (ice === 'disconnected' || state === 'disconnected') {
				t.lostSince ??= t0;
				if (t0 - t.lostSince >= PEER_LOST_GRACE_MS) shut(t, 'peer-lost');
			} else {
				t.lostSince = null;
				if (!t.conn.open && t0 - t.born >= PENDING_TIMEOUT_MS) shut(t, 'never-opened');
				else if (t.conn.open && t0 - t.lastFrame >= IDLE_TIMEOUT_MS) {
					shut(t, 'idle', { type: 'error', code: 'timeout', message: `nothing sent for ${IDLE_TIMEOUT_MS / 1000} s` });
				}
			}
		}
	}
	const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
	sweeper.unref();

	function serve(conn: DataConnection): void {
		const key = channelKey(conn.peer, conn.connectionId);
		const address = admission.addressOf(key);
		const t: Tracked = { conn, key, born: now(), lastFrame: now(), lostSince: null, inFlight: 0, closing: false };
		tracked.set(conn, t);
		conn.on('error', (err) => log.debug({ err: err.message }, 'recognizer: connection error'));
		if (address === undefined || closed) return shut(t, 'not-admitted');
		// PeerJS hands on the offer's metadata as the client sent it (JSON, at most a signalling
		// message, 16 KB): checked here, and an unacceptable one names no device.
		const session = options.openSession({ address, peerId: conn.peer, device: parseDevice(conn.metadata) });
		const replies = createReplyGate<ServerMessage>((message) => send(conn, message));
		conn.on('open', () => {
			if (!admission.opened(key)) return shut(t, 'not-admitted');
			t.lastFrame = now();
			replies.open();
			options.onConnections?.(countOpen());
		});
		const budget = frameBudget(options.cropsPerSecond ?? MAX_CROPS_PER_SECOND);
		const frames = createTokenBucket({ capacity: budget.burst, perSecond: budget.perSecond, now });
		let warnedAt = -Infinity;
		conn.on('data', (raw: unknown) => {
			t.lastFrame = now();
			options.onFrame?.('in', raw instanceof ArrayBuffer ? raw.byteLength : 0);
			if (t.closing) return;
			if (!frames.take()) {
				// Over budget: not decoded, not answered but for one word a second.
				options.onFloodDropped?.();
				if (now() - warnedAt >= 1_000) {
					warnedAt = now();
					replies.deliver({
						type: 'error',
						code: 'rate-limited',
						message: `over ${budget.perSecond} messages a second: some were dropped`,
						retryAfterMs: 1_000
					});
				}
				return;
			}
			if (t.inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
				const decoded = decodeClientMessage(raw);
				const requestId = decoded.ok && decoded.message.type === 'identify' ? decoded.message.requestId : undefined;
				options.onInFlightRefused?.();
				const reply: ServerMessage = { type: 'error', code: 'overloaded', message: 'too many crops in flight', retryAfterMs: IN_FLIGHT_RETRY_MS };
				return replies.deliver(requestId === undefined ? reply : { ...reply, requestId });
			}
			t.inFlight++;
			session
				.handle(raw)
				.then((reply) => replies.deliver(reply))
				.catch((err: unknown) => log.error({ err }, 'recognizer: session failed'))
				.finally(() => t.inFlight--);
		});
		t.gone = () => session.close();
		conn.on('close', () => {
			replies.close();
			forget(t);
		});
	}

	peer.on('connection', serve);
	peer.on('call', (call) => call.close());
	peer.on('disconnected', () => {
		setRegistered(false, 'signalling connection lost; reconnecting');
		if (closed) return;
		log.warn({ retryMs: reconnectDelay }, 'recognizer: lost signalling, reconnecting');
		clearTimeout(reconnectTimer);
		reconnectTimer = setTimeout(() => {
			if (!closed && !peer.destroyed && peer.disconnected) peer.reconnect();
		}, reconnectDelay);
		reconnectDelay = Math.min(RECONNECT_MAX_MS, reconnectDelay * 2);
	});

	const endpoint: PeerEndpoint = {
		id: options.id,
		connections: countOpen,
		peerConnections: () => tracked.size,
		health: () => (registered ? { registered: true } : { registered: false, reason: `recognizer not registered with signalling: ${lastProblem}` }),
		async drain(timeoutMs) {
			closed = true;
			const deadline = now() + timeoutMs;
			const busy = () => [...tracked.values()].some((t) => t.inFlight > 0);
			while (busy() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
			const unanswered = [...tracked.values()].reduce((n, t) => n + t.inFlight, 0);
			for (const t of [...tracked.values()]) shut(t, 'shutdown', { type: 'error', code: 'closed', message: 'the server is restarting' });
			endpoint.close();
			return unanswered;
		},
		close() {
			closed = true;
			clearTimeout(reconnectTimer);
			clearInterval(sweeper);
			for (const t of [...tracked.values()]) shut(t, 'shutdown');
			peer.destroy();
		}
	};

	return new Promise((resolve, reject) => {
		let opened = false;
		peer.on('open', () => {
			reconnectDelay = RECONNECT_MIN_MS;
			setRegistered(true);
			log.info({ id: options.id }, 'recognizer: registered with signalling');
			if (!opened) {
				opened = true;
				resolve(endpoint);
			}
		});
		peer.on('error', (err) => {
			lastProblem = `${err.type}: ${err.message}`;
			log.warn({ type: err.type, err: err.message }, 'recognizer: signalling error');
			if (!opened) {
				endpoint.close();
				reject(err);
			}
		});
	});
}

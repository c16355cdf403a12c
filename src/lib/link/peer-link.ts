/**
 * The browser's link to the recognizer: a PeerJS data channel carrying protocol frames, with
 * reconnection and byte counters. The only browser file that knows PeerJS.
 */
import { Peer, type DataConnection } from 'peerjs';
import { decodeServerMessage, encodeClientMessage, type ClientMessage, type ServerMessage } from '../protocol/messages.ts';
import { decodeRefusal } from '../protocol/refusal.ts';
import { getRecognizeToken } from '../api.ts';
import { createCropBackoff } from './backoff.ts';
import { thisDevice } from './device.ts';

/** `busy`: the server refused a new channel for now (too many from this address or in all); it retries by itself. */
export type LinkState = 'connecting' | 'connected' | 'offline' | 'busy';

export type LinkStats = { bytesUp: number; bytesDown: number; cropsSent: number; answers: number };

/** What the server tells a client at `GET /api/config`. */
export type ClientConfig = { peerPath: string; peerKey: string; recognizerId: string; iceServers: RTCIceServer[] };

export type PeerLinkEvents = {
	state: (state: LinkState, detail?: string) => void;
	message: (message: ServerMessage) => void;
};

const OPEN_TIMEOUT_MS = 10_000;
/** With nothing else to send, a hello this often keeps the server from closing the channel as idle (it waits 45 s). */
const KEEPALIVE_MS = 15_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

export class PeerLink {
	state: LinkState = 'offline';
	readonly stats: LinkStats = { bytesUp: 0, bytesDown: 0, cropsSent: 0, answers: 0 };
	private peer: Peer | null = null;
	private conn: DataConnection | null = null;
	private listeners: { [K in keyof PeerLinkEvents]: Set<PeerLinkEvents[K]> } = { state: new Set(), message: new Set() };
	private retryTimer: ReturnType<typeof setTimeout> | undefined;
	private openTimer: ReturnType<typeof setTimeout> | undefined;
	private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
	private lastSentAt = 0;
	private backoffMs = BACKOFF_MIN_MS;
	private closed = false;
	/** The recognizer's "busy, come back later" answers to crops (see backoff.ts). */
	private readonly crops = createCropBackoff({ now: () => performance.now() });

	constructor(private readonly baseUrl: URL = new URL(window.location.href)) {}

	/** This device's PeerJS id (server-issued) while connected: with a track id, it names a face the recognizer answered. */
	get peerId(): string | null {
		return this.conn?.open ? (this.peer?.id ?? null) : null;
	}

	on<K extends keyof PeerLinkEvents>(event: K, fn: PeerLinkEvents[K]): () => void {
		this.listeners[event].add(fn);
		return () => this.listeners[event].delete(fn);
	}

	/** Connects, and keeps reconnecting with backoff until `close()`. */
	start(): void {
		if (this.closed) throw new Error('PeerLink is closed');
		void this.connect();
	}

	/** Sends one message; false (and nothing sent) when the link is not connected. */
	send(message: ClientMessage): boolean {
		if (this.state !== 'connected' || !this.conn?.open) return false;
		const frame = encodeClientMessage(message);
		try {
			// `raw` serialization: send() returns no promise here and throws on failure.
			void this.conn.send(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
		} catch {
			this.fail('send failed');
			return false;
		}
		this.stats.bytesUp += frame.byteLength;
		this.lastSentAt = Date.now();
		if (message.type === 'identify') this.stats.cropsSent++;
		return true;
	}

	/** The recognizer asked for no crops for now (it is busy): callers skip crops while this holds. */
	get cropsPaused(): boolean {
		return !this.crops.allows();
	}

	/** The recognizer turned crops away for load in the last few seconds. */
	get busy(): boolean {
		return this.crops.busy();
	}

	/** Bytes waiting in the data channel: callers skip crops while it is not near zero. */
	get backlogBytes(): number {
		return this.conn?.dataChannel?.bufferedAmount ?? 0;
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.retryTimer);
		clearTimeout(this.openTimer);
		this.teardown();
		this.setState('offline', 'closed');
	}

	private setState(state: LinkState, detail?: string): void {
		if (state === this.state && state !== 'offline') return;
		this.state = state;
		this.listeners.state.forEach((fn) => fn(state, detail));
	}

	private async connect(): Promise<void> {
		if (this.closed) return;
		this.setState('connecting');
		let config: ClientConfig;
		try {
			const res = await fetch(new URL('/api/config', this.baseUrl), { cache: 'no-store' });
			if (!res.ok) throw new Error(`config ${res.status}`);
			config = (await res.json()) as ClientConfig;
		} catch {
			return this.fail('server unreachable');
		}
		if (this.closed) return;
		const secure = this.baseUrl.protocol === 'https:';
		const peer = new Peer({
			host: this.baseUrl.hostname,
			port: Number(this.baseUrl.port) || (secure ? 443 : 80),
			path: config.peerPath,
			key: config.peerKey,
			secure,
			config: { iceServers: config.iceServers },
			debug: 0
		});
		this.peer = peer;
		peer.on('error', (err) => {
			// The server refuses a channel at the signalling offer, before any peer connection.
			const refusal = err.type === 'server-error' ? decodeRefusal(err.message) : null;
			if (!refusal) return this.fail(err.type);
			if (refusal.code === 'unauthorized') {
				this.listeners.message.forEach((fn) => fn({ type: 'error', code: refusal.code, message: refusal.message }));
				return this.fail('unauthorized');
			}
			this.fail(refusal.message, { busy: true, retryAfterMs: refusal.retryAfterS * 1000 });
		});
		peer.on('disconnected', () => this.fail('signalling lost'));
		peer.on('open', () => {
			// The server checks the token at the offer when RECOGNIZE_TOKEN is set (signalling.ts); the
			// device id and label only name this device on the People page (protocol/device.ts).
			const token = getRecognizeToken();
			const conn = peer.connect(config.recognizerId, {
				reliable: true,
				serialization: 'raw',
				metadata: { ...(token && { token }), ...thisDevice() }
			});
			this.conn = conn;
			this.openTimer = setTimeout(() => this.fail('open timed out'), OPEN_TIMEOUT_MS);
			conn.on('open', () => {
				clearTimeout(this.openTimer);
				this.backoffMs = BACKOFF_MIN_MS;
				this.crops.reset();
				this.setState('connected');
				this.send({ type: 'hello', client: 'facertc-web' });
				clearInterval(this.keepAliveTimer);
				this.keepAliveTimer = setInterval(() => {
					if (Date.now() - this.lastSentAt >= KEEPALIVE_MS) this.send({ type: 'hello', client: 'facertc-web' });
				}, KEEPALIVE_MS / 3);
			});
			conn.on('data', (raw) => this.receive(raw));
			conn.on('close', () => this.fail('channel closed'));
			conn.on('error', () => this.fail('channel error'));
		});
	}

	private receive(raw: unknown): void {
		if (raw instanceof ArrayBuffer) this.stats.bytesDown += raw.byteLength;
		const decoded = decodeServerMessage(raw);
		if (!decoded.ok) return;
		if (decoded.message.type === 'identity') this.stats.answers++;
		this.crops.observe(decoded.message);
		this.listeners.message.forEach((fn) => fn(decoded.message));
		// A refused channel is of no use: drop it now rather than sit "connected" until the server closes it.
		if (decoded.message.type === 'error' && decoded.message.code === 'unauthorized') this.fail('unauthorized');
	}

	private teardown(): void {
		clearInterval(this.keepAliveTimer);
		const { peer, conn } = this;
		this.peer = null;
		this.conn = null;
		conn?.removeAllListeners();
		peer?.removeAllListeners();
		try {
			conn?.close();
			peer?.destroy();
		} catch {
			// Already gone: nothing to release.
		}
	}

	/** Drops the current attempt and schedules the next one (not before the server's `retryAfterMs`). */
	private fail(reason: string, { busy = false, retryAfterMs = 0 } = {}): void {
		if (this.closed) return;
		clearTimeout(this.openTimer);
		clearTimeout(this.retryTimer);
		this.teardown();
		this.setState(busy ? 'busy' : 'offline', reason);
		const jitter = 0.8 + Math.random() * 0.4;
		this.retryTimer = setTimeout(() => void this.connect(), Math.max(this.backoffMs, retryAfterMs) * jitter);
		this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
	}
}

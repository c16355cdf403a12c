/**
 * One simulated phone for the load benchmark: a real PeerJS client over @roamhq/wrtc, speaking the
 * FaceRTC protocol, that records when each crop went and what came back.
 */
import type { DataConnection } from 'peerjs';
import type { ErrorCode } from '../../src/lib/protocol/errors.ts';
import { decodeServerMessage, encodeClientMessage, type ClientMessage, type ServerMessage } from '../../src/lib/protocol/messages.ts';
import { openServerPeer, refusalOf } from '../../tests/helpers/node-peer.ts';
import { TEST_ADMIN_TOKEN } from '../../tests/helpers/server.ts';
import type { Crop } from './crops.ts';

/** What became of one crop: answered (`identity`) or refused with an error code; `at` ms. */
export type Outcome = { sentAt: number; repliedAt?: number; reply?: 'identity' | ErrorCode; retryAfterMs?: number };

export type LoadClient = {
	readonly index: number;
	/** Every crop sent, by request id. */
	readonly outcomes: Map<number, Outcome>;
	/** Sends a crop; its request id. */
	send(crop: Crop): number;
	/** Called on every reply to a crop. */
	onReply(fn: (requestId: number, outcome: Outcome, message: ServerMessage) => void): void;
	close(): void;
};

const KEEPALIVE_MS = 15_000;

export async function connectLoadClient(baseUrl: string, index: number): Promise<LoadClient> {
	const { peer, recognizerId } = await openServerPeer(baseUrl);
	const outcomes = new Map<number, Outcome>();
	const listeners: Array<(requestId: number, outcome: Outcome, message: ServerMessage) => void> = [];
	let nextId = 1;
	let lastSent = performance.now();

	const conn = await new Promise<DataConnection>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`client ${index}: data channel did not open`)), 30_000);
		peer.on('error', (err) => {
			clearTimeout(timer);
			peer.destroy();
			// The server's refusal is rejected as data ({ type: 'refused', code, … }), as in tests/helpers/node-peer.ts.
			// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
			reject(refusalOf(err) ?? err);
		});
		peer.on('open', () => {
			const c = peer.connect(recognizerId, { reliable: true, serialization: 'raw', metadata: { token: TEST_ADMIN_TOKEN } });
			c.on('open', () => {
				clearTimeout(timer);
				resolve(c);
			});
			c.on('data', (raw) => {
				const at = performance.now();
				const decoded = decodeServerMessage(raw);
				if (!decoded.ok || decoded.message.type === 'welcome' || decoded.message.requestId === undefined) return;
				const message = decoded.message;
				const outcome = outcomes.get(message.requestId!);
				if (!outcome || outcome.reply) return;
				outcome.repliedAt = at;
				outcome.reply = message.type === 'identity' ? 'identity' : message.code;
				if (message.type === 'error' && 'retryAfterMs' in message && typeof message.retryAfterMs === 'number') outcome.retryAfterMs = message.retryAfterMs;
				for (const fn of listeners) fn(message.requestId!, outcome, message);
			});
		});
	});

	const sendFrame = (message: ClientMessage) => {
		const frame = encodeClientMessage(message);
		// `raw` serialization: send() returns no promise here and throws on failure.
		void conn.send(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength));
		lastSent = performance.now();
	};
	const keepAlive = setInterval(() => {
		if (conn.open && performance.now() - lastSent >= KEEPALIVE_MS) sendFrame({ type: 'hello', client: 'bench-load keep-alive' });
	}, KEEPALIVE_MS / 3);
	keepAlive.unref();

	return {
		index,
		outcomes,
		send(crop) {
			const requestId = nextId++;
			outcomes.set(requestId, { sentAt: performance.now() });
			sendFrame({
				type: 'identify',
				requestId,
				trackId: 1 + (requestId % 3),
				width: crop.width,
				height: crop.height,
				crop: crop.bytes,
				...(crop.keypoints ? { keypoints: crop.keypoints } : {})
			});
			return requestId;
		},
		onReply(fn) {
			listeners.push(fn);
		},
		close() {
			clearInterval(keepAlive);
			conn.close();
			peer.destroy();
		}
	};
}

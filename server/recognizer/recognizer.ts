/**
 * Protocol handling for the recognizer peer: a frame in, the frames to answer out. No sockets,
 * tfjs or SQLite here; the embedder, gallery and image probe are ports handed in.
 *
 * Every crop is a `live` job of its own session (a data channel) with a deadline: the embedder
 * (the pool's scheduler) serves the sessions in turn and answers `overloaded` with a retry-after
 * rather than late, so an answer is never older than `liveDeadlineMs` when it leaves.
 */
import {
	MAX_CROP_BYTES,
	MAX_CROP_SIDE_PX,
	MAX_CROPS_PER_SECOND,
	MAX_RETRY_AFTER_MS,
	decodeClientMessage,
	type IdentifyMessage,
	type ServerMessage
} from '../../src/lib/protocol/messages.ts';
import type { DeviceInfo } from '../../src/lib/protocol/device.ts';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
import { findMatch, judge, NO_MATCH, type GalleryEntry, type Match } from '../gallery/matcher.ts';
import { createKeyedLimiter } from '../rate-limit.ts';
import { createTrackFusion, rescuedByTrack, type TrackFusion, type TrackFusionOptions } from './track-fusion.ts';

/** How a crop is queued (see server/embed/pool.ts JobOptions). */
export type CropJob = { priority: 'live'; client: string; withinMs: number; keypoints?: ReadonlyArray<readonly [number, number]> };

export type Embedder = {
	/** The face embedding of a crop, or null when no face can be found in it. */
	describeCrop(bytes: Uint8Array, job: CropJob): Promise<{ descriptor: Float32Array | null }>;
	/** Drops the crops of `client` still waiting. */
	cancel?(client: string): void;
};
export type ImageProbe = (bytes: Uint8Array) => { width: number; height: number } | Promise<{ width: number; height: number }>;

/**
 * From a crop's arrival to its answer leaving, at most: what a live overlay can still use. The
 * issue's goal for 20 phones is p95 ≤ 400 ms round trip; a crop that cannot start in time is
 * answered `overloaded` at once (it would be a stale label, and it would delay fresher crops).
 */
export const LIVE_DEADLINE_MS = 400;

export type RecognizerDeps = {
	embedder: Embedder;
	gallery: { entries(): readonly GalleryEntry[] };
	probe: ImageProbe;
	/** Euclidean distance under which a face is named. */
	threshold: number;
	recognizerId: string;
	/** Crops a second per client address, bursts up to the same count (default MAX_CROPS_PER_SECOND). */
	cropsPerSecond?: number;
	/** Default LIVE_DEADLINE_MS. */
	liveDeadlineMs?: number;
	now?: () => number;
	onIdentify?: (outcome: 'named' | 'unknown' | 'no-face' | 'error') => void;
	/** Every crop answered: how long it took here (ms) and how (`identity` or the error code). */
	onAnswer?: (ms: number, outcome: 'identity' | ErrorCode) => void;
	/** A crop refused by the per-address rate limit. */
	onRateLimited?: () => void;
	/**
	 * Learning (server/learn/learner.ts): sees every face answered on a channel and returns the
	 * answer to send (negative examples may take a name away). Synchronous and cheap.
	 */
	learn?: (answer: { peerId: string; device: DeviceInfo | null; trackId: number; embedding: Float32Array; match: Match; crop: Uint8Array }) => Match;
	/**
	 * A crop left unknown alone may take the match of its track's recent descriptors' mean
	 * (track-fusion.ts: `maxDescriptors` at most, the rescue rule); absent or 1: each crop alone.
	 */
	fusion?: Omit<TrackFusionOptions, 'threshold'>;
};

/**
 * One connected client; `handle` answers each frame it sent. Never throws. `close()` when its
 * channel is gone: its crops still waiting are dropped (answered `closed` to nobody).
 */
export type RecognizerSession = { handle(raw: unknown): Promise<ServerMessage>; close(): void };

/**
 * Who a session serves. `address`: the client's address (default `local`); `peerId`: its
 * server-issued PeerJS id (default the address); `device`: the device its page named in the
 * connect metadata (protocol/device.ts), for learning's records only.
 */
export type SessionClient = { address?: string; peerId?: string; device?: DeviceInfo | null };

/**
 * `openSession(client)`: crops are rate-limited per client address, across all its channels
 * (`cropsPerSecond`, bursts up to the same count), so opening more channels buys no more.
 */
export function createRecognizer(deps: RecognizerDeps): { openSession(client?: SessionClient): RecognizerSession } {
	const { embedder, gallery, probe, threshold, recognizerId, onIdentify } = deps;
	const now = deps.now ?? (() => performance.now());
	const liveDeadlineMs = deps.liveDeadlineMs ?? LIVE_DEADLINE_MS;
	const cropsPerSecond = deps.cropsPerSecond ?? MAX_CROPS_PER_SECOND;
	const crops = createKeyedLimiter({ capacity: cropsPerSecond, perSecond: cropsPerSecond, now });
	let sessions = 0;

	const fused = deps.fusion && deps.fusion.maxDescriptors > 1 ? deps.fusion : null;

	async function identify(
		msg: IdentifyMessage,
		{ client, peerId, device, fusion }: { client: string; peerId: string; device: DeviceInfo | null; fusion: TrackFusion | null }
	): Promise<ServerMessage> {
		const size = await probe(msg.crop);
		if (size.width > MAX_CROP_SIDE_PX || size.height > MAX_CROP_SIDE_PX) {
			throw AppError.tooLarge(`crop over ${MAX_CROP_SIDE_PX} px a side`);
		}
		const job: CropJob = { priority: 'live', client, withinMs: liveDeadlineMs, ...(msg.keypoints ? { keypoints: msg.keypoints } : {}) };
		const { descriptor } = await embedder.describeCrop(msg.crop, job);
		const entries = gallery.entries();
		const alone = descriptor ? judge(descriptor, entries, threshold) : null;
		let found = alone?.match ?? NO_MATCH;
		if (descriptor && alone && fusion) {
			const { descriptor: mean, count } = fusion.fuse(msg.trackId, descriptor);
			if (count > 1 && !found.personId) found = rescuedByTrack(found, findMatch(mean, entries, threshold), alone.leader);
		}
		const match = descriptor && deps.learn ? deps.learn({ peerId, device, trackId: msg.trackId, embedding: descriptor, match: found, crop: msg.crop }) : found;
		onIdentify?.(!descriptor ? 'no-face' : match.personId ? 'named' : 'unknown');
		return { type: 'identity', requestId: msg.requestId, trackId: msg.trackId, ...match, face: descriptor !== null };
	}

	function errorReply(err: unknown, requestId: number | undefined): ServerMessage & { type: 'error' } {
		const appError = AppError.from(err);
		onIdentify?.('error');
		const reply: ServerMessage & { type: 'error' } = { type: 'error', code: appError.code, message: appError.message };
		if (appError.retryAfterMs !== undefined) reply.retryAfterMs = Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(appError.retryAfterMs)));
		return requestId === undefined ? reply : { ...reply, requestId };
	}

	return {
		openSession({ address = 'local', peerId = address, device = null } = {}) {
			const client = `${++sessions}`;
			const fusion = fused ? createTrackFusion({ ...fused, threshold, now }) : null;
			return {
				close: () => embedder.cancel?.(client),
				async handle(raw) {
					const decoded = decodeClientMessage(raw);
					if (!decoded.ok) return errorReply(decoded, decoded.requestId);
					const msg = decoded.message;
					if (msg.type === 'hello') {
						return {
							type: 'welcome',
							recognizer: recognizerId,
							maxCropBytes: MAX_CROP_BYTES,
							maxCropSidePx: MAX_CROP_SIDE_PX,
							maxCropsPerSecond: cropsPerSecond
						};
					}
					const t0 = now();
					const answer = (reply: ServerMessage) => {
						deps.onAnswer?.(now() - t0, reply.type === 'error' ? reply.code : 'identity');
						return reply;
					};
					const taken = crops.take(address);
					if (!taken.ok) {
						deps.onRateLimited?.();
						const limited = new AppError('rate-limited', 'too many crops', { retryAfterMs: taken.retryAfterS * 1000 });
						return answer(errorReply(limited, msg.requestId));
					}
					try {
						return answer(await identify(msg, { client, peerId, device, fusion }));
					} catch (err) {
						return answer(errorReply(err, msg.requestId));
					}
				}
			};
		}
	};
}

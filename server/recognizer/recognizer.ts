/**
 * Protocol handling for the recognizer peer: a frame in, the frames to answer out. No sockets,
 * tfjs or SQLite here; the embedder, gallery and image probe are ports handed in.
 */
import {
	MAX_CROP_BYTES,
	MAX_CROP_SIDE_PX,
	MAX_CROPS_PER_SECOND,
	decodeClientMessage,
	type IdentifyMessage,
	type ServerMessage
} from '../../src/lib/protocol/messages.ts';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { findMatch, NO_MATCH, type GalleryEntry } from '../gallery/matcher.ts';
import { createKeyedLimiter } from '../rate-limit.ts';

export type Embedder = {
	/** The face embedding of a crop, or null when no face can be found in it. */
	describeCrop(bytes: Uint8Array): Promise<{ descriptor: Float32Array | null }>;
};
export type ImageProbe = (bytes: Uint8Array) => Promise<{ width: number; height: number }>;

export type RecognizerDeps = {
	embedder: Embedder;
	gallery: { entries(): readonly GalleryEntry[] };
	probe: ImageProbe;
	/** Euclidean distance under which a face is named. */
	threshold: number;
	recognizerId: string;
	/** Crops a second per client address, bursts up to the same count (default MAX_CROPS_PER_SECOND). */
	cropsPerSecond?: number;
	now?: () => number;
	onIdentify?: (outcome: 'named' | 'unknown' | 'no-face' | 'error') => void;
	/** A crop refused by the per-address rate limit. */
	onRateLimited?: () => void;
};

/** One connected client; `handle` answers each frame it sent. Never throws. */
export type RecognizerSession = { handle(raw: unknown): Promise<ServerMessage> };

/**
 * `openSession(address)`: crops are rate-limited per client address, across all its channels
 * (`cropsPerSecond`, bursts up to the same count), so opening more channels buys no more.
 */
export function createRecognizer(deps: RecognizerDeps): { openSession(address?: string): RecognizerSession } {
	const { embedder, gallery, probe, threshold, recognizerId, onIdentify } = deps;
	const cropsPerSecond = deps.cropsPerSecond ?? MAX_CROPS_PER_SECOND;
	const crops = createKeyedLimiter({
		capacity: cropsPerSecond,
		perSecond: cropsPerSecond,
		...(deps.now ? { now: deps.now } : {})
	});

	async function identify(msg: IdentifyMessage): Promise<ServerMessage> {
		const size = await probe(msg.crop);
		if (size.width > MAX_CROP_SIDE_PX || size.height > MAX_CROP_SIDE_PX) {
			throw AppError.tooLarge(`crop over ${MAX_CROP_SIDE_PX} px a side`);
		}
		const { descriptor } = await embedder.describeCrop(msg.crop);
		const match = descriptor ? findMatch(descriptor, gallery.entries(), threshold) : NO_MATCH;
		onIdentify?.(!descriptor ? 'no-face' : match.personId ? 'named' : 'unknown');
		return { type: 'identity', requestId: msg.requestId, trackId: msg.trackId, ...match };
	}

	function errorReply(err: unknown, requestId: number | undefined): ServerMessage {
		const appError = AppError.from(err);
		onIdentify?.('error');
		const reply: ServerMessage = { type: 'error', code: appError.code, message: appError.message };
		return requestId === undefined ? reply : { ...reply, requestId };
	}

	return {
		openSession(address = 'local') {
			return {
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
					if (!crops.take(address).ok) {
						deps.onRateLimited?.();
						return errorReply(new AppError('rate-limited', 'too many crops'), msg.requestId);
					}
					try {
						return await identify(msg);
					} catch (err) {
						return errorReply(err, msg.requestId);
					}
				}
			};
		}
	};
}

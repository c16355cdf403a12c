/**
 * Crop scheduling and requests: on each detection frame, which tracks send a crop, which frame of
 * theirs goes, and what comes back. A fresh face sends its first good detection at once and a
 * newer frame's as soon as that answer is in (identity.ts EAGER_CROPS); later crops are the best
 * of a few recent frames. Answers go to the track's identity, counted only if the face has not
 * changed since the crop; a track that ended meanwhile gets nothing.
 */
import { createBestShot } from '../track/best-shot.ts';
import type { CaptureOptions, EncodeOptions } from '../track/crop.ts';
import { cropQuality, frontalness } from '../track/crop-quality.ts';
import type { TrackIdentities } from '../track/track-identities.ts';
import type { Track } from '../track/tracker.ts';
import type { RecordedCrop } from './frame-record.ts';
import type { Clock, FrameCapture, LoopLink } from './ports.ts';

/**
 * `best-shot` (default): a track sends when its identity wants a crop. `every-frame`: every
 * tracked face on every detection frame — only to measure against.
 */
export type CropPolicy = 'best-shot' | 'every-frame';

/** Bytes waiting in the data channel above which new crops are skipped (a stale crop is worthless). */
const MAX_BACKLOG_BYTES = 64 * 1024;
/**
 * A detection good enough for a fresh face's first crops, sent without choosing among frames:
 * confidently a face, whole in the frame and not turned away; otherwise the track waits for its
 * best-shot window. Chosen on the `tv` clip (`npm run bench:live` prints these): BlazeFace
 * scored the frontal faces' boxes 0.58–0.60 at p5, 0.66–0.68 at p10, 0.93 at the median, and its
 * boxes on no face 0.56–0.58; frontalness of frontal faces 0.48 at p5, of turned ones 0.23–0.47
 * at the median.
 */
const GOOD_SCORE = 0.7;
const GOOD_FRONTALNESS = 0.4;
const GOOD_INSIDE = 0.9;

export type CropRequestsOptions<Shot> = {
	capture: FrameCapture<Shot>;
	link: LoopLink;
	clock: Clock;
	identities: TrackIdentities;
	/** Read for every crop, so data saver and link quality apply at once. */
	cropSettings: () => CaptureOptions & EncodeOptions;
	/** Video frame size, px (to judge whether a face is whole in the frame). */
	frameSize: () => { width: number; height: number };
	policy?: CropPolicy;
	/** Told of every crop that goes, and why (measurements: the frame record carries it). */
	onCrop?: ((crop: RecordedCrop) => void) | undefined;
};

export function isGoodDetection(track: Track, frame: { width: number; height: number }): boolean {
	const { x, y, width, height } = track.measured;
	const inside =
		(Math.max(0, Math.min(frame.width, x + width) - Math.max(0, x)) * Math.max(0, Math.min(frame.height, y + height) - Math.max(0, y))) / (width * height);
	return track.score >= GOOD_SCORE && inside >= GOOD_INSIDE && frontalness(track.keypoints) >= GOOD_FRONTALNESS;
}

export function createCropRequests<Shot>(options: CropRequestsOptions<Shot>) {
	const { capture, link, clock, identities } = options;
	const rules = identities.rules;
	const policy = options.policy ?? 'best-shot';
	const shots = createBestShot<Shot>({ release: (shot) => capture.release(shot) });
	const capturing = new Set<number>();
	/** The identity epoch each open best-shot window started in: a window older than its face's last change is stale. */
	const windowEpochs = new Map<number, number>();
	const requests = new Map<number, { trackId: number; sentMs: number; epoch: number }>();
	let nextRequestId = 1;
	let rttMs = 0;

	const offMessage = link.on('message', (message) => {
		if (message.type === 'welcome' || message.requestId === undefined) return;
		const request = requests.get(message.requestId);
		requests.delete(message.requestId);
		if (!request) return;
		const sample = clock.now() - request.sentMs;
		rttMs = rttMs === 0 ? sample : rttMs * 0.8 + sample * 0.2;
		if (message.type === 'identity') identities.record(request.trackId, message, request.epoch);
		else identities.fail(request.trackId);
	});
	const offState = link.on('state', (state) => {
		if (state === 'connected') return;
		requests.clear();
		identities.failAll();
	});

	async function send(trackId: number, epoch: number, shot: Shot): Promise<void> {
		const requestId = nextRequestId++;
		requests.set(requestId, { trackId, sentMs: clock.now(), epoch });
		try {
			const crop = await capture.encode(shot, options.cropSettings());
			const sent =
				crop !== null &&
				link.send({
					type: 'identify',
					requestId,
					trackId,
					width: crop.width,
					height: crop.height,
					crop: crop.bytes,
					...(crop.keypoints ? { keypoints: crop.keypoints } : {})
				});
			if (!sent) throw new Error('not sent');
		} catch {
			requests.delete(requestId);
			identities.fail(trackId);
		} finally {
			capture.release(shot);
		}
	}

	/**
	 * Sends `shot` of `track`, taken when its identity was at `epoch`, if that identity is still
	 * there (a cut may have ended it while the shot was taken), its face has not changed since, and
	 * it claims a crop now; the crop's look becomes the one later frames are compared with.
	 */
	function claimAndSend(track: Track, shot: Shot, epoch: number, force: boolean): Promise<void> {
		const identity = identities.find(track.id);
		const reason = identity && rules.reasonFor(identity);
		if (!identity || !reason || identity.epoch !== epoch || link.state !== 'connected' || (!force && !rules.claimCrop(identity, clock.now()))) {
			capture.release(shot);
			return Promise.resolve();
		}
		const cue = reason === 'changed' ? identities.changeCueOf(track.id) : null;
		options.onCrop?.({ trackId: track.id, reason, ...(cue ? { cue } : {}) });
		identity.signature = identities.looksOf(track.id) ?? identity.signature;
		return send(track.id, identity.epoch, shot);
	}

	/**
	 * Captures this frame of `track`: `now` sends it at once, `force` even if its identity wants
	 * none (every-frame measurements), `window` offers it to the track's best-shot window.
	 */
	async function collect(track: Track, atMs: number, how: 'now' | 'force' | 'window'): Promise<void> {
		capturing.add(track.id);
		const epoch = identities.identityOf(track.id).epoch;
		try {
			// This frame's detection box: the smoothed box lags a moving face.
			const shot = await capture.capture(track.measured, options.cropSettings(), track.keypoints ?? []);
			if (!shot) return;
			if (how !== 'window') return await claimAndSend(track, shot, epoch, how === 'force');
			if (identities.find(track.id)?.epoch !== epoch) return capture.release(shot);
			if (!shots.collecting(track.id)) windowEpochs.set(track.id, epoch);
			const quality = cropQuality({ box: track.measured, score: track.score, keypoints: track.keypoints, sharpness: capture.sharpness(shot) });
			const best = shots.offer(track.id, { quality, atMs, payload: shot });
			if (best) {
				windowEpochs.delete(track.id);
				await claimAndSend(track, best.payload, epoch, false);
			}
		} finally {
			capturing.delete(track.id);
		}
	}

	return {
		/**
		 * On a detection frame: starts the crops the live tracks want. Faces not asked about yet go
		 * first; the second crops of fresh faces wait for a frame in which no first one went, so on a
		 * slow server no face's first answer queues behind another face's second. Never throws.
		 */
		consider(tracks: readonly Track[], nowMs: number): void {
			if (link.state !== 'connected' || link.backlogBytes > MAX_BACKLOG_BYTES) return;
			let firstsStarted = false;
			for (const pass of ['first', 'rest'] as const) {
				for (const track of tracks) {
					if (track.misses > 0 || capturing.has(track.id)) continue;
					const identity = identities.identityOf(track.id);
					// Frames collected before the face changed show whoever was there before.
					if (shots.collecting(track.id) && windowEpochs.get(track.id) !== identity.epoch) {
						shots.drop(track.id);
						windowEpochs.delete(track.id);
					}
					if ((identity.sent === 0) !== (pass === 'first')) continue;
					if (policy === 'every-frame') {
						if (track.confirmed) void collect(track, nowMs, 'force').catch(() => {});
						continue;
					}
					const eager = rules.isEager(identity) && isGoodDetection(track, options.frameSize());
					// An unconfirmed track may be a detector's flicker: only a good first detection earns a crop.
					if (!track.confirmed && !eager) continue;
					if (eager && pass === 'rest' && firstsStarted) continue;
					if (!shots.collecting(track.id) && !rules.isDue(identity, nowMs)) continue;
					void collect(track, nowMs, eager && !shots.collecting(track.id) ? 'now' : 'window').catch(() => {});
					if (pass === 'first') firstsStarted = true;
				}
			}
		},

		/** Tracks that ended: their waiting candidates are dropped. */
		retain(live: ReadonlySet<number>): void {
			shots.retain(live);
			for (const id of windowEpochs.keys()) if (!live.has(id)) windowEpochs.delete(id);
		},

		/** Every track ended (a cut): drops all candidates; answers still on their way will find no track. */
		clear(): void {
			shots.clear();
			windowEpochs.clear();
		},

		/** Smoothed crop round trip, ms (0 until the first answer). */
		get rttMs(): number {
			return rttMs;
		},

		/** Requests forgotten after this long without an answer, so the table stays bounded. */
		expire(nowMs: number, olderThanMs: number): void {
			for (const [id, request] of requests) if (nowMs - request.sentMs > olderThanMs) requests.delete(id);
		},

		stop(): void {
			shots.clear();
			offMessage();
			offState();
		}
	};
}

export type CropRequests = ReturnType<typeof createCropRequests>;

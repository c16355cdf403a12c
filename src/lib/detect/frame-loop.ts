/**
 * The live loop. Every video frame: detect (when the pacer says so) → track, or predict the
 * tracks' boxes between detections → draw. Crops go up only for tracks whose identity wants one,
 * chosen as the best of a few recent frames. Never throws: failures land in `onStatus`.
 */
import type { Box } from '../geometry.ts';
import type { PeerLink } from '../link/peer-link.ts';
import { drawOverlay, type OverlayFace } from '../overlay/draw.ts';
import { createBestShot } from '../track/best-shot.ts';
import { CHANGED_BELOW, resemblance } from '../track/appearance.ts';
import { captureFace, encodeCrop, faceSignature, measureSharpness, type CapturedFace, type CaptureOptions, type EncodeOptions } from '../track/crop.ts';
import { cropQuality } from '../track/crop-quality.ts';
import { createIdentityRules, newIdentity, UNKNOWN, type Identity, type IdentityOptions } from '../track/identity.ts';
import { createTracker, type Track } from '../track/tracker.ts';
import type { FaceDetector } from './detector.ts';
import { createPacer } from './pacer.ts';

export type ShownFace = { trackId: number; label: string; box: Box };

/** Once a second: video frames drawn per second, smoothed detection time, current N, crop round trip. */
export type LoopStatus = { fps: number; detectMs: number; detectEvery: number; rttMs: number; error?: string };

/**
 * `best-shot` (default): a track sends when its identity wants a crop, the best of its recent
 * frames. `every-frame`: every tracked face on every detection frame — only to measure against.
 */
export type CropPolicy = 'best-shot' | 'every-frame';

export type FrameLoopOptions = {
	video: HTMLVideoElement;
	canvas: HTMLCanvasElement;
	detector: FaceDetector;
	link: PeerLink;
	mirror: () => boolean;
	/** Read for every crop, so data saver and link quality apply at once. */
	cropSettings: () => CaptureOptions & EncodeOptions;
	/** How eagerly tracks ask (settling, refresh); read at every decision. Default: the rules' defaults. */
	identityPace?: () => IdentityOptions;
	policy?: CropPolicy;
	/** Fixed N (detect every Nth frame) instead of the adaptive pacer. */
	detectEvery?: number;
	/** Called when the set of shown faces or their labels change. */
	onFaces: (faces: ShownFace[]) => void;
	onStatus: (status: LoopStatus) => void;
};

/** Bytes waiting in the data channel above which new crops are skipped (a stale crop is worthless). */
const MAX_BACKLOG_BYTES = 64 * 1024;
/** Tracks missing this many detection frames are no longer drawn (they may still come back). */
const HIDE_AFTER_MISSES = 2;

/** Canvas pixels per CSS pixel of the displayed (object-fit: contain) picture. */
function displayScale(canvas: HTMLCanvasElement): number {
	const shown = Math.min(canvas.clientWidth / canvas.width, canvas.clientHeight / canvas.height);
	return shown > 0 ? 1 / shown : 1;
}

/** Starts the loop; returns the function that stops it. */
export function startFrameLoop(options: FrameLoopOptions): () => void {
	const { video, canvas, detector, link } = options;
	// A canvas hands out one 2D context for its life (resizing clears it but keeps the object).
	const ctx = canvas.getContext('2d');
	const policy = options.policy ?? 'best-shot';
	const tracker = createTracker();
	const rules = createIdentityRules(options.identityPace ?? {});
	const pacer = createPacer(options.detectEvery ? { fixedEvery: options.detectEvery } : {});
	const shots = createBestShot<CapturedFace>({ release: ({ bitmap }) => bitmap.close() });
	const identities = new Map<number, Identity>();
	const capturing = new Set<number>();
	const requests = new Map<number, { trackId: number; sentMs: number }>();
	let rttMs = 0;
	let nextRequestId = 1;
	let stopped = false;
	let handle = 0;
	let lastShown = '';
	let frames = 0;
	let windowStart = performance.now();
	let lastTimestamp = -1;

	const identityOf = (trackId: number) => {
		let identity = identities.get(trackId);
		if (!identity) identities.set(trackId, (identity = newIdentity()));
		return identity;
	};

	const offMessage = link.on('message', (message) => {
		if (message.type === 'welcome' || message.requestId === undefined) return;
		const request = requests.get(message.requestId);
		requests.delete(message.requestId);
		if (!request) return;
		const sample = performance.now() - request.sentMs;
		rttMs = rttMs === 0 ? sample : rttMs * 0.8 + sample * 0.2;
		const trackId = request.trackId;
		const identity = identities.get(trackId);
		if (!identity) return;
		if (message.type === 'identity') rules.record(identity, message);
		else rules.fail(identity);
	});
	const offState = link.on('state', (state) => {
		if (state === 'connected') return;
		requests.clear();
		identities.forEach((identity) => rules.fail(identity));
	});

	async function send(trackId: number, { bitmap, keypoints }: CapturedFace): Promise<void> {
		const identity = identityOf(trackId);
		const requestId = nextRequestId++;
		requests.set(requestId, { trackId, sentMs: performance.now() });
		try {
			const crop = await encodeCrop(bitmap, options.cropSettings());
			const sent =
				crop !== null &&
				link.send({ type: 'identify', requestId, trackId, width: crop.width, height: crop.height, crop: crop.bytes, ...(keypoints ? { keypoints } : {}) });
			if (!sent) throw new Error('not sent');
		} catch {
			requests.delete(requestId);
			rules.fail(identity);
		} finally {
			bitmap.close();
		}
	}

	/** Captures this frame of `track` as a candidate; sends the best candidate once its window closes. */
	async function collect(track: Track, atMs: number): Promise<void> {
		capturing.add(track.id);
		try {
			const captured = await captureFace(video, track.box, options.cropSettings(), track.keypoints);
			if (!captured) return;
			const { bitmap } = captured;
			if (policy === 'every-frame') {
				rules.claimCrop(identityOf(track.id), atMs);
				return send(track.id, captured);
			}
			const identity = identityOf(track.id);
			// A new or changed face's first crop goes at once: a name soon beats the best frame later.
			// (The signature is read only when a crop goes, and nothing is awaited before: same frame.)
			if ((identity.answers === 0 || identity.changed) && !shots.collecting(track.id)) {
				if (!rules.claimCrop(identity, performance.now())) return bitmap.close();
				identity.signature = faceSignature(video, track.box);
				return send(track.id, captured);
			}
			const quality = cropQuality({ box: track.box, score: track.score, keypoints: track.keypoints, sharpness: measureSharpness(bitmap) });
			const best = shots.offer(track.id, { quality, atMs, payload: captured });
			if (!best) return;
			if (link.state === 'connected' && rules.claimCrop(identity, performance.now())) {
				identity.signature = faceSignature(video, track.box);
				return send(track.id, best.payload);
			}
			best.payload.bitmap.close();
		} finally {
			capturing.delete(track.id);
		}
	}

	/** Asks again at once about a face that no longer looks like its last crop. */
	function watchAppearance(track: Track): void {
		const identity = identities.get(track.id);
		if (!identity || identity.pendingSinceMs !== null || !identity.signature || identity.changed) return;
		const now = faceSignature(video, track.box);
		if (now && resemblance(now, identity.signature) < CHANGED_BELOW) rules.markChanged(identity);
	}

	function requestCrops(tracks: readonly Track[], live: ReadonlySet<number>, now: number): void {
		shots.retain(live);
		if (link.state !== 'connected' || link.backlogBytes > MAX_BACKLOG_BYTES || link.cropsPaused) return;
		for (const track of tracks) {
			if (!track.confirmed || track.misses > 0 || capturing.has(track.id)) continue;
			if (policy === 'best-shot') watchAppearance(track);
			const wanted = policy === 'every-frame' || shots.collecting(track.id) || rules.isDue(identityOf(track.id), now);
			if (wanted) void collect(track, now).catch(() => {});
		}
	}

	function publish(faces: OverlayFace[]): void {
		const key = faces.map((f) => `${f.id}:${f.label}`).join('|');
		if (key === lastShown) return;
		lastShown = key;
		options.onFaces(faces.map((f) => ({ trackId: f.id, label: f.label, box: f.box })));
	}

	function step(): void {
		if (video.readyState < 2 || video.videoWidth === 0) return;
		if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
			canvas.width = video.videoWidth;
			canvas.height = video.videoHeight;
		}
		// MediaPipe needs strictly increasing timestamps.
		const now = Math.max(performance.now(), lastTimestamp + 1);
		lastTimestamp = now;
		let shown: Array<{ track: Track; box: Box }>;
		if (pacer.frame(now)) {
			const t0 = performance.now();
			const detections = detector.detect(video, now);
			pacer.measured(performance.now() - t0);
			const tracks = tracker.update(detections, now);
			const live = new Set(tracks.map((t) => t.id));
			for (const id of identities.keys()) if (!live.has(id)) identities.delete(id);
			requestCrops(tracks, live, now);
			shown = tracks.map((track) => ({ track, box: track.box }));
		} else {
			shown = tracker.predict(now);
		}
		const faces: OverlayFace[] = shown
			.filter(({ track }) => track.confirmed && track.misses <= HIDE_AFTER_MISSES)
			.map(({ track, box }) => {
				const identity = identities.get(track.id);
				const label = identity?.label ?? UNKNOWN;
				const state = label !== UNKNOWN ? 'known' : identity?.answers ? 'unknown' : 'asking';
				return { id: track.id, box, label, state };
			});
		if (ctx) drawOverlay(ctx, faces, { mirror: options.mirror(), pixelsPerCssPixel: displayScale(canvas) });
		publish(faces);
		frames++;
	}

	function frame(): void {
		if (stopped) return;
		try {
			step();
			const elapsed = performance.now() - windowStart;
			if (elapsed >= 1000) {
				options.onStatus({ fps: (frames * 1000) / elapsed, detectMs: pacer.detectMs, detectEvery: pacer.every, rttMs });
				frames = 0;
				windowStart = performance.now();
			}
		} catch (err) {
			options.onStatus({ fps: 0, detectMs: pacer.detectMs, detectEvery: pacer.every, rttMs, error: (err as Error).message });
		}
		schedule();
	}

	function schedule(): void {
		if (stopped) return;
		if ('requestVideoFrameCallback' in video) handle = video.requestVideoFrameCallback(frame);
		else handle = requestAnimationFrame(frame);
	}

	schedule();
	return () => {
		stopped = true;
		if ('cancelVideoFrameCallback' in video) video.cancelVideoFrameCallback(handle);
		cancelAnimationFrame(handle);
		shots.clear();
		offMessage();
		offState();
	};
}

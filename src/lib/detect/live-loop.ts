/**
 * The live loop's work on one video frame, wired from its parts: cut check → detect (when the
 * pacer says so), cut check again, and track, or predict the boxes between detections → identities → crops →
 * publish → stats. Every dependency is injected (frame-loop.ts hands in the browser's), so the
 * whole pipeline runs in unit tests on fakes. Never throws: a failed frame lands in the status.
 */
import type { OverlayFace } from '../overlay/draw.ts';
import type { IdentityOptions } from '../track/identity.ts';
import { createCutDetector } from '../track/scene-cut.ts';
import { createTrackIdentities } from '../track/track-identities.ts';
import { createTracker, type Track } from '../track/tracker.ts';
import type { CaptureOptions, EncodeOptions } from '../track/crop.ts';
import { frontalness } from '../track/crop-quality.ts';
import { createCropRequests, type CropPolicy } from './crop-requests.ts';
import { createFramePublisher, type ShownFace } from './frame-publisher.ts';
import type { RecordedCrop, RecordedFrame } from './frame-record.ts';
import { createLoopStats, type LoopStatus } from './loop-stats.ts';
import { createPacer } from './pacer.ts';
import type { Clock, FrameCapture, FrameDetector, LoopLink } from './ports.ts';

/** Tracks missing this many detection frames are no longer drawn (they may still come back). */
export const HIDE_AFTER_MISSES = 2;
/** Unanswered requests are forgotten after this long, ms. */
const REQUEST_EXPIRY_MS = 10_000;

export type LiveLoopOptions<Shot> = {
	clock: Clock;
	detector: FrameDetector;
	capture: FrameCapture<Shot>;
	link: LoopLink;
	frameSize: () => { width: number; height: number };
	/** Draws one frame's faces on the overlay. */
	draw: (faces: readonly OverlayFace[]) => void;
	/** Read for every crop, so data saver and link quality apply at once. */
	cropSettings: () => CaptureOptions & EncodeOptions;
	/** How eagerly tracks ask (settling, refresh); read at every decision. */
	identityPace?: () => IdentityOptions;
	policy?: CropPolicy;
	/** Fixed N (detect every Nth frame) instead of the adaptive pacer. */
	detectEvery?: number | undefined;
	/** Called when the set of shown faces or their labels change. */
	onFaces: (faces: ShownFace[]) => void;
	onStatus: (status: LoopStatus) => void;
	onRendered?: ((frame: RecordedFrame) => void) | undefined;
};

export function createLiveLoop<Shot>(options: LiveLoopOptions<Shot>) {
	const { clock, detector, capture, link } = options;
	const identities = createTrackIdentities(options.identityPace ?? {});
	// A detection that jumped off its track's prediction continues the track only if it still looks like it.
	const tracker = createTracker({ sameFace: (track, detection) => identities.looksLike(track.id, capture.signature(detection.box)) });
	const cuts = createCutDetector();
	const pacer = createPacer(options.detectEvery ? { fixedEvery: options.detectEvery } : {});
	/** Crops gone since the last published frame (kept only when frames are recorded). */
	const cropsSent: RecordedCrop[] = [];
	const crops = createCropRequests({
		capture,
		link,
		clock,
		identities,
		cropSettings: options.cropSettings,
		frameSize: options.frameSize,
		...(options.policy ? { policy: options.policy } : {}),
		onCrop: options.onRendered && ((crop) => cropsSent.push(crop))
	});
	const publisher = createFramePublisher({ draw: options.draw, onFaces: options.onFaces, onRendered: options.onRendered });
	const stats = createLoopStats({ clock, onStatus: options.onStatus });
	const figures = () => ({ detectMs: pacer.detectMs, detectEvery: pacer.every, rttMs: crops.rttMs });

	/** A new picture: no face in it is known to be anyone yet. */
	function cut(): void {
		tracker.reset();
		identities.clear();
		crops.clear();
		pacer.force();
	}

	/** Reads the picture and checks it against the last one; true when a new shot began. */
	function checkCut(): boolean {
		const thumbnail = capture.thumbnail();
		if (thumbnail === null || !cuts.isCut(thumbnail)) return false;
		cut();
		return true;
	}

	function detectAndTrack(nowMs: number): { tracks: Track[]; cut: boolean } {
		const t0 = clock.now();
		const detections = detector.detect(nowMs);
		pacer.measured(clock.now() - t0);
		// The video may have moved on during detection, past a cut: look again, so that no track
		// of the old picture takes a detection of the new one (they then all start fresh).
		const isCut = checkCut();
		const update = tracker.update(detections, nowMs);
		identities.apply(update, nowMs);
		crops.retain(new Set(update.tracks.map((t) => t.id)));
		// Looks are read on the detection's own box, so a moving face (which the smoothed box lags) still looks like itself.
		for (const track of update.tracks) if (track.misses === 0) identities.see(track.id, capture.signature(track.measured));
		crops.consider(update.tracks, nowMs);
		crops.expire(nowMs, REQUEST_EXPIRY_MS);
		return { tracks: [...update.tracks], cut: isCut };
	}

	function step(nowMs: number, mediaTime: number | null): void {
		let isCut = checkCut();
		let shown: Array<{ track: Track; box: Track['box'] }>;
		if (pacer.frame(nowMs)) {
			const detected = detectAndTrack(nowMs);
			isCut ||= detected.cut;
			shown = detected.tracks.map((track) => ({ track, box: track.box }));
		} else {
			shown = tracker.predict(nowMs);
		}
		const faces: Array<OverlayFace & { score: number; frontal: number; likeness?: number }> = [];
		for (const { track, box } of shown) {
			if (!track.confirmed || track.misses > HIDE_AFTER_MISSES) continue;
			const { label, state } = identities.shown(track.id);
			if (state === 'hidden') continue;
			const likeness = identities.likenessOf(track.id);
			faces.push({ id: track.id, box, label, state, score: track.score, frontal: frontalness(track.keypoints), ...(likeness === null ? {} : { likeness }) });
		}
		publisher.publish(faces, mediaTime, isCut, cropsSent.splice(0));
	}

	return {
		/** Runs one video frame at `nowMs` (strictly increasing); `mediaTime` is the frame's, when known. */
		frame(nowMs: number, mediaTime: number | null): void {
			try {
				step(nowMs, mediaTime);
				stats.frame(figures());
			} catch (err) {
				stats.error(err, figures());
			}
		},

		stop(): void {
			crops.stop();
		}
	};
}

export type LiveLoop = ReturnType<typeof createLiveLoop>;

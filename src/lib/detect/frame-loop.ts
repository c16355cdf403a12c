/**
 * The live loop in the browser: the video element, overlay canvas, detector and link plugged into
 * live-loop.ts, run on every video frame (requestVideoFrameCallback; requestAnimationFrame where
 * there is none). Started from the page's `$effect`; returns the stop function.
 */
import type { PeerLink } from '../link/peer-link.ts';
import { drawOverlay } from '../overlay/draw.ts';
import { wireKeypoints } from '../protocol/face-crop.ts';
import {
	captureFace,
	encodeCrop,
	faceSignature,
	measureSharpness,
	sceneThumbnail,
	type CaptureOptions,
	type EncodeOptions,
	type FaceShot
} from '../track/crop.ts';
import type { IdentityOptions } from '../track/identity.ts';
import type { CropPolicy } from './crop-requests.ts';
import type { FaceDetector } from './detector.ts';
import type { ShownFace } from './frame-publisher.ts';
import type { RecordedFrame } from './frame-record.ts';
import { createLiveLoop } from './live-loop.ts';
import type { LoopStatus } from './loop-stats.ts';
import type { FrameCapture } from './ports.ts';

export type { CropPolicy, LoopStatus, ShownFace };

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
	/** The track whose box the overlay marks (the one the correction sheet is about), if any. */
	highlight?: () => number | null;
	onStatus: (status: LoopStatus) => void;
	/** Called with what was drawn on every video frame (see frame-record.ts). */
	onRendered?: (frame: RecordedFrame) => void;
};

/** Canvas pixels per CSS pixel of the displayed (object-fit: contain) picture. */
function displayScale(canvas: HTMLCanvasElement): number {
	const shown = Math.min(canvas.clientWidth / canvas.width, canvas.clientHeight / canvas.height);
	return shown > 0 ? 1 / shown : 1;
}

/** The video element's pixels, as the loop's FrameCapture. */
export function videoCapture(video: HTMLVideoElement): FrameCapture<FaceShot> {
	return {
		thumbnail: () => sceneThumbnail(video),
		signature: (box) => faceSignature(video, box),
		capture: (box, options, keypoints) => captureFace(video, box, options, keypoints),
		sharpness: (shot) => measureSharpness(shot.bitmap),
		encode: async (shot, options) => {
			const crop = await encodeCrop(shot.bitmap, options);
			const keypoints = wireKeypoints(shot.keypoints);
			return crop && keypoints ? { ...crop, keypoints } : crop;
		},
		release: (shot) => shot.bitmap.close()
	};
}

/** Starts the loop; returns the function that stops it. */
export function startFrameLoop(options: FrameLoopOptions): () => void {
	const { video, canvas, detector } = options;
	// A canvas hands out one 2D context for its life (resizing clears it but keeps the object).
	const ctx = canvas.getContext('2d');
	const capture = videoCapture(video);
	// Recording (tests, benchmarks): a test's probe reads the picture each time the loop does.
	let probe: unknown;
	const record = options.onRendered;
	if (record) {
		const thumbnail = capture.thumbnail;
		capture.thumbnail = () => {
			probe = window.__facertcFrameProbe?.(video);
			return thumbnail();
		};
	}
	const loop = createLiveLoop({
		clock: performance,
		detector: { detect: (timestampMs) => detector.detect(video, timestampMs) },
		capture,
		link: options.link,
		frameSize: () => ({ width: video.videoWidth, height: video.videoHeight }),
		draw: (faces) => {
			if (ctx) drawOverlay(ctx, faces, { mirror: options.mirror(), pixelsPerCssPixel: displayScale(canvas), highlight: options.highlight?.() ?? null });
		},
		cropSettings: options.cropSettings,
		...(options.identityPace ? { identityPace: options.identityPace } : {}),
		...(options.policy ? { policy: options.policy } : {}),
		detectEvery: options.detectEvery,
		onFaces: options.onFaces,
		onStatus: options.onStatus,
		onRendered: record && ((frame) => record(probe === undefined ? frame : { ...frame, probe }))
	});
	let stopped = false;
	let handle = 0;
	let lastTimestamp = -1;

	function frame(_now?: number, metadata?: VideoFrameCallbackMetadata): void {
		if (stopped) return;
		if (video.readyState >= 2 && video.videoWidth > 0) {
			if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
				canvas.width = video.videoWidth;
				canvas.height = video.videoHeight;
			}
			// MediaPipe needs strictly increasing timestamps.
			const now = Math.max(performance.now(), lastTimestamp + 1);
			lastTimestamp = now;
			loop.frame(now, metadata?.mediaTime ?? null);
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
		loop.stop();
	};
}

/**
 * The two BlazeFace models as detector passes over a frame or a square region of it, on MediaPipe
 * Tasks (WASM, CPU). The only module that talks to `@mediapipe/tasks-vision`.
 *
 * - short range (selfie distance): Tasks' FaceDetector, which has this model's anchors built in;
 * - full range (a room, faces down to ~2 % of the frame): Tasks' ObjectDetector, which reads the
 *   anchors and box decoding from the model's metadata — scripts/prepare-models.mjs writes them
 *   (Tasks' FaceDetector cannot run this model: its 896 anchors at 128 px are hard-coded).
 */
import { FaceDetector as MpFaceDetector, FilesetResolver, ObjectDetector, type Detection as MpDetection } from '@mediapipe/tasks-vision';
import type { Detection } from '../track/tracker.ts';
import { toFramePixels, wholeFrame, type Region } from './regions.ts';
import { guardTelemetry } from './telemetry-guard.ts';

type WasmFileset = Awaited<ReturnType<typeof FilesetResolver.forVisionTasks>>;

/** Served by our own server from the package and models/ (never a CDN); precached by the service worker. */
export const MEDIAPIPE_WASM_URL = '/vendor/mediapipe/wasm';
export const SHORT_RANGE_MODEL_URL = '/models/blaze_face_short_range.tflite';
export const FULL_RANGE_MODEL_URL = '/models/blaze_face_full_range.tflite';

/** Model input sides, px. */
export const SHORT_RANGE_INPUT = 128;
export const FULL_RANGE_INPUT = 192;

/** A video frame (or any picture) and its size in pixels. */
export type Frame = { image: HTMLVideoElement | HTMLCanvasElement | ImageBitmap | OffscreenCanvas; width: number; height: number };

export type DetectorPass = {
	/** Faces in `region` of `frame` (the whole frame, as the model letterboxes it, when null), in frame pixels. */
	detect(frame: Frame, region: Region | null, timestampMs: number): Detection[];
	close(): void;
};

let fileset: Promise<WasmFileset> | null = null;
/** One WASM fileset for every task of the page. */
export function visionFileset(): Promise<WasmFileset> {
	guardTelemetry();
	fileset ??= FilesetResolver.forVisionTasks(MEDIAPIPE_WASM_URL);
	return fileset;
}

/** Tasks in VIDEO mode want strictly increasing timestamps, also for several calls on one frame. */
function monotonicClock(): (timestampMs: number) => number {
	let last = -Infinity;
	return (timestampMs) => (last = Math.max(timestampMs, last + 1));
}

/** Draws a square region of a frame onto a canvas of the model's input size (black beyond the frame). */
function regionPainter(side: number) {
	const canvas = document.createElement('canvas');
	canvas.width = side;
	canvas.height = side;
	const ctx = canvas.getContext('2d', { alpha: false });
	if (!ctx) throw new Error('no 2D canvas context');
	ctx.imageSmoothingQuality = 'high';
	return (frame: Frame, region: Region): HTMLCanvasElement => {
		const scale = side / region.size;
		ctx.fillStyle = '#000';
		ctx.fillRect(0, 0, side, side);
		// Only the part inside the frame: source rectangles past the edge are not drawn alike everywhere.
		const sx = Math.max(0, region.x);
		const sy = Math.max(0, region.y);
		const sw = Math.min(frame.width, region.x + region.size) - sx;
		const sh = Math.min(frame.height, region.y + region.size) - sy;
		if (sw > 0 && sh > 0) ctx.drawImage(frame.image, sx, sy, sw, sh, (sx - region.x) * scale, (sy - region.y) * scale, sw * scale, sh * scale);
		return canvas;
	};
}

/** Tasks' result → our detections in the pixels of the picture it was given. */
function fromMediapipe(found: readonly MpDetection[]): Detection[] {
	return found.flatMap((d) => {
		const b = d.boundingBox;
		if (!b || b.width <= 0 || b.height <= 0) return [];
		return [
			{
				box: { x: b.originX, y: b.originY, width: b.width, height: b.height },
				score: d.categories[0]?.score ?? 0,
				keypoints: d.keypoints.map((k) => ({ x: k.x, y: k.y }))
			}
		];
	});
}

/** Keypoints come normalized to the picture; the tracker and quality checks want frame pixels. */
function keypointsToPixels(found: Detection[], width: number, height: number): Detection[] {
	return found.map((d) => ({ ...d, ...(d.keypoints ? { keypoints: d.keypoints.map((k) => ({ x: k.x * width, y: k.y * height })) } : {}) }));
}

/** BlazeFace short range. `minConfidence` 0..1 (default 0.5). */
export async function createShortRangePass({ minConfidence = 0.5 } = {}): Promise<DetectorPass> {
	const detector = await MpFaceDetector.createFromOptions(await visionFileset(), {
		// CPU: the GPU delegate is unreliable across phones and the CPU is fast enough for these models.
		baseOptions: { modelAssetPath: SHORT_RANGE_MODEL_URL, delegate: 'CPU' },
		runningMode: 'VIDEO',
		minDetectionConfidence: minConfidence,
		minSuppressionThreshold: 0.3
	});
	const clock = monotonicClock();
	const paint = regionPainter(SHORT_RANGE_INPUT);
	return {
		detect(frame, region, timestampMs) {
			if (!region) {
				// The whole frame goes in as it is: the task letterboxes it itself.
				const found = fromMediapipe(detector.detectForVideo(frame.image, clock(timestampMs)).detections);
				return keypointsToPixels(found, frame.width, frame.height);
			}
			const found = fromMediapipe(detector.detectForVideo(paint(frame, region), clock(timestampMs)).detections);
			return toFramePixels(found, region, SHORT_RANGE_INPUT);
		},
		close: () => detector.close()
	};
}

/** BlazeFace full range. `minConfidence` 0..1 (default 0.5). */
export async function createFullRangePass({ minConfidence = 0.5 } = {}): Promise<DetectorPass> {
	const detector = await ObjectDetector.createFromOptions(await visionFileset(), {
		baseOptions: { modelAssetPath: FULL_RANGE_MODEL_URL, delegate: 'CPU' },
		runningMode: 'VIDEO',
		scoreThreshold: minConfidence
	});
	const clock = monotonicClock();
	const paint = regionPainter(FULL_RANGE_INPUT);
	return {
		detect(frame, region, timestampMs) {
			// The task stretches its input to a square: letterbox the frame ourselves.
			const square = region ?? wholeFrame(frame.width, frame.height);
			const found = fromMediapipe(detector.detectForVideo(paint(frame, square), clock(timestampMs)).detections);
			return toFramePixels(found, square, FULL_RANGE_INPUT);
		},
		close: () => detector.close()
	};
}

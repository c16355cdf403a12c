/**
 * Guided enrolment from the live camera: watches frames until it has `target` good face crops
 * (one face, large, frontal, lit, sharp), telling the person what to fix meanwhile. Crops stay in
 * memory: nothing leaves the browser until the caller uploads them all in one request, so a
 * cancelled capture stores nothing.
 */
import { fitWithin } from '../geometry.ts';
import { expandBox } from '../protocol/face-crop.ts';
import type { FaceDetector } from '../detect/detector.ts';
import { readGrey } from '../track/crop.ts';
import {
	SHARPNESS_SIDE_PX,
	judgeGeometry,
	judgePixels,
	type FaceObservation,
	type QualityIssue,
	type Verdict
} from './quality.ts';

export type CaptureState = {
	captured: number;
	target: number;
	/** What the person should do now. */
	hint: string;
	/** Why the current frame is not taken; null when it is good. */
	issue: QualityIssue | null;
};

export type GuidedCaptureOptions = {
	video: HTMLVideoElement;
	detector: FaceDetector;
	/** Crops to collect. Default 5. */
	target?: number;
	/** Least time between two crops, so they differ a little. Default 400 ms. */
	minIntervalMs?: number;
	/** Aborting rejects with an `AbortError` DOMException and drops every crop. */
	signal: AbortSignal;
	onState(state: CaptureState): void;
	/** Each crop as it is taken (for a preview). */
	onCrop?(crop: Blob): void;
};

/** Margin around the face box in each crop: the server finds the face again in it. */
export const CROP_MARGIN = 0.5;
/** Longest side of an uploaded crop, px. */
export const CROP_MAX_SIDE_PX = 320;

const abortError = () => new DOMException('capture cancelled', 'AbortError');

export function guidedCapture(options: GuidedCaptureOptions): Promise<Blob[]> {
	const { video, detector, signal } = options;
	const target = options.target ?? 5;
	const minIntervalMs = options.minIntervalMs ?? 400;
	const probe = document.createElement('canvas');
	const out = document.createElement('canvas');
	const crops: Blob[] = [];
	let lastTimestamp = -1;
	let lastCapture = -Infinity;
	let encoding = false;
	let handle = 0;
	let lastState = '';

	function report(state: CaptureState): void {
		const key = JSON.stringify(state);
		if (key === lastState) return;
		lastState = key;
		options.onState(state);
	}

	function sharpEnough(box: { x: number; y: number; width: number; height: number }) {
		const frame = { width: video.videoWidth, height: video.videoHeight };
		const region = expandBox(box, 0, frame);
		const size = { width: SHARPNESS_SIDE_PX, height: Math.max(3, Math.round((SHARPNESS_SIDE_PX * region.height) / Math.max(1, region.width))) };
		const luma = readGrey(probe, video, size, region);
		if (!luma) return { ok: true, hint: '' } satisfies Verdict;
		return judgePixels(luma, size.width, size.height);
	}

	async function encode(box: { x: number; y: number; width: number; height: number }): Promise<Blob | null> {
		const region = expandBox(box, CROP_MARGIN, { width: video.videoWidth, height: video.videoHeight });
		const size = fitWithin(region.width, region.height, CROP_MAX_SIDE_PX);
		out.width = size.width;
		out.height = size.height;
		const ctx = out.getContext('2d');
		if (!ctx) return null;
		ctx.imageSmoothingQuality = 'high';
		ctx.drawImage(video, region.x, region.y, region.width, region.height, 0, 0, size.width, size.height);
		return new Promise((resolve) => out.toBlob(resolve, 'image/jpeg', 0.9));
	}

	return new Promise<Blob[]>((resolve, reject) => {
		if (signal.aborted) return reject(abortError());
		const onAbort = () => {
			cancelAnimationFrame(handle);
			crops.length = 0;
			reject(abortError());
		};
		signal.addEventListener('abort', onAbort, { once: true });

		const step = () => {
			if (signal.aborted) return;
			handle = requestAnimationFrame(step);
			if (encoding || video.readyState < 2 || video.videoWidth === 0) return;
			// MediaPipe needs strictly increasing timestamps.
			const now = Math.max(performance.now(), lastTimestamp + 1);
			lastTimestamp = now;
			let faces: FaceObservation[];
			let verdict: Verdict;
			try {
				faces = detector.detect(video, now);
				verdict = judgeGeometry(faces, { width: video.videoWidth, height: video.videoHeight });
				if (verdict.ok && faces[0]) verdict = sharpEnough(faces[0].box);
			} catch (err) {
				report({ captured: crops.length, target, hint: `Detector failed: ${(err as Error).message}`, issue: 'no-face' });
				return;
			}
			if (!verdict.ok) {
				report({ captured: crops.length, target, hint: verdict.hint, issue: verdict.issue });
				return;
			}
			report({ captured: crops.length, target, hint: 'Hold still', issue: null });
			if (now - lastCapture < minIntervalMs) return;
			const face = faces[0];
			if (!face) return;
			encoding = true;
			lastCapture = now;
			void encode(face.box)
				.then((blob) => {
					if (signal.aborted || !blob) return;
					crops.push(blob);
					options.onCrop?.(blob);
					report({ captured: crops.length, target, hint: crops.length < target ? 'Hold still' : 'Done', issue: null });
					if (crops.length >= target) {
						cancelAnimationFrame(handle);
						signal.removeEventListener('abort', onAbort);
						resolve(crops.slice());
					}
				})
				.finally(() => (encoding = false));
		};
		report({ captured: 0, target, hint: 'Look at the camera', issue: 'no-face' });
		handle = requestAnimationFrame(step);
	});
}

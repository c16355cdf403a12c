/**
 * Guided enrolment from the live camera: watches frames until it has a good face crop for each
 * pose of its plan (one face, in the oval, large, level, lit, sharp: frontal ones first, then a
 * slight turn to the person's left and to their right, each checked on the keypoints before it is
 * taken), telling the person what to do meanwhile. Crops stay in memory: nothing leaves the
 * browser until the caller uploads them all in one request, so a cancelled capture stores nothing.
 */
import { fitWithin } from '../geometry.ts';
import { expandBox } from '../protocol/face-crop.ts';
import type { Pose } from '../protocol/pose.ts';
import type { FaceDetector } from '../detect/detector.ts';
import { readGrey } from '../track/crop.ts';
import { GUIDE, SHARPNESS_SIDE_PX, judgeGeometry, judgePixels, type FaceObservation, type QualityIssue, type Verdict } from './quality.ts';

export type CaptureState = {
	captured: number;
	target: number;
	/** The pose wanted for the next picture. */
	want: Pose;
	/** What the person should do now. */
	hint: string;
	/** Why the current frame is not taken; null when it is good. */
	issue: QualityIssue | null;
	/** A turn has been asked for a while without success: the page may offer to skip it. */
	canSkip: boolean;
	/** The head turn measured on the last frame (src/lib/protocol/pose.ts), when there was one. */
	yaw: number | null;
};

/**
 * The poses of a capture of `target` pictures: frontal, with one slight turn each way once there
 * are at least three frontal ones (the turns come last: the easy part first).
 */
export function capturePlan(target: number): Pose[] {
	const turns: Pose[] = target >= 5 ? ['left', 'right'] : [];
	return [...Array<Pose>(target - turns.length).fill('frontal'), ...turns];
}

/** How long a turn is asked for before the page offers to skip it. */
export const SKIP_OFFER_MS = 12_000;

export type GuidedCapture = {
	/** The crops, once every pose of the plan has one. */
	readonly result: Promise<Blob[]>;
	/** Takes a frontal picture instead of the turn asked for now (a person who cannot turn). */
	skipTurn(): void;
};

export type GuidedCaptureOptions = {
	video: HTMLVideoElement;
	detector: FaceDetector;
	/** Crops to collect. Default 5; the poses come from capturePlan. */
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

export function guidedCapture(options: GuidedCaptureOptions): GuidedCapture {
	const { video, detector, signal } = options;
	const target = options.target ?? 5;
	const plan = capturePlan(target);
	const minIntervalMs = options.minIntervalMs ?? 400;
	/** When the current step began (for the skip offer). */
	let stepSince = performance.now();
	const want = () => plan[crops.length] ?? 'frontal';
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

	/** Whether the video, as it is now, still shows one good face in the pose wanted. */
	function judgedAgain(wanted: Pose): boolean {
		try {
			const now = Math.max(performance.now(), lastTimestamp + 1);
			lastTimestamp = now;
			const frame = { width: video.videoWidth, height: video.videoHeight };
			return judgeGeometry(detector.detect(video, now), frame, { guide: GUIDE, want: wanted }).ok;
		} catch {
			return false;
		}
	}

	const result = new Promise<Blob[]>((resolve, reject) => {
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
			let verdict: Verdict & { yaw?: number };
			const wanted = want();
			const state = (hint: string, issue: QualityIssue | null, yaw: number | null): CaptureState => ({
				captured: crops.length,
				target,
				want: wanted,
				hint,
				issue,
				canSkip: wanted !== 'frontal' && now - stepSince > SKIP_OFFER_MS,
				// Rounded: the state is reported only when it changes.
				yaw: yaw === null ? null : Math.round(yaw * 100) / 100
			});
			try {
				faces = detector.detect(video, now);
				verdict = judgeGeometry(faces, { width: video.videoWidth, height: video.videoHeight }, { guide: GUIDE, want: wanted });
				if (verdict.ok && faces[0]) verdict = { ...sharpEnough(faces[0].box), ...(verdict.yaw !== undefined && { yaw: verdict.yaw }) };
			} catch (err) {
				report(state(`Detector failed: ${(err as Error).message}`, 'no-face', null));
				return;
			}
			const yaw = verdict.yaw ?? null;
			if (!verdict.ok) {
				report(state(verdict.hint, verdict.issue, yaw));
				return;
			}
			report(state('Hold still', null, yaw));
			if (now - lastCapture < minIntervalMs) return;
			const face = faces[0];
			if (!face) return;
			encoding = true;
			lastCapture = now;
			// The crop is drawn from the video now, a moment after the frame was judged: judge the
			// video again, so a frame that changed in between (a cut, a turn) is never kept.
			const cropped = encode(face.box);
			const confirmed = judgedAgain(wanted);
			void cropped
				.then((blob) => {
					if (signal.aborted || !blob || !confirmed || want() !== wanted) return;
					crops.push(blob);
					stepSince = performance.now();
					options.onCrop?.(blob);
					report({ ...state(crops.length < target ? 'Hold still' : 'Done', null, yaw), captured: crops.length, want: want(), canSkip: false });
					if (crops.length >= target) {
						cancelAnimationFrame(handle);
						signal.removeEventListener('abort', onAbort);
						resolve(crops.slice());
					}
				})
				.finally(() => (encoding = false));
		};
		report({ captured: 0, target, want: want(), hint: 'Look at the camera', issue: 'no-face', canSkip: false, yaw: null });
		handle = requestAnimationFrame(step);
	});
	return {
		result,
		skipTurn() {
			const index = crops.length;
			if (plan[index] === 'frontal' || index >= plan.length) return;
			plan[index] = 'frontal';
			stepSince = performance.now();
			lastState = '';
		}
	};
}

/**
 * Runs, on each frame, the detector pass for the range the planner chose: short range on the whole
 * frame (`near`), full range on the whole frame (`room`) or on two overlapping squares (`far`),
 * and merges what overlapping regions found twice. No MediaPipe here: the passes are given.
 */
import type { Detection } from '../track/tracker.ts';
import type { FaceDetector } from './detector.ts';
import type { DetectorPass, Frame } from './mediapipe-passes.ts';
import { mergeDetections } from './merge.ts';
import type { Range, RangePlanner } from './range-planner.ts';
import { squareTiles } from './regions.ts';

/** A FaceDetector that takes any frame, and says which range its last frame used. */
export type RangedFaceDetector = FaceDetector & {
	/** As `detect`, for any picture (the benchmark gives canvases). */
	detectFrame(frame: Frame, timestampMs: number): Detection[];
	readonly lastRange: Range | null;
};

/**
 * The `far` regions: two squares as tall as the frame (as wide, in portrait), side by side and
 * overlapping, so the model sees faces 0.4× instead of 0.3× their size in a 640×480 frame and any
 * face up to the overlap's width (320 px there) lies whole in one of them.
 */
export function farRegions(width: number, height: number) {
	return squareTiles(width, height, { size: Math.min(width, height), minOverlap: 0 });
}

export function createRangedDetector({ short, full, planner }: { short: DetectorPass | null; full: DetectorPass | null; planner: RangePlanner }): RangedFaceDetector {
	let lastRange: Range | null = null;

	function run(range: Range, frame: Frame, timestampMs: number): Detection[] {
		const pass = range === 'near' ? short : full;
		if (!pass) throw new Error(`the detector for the ${range} range is not loaded`);
		if (range !== 'far') return mergeDetections([pass.detect(frame, null, timestampMs)]);
		return mergeDetections(farRegions(frame.width, frame.height).map((region) => pass.detect(frame, region, timestampMs)));
	}

	function detectFrame(frame: Frame, timestampMs: number): Detection[] {
		if (!(frame.width > 0 && frame.height > 0)) return [];
		const range = planner.next(timestampMs);
		const found = run(range, frame, timestampMs);
		planner.found(timestampMs, range, found.map((d) => d.box), Math.max(frame.width, frame.height));
		lastRange = range;
		return found;
	}

	return {
		detect: (video, timestampMs) => detectFrame({ image: video, width: video.videoWidth, height: video.videoHeight }, timestampMs),
		detectFrame,
		get lastRange() {
			return lastRange;
		},
		close() {
			short?.close();
			full?.close();
		}
	};
}

/**
 * Runs, on each frame, the detector pass for the range the planner chose: short range on the whole
 * frame (`near`), full range on the whole frame (`room`), or full range on one of two overlapping
 * squares of the frame, taking turns (`far`). So every frame costs one model run at most, whatever
 * the range: the page's pacer and the video's frame rate do not depend on the scene.
 *
 * A `far` frame returns what its square found plus what the previous `far` frame found in the
 * part of the frame this square does not cover (a sixth of the width at each side of 640×480):
 * one frame old there, but every face is in every frame's list, which the tracker needs to
 * confirm a new face (it drops an unconfirmed one at its first miss). No MediaPipe here: the
 * passes are given.
 */
import type { Detection } from '../track/tracker.ts';
import type { FaceDetector } from './detector.ts';
import type { DetectorPass, Frame } from './mediapipe-passes.ts';
import { mergeDetections } from './merge.ts';
import type { Range, RangePlanner } from './range-planner.ts';
import { squareTiles, type Region } from './regions.ts';

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

function centreIn(d: Detection, r: Region): boolean {
	const x = d.box.x + d.box.width / 2;
	const y = d.box.y + d.box.height / 2;
	return x >= r.x && x < r.x + r.size && y >= r.y && y < r.y + r.size;
}

export function createRangedDetector({
	short,
	full,
	planner
}: {
	short: DetectorPass | null;
	full: DetectorPass | null;
	planner: RangePlanner;
}): RangedFaceDetector {
	let lastRange: Range | null = null;
	let farTurn = 0;
	/** The previous frame's `far` square and what it found; null after any other range. */
	let lastFar: { width: number; height: number; found: Detection[] } | null = null;

	function run(range: Range, frame: Frame, timestampMs: number): Detection[] {
		const pass = range === 'near' ? short : full;
		if (!pass) throw new Error(`the detector for the ${range} range is not loaded`);
		if (range !== 'far') {
			lastFar = null;
			return mergeDetections([pass.detect(frame, null, timestampMs)]);
		}
		const regions = farRegions(frame.width, frame.height);
		const region = regions[farTurn++ % regions.length]!;
		const found = mergeDetections([pass.detect(frame, region, timestampMs)]);
		// (Nothing is carried over a change of frame size: a camera switch.)
		const same = lastFar && lastFar.width === frame.width && lastFar.height === frame.height;
		const carried = same ? lastFar!.found.filter((d) => !centreIn(d, region)) : [];
		lastFar = { width: frame.width, height: frame.height, found };
		return mergeDetections([found, carried]);
	}

	function detectFrame(frame: Frame, timestampMs: number): Detection[] {
		if (!(frame.width > 0 && frame.height > 0)) return [];
		const range = planner.next(timestampMs);
		const found = run(range, frame, timestampMs);
		planner.found(
			timestampMs,
			range,
			found.map((d) => d.box),
			Math.max(frame.width, frame.height)
		);
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

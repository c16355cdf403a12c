// The landmark search of the live path, as steps that the engine runs side by side over several
// crops (one landmark-net call a round). Pure: the net is the caller's.
import { alignedChip } from './aligned-chip.ts';
import { alignBox, boxShift, clipBox, MIN_FACE_SIDE, type Pt } from './face-geometry.ts';
import type { FaceBox, RgbImage } from './types.ts';

/** Landmark passes at most, and the box movement (fraction of its size) that ends them early. */
export const MAX_LANDMARK_PASSES = 4;
export const LANDMARK_CONVERGENCE = 0.03;

/** Filled by describeCrop with the 68 landmarks (crop pixels) the chip was aligned on, e.g. for the pose. */
export interface FoundLandmarks {
	landmarks?: Pt[];
	/** Landmark net runs it took, all starts counted (the live path's main cost after the descriptor). */
	passes?: number;
}

/** What the browser knows of the face in a crop (keypoint-start.ts). */
export interface CropHint {
	/** Where to start the landmark net (crop pixels), from the browser detector's keypoints. */
	start: FaceBox;
	/** A second pass only when the first moved the box more than this share of its size. */
	trustShift: number;
}

/**
 * A landmark search from `start`, as steps (the engine's runSearches runs several side by side):
 * yields each box to run the landmark net on and is handed back its landmarks; re-runs on their
 * alignment box until it settles (at most `maxPasses` runs). Returns the last landmarks, or null
 * when the box collapses under MIN_FACE_SIDE. `count.passes` counts the runs.
 */
export function* refineSteps(
	image: { width: number; height: number },
	start: FaceBox,
	maxPasses: number,
	trustShift?: number,
	count?: FoundLandmarks
): Generator<FaceBox, Pt[] | null, Pt[]> {
	let box = start;
	let landmarks = yield box;
	if (count) count.passes = (count.passes ?? 0) + 1;
	for (let pass = 1; pass < maxPasses; pass++) {
		const next = clipBox(alignBox(landmarks), image.width, image.height);
		if (!next || Math.min(next.width, next.height) < MIN_FACE_SIDE) return null;
		if (pass > 1 && boxShift(box, next) < LANDMARK_CONVERGENCE) break;
		// A start placed by the browser's keypoints is already about where the landmarks' box
		// lands: one pass is enough unless that pass moved it.
		if (pass === 1 && trustShift !== undefined && boxShift(box, next) < trustShift) break;
		box = next;
		landmarks = yield box;
		if (count) count.passes = (count.passes ?? 0) + 1;
	}
	return landmarks;
}

/**
 * describeCrop's landmark search on one crop, as steps (refineSteps): from the browser's
 * keypoints when it sent them (fewer landmark passes); else, or should that fail, from the whole
 * crop; should the landmarks collapse, from its centre (the crop minus a 20 % margin a side),
 * which rescues some small or blurred faces. Returns the aligned chip, or null.
 */
export function* cropSearch(image: RgbImage, found?: FoundLandmarks, hint?: CropHint): Generator<FaceBox, RgbImage | null, Pt[]> {
	const inset = (share: number): FaceBox => ({
		x: image.width * share,
		y: image.height * share,
		width: image.width * (1 - 2 * share),
		height: image.height * (1 - 2 * share)
	});
	const starts: Array<{ box: FaceBox; trustShift?: number }> = [
		...(hint ? [{ box: hint.start, trustShift: hint.trustShift }] : []),
		{ box: inset(0) },
		{ box: inset(0.2) }
	];
	for (const start of starts) {
		const box = clipBox(start.box, image.width, image.height);
		if (start.trustShift !== undefined && (!box || Math.min(box.width, box.height) < MIN_FACE_SIDE)) continue;
		const landmarks = box && (yield* refineSteps(image, box, MAX_LANDMARK_PASSES, start.trustShift, found));
		const chip = landmarks && alignedChip(image, landmarks);
		if (chip) {
			if (found) found.landmarks = landmarks;
			return chip;
		}
	}
	return null;
}

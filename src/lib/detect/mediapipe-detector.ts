/**
 * The FaceDetector the pages use: BlazeFace short range for faces at selfie distance, full range
 * for a room, and full range over two overlapping squares for a group further away; by default the
 * range follows what is in view, frame by frame (range-planner.ts). `npm run bench:detect` measures
 * each range and the choice.
 */
import { createFullRangePass, createShortRangePass } from './mediapipe-passes.ts';
import { createRangePlanner, type Range } from './range-planner.ts';
import { createRangedDetector, type RangedFaceDetector } from './ranged-detector.ts';

export type DetectorOptions = {
	/**
	 * `auto` (default): the range follows the faces in view. A fixed range: `near` (one face close
	 * to the camera, as guided enrolment wants: the cheapest, and people in the background are not
	 * seen), `room`, or `far` (the widest search on every frame).
	 */
	range?: 'auto' | Range;
	/** Lowest detection score kept, 0..1. Default 0.5 (chosen by `npm run bench:detect` on the faces-real/ groups). */
	minConfidence?: number;
};

export type { RangedFaceDetector };

export async function createMediapipeDetector({ range = 'auto', minConfidence = 0.5 }: DetectorOptions = {}): Promise<RangedFaceDetector> {
	const loads = await Promise.allSettled([
		range === 'auto' || range === 'near' ? createShortRangePass({ minConfidence }) : null,
		range === 'near' ? null : createFullRangePass({ minConfidence })
	]);
	const [short = null, full = null] = loads.map((l) => (l.status === 'fulfilled' ? l.value : null));
	const failed = loads.find((l) => l.status === 'rejected');
	if (failed) {
		// One model loaded and the other did not: release the one that did.
		short?.close();
		full?.close();
		throw failed.reason;
	}
	const planner = createRangePlanner(range === 'auto' ? {} : { finest: range, coarsest: range });
	return createRangedDetector({ short, full, planner });
}

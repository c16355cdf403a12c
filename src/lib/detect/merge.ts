/**
 * Merges the faces several detector passes found in one frame (overlapping tiles, a near and a
 * room pass) into one list, one detection per face. Pure.
 *
 * Two detections are the same face when their boxes overlap by more than `sameFaceOverlap` of the
 * SMALLER box (not IoU): a face cut by a tile's edge gives a partial box inside the whole one,
 * whose IoU with it can be low. The higher score wins.
 */
import type { Box } from '../geometry.ts';
import type { Detection } from '../track/tracker.ts';

/** Intersection over the smaller box's area, 0..1. */
export function overlapOfSmaller(a: Box, b: Box): number {
	const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
	const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
	if (w <= 0 || h <= 0) return 0;
	const smaller = Math.min(a.width * a.height, b.width * b.height);
	return smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * Default share of the smaller box two detections of one face overlap by. Faces side by side in a
 * group overlap their neighbour's box by well under half; the same face seen by two passes, or by
 * two tiles, by far more.
 */
export const SAME_FACE_OVERLAP = 0.5;

/** One detection per face, best score first. */
export function mergeDetections(lists: ReadonlyArray<readonly Detection[]>, { sameFaceOverlap = SAME_FACE_OVERLAP } = {}): Detection[] {
	const all = lists.flat().sort((a, b) => b.score - a.score);
	const kept: Detection[] = [];
	for (const d of all) {
		if (!kept.some((k) => overlapOfSmaller(k.box, d.box) > sameFaceOverlap)) kept.push(d);
	}
	return kept;
}

// What face-api's SsdMobilenetv1.locateFaces does with the net's output, for the ONNX graph
// (scripts/ssd-mobilenet-onnx.mjs: boxes decoded, scores through the sigmoid): its own greedy
// non-max suppression (nonMaxSuppression.ts, not tfjs's), then each kept box clamped to the padded
// square and mapped back to the image's pixels. Pure; in doubles on the graph's float32 numbers,
// as face-api computes it.
import type { DetectedFace } from '../types.ts';

/** SSD MobileNet v1's input side (px). */
export const SSD_SIZE = 512;
/** face-api's IoU threshold in locateFaces. */
export const SSD_IOU_THRESHOLD = 0.5;

export interface SsdFacesOptions {
	/** The image's size (px), before padding and resizing. */
	width: number;
	height: number;
	/** Scores must be above this (face-api's minConfidence, 0..1). */
	minConfidence: number;
	/** At most this many faces (face-api's maxResults). */
	maxResults: number;
}

/** IoU of boxes i and j of `boxes` (4 numbers each: top, left, bottom, right), as face-api computes it. */
function iou(boxes: ArrayLike<number>, i: number, j: number): number {
	const yminI = Math.min(boxes[4 * i]!, boxes[4 * i + 2]!);
	const xminI = Math.min(boxes[4 * i + 1]!, boxes[4 * i + 3]!);
	const ymaxI = Math.max(boxes[4 * i]!, boxes[4 * i + 2]!);
	const xmaxI = Math.max(boxes[4 * i + 1]!, boxes[4 * i + 3]!);
	const yminJ = Math.min(boxes[4 * j]!, boxes[4 * j + 2]!);
	const xminJ = Math.min(boxes[4 * j + 1]!, boxes[4 * j + 3]!);
	const ymaxJ = Math.max(boxes[4 * j]!, boxes[4 * j + 2]!);
	const xmaxJ = Math.max(boxes[4 * j + 1]!, boxes[4 * j + 3]!);
	const areaI = (ymaxI - yminI) * (xmaxI - xminI);
	const areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ);
	if (areaI <= 0 || areaJ <= 0) return 0;
	const overlap = Math.max(Math.min(ymaxI, ymaxJ) - Math.max(yminI, yminJ), 0) * Math.max(Math.min(xmaxI, xmaxJ) - Math.max(xminI, xminJ), 0);
	return overlap / (areaI + areaJ - overlap);
}

/**
 * face-api's nonMaxSuppression: the boxes scoring above `scoreThreshold`, best first (a stable
 * sort, so ties keep anchor order); each is kept unless it overlaps a kept one by more than
 * `iouThreshold` (a score above a non-negative threshold, as face-api's option checks ensure). Returns the kept boxes' indices, at most `maxResults`, in the order kept.
 */
export function nonMaxSuppression(
	boxes: ArrayLike<number>,
	scores: ArrayLike<number>,
	{ maxResults, iouThreshold, scoreThreshold }: { maxResults: number; iouThreshold: number; scoreThreshold: number }
): number[] {
	const outputSize = Math.min(maxResults, scores.length);
	const candidates: number[] = [];
	for (let i = 0; i < scores.length; i++) if (scores[i]! > scoreThreshold) candidates.push(i);
	candidates.sort((a, b) => scores[b]! - scores[a]!);
	const selected: number[] = [];
	for (const c of candidates) {
		if (selected.length >= outputSize) break;
		// face-api zeroes the score on an overlap not ≤ the threshold (NaN included), which drops it.
		if (!selected.some((k) => !(iou(boxes, c, k) <= iouThreshold))) selected.push(c);
	}
	return selected;
}

/**
 * The faces of one image from the graph's `boxes` (5118 × 4: top, left, bottom, right relative to
 * the padded square) and `scores`: suppressed as face-api does, clamped to the square, in the
 * image's pixels (unrounded, possibly past its right / bottom edge as face-api's are), in the
 * order kept (best score first).
 */
export function ssdFaces(boxes: ArrayLike<number>, scores: ArrayLike<number>, { width, height, minConfidence, maxResults }: SsdFacesOptions): DetectedFace[] {
	if (boxes.length !== 4 * scores.length) throw new RangeError(`${boxes.length} box numbers for ${scores.length} scores`);
	const kept = nonMaxSuppression(boxes, scores, { maxResults, iouThreshold: SSD_IOU_THRESHOLD, scoreThreshold: minConfidence });
	// face-api's getReshapedInputDimensions: the image's size scaled into the square, rounded.
	const scale = SSD_SIZE / Math.max(width, height);
	const padX = SSD_SIZE / Math.round(width * scale);
	const padY = SSD_SIZE / Math.round(height * scale);
	return kept.map((i) => {
		const top = Math.max(0, boxes[4 * i]!) * padY;
		const left = Math.max(0, boxes[4 * i + 1]!) * padX;
		const bottom = Math.min(1, boxes[4 * i + 2]!) * padY;
		const right = Math.min(1, boxes[4 * i + 3]!) * padX;
		return { box: { x: left * width, y: top * height, width: (right - left) * width, height: (bottom - top) * height }, score: scores[i]! };
	});
}

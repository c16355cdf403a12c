/**
 * Square regions of a video frame that a detector pass looks at, and the mapping of what it finds
 * there back to frame pixels. Pure.
 *
 * A square, because the full-range model's task (MediaPipe's ObjectDetector) stretches whatever it
 * is given to its 192×192 input: a region that is square keeps faces their shape. A region may
 * reach past the frame's edges (the whole frame letterboxed); that part is drawn black.
 */
import type { Box } from '../geometry.ts';
import type { Detection } from '../track/tracker.ts';

/** A square in frame pixels: top-left corner and side. */
export type Region = { x: number; y: number; size: number };

/** The whole frame, centred in a square (letterboxed). */
export function wholeFrame(width: number, height: number): Region {
	const size = Math.max(width, height);
	return { x: (width - size) / 2, y: (height - size) / 2, size };
}

/** Start positions of `count` spans of `span` evenly covering `length`. */
function spread(length: number, span: number, count: number): number[] {
	if (count <= 1) return [(length - span) / 2];
	return Array.from({ length: count }, (_, i) => Math.round((i * (length - span)) / (count - 1)));
}

/**
 * Squares of `size` px covering a `width`×`height` frame, evenly spread, each overlapping its
 * neighbours by at least `minOverlap` px so that a face up to that wide lies whole in one of them.
 * Row by row, left to right.
 */
export function squareTiles(width: number, height: number, { size, minOverlap }: { size: number; minOverlap: number }): Region[] {
	if (!(size > minOverlap) || minOverlap < 0) throw new RangeError('squareTiles: size must exceed minOverlap ≥ 0');
	const count = (length: number) => (length <= size ? 1 : 1 + Math.ceil((length - size) / (size - minOverlap)));
	const xs = spread(width, size, count(width));
	const ys = spread(height, size, count(height));
	return ys.flatMap((y) => xs.map((x) => ({ x, y, size })));
}

/**
 * Maps detections made on a `inputSize`×`inputSize` picture of `region` into frame pixels:
 * boxes given in input pixels, keypoints normalized to the input (as MediaPipe gives them).
 */
export function toFramePixels(found: readonly Detection[], region: Region, inputSize: number): Detection[] {
	const scale = region.size / inputSize;
	return found.map((d) => ({
		box: mapBox(d.box, region, scale),
		score: d.score,
		...(d.keypoints ? { keypoints: d.keypoints.map((k) => ({ x: region.x + k.x * region.size, y: region.y + k.y * region.size })) } : {})
	}));
}

function mapBox(b: Box, region: Region, scale: number): Box {
	return { x: region.x + b.x * scale, y: region.y + b.y * scale, width: b.width * scale, height: b.height * scale };
}

/** Clips a box to the frame; null when nothing of it is left. */
export function clipToFrame(b: Box, width: number, height: number): Box | null {
	const x = Math.max(0, b.x);
	const y = Math.max(0, b.y);
	const right = Math.min(width, b.x + b.width);
	const bottom = Math.min(height, b.y + b.height);
	return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

// Box and landmark geometry of the face pipeline. Pure.
import type { FaceBox } from './types.ts';

/** Smallest landmark bounding box side (px) that describeCrop accepts. */
export const MIN_FACE_SIDE = 20;
/** face-api's alignment padding: the landmarks' bounding box grows this much on each side. */
export const ALIGN_PADDING = 0.1;

export interface Pt {
	x: number;
	y: number;
}

/** Rounds a box to whole pixels and clips it to the image; null when nothing is left. */
export function clipBox(box: FaceBox, width: number, height: number): FaceBox | null {
	const x0 = Math.max(0, Math.round(box.x));
	const y0 = Math.max(0, Math.round(box.y));
	const x1 = Math.min(width, Math.round(box.x + box.width));
	const y1 = Math.min(height, Math.round(box.y + box.height));
	if (!(x1 - x0 >= 1 && y1 - y0 >= 1)) return null;
	return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function bounds(points: readonly Pt[]): { minX: number; minY: number; maxX: number; maxY: number } {
	let minX = Infinity;
	let minY = Infinity;
	let maxX = -Infinity;
	let maxY = -Infinity;
	for (const p of points) {
		minX = Math.min(minX, p.x);
		maxX = Math.max(maxX, p.x);
		minY = Math.min(minY, p.y);
		maxY = Math.max(maxY, p.y);
	}
	return { minX, minY, maxX, maxY };
}

/** face-api's alignment box (`FaceLandmarks.align()`): the bounding box grown 10 % a side. */
export function alignBox(points: readonly Pt[]): FaceBox {
	const { minX, minY, maxX, maxY } = bounds(points);
	const w = maxX - minX;
	const h = maxY - minY;
	return { x: minX - w * ALIGN_PADDING, y: minY - h * ALIGN_PADDING, width: w * (1 + 2 * ALIGN_PADDING), height: h * (1 + 2 * ALIGN_PADDING) };
}

/** The largest edge movement between two boxes, as a fraction of the larger side of `b`. */
export function boxShift(a: FaceBox, b: FaceBox): number {
	const d = Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y), Math.abs(a.x + a.width - b.x - b.width), Math.abs(a.y + a.height - b.y - b.height));
	return d / Math.max(b.width, b.height);
}

/** The mean of points[from..to) (e.g. an eye's six landmarks). */
export function meanPoint(points: readonly Pt[], from: number, to: number): Pt {
	let x = 0;
	let y = 0;
	for (let i = from; i < to; i++) {
		x += points[i]!.x;
		y += points[i]!.y;
	}
	return { x: x / (to - from), y: y / (to - from) };
}

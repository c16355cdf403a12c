import type { Box } from './protocol/face-crop.ts';

/** Axis-aligned box in source-video pixels. */
export type { Box };

export function iou(a: Box, b: Box): number {
	const x1 = Math.max(a.x, b.x);
	const y1 = Math.max(a.y, b.y);
	const x2 = Math.min(a.x + a.width, b.x + b.width);
	const y2 = Math.min(a.y + a.height, b.y + b.height);
	const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
	const union = a.width * a.height + b.width * b.height - inter;
	return union > 0 ? inter / union : 0;
}

/** Scales `width`×`height` down so the longest side is at most `maxSide`; never up. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
	const scale = Math.min(1, maxSide / Math.max(width, height));
	return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draws face boxes and names on the overlay canvas, which has the video's pixel size. */
import type { Box } from '../geometry.ts';

/** `state`: named; `unknown` (the recognizer answered: nobody enrolled); `asking` (no answer yet). */
export type OverlayFace = { id: number; box: Box; label: string; state: 'known' | 'unknown' | 'asking' };

// `asking` is light on the dark video: a waiting face must be as easy to see as a named one.
const COLORS = { known: '#22d3ee', unknown: '#fbbf24', asking: '#e2e8f0' } as const;
const ELLIPSIS = '…';

/**
 * `text` cut (at a whole character) with an ellipsis so that `measure(result) <= maxWidth`;
 * `text` itself when it fits. Never empty for a non-empty text: at worst the ellipsis.
 */
export function fitLabel(text: string, maxWidth: number, measure: (s: string) => number): string {
	if (measure(text) <= maxWidth) return text;
	const chars = Array.from(text);
	let lo = 0;
	let hi = chars.length;
	// The longest prefix that fits with the ellipsis.
	while (lo < hi) {
		const mid = Math.ceil((lo + hi) / 2);
		if (measure(chars.slice(0, mid).join('').trimEnd() + ELLIPSIS) <= maxWidth) lo = mid;
		else hi = mid - 1;
	}
	return chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/** The label's left edge: over the box's left edge, moved inside the canvas when it would stick out. */
export function labelLeft(boxLeft: number, labelWidth: number, canvasWidth: number): number {
	return Math.max(0, Math.min(boxLeft, canvasWidth - labelWidth));
}

/**
 * How wide a face's label may be: about its box's width (half as much again), at least 30 % of
 * the picture, never past its edges. A long name the width of the whole picture lay over the
 * faces beside it (UI review, 3 December).
 */
export function labelMaxWidth(boxWidth: number, canvasWidth: number, pad: number): number {
	return Math.min(canvasWidth - pad * 2, Math.max(boxWidth * 1.5, canvasWidth * 0.3));
}

export type LabelRect = { left: number; top: number; width: number; height: number };

const overlaps = (a: LabelRect, b: LabelRect) => a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

/**
 * Where a label goes: above its box, else below it, else inside its top edge; the first place
 * that is inside the canvas and covers no label already `placed` (faces side by side with long
 * names), else the first inside the canvas.
 */
export function placeLabel(
	box: { x: number; y: number; width: number; height: number },
	size: { width: number; height: number },
	canvas: { width: number; height: number },
	placed: readonly LabelRect[]
): LabelRect {
	const left = labelLeft(box.x, size.width, canvas.width);
	const tops = [box.y - size.height, box.y + box.height, box.y].filter((top) => top >= 0 && top + size.height <= canvas.height);
	const rects = (tops.length ? tops : [Math.max(0, box.y)]).map((top) => ({ left, top, ...size }));
	return rects.find((r) => !placed.some((p) => overlaps(r, p))) ?? rects[0]!;
}

/**
 * `mirror`: the video is shown mirrored (front camera); boxes follow it, text stays readable.
 * `highlight`: the id of a face to mark (the correction sheet's), the others drawn faint.
 * `pixelsPerCssPixel`: canvas pixels per displayed CSS pixel, so labels keep a readable size on
 * screen whatever the video's resolution and the element's size. Labels never leave the canvas:
 * a long name is cut with an ellipsis to about its box's width, and labels that would lie on
 * one another go below their box.
 */
export function drawOverlay(
	ctx: CanvasRenderingContext2D,
	faces: readonly OverlayFace[],
	{ mirror, pixelsPerCssPixel, highlight = null }: { mirror: boolean; pixelsPerCssPixel: number; highlight?: number | null }
): void {
	const { width, height } = ctx.canvas;
	ctx.clearRect(0, 0, width, height);
	const scale = Math.max(0.5, pixelsPerCssPixel);
	ctx.lineWidth = 3 * scale;
	ctx.font = `600 ${Math.round(16 * scale)}px system-ui, sans-serif`;
	ctx.textBaseline = 'bottom';
	const measure = (s: string) => ctx.measureText(s).width;
	const placed: LabelRect[] = [];
	for (const face of faces) {
		const x = mirror ? width - face.box.x - face.box.width : face.box.x;
		const { y, width: w, height: h } = face.box;
		const color = COLORS[face.state];
		// The face a correction is about stands out; the others step back (which face it is was unsaid).
		const marked = highlight !== null && face.id === highlight;
		ctx.globalAlpha = highlight === null || marked ? 1 : 0.45;
		ctx.strokeStyle = color;
		ctx.strokeRect(x, y, w, h);
		if (marked) {
			ctx.strokeStyle = '#ffffff';
			ctx.strokeRect(x - ctx.lineWidth * 1.5, y - ctx.lineWidth * 1.5, w + ctx.lineWidth * 3, h + ctx.lineWidth * 3);
		}
		// Not "unknown" before any answer (say, offline): that would claim nobody matched.
		const pad = 4 * scale;
		const text = face.state === 'asking' ? ELLIPSIS : fitLabel(face.label, labelMaxWidth(w, width, pad) - pad * 2, measure);
		// The waiting chip is as wide as a short name, not a sliver.
		const textWidth = Math.max(measure(text) + pad * 2, face.state === 'asking' ? 36 * scale : 0);
		const rect = placeLabel({ x: x - ctx.lineWidth / 2, y, width: w, height: h }, { width: textWidth, height: 22 * scale }, { width, height }, placed);
		placed.push(rect);
		ctx.fillStyle = color;
		ctx.fillRect(rect.left, rect.top, rect.width, rect.height);
		ctx.fillStyle = '#0f172a';
		ctx.textAlign = face.state === 'asking' ? 'center' : 'left';
		ctx.fillText(text, face.state === 'asking' ? rect.left + rect.width / 2 : rect.left + pad, rect.top + rect.height - pad / 2);
		ctx.textAlign = 'left';
	}
	ctx.globalAlpha = 1;
}

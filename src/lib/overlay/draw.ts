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
 * `mirror`: the video is shown mirrored (front camera); boxes follow it, text stays readable.
 * `pixelsPerCssPixel`: canvas pixels per displayed CSS pixel, so labels keep a readable size on
 * screen whatever the video's resolution and the element's size. Labels never leave the canvas:
 * a long name is cut with an ellipsis to the canvas width.
 */
export function drawOverlay(
	ctx: CanvasRenderingContext2D,
	faces: readonly OverlayFace[],
	{ mirror, pixelsPerCssPixel }: { mirror: boolean; pixelsPerCssPixel: number }
): void {
	const { width, height } = ctx.canvas;
	ctx.clearRect(0, 0, width, height);
	const scale = Math.max(0.5, pixelsPerCssPixel);
	ctx.lineWidth = 3 * scale;
	ctx.font = `600 ${Math.round(16 * scale)}px system-ui, sans-serif`;
	ctx.textBaseline = 'bottom';
	const measure = (s: string) => ctx.measureText(s).width;
	for (const face of faces) {
		const x = mirror ? width - face.box.x - face.box.width : face.box.x;
		const { y, width: w, height: h } = face.box;
		const color = COLORS[face.state];
		ctx.strokeStyle = color;
		ctx.strokeRect(x, y, w, h);
		// Not "unknown" before any answer (say, offline): that would claim nobody matched.
		const pad = 4 * scale;
		const text = face.state === 'asking' ? ELLIPSIS : fitLabel(face.label, width - pad * 2, measure);
		// The waiting chip is as wide as a short name, not a sliver.
		const textWidth = Math.max(measure(text) + pad * 2, face.state === 'asking' ? 36 * scale : 0);
		const textHeight = 22 * scale;
		const ty = y - textHeight < 0 ? y + h + textHeight : y;
		const left = labelLeft(x - ctx.lineWidth / 2, textWidth, width);
		ctx.fillStyle = color;
		ctx.fillRect(left, ty - textHeight, textWidth, textHeight);
		ctx.fillStyle = '#0f172a';
		ctx.textAlign = face.state === 'asking' ? 'center' : 'left';
		ctx.fillText(text, face.state === 'asking' ? left + textWidth / 2 : left + pad, ty - pad / 2);
		ctx.textAlign = 'left';
	}
}

/** Draws face boxes and names on the overlay canvas, which has the video's pixel size. */
import type { Box } from '../geometry.ts';

/** `state`: named; `unknown` (the recognizer answered: nobody enrolled); `asking` (no answer yet). */
export type OverlayFace = { id: number; box: Box; label: string; state: 'known' | 'unknown' | 'asking' };

const COLORS = { known: '#22d3ee', unknown: '#fbbf24', asking: '#94a3b8' } as const;

/**
 * `mirror`: the video is shown mirrored (front camera); boxes follow it, text stays readable.
 * `pixelsPerCssPixel`: canvas pixels per displayed CSS pixel, so labels keep a readable size on
 * screen whatever the video's resolution and the element's size.
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
	for (const face of faces) {
		const x = mirror ? width - face.box.x - face.box.width : face.box.x;
		const { y, width: w, height: h } = face.box;
		const color = COLORS[face.state];
		ctx.strokeStyle = color;
		ctx.strokeRect(x, y, w, h);
		// Not "unknown" before any answer (say, offline): that would claim nobody matched.
		const text = face.state === 'asking' ? '…' : face.label;
		const pad = 4 * scale;
		const textWidth = ctx.measureText(text).width + pad * 2;
		const textHeight = 22 * scale;
		const ty = y - textHeight < 0 ? y + h + textHeight : y;
		ctx.fillStyle = color;
		ctx.fillRect(x - ctx.lineWidth / 2, ty - textHeight, textWidth, textHeight);
		ctx.fillStyle = '#0f172a';
		ctx.fillText(text, x + pad - ctx.lineWidth / 2, ty - pad / 2);
	}
}

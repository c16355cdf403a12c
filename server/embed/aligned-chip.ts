// The chip fed to the recognition net, cut around 68 landmarks. Pure.
import { alignBox, bounds, meanPoint, MIN_FACE_SIDE, type Pt } from './face-geometry.ts';
import type { RgbImage } from './types.ts';

export interface ChipOptions {
	/** Rotate so the eyes are level (default); false cuts face-api's upright alignment box. */
	level?: boolean;
}

/**
 * The chip fed to the recognition net: a square around face-api's alignment box, cut from the
 * image rotated (about the eyes' midpoint) so that the eyes are level, bilinear, black outside
 * the image. Null when the landmarks are not 68 finite points, the face is under MIN_FACE_SIDE,
 * or more than 10 % of the landmarks fall outside the image (the crop missed the face).
 */
export function alignedChip(image: RgbImage, landmarks: readonly Pt[], { level: levelEyes = true }: ChipOptions = {}): RgbImage | null {
	if (landmarks.length !== 68 || !landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
	const leftEye = meanPoint(landmarks, 36, 42);
	const rightEye = meanPoint(landmarks, 42, 48);
	const angle = levelEyes ? Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) : 0;
	const cos = Math.cos(angle);
	const sin = Math.sin(angle);
	const cx = (leftEye.x + rightEye.x) / 2;
	const cy = (leftEye.y + rightEye.y) / 2;
	// The landmarks in the de-rotated frame: rotation by -angle about (cx, cy).
	const level = landmarks.map((p) => ({
		x: cx + (p.x - cx) * cos + (p.y - cy) * sin,
		y: cy - (p.x - cx) * sin + (p.y - cy) * cos
	}));
	const b = bounds(level);
	const faceW = b.maxX - b.minX;
	const faceH = b.maxY - b.minY;
	if (Math.min(faceW, faceH) < MIN_FACE_SIDE) return null;
	const tolX = faceW * 0.05;
	const tolY = faceH * 0.05;
	let outside = 0;
	for (const p of landmarks) {
		if (p.x < -tolX || p.y < -tolY || p.x > image.width + tolX || p.y > image.height + tolY) outside++;
	}
	if (outside > landmarks.length * 0.1) return null;

	const box = alignBox(level);
	const side = Math.max(box.width, box.height);
	const left = box.x + box.width / 2 - side / 2;
	const top = box.y + box.height / 2 - side / 2;
	const size = Math.max(1, Math.round(side));
	const step = side / size;

	const { width: W, height: H, data: src } = image;
	const out = new Uint8Array(size * size * 3);
	for (let v = 0; v < size; v++) {
		const qy = top + (v + 0.5) * step - cy;
		for (let u = 0; u < size; u++) {
			const qx = left + (u + 0.5) * step - cx;
			// Back to image coordinates (rotation by +angle), then to pixel-centre indices.
			const px = cx + qx * cos - qy * sin - 0.5;
			const py = cy + qx * sin + qy * cos - 0.5;
			const x0 = Math.floor(px);
			const y0 = Math.floor(py);
			const fx = px - x0;
			const fy = py - y0;
			const o = (v * size + u) * 3;
			for (let c = 0; c < 3; c++) {
				const p00 = pixel(src, W, H, x0, y0, c);
				const p10 = pixel(src, W, H, x0 + 1, y0, c);
				const p01 = pixel(src, W, H, x0, y0 + 1, c);
				const p11 = pixel(src, W, H, x0 + 1, y0 + 1, c);
				const upper = p00 + (p10 - p00) * fx;
				const lower = p01 + (p11 - p01) * fx;
				out[o + c] = Math.round(upper + (lower - upper) * fy);
			}
		}
	}
	return { data: out, width: size, height: size };
}

function pixel(src: Uint8Array, w: number, h: number, x: number, y: number, c: number): number {
	return x < 0 || y < 0 || x >= w || y >= h ? 0 : src[(y * w + x) * 3 + c]!;
}

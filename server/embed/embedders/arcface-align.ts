// ArcFace-style alignment, pure: five points (eye centres, nose tip, mouth corners) from face-api's
// 68 landmarks, the similarity transform (scale, rotation, shift) that best takes them onto
// ArcFace's 112×112 template (least squares), and the warped face as the planar float tensor
// ArcFace-family ONNX models take: RGB, channels first, (pixel − 127.5) / 128.
import { meanPoint } from '../face-geometry.ts';
import type { RgbImage } from '../types.ts';

export type Pt = { x: number; y: number };
export type Similarity = { a: number; b: number; tx: number; ty: number };

export const ARCFACE_SIZE = 112;
/** ArcFace's 112×112 template (insightface's arcface_dst): eye centres, nose tip, mouth corners. */
export const ARCFACE_TEMPLATE: readonly Pt[] = [
	{ x: 38.2946, y: 51.6963 },
	{ x: 73.5318, y: 51.5014 },
	{ x: 56.0252, y: 71.7366 },
	{ x: 41.5493, y: 92.3655 },
	{ x: 70.7299, y: 92.2041 }
];

/** The five ArcFace points from 68 landmarks (iBUG order); null when there are not 68 finite points. */
export function fivePoints(landmarks: readonly Pt[]): Pt[] | null {
	if (landmarks.length !== 68 || !landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
	return [meanPoint(landmarks, 36, 42), meanPoint(landmarks, 42, 48), landmarks[30]!, landmarks[48]!, landmarks[54]!];
}

/** Least-squares similarity taking `src` onto `dst` (same length ≥ 2): dst ≈ [a −b; b a]·src + t. */
export function fitSimilarity(src: readonly Pt[], dst: readonly Pt[] = ARCFACE_TEMPLATE): Similarity {
	const n = src.length;
	let sx = 0,
		sy = 0,
		dx = 0,
		dy = 0;
	for (let i = 0; i < n; i++) {
		sx += src[i]!.x;
		sy += src[i]!.y;
		dx += dst[i]!.x;
		dy += dst[i]!.y;
	}
	sx /= n;
	sy /= n;
	dx /= n;
	dy /= n;
	let p = 0,
		q = 0,
		ss = 0;
	for (let i = 0; i < n; i++) {
		const x = src[i]!.x - sx;
		const y = src[i]!.y - sy;
		const u = dst[i]!.x - dx;
		const v = dst[i]!.y - dy;
		p += x * u + y * v;
		q += x * v - y * u;
		ss += x * x + y * y;
	}
	const a = p / ss;
	const b = q / ss;
	return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * The aligned 112×112 face as a planar float tensor (3 × 112 × 112, RGB, (v − 127.5) / 128),
 * sampled bilinearly through the inverse of `m`, black outside the image. `mirror` flips it
 * left-right (for test-time augmentation).
 */
export function warpFace(image: RgbImage, m: Similarity, mirror = false): Float32Array {
	const size = ARCFACE_SIZE;
	const det = m.a * m.a + m.b * m.b;
	const out = new Float32Array(3 * size * size);
	const { width: W, height: H, data } = image;
	const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : (data[(y * W + x) * 3 + c] as number));
	for (let v = 0; v < size; v++) {
		for (let u = 0; u < size; u++) {
			const X = (mirror ? size - 1 - u : u) - m.tx;
			const Y = v - m.ty;
			const px = (m.a * X + m.b * Y) / det;
			const py = (-m.b * X + m.a * Y) / det;
			const x0 = Math.floor(px);
			const y0 = Math.floor(py);
			const fx = px - x0;
			const fy = py - y0;
			for (let c = 0; c < 3; c++) {
				const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
				const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
				out[c * size * size + v * size + u] = (top * (1 - fy) + bottom * fy - 127.5) / 128;
			}
		}
	}
	return out;
}

/** `v` scaled to unit length (a zero vector stays zero). */
export function unitLength(v: Float32Array): Float32Array {
	let n = 0;
	for (const x of v) n += x * x;
	n = Math.sqrt(n);
	return n > 0 ? v.map((x) => x / n) : v;
}

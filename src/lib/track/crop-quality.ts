/**
 * How good a frame of a face is for recognition: large, sharp, frontal, confidently detected.
 * Pure: the caller measures sharpness on pixels; everything else comes from the detection.
 */
import type { Box } from '../geometry.ts';
import type { Point } from './tracker.ts';

/** Face width, px, at which size stops adding quality (FaceRecognitionNet works on 150 px). */
export const FULL_QUALITY_FACE_PX = 112;
/** Laplacian variance (0..255 grey) above which a crop counts as fully sharp. */
export const FULL_SHARPNESS = 120;

/**
 * 1 for a face looking at the camera, towards 0 as it turns away. From BlazeFace's keypoints
 * (0 right eye, 1 left eye, 2 nose tip): the nose's sideways offset from the eyes' midpoint,
 * relative to the eye distance. Without keypoints: 1 (no evidence either way).
 */
export function frontalness(keypoints: readonly Point[] | undefined): number {
	const [rightEye, leftEye, nose] = keypoints ?? [];
	if (!rightEye || !leftEye || !nose) return 1;
	const eyeDistance = Math.hypot(leftEye.x - rightEye.x, leftEye.y - rightEye.y);
	if (eyeDistance <= 0) return 0;
	const offset = Math.abs(nose.x - (leftEye.x + rightEye.x) / 2) / eyeDistance;
	return Math.max(0, 1 - offset * 2);
}

/** Luma (BT.601) of RGBA pixels, as canvas `getImageData` gives them. */
export function toLuma(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
	const out = new Float32Array(width * height);
	for (let i = 0; i < out.length; i++) {
		out[i] = 0.299 * (rgba[i * 4] ?? 0) + 0.587 * (rgba[i * 4 + 1] ?? 0) + 0.114 * (rgba[i * 4 + 2] ?? 0);
	}
	return out;
}

/** Variance of the 4-neighbour Laplacian of a greyscale image: higher is sharper. */
export function laplacianVariance(grey: ArrayLike<number>, width: number, height: number): number {
	if (width < 3 || height < 3) return 0;
	let sum = 0;
	let sumSq = 0;
	let n = 0;
	for (let y = 1; y < height - 1; y++) {
		for (let x = 1; x < width - 1; x++) {
			const i = y * width + x;
			const lap = 4 * (grey[i] as number) - (grey[i - 1] as number) - (grey[i + 1] as number) - (grey[i - width] as number) - (grey[i + width] as number);
			sum += lap;
			sumSq += lap * lap;
			n++;
		}
	}
	return n ? sumSq / n - (sum / n) ** 2 : 0;
}

/** Quality in [0, 1]; the product punishes any one bad factor. */
export function cropQuality({ box, score, keypoints, sharpness }: { box: Box; score: number; keypoints?: readonly Point[]; sharpness: number }): number {
	const size = Math.min(1, Math.min(box.width, box.height) / FULL_QUALITY_FACE_PX);
	const sharp = Math.min(1, sharpness / FULL_SHARPNESS);
	return size * Math.max(0, Math.min(1, score)) * frontalness(keypoints) * (0.25 + 0.75 * sharp);
}

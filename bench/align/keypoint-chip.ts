/**
 * Prototype (issue #10.1): place the face for the descriptor from MediaPipe's six keypoints
 * instead of running the 68-landmark net 3–4 times. Pure.
 *
 * The engine's chip (server/embed/aligned-chip.ts) is a square around the 68
 * landmarks' box padded 10 %, cut from the crop rotated so the eyes are level. Here the same
 * square is predicted from the keypoints, in the frame the keypoint eyes define (origin their
 * midpoint, x along the eyes, unit the eye distance): centre and side as linear functions of
 * where the nose and the mouth sit in that frame, fitted by least squares on the tuning half.
 */
import type { RgbImage } from '../../server/embed/types.ts';

import { eyeFrame, features, fromFrame, toFrame, type Point, type Square, type SquareModel } from '../../server/embed/keypoint-start.ts';

// The pure geometry the server ships lives in server/embed/keypoint-start.ts; the fit and the
// keypoint-only chip stay here.
export {
	eyeFrame,
	features,
	fromFrame,
	KP,
	predictSquare,
	squareBox,
	toFrame,
	type EyeFrame,
	type Point,
	type Square,
	type SquareModel
} from '../../server/embed/keypoint-start.ts';

/** The square the engine's landmarks give (their box padded 10 %, squared), in the keypoints' eye frame. */
export function landmarkSquare(keypoints: readonly Point[], landmarks: readonly Point[]): Square {
	const f = eyeFrame(keypoints);
	const level = landmarks.map((p) => toFrame(f, p));
	const xs = level.map((p) => p.x);
	const ys = level.map((p) => p.y);
	const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
	return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, w: x1 - x0, h: y1 - y0 };
}

/** Least squares: weights w with X·w ≈ y (normal equations, Gaussian elimination). */
export function leastSquares(X: readonly number[][], y: readonly number[]): number[] {
	const n = X[0]!.length;
	const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
	X.forEach((row, k) => {
		for (let i = 0; i < n; i++) {
			for (let j = 0; j < n; j++) A[i]![j]! += row[i]! * row[j]!;
			A[i]![n]! += row[i]! * y[k]!;
		}
	});
	for (let i = 0; i < n; i++) {
		let pivot = i;
		for (let r = i + 1; r < n; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[pivot]![i]!)) pivot = r;
		[A[i], A[pivot]] = [A[pivot]!, A[i]!];
		for (let r = 0; r < n; r++) {
			if (r === i) continue;
			const factor = A[r]![i]! / A[i]![i]!;
			for (let c = i; c <= n; c++) A[r]![c]! -= factor * A[i]![c]!;
		}
	}
	return A.map((row, i) => row[n]! / row[i]!);
}

export function fitSquares(samples: ReadonlyArray<{ keypoints: readonly Point[]; square: Square }>, ears = false): SquareModel {
	const X = samples.map((s) => features(s.keypoints, ears));
	const fit = (key: keyof Square) =>
		leastSquares(
			X,
			samples.map((s) => s.square[key])
		);
	return { ears, cx: fit('cx'), cy: fit('cy'), w: fit('w'), h: fit('h') };
}

/** The chip: the square cut from the image rotated so the keypoint eyes are level; bilinear, black outside. */
export function keypointChip(image: RgbImage, keypoints: readonly Point[], box: Square): RgbImage {
	const f = eyeFrame(keypoints);
	const sq = { cx: box.cx, cy: box.cy, side: 1.2 * Math.max(box.w, box.h) };
	const size = Math.max(1, Math.round(sq.side * f.unit));
	const step = sq.side / size;
	const out = new Uint8Array(size * size * 3);
	const { width: W, height: H, data } = image;
	const px = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : data[(y * W + x) * 3 + c]!);
	for (let v = 0; v < size; v++) {
		for (let u = 0; u < size; u++) {
			const p = fromFrame(f, { x: sq.cx - sq.side / 2 + (u + 0.5) * step, y: sq.cy - sq.side / 2 + (v + 0.5) * step });
			const x = p.x - 0.5;
			const y = p.y - 0.5;
			const x0 = Math.floor(x);
			const y0 = Math.floor(y);
			const fx = x - x0;
			const fy = y - y0;
			for (let c = 0; c < 3; c++) {
				const top = px(x0, y0, c) + (px(x0 + 1, y0, c) - px(x0, y0, c)) * fx;
				const bottom = px(x0, y0 + 1, c) + (px(x0 + 1, y0 + 1, c) - px(x0, y0 + 1, c)) * fx;
				out[(v * size + u) * 3 + c] = Math.round(top + (bottom - top) * fy);
			}
		}
	}
	return { data: out, width: size, height: size };
}

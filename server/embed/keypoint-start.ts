/**
 * Where the landmark net should look first, from the browser detector's keypoints (issue #10.1).
 * Pure.
 *
 * The live path used to start the 68-landmark net from the whole crop and re-run it on its own
 * box until that settled (~3 passes, ~12 ms each). MediaPipe's six keypoints already place the
 * face: in the frame their eyes define (origin the eyes' midpoint, x along the eyes, unit the
 * eye distance), the landmarks' box is a linear function of where the nose and the mouth sit.
 * Starting from that box, one pass usually lands where the engine's would have settled.
 *
 * The weights were fitted by least squares (bench/align/keypoint-chip.ts fitSquares) on the
 * tuning half of ../shared/data (bench:align's identity-disjoint split: its people, strangers
 * and faces-real's group shots without a test person), and checked by `npm run bench:align` on
 * the other half, which they never saw.
 */
import type { FaceBox } from './types.ts';

export type Point = { x: number; y: number };
/**
 * The 68 landmarks' box in the eye frame, in eye distances: centre (cx, cy), width and height.
 * The landmark net is fed that box grown 10 % a side (face-api's alignment box).
 */
export type Square = { cx: number; cy: number; w: number; h: number };
export type EyeFrame = { origin: Point; angle: number; unit: number };
/** Weights of `features` (1, nose x, nose y, mouth x, mouth y; with `ears`, both ears' x and y too) for each of Square's numbers. */
export type SquareModel = { ears: boolean; cx: number[]; cy: number[]; w: number[]; h: number[] };

/** MediaPipe's keypoint order: right eye (image left), left eye, nose tip, mouth, right ear, left ear. */
export const KP = { rightEye: 0, leftEye: 1, nose: 2, mouth: 3, rightEar: 4, leftEar: 5 } as const;

/**
 * The shipped fit: made on bench:align's tuning half only (51 live-style crops with BlazeFace's
 * keypoints, 2026-12-02), printed by `npm run bench:align` as "the tuning half's fit"; its test
 * half's figures (README, *What a face costs*) come from crops it never saw.
 */
export const KEYPOINT_SQUARE_MODEL: SquareModel = {
	ears: false,
	cx: [0.0319, -2.7539, 0.4156, 2.6114, -0.3306],
	cy: [0.0869, -0.3231, 0.0037, 0.2416, 0.4838],
	w: [1.8592, -2.2219, -0.9516, 3.6894, 0.8136],
	h: [1.5643, -1.7443, -1.29, 2.6796, 1.2367]
};

/**
 * After the first pass from the keypoints' box, a second pass runs only when the landmarks' box
 * moved more than this share of its size (then passes go on until it settles, as from the whole
 * crop). bench:align compared 3 % and 6 % (and 1 and 2 fixed passes) with each crop scored by the
 * fit of the half it is not in: 6 % named as many people right and wrong as today's path on both
 * halves, at 2.0 passes instead of 2.9; one fixed pass (1.0) named one test face wrongly.
 */
export const KEYPOINT_TRUST_SHIFT = 0.06;

/** Eyes closer than this (crop pixels) say nothing reliable about the face: no hint. */
const MIN_EYE_DISTANCE_PX = 4;

export function eyeFrame(keypoints: readonly Point[]): EyeFrame {
	const a = keypoints[KP.rightEye]!;
	const b = keypoints[KP.leftEye]!;
	return { origin: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, angle: Math.atan2(b.y - a.y, b.x - a.x), unit: Math.hypot(b.x - a.x, b.y - a.y) };
}

/** A point of the image in the eye frame. */
export function toFrame(f: EyeFrame, p: Point): Point {
	const dx = p.x - f.origin.x;
	const dy = p.y - f.origin.y;
	const c = Math.cos(f.angle);
	const s = Math.sin(f.angle);
	return { x: (dx * c + dy * s) / f.unit, y: (-dx * s + dy * c) / f.unit };
}

/** A point of the eye frame in the image. */
export function fromFrame(f: EyeFrame, q: Point): Point {
	const c = Math.cos(f.angle);
	const s = Math.sin(f.angle);
	return { x: f.origin.x + f.unit * (q.x * c - q.y * s), y: f.origin.y + f.unit * (q.x * s + q.y * c) };
}

/** What the fit sees of a face (eye frame): 1, nose x and y, mouth x and y, and with `ears` both ears' x and y. */
export function features(keypoints: readonly Point[], ears = false): number[] {
	const f = eyeFrame(keypoints);
	const nose = toFrame(f, keypoints[KP.nose]!);
	const mouth = toFrame(f, keypoints[KP.mouth]!);
	const base = [1, nose.x, nose.y, mouth.x, mouth.y];
	if (!ears) return base;
	const right = toFrame(f, keypoints[KP.rightEar]!);
	const left = toFrame(f, keypoints[KP.leftEar]!);
	return [...base, right.x, right.y, left.x, left.y];
}

const dot = (w: readonly number[], x: readonly number[]) => w.reduce((sum, wi, i) => sum + wi * x[i]!, 0);

export function predictSquare(model: SquareModel, keypoints: readonly Point[]): Square {
	const x = features(keypoints, model.ears);
	return { cx: dot(model.cx, x), cy: dot(model.cy, x), w: dot(model.w, x), h: dot(model.h, x) };
}

/** The landmark net's start box: the landmarks' box grown 10 % a side (as face-api aligns), axis-aligned in image pixels. */
export function squareBox(keypoints: readonly Point[], sq: Square): FaceBox {
	const f = eyeFrame(keypoints);
	const hw = (sq.w * 1.2) / 2;
	const hh = (sq.h * 1.2) / 2;
	const corners = [
		[-hw, -hh],
		[hw, -hh],
		[hw, hh],
		[-hw, hh]
	].map(([dx, dy]) => fromFrame(f, { x: sq.cx + dx!, y: sq.cy + dy! }));
	const xs = corners.map((p) => p.x);
	const ys = corners.map((p) => p.y);
	return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}

/**
 * The box to start the landmark net from, in crop pixels, or null when the keypoints cannot be
 * trusted to place a face (too few, eyes on top of each other, a box of no size or not finite):
 * the caller then searches the whole crop as before. A client's keypoints are only a hint: the
 * landmark net still decides where the face is, so bad ones cost that client its own answer at
 * worst.
 */
export function keypointStartBox(keypoints: ReadonlyArray<readonly [number, number]> | undefined, model: SquareModel = KEYPOINT_SQUARE_MODEL): FaceBox | null {
	if (!keypoints || keypoints.length < (model.ears ? 6 : 4)) return null;
	const points = keypoints.map(([x, y]) => ({ x, y }));
	if (!points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
	if (eyeFrame(points).unit < MIN_EYE_DISTANCE_PX) return null;
	const sq = predictSquare(model, points);
	if (!(sq.w > 0 && sq.h > 0)) return null;
	const box = squareBox(points, sq);
	return [box.x, box.y, box.width, box.height].every(Number.isFinite) ? box : null;
}

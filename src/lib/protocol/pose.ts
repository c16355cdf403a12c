/**
 * Head pose, one measure for both sides: the browser's guided capture measures it on BlazeFace's
 * keypoints, the server on face-api's 68 landmarks when it enrols a face (and stores it), and the
 * People page counts each person's faces by it.
 *
 * `yaw` is the nose tip's offset from the midpoint of the eyes, along the eye line, as a share of
 * the eye distance (measured in the face's own frame, so a tilted head does not count as turned).
 * Positive: the nose points to the picture's right, i.e. the person turned to their own LEFT (in
 * an unmirrored picture, which is what cameras deliver and the server stores). It grows roughly
 * like tan(angle): ~0 facing the camera, ~±0.3 at a clear turn, past ±0.6 near profile.
 */

export type Point = { x: number; y: number };

export const POSES = ['frontal', 'left', 'right'] as const;
export type Pose = (typeof POSES)[number];

/**
 * |yaw| up to this is frontal; beyond it the face counts as turned. Chosen by `npm run bench:pose`
 * on the labelled development photos it tunes on (see bench/pose.ts for the split and figures).
 */
export const FRONTAL_MAX_YAW = 0.12;
/**
 * The guided capture's "slight turn": |yaw| at least this (clearly not frontal) and at most
 * TURN_MAX_YAW (the server still finds the face and its landmarks reliably).
 */
export const TURN_MIN_YAW = 0.16;
export const TURN_MAX_YAW = 0.45;

/**
 * The yaw of a face from the centres of its eyes (either order: mirrored video swaps them) and
 * its nose tip; null when the eyes coincide or a point is not finite.
 */
export function yawOf(eyeA: Point, eyeB: Point, nose: Point): number | null {
	const [first, second] = eyeA.x <= eyeB.x ? [eyeA, eyeB] : [eyeB, eyeA];
	const dx = second.x - first.x;
	const dy = second.y - first.y;
	const eyeDistance = Math.hypot(dx, dy);
	if (!(eyeDistance > 0)) return null;
	const mid = { x: (first.x + second.x) / 2, y: (first.y + second.y) / 2 };
	const yaw = ((nose.x - mid.x) * dx + (nose.y - mid.y) * dy) / (eyeDistance * eyeDistance);
	return Number.isFinite(yaw) ? yaw : null;
}

/** Frontal, turned to the person's left or right; `unknown` when no yaw was measured. */
export function poseOf(yaw: number | null | undefined): Pose | 'unknown' {
	if (yaw === null || yaw === undefined || !Number.isFinite(yaw)) return 'unknown';
	if (Math.abs(yaw) <= FRONTAL_MAX_YAW) return 'frontal';
	return yaw > 0 ? 'left' : 'right';
}

/** The yaw as seen in a mirrored preview (the front camera shown like a mirror). */
export const mirrorYaw = (yaw: number) => -yaw;

/** How many faces of each pose (see poseOf) among a person's faces' yaws. */
export function coverageOf(yaws: ReadonlyArray<number | null | undefined>): Record<Pose | 'unknown', number> {
	const counts = { frontal: 0, left: 0, right: 0, unknown: 0 };
	for (const yaw of yaws) counts[poseOf(yaw)]++;
	return counts;
}

/**
 * Is this camera frame good enough to enrol from? Pure: detections and pixels in, a verdict with
 * a hint a person can follow out. Thresholds are for a 640×480 camera and a face crop scaled to
 * SHARPNESS_SIDE_PX; they are deliberately lenient: the server still refuses a crop it cannot use.
 */
import { laplacianVariance } from '../track/crop-quality.ts';
import type { Detection, Point } from '../track/tracker.ts';

export type { Point };

/**
 * One face in video pixels, as the live detector gives it. `keypoints` in MediaPipe BlazeFace
 * order: the person's right eye, left eye, nose tip, mouth centre, right ear, left ear.
 */
export type FaceObservation = Detection;

export type QualityIssue =
	| 'no-face'
	| 'several-faces'
	| 'too-small'
	| 'off-frame'
	| 'not-frontal'
	| 'too-dark'
	| 'blurry';

export type Verdict = { ok: true; hint: string } | { ok: false; issue: QualityIssue; hint: string };

export const QUALITY = Object.freeze({
	/** Smallest face box side, video px. */
	minFacePx: 100,
	/** Largest |nose offset from the eyes' midpoint| / eye distance (~25° of head turn). */
	maxYaw: 0.3,
	/** Largest tilt of the eye line, degrees. */
	maxRollDeg: 20,
	/** (nose − eyes) / (mouth − eyes), vertically: outside this range the head nods too far. */
	pitchRange: [0.2, 0.85] as const,
	/** Smallest mean luma (0–255) of the face. */
	minBrightness: 40,
	/** Smallest variance of the Laplacian of the face at SHARPNESS_SIDE_PX wide. */
	minSharpness: 20
});

/** Width the face is scaled to before measuring sharpness, so the measure does not depend on distance. */
export const SHARPNESS_SIDE_PX = 112;

const HINTS: Record<QualityIssue, string> = {
	'no-face': 'Look at the camera',
	'several-faces': 'Only one person in view, please',
	'too-small': 'Come closer',
	'off-frame': 'Centre your face in the picture',
	'not-frontal': 'Face the camera straight on',
	'too-dark': 'More light on the face, please',
	blurry: 'Hold still'
};

const fail = (issue: QualityIssue): Verdict => ({ ok: false, issue, hint: HINTS[issue] });

/** Head pose from keypoints: yaw as a share of eye distance, roll in degrees, pitch ratio; null without keypoints. */
export function headPose(keypoints: readonly Point[]): { yaw: number; rollDeg: number; pitch: number } | null {
	const [rightEye, leftEye, nose, mouth] = keypoints;
	if (!rightEye || !leftEye || !nose || !mouth) return null;
	const eyeDistance = Math.hypot(leftEye.x - rightEye.x, leftEye.y - rightEye.y);
	if (eyeDistance <= 0) return null;
	// The eye line as a unit vector pointing to growing x (mirrored video swaps the eyes), and
	// its normal pointing down the face: the pose is measured in the face's own frame, so a
	// tilted but frontal head does not count as turned.
	const sign = leftEye.x >= rightEye.x ? 1 : -1;
	const u = { x: (sign * (leftEye.x - rightEye.x)) / eyeDistance, y: (sign * (leftEye.y - rightEye.y)) / eyeDistance };
	const mid = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
	const along = (p: Point) => (p.x - mid.x) * u.x + (p.y - mid.y) * u.y;
	const across = (p: Point) => -(p.x - mid.x) * u.y + (p.y - mid.y) * u.x;
	const mouthDrop = across(mouth);
	return {
		yaw: along(nose) / eyeDistance,
		rollDeg: (Math.atan2(u.y, u.x) * 180) / Math.PI,
		pitch: mouthDrop > 0 ? across(nose) / mouthDrop : Number.NaN
	};
}

/** The checks that need no pixels: exactly one face, large, inside the frame, roughly frontal. */
export function judgeGeometry(faces: readonly FaceObservation[], frame: { width: number; height: number }): Verdict {
	if (faces.length === 0) return fail('no-face');
	if (faces.length > 1) return fail('several-faces');
	const { box, keypoints } = faces[0] as FaceObservation;
	if (Math.min(box.width, box.height) < QUALITY.minFacePx) return fail('too-small');
	const slack = box.width * 0.05;
	if (box.x < -slack || box.y < -slack || box.x + box.width > frame.width + slack || box.y + box.height > frame.height + slack) {
		return fail('off-frame');
	}
	const pose = headPose(keypoints ?? []);
	if (pose) {
		const [minPitch, maxPitch] = QUALITY.pitchRange;
		const nodding = !(pose.pitch >= minPitch && pose.pitch <= maxPitch);
		if (Math.abs(pose.yaw) > QUALITY.maxYaw || Math.abs(pose.rollDeg) > QUALITY.maxRollDeg || nodding) {
			return fail('not-frontal');
		}
	}
	return { ok: true, hint: 'Hold still' };
}

export function mean(values: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < values.length; i++) sum += values[i] ?? 0;
	return values.length ? sum / values.length : 0;
}

/** The pixel checks on the face region's luma (scaled to SHARPNESS_SIDE_PX wide). */
export function judgePixels(luma: ArrayLike<number>, width: number, height: number): Verdict & { sharpness: number } {
	const sharpness = laplacianVariance(luma, width, height);
	if (mean(luma) < QUALITY.minBrightness) return { ...fail('too-dark'), sharpness };
	if (sharpness < QUALITY.minSharpness) return { ...fail('blurry'), sharpness };
	return { ok: true, hint: 'Good', sharpness };
}

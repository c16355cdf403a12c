/**
 * Is this camera frame good enough to enrol from? Pure: detections and pixels in, a verdict with
 * a hint a person can follow out. Thresholds are for a 640×480 camera and a face crop scaled to
 * SHARPNESS_SIDE_PX; they are deliberately lenient: the server still refuses a crop it cannot use.
 */
import { FRONTAL_MAX_YAW, TURN_MAX_YAW, TURN_MIN_YAW, yawOf, type Pose } from '../protocol/pose.ts';
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
	| 'too-close'
	| 'off-frame'
	| 'outside-guide'
	| 'not-frontal'
	| 'turn-left'
	| 'turn-right'
	| 'turn-less'
	| 'too-dark'
	| 'blurry';

/**
 * The oval drawn over the camera picture, in shares of the video frame (centre and radii): a
 * face counts only once it is in it.
 */
export type GuideEllipse = { cx: number; cy: number; rx: number; ry: number };
/** The oval CameraCapture draws: 46 % of the width, 78 % of the height, centred. */
export const GUIDE: GuideEllipse = Object.freeze({ cx: 0.5, cy: 0.5, rx: 0.23, ry: 0.39 });

export type Verdict = { ok: true; hint: string } | { ok: false; issue: QualityIssue; hint: string };

export const QUALITY = Object.freeze({
	/** Smallest face box side, video px. */
	minFacePx: 100,
	/** Largest |yaw| (src/lib/protocol/pose.ts) of a picture meant to be frontal: the stored pose's own bound. */
	maxYaw: FRONTAL_MAX_YAW,
	/** A slight turn, as the guided capture asks for it: clearly not frontal, not so far the server loses the face. */
	turnYaw: [TURN_MIN_YAW, TURN_MAX_YAW] as const,
	/** The face box's centre must lie within this share of the guide oval's radii. */
	guideCentre: 0.5,
	/** The face box may be at most this much wider than the guide oval (BlazeFace's box is forehead to chin). */
	guideMaxWidth: 1.15,
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

// The preview is mirrored, so "your left" is also the screen's left, as in a mirror.
/** Not frontal is said with the way back, by the pose (judgeGeometry). */
const HINTS: Record<Exclude<QualityIssue, 'not-frontal'>, string> = {
	'no-face': 'Look at the camera',
	'several-faces': 'Only one person in view, please',
	'too-small': 'Come closer',
	'too-close': 'Move back a little',
	'off-frame': 'Centre your face in the picture',
	'outside-guide': 'Move your face into the oval',
	'turn-left': 'Turn your head slightly to your left',
	'turn-right': 'Turn your head slightly to your right',
	'turn-less': 'Not so far: turn back a little',
	'too-dark': 'More light on the face, please',
	blurry: 'Hold still'
};

const fail = (issue: keyof typeof HINTS): Verdict => ({ ok: false, issue, hint: HINTS[issue] });

/** Head pose from keypoints: yaw as a share of eye distance, roll in degrees, pitch ratio; null without keypoints. */
export function headPose(keypoints: readonly Point[]): { yaw: number; rollDeg: number; pitch: number } | null {
	const [rightEye, leftEye, nose, mouth] = keypoints;
	if (!rightEye || !leftEye || !nose || !mouth) return null;
	const eyeDistance = Math.hypot(leftEye.x - rightEye.x, leftEye.y - rightEye.y);
	const yaw = yawOf(rightEye, leftEye, nose);
	if (eyeDistance <= 0 || yaw === null) return null;
	// The eye line as a unit vector pointing to growing x (mirrored video swaps the eyes), and
	// its normal pointing down the face: the pose is measured in the face's own frame, so a
	// tilted but frontal head does not count as turned.
	const sign = leftEye.x >= rightEye.x ? 1 : -1;
	const u = { x: (sign * (leftEye.x - rightEye.x)) / eyeDistance, y: (sign * (leftEye.y - rightEye.y)) / eyeDistance };
	const mid = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 };
	const across = (p: Point) => -(p.x - mid.x) * u.y + (p.y - mid.y) * u.x;
	const mouthDrop = across(mouth);
	return {
		yaw,
		rollDeg: (Math.atan2(u.y, u.x) * 180) / Math.PI,
		pitch: mouthDrop > 0 ? across(nose) / mouthDrop : Number.NaN
	};
}

export type GeometryOptions = {
	/** The oval the face must be in (shares of the frame); none: anywhere inside the frame. */
	guide?: GuideEllipse;
	/** The pose this picture is for: frontal (default), or a slight turn to the person's left or right. */
	want?: Pose;
};

/**
 * The checks that need no pixels: exactly one face, large, inside the frame (and the guide oval),
 * level, and in the pose wanted. `yaw` comes back when measured, even on failure.
 */
export function judgeGeometry(
	faces: readonly FaceObservation[],
	frame: { width: number; height: number },
	{ guide, want = 'frontal' }: GeometryOptions = {}
): Verdict & { yaw?: number } {
	if (faces.length === 0) return fail('no-face');
	if (faces.length > 1) return fail('several-faces');
	const { box, keypoints } = faces[0] as FaceObservation;
	if (Math.min(box.width, box.height) < QUALITY.minFacePx) return fail('too-small');
	const slack = box.width * 0.05;
	if (box.x < -slack || box.y < -slack || box.x + box.width > frame.width + slack || box.y + box.height > frame.height + slack) {
		return fail('off-frame');
	}
	if (guide) {
		const dx = (box.x + box.width / 2) / frame.width - guide.cx;
		const dy = (box.y + box.height / 2) / frame.height - guide.cy;
		const r = QUALITY.guideCentre;
		if ((dx / (guide.rx * r)) ** 2 + (dy / (guide.ry * r)) ** 2 > 1) return fail('outside-guide');
		if (box.width > 2 * guide.rx * frame.width * QUALITY.guideMaxWidth) return fail('too-close');
	}
	const pose = headPose(keypoints ?? []);
	if (!pose) return { ok: true, hint: 'Hold still' };
	const withYaw = (verdict: Verdict) => ({ ...verdict, yaw: pose.yaw });
	const [minPitch, maxPitch] = QUALITY.pitchRange;
	const nodding = !(pose.pitch >= minPitch && pose.pitch <= maxPitch);
	// Not frontal, said with the way back: "Face the camera straight on" alone left a user stuck
	// for minutes not knowing what was wrong (UI review, 3 December).
	const notFrontal = (hint: string): Verdict => ({ ok: false, issue: 'not-frontal', hint });
	if (Math.abs(pose.rollDeg) > QUALITY.maxRollDeg) return withYaw(notFrontal('Hold your head level'));
	// A small ratio: the nose near the eye line, the chin up.
	// NaN: the mouth at or above the eye line (with the head level): the chin is up too.
	if (nodding) return withYaw(notFrontal(pose.pitch > maxPitch ? 'Raise your chin a little' : 'Lower your chin a little'));
	if (want === 'frontal') {
		if (Math.abs(pose.yaw) <= QUALITY.maxYaw) return { ok: true, hint: 'Hold still' };
		// Positive yaw: turned to their own left, so back to their right.
		return withYaw(notFrontal(pose.yaw > 0 ? 'Turn a little to your right, to face the camera' : 'Turn a little to your left, to face the camera'));
	}
	// Positive yaw: turned to the person's own left (src/lib/protocol/pose.ts).
	const toward = want === 'left' ? pose.yaw : -pose.yaw;
	const [minTurn, maxTurn] = QUALITY.turnYaw;
	if (toward < minTurn) return withYaw(fail(want === 'left' ? 'turn-left' : 'turn-right'));
	if (toward > maxTurn) return withYaw(fail('turn-less'));
	return withYaw({ ok: true, hint: 'Hold still' });
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

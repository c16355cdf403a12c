/**
 * The head pose of an enrolled face from face-api's 68 landmarks, in the one measure both sides
 * use (src/lib/protocol/pose.ts): eye centres are the means of points 36–41 and 42–47, the nose
 * tip is point 30. Pure; the engine hands it the landmarks it found anyway.
 */
import { yawOf, type Point } from '../../src/lib/protocol/pose.ts';

const mean = (points: readonly Point[]): Point => ({
	x: points.reduce((s, p) => s + p.x, 0) / points.length,
	y: points.reduce((s, p) => s + p.y, 0) / points.length
});

/** Yaw (see pose.ts) of a face's 68 landmarks; null for anything but 68 finite points. */
export function yawFromLandmarks(landmarks: readonly Point[]): number | null {
	if (landmarks.length !== 68 || !landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return null;
	const nose = landmarks[30] as Point;
	return yawOf(mean(landmarks.slice(36, 42)), mean(landmarks.slice(42, 48)), nose);
}

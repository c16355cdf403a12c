import { describe, expect, it } from 'vitest';
import { yawFromLandmarks } from './pose.ts';

/** 68 landmarks of a schematic face: eyes (36–47) around x = ±30, nose tip (30) at x = `nose`. */
function landmarks(nose: number): Array<{ x: number; y: number }> {
	const points = Array.from({ length: 68 }, (_, i) => ({ x: 100 + (i % 7), y: 150 + (i % 5) }));
	for (let i = 36; i < 42; i++) points[i] = { x: 70 + (i - 36) * 2 - 5, y: 100 + (i % 2) };
	for (let i = 42; i < 48; i++) points[i] = { x: 130 + (i - 42) * 2 - 5, y: 100 + (i % 2) };
	points[30] = { x: 100 + nose, y: 140 };
	return points;
}

describe('yaw from 68 landmarks', () => {
	it('uses the eye centres and the nose tip', () => {
		expect(yawFromLandmarks(landmarks(0))).toBeCloseTo(0, 6);
		expect(yawFromLandmarks(landmarks(15))).toBeCloseTo(0.25, 6);
		expect(yawFromLandmarks(landmarks(-30))).toBeCloseTo(-0.5, 6);
	});

	it('is null for anything but 68 finite points', () => {
		expect(yawFromLandmarks(landmarks(0).slice(0, 67))).toBeNull();
		const bad = landmarks(0);
		bad[3] = { x: Number.NaN, y: 0 };
		expect(yawFromLandmarks(bad)).toBeNull();
	});
});

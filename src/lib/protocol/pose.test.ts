import { describe, expect, it } from 'vitest';
import { FRONTAL_MAX_YAW, TURN_MAX_YAW, TURN_MIN_YAW, coverageOf, poseOf, yawOf } from './pose.ts';

/** A face seen from the front, its eyes 60 px apart; `shift` moves the nose along the eye line. */
const face = (shift: number, roll = 0) => {
	const rot = (x: number, y: number) => ({ x: 320 + x * Math.cos(roll) - y * Math.sin(roll), y: 240 + x * Math.sin(roll) + y * Math.cos(roll) });
	return { rightEye: rot(-30, 0), leftEye: rot(30, 0), nose: rot(shift, 35) };
};

describe('yaw', () => {
	it('is the nose offset along the eye line over the eye distance, whatever the eye order and roll', () => {
		for (const roll of [0, 0.3, -0.5]) {
			const f = face(12, roll);
			expect(yawOf(f.rightEye, f.leftEye, f.nose)).toBeCloseTo(0.2, 6);
			expect(yawOf(f.leftEye, f.rightEye, f.nose)).toBeCloseTo(0.2, 6);
			const g = face(-6, roll);
			expect(yawOf(g.rightEye, g.leftEye, g.nose)).toBeCloseTo(-0.1, 6);
		}
		const p = { x: 1, y: 1 };
		expect(yawOf(p, p, { x: 2, y: 3 })).toBeNull();
		expect(yawOf(p, { x: 2, y: Number.NaN }, p)).toBeNull();
	});

	it('classes a face as frontal, turned to the person’s left (nose to the picture’s right) or right', () => {
		expect(poseOf(0)).toBe('frontal');
		expect(poseOf(FRONTAL_MAX_YAW)).toBe('frontal');
		expect(poseOf(-FRONTAL_MAX_YAW)).toBe('frontal');
		expect(poseOf(FRONTAL_MAX_YAW + 0.01)).toBe('left');
		expect(poseOf(-0.4)).toBe('right');
		expect(poseOf(null)).toBe('unknown');
		expect(poseOf(undefined)).toBe('unknown');
		expect(poseOf(Number.NaN)).toBe('unknown');
		// The guided capture's turn is never a frontal face, and leaves room for measurement noise.
		expect(poseOf(TURN_MIN_YAW)).toBe('left');
		expect(TURN_MIN_YAW).toBeGreaterThan(FRONTAL_MAX_YAW);
		expect(TURN_MAX_YAW).toBeGreaterThan(TURN_MIN_YAW);
	});

	it('counts a person’s faces by pose', () => {
		expect(coverageOf([0, 0.05, 0.3, -0.3, -0.5, null])).toEqual({ frontal: 2, left: 1, right: 2, unknown: 1 });
		expect(coverageOf([])).toEqual({ frontal: 0, left: 0, right: 0, unknown: 0 });
	});
});

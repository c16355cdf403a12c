import { describe, expect, it } from 'vitest';
import { QUALITY_FLOOR, qualityWeight, weightedCentroid } from './enrol-quality.ts';

const rule = { strength: 1, fullSide: 100, fullSharpness: 200 };

describe('enrolment quality weights', () => {
	it('gives a frontal, large, sharp, confidently detected face full weight', () => {
		expect(qualityWeight({ yaw: 0, side: 150, sharpness: 400, score: 1 }, rule)).toBe(1);
		expect(qualityWeight({}, rule)).toBe(1); // nothing measured: nothing to hold against it
	});

	it('weighs a turned, small or blurred face less, down to a floor', () => {
		expect(qualityWeight({ yaw: 0.5 }, rule)).toBeCloseTo(0.5, 9);
		expect(qualityWeight({ yaw: -0.5 }, rule)).toBeCloseTo(0.5, 9);
		expect(qualityWeight({ side: 50 }, rule)).toBeCloseTo(0.5, 9);
		expect(qualityWeight({ sharpness: 50 }, rule)).toBeCloseTo(0.25, 9);
		expect(qualityWeight({ yaw: 0.5, side: 50, score: 0.8 }, rule)).toBeCloseTo(0.2, 9);
		expect(qualityWeight({ yaw: 3 }, rule)).toBe(QUALITY_FLOOR);
	});

	it('sharpens or flattens the weights with strength (0: all equal)', () => {
		expect(qualityWeight({ yaw: 0.5 }, { ...rule, strength: 2 })).toBeCloseTo(0.25, 9);
		expect(qualityWeight({ yaw: 0.5 }, { ...rule, strength: 0 })).toBe(1);
	});

	it('averages faces by weight, equally when no weight is usable', () => {
		const faces = [Float32Array.from([0, 0]), Float32Array.from([1, 2])];
		expect([...weightedCentroid(faces, [3, 1])]).toEqual([0.25, 0.5]);
		expect([...weightedCentroid(faces, [0, Number.NaN])]).toEqual([0.5, 1]);
	});
});

import { describe, expect, it } from 'vitest';
import { euclidean } from './distance.ts';
import { leaveOneOutSpread, personThreshold } from './person-threshold.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);

describe('person thresholds', () => {
	it('measures the spread as each face against the centroid of the others', () => {
		const faces = [vec(0, 0), vec(1, 0), vec(0, 1)];
		const centroid = vec(1 / 3, 1 / 3);
		const direct = faces.map((f, i) => {
			const others = faces.filter((_, j) => j !== i);
			return euclidean(f, vec((others[0]![0]! + others[1]![0]!) / 2, (others[0]![1]! + others[1]![1]!) / 2));
		});
		expect(leaveOneOutSpread(faces, centroid)).toBeCloseTo(direct.reduce((a, b) => a + b) / 3, 6);
	});

	it('has no spread for one face', () => {
		expect(leaveOneOutSpread([vec(1, 2)], vec(1, 2))).toBeNull();
		expect(leaveOneOutSpread([], vec(1, 2))).toBeNull();
	});

	it('lowers the global threshold by the tighter bound, never raises it', () => {
		const stats = { spread: 0.3, neighbour: 0.8 };
		expect(personThreshold(0.55, stats, { spreadScale: 1.5, neighbourScale: null })).toBeCloseTo(0.45, 9);
		expect(personThreshold(0.55, stats, { spreadScale: null, neighbourScale: 0.5 })).toBeCloseTo(0.4, 9);
		expect(personThreshold(0.55, stats, { spreadScale: 1.5, neighbourScale: 0.5 })).toBeCloseTo(0.4, 9);
		expect(personThreshold(0.55, stats, { spreadScale: 3, neighbourScale: 2 })).toBe(0.55);
	});

	it('keeps the global threshold where a bound cannot be measured', () => {
		expect(personThreshold(0.55, { spread: null, neighbour: null }, { spreadScale: 1, neighbourScale: 0.5 })).toBe(0.55);
		expect(personThreshold(0.55, { spread: 0.2, neighbour: null }, { spreadScale: null, neighbourScale: 0.5 })).toBe(0.55);
	});
});

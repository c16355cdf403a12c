import { describe, expect, it } from 'vitest';
import { meanNearest, normalisedDistance, passesCohortNorm } from './cohort-norm.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const cohort = [vec(1, 0), vec(0, 2), vec(3, 0), vec(0, -4)];

describe('cohort normalisation', () => {
	it('averages the distances to the k nearest cohort faces', () => {
		expect(meanNearest(vec(0, 0), cohort, 1)).toBe(1);
		expect(meanNearest(vec(0, 0), cohort, 3)).toBe(2);
		expect(meanNearest(vec(0, 0), cohort, 10)).toBe(2.5); // k beyond the cohort: all of it
		expect(meanNearest(vec(0, 0), [], 3)).toBeNull();
		expect(meanNearest(vec(0, 0), cohort, 0)).toBeNull();
	});

	it('divides by the reference the mode names', () => {
		const refs = { person: 0.8, query: 0.4 };
		expect(normalisedDistance(0.4, refs, 'person')).toBeCloseTo(0.5, 9);
		expect(normalisedDistance(0.4, refs, 'query')).toBeCloseTo(1, 9);
		expect(normalisedDistance(0.4, refs, 'both')).toBeCloseTo(0.4 / 0.6, 9);
		expect(normalisedDistance(0.4, { person: 0.8, query: null }, 'both')).toBeNull();
		expect(normalisedDistance(0.4, { person: 0, query: null }, 'person')).toBeNull();
	});

	it('rejects a face no nearer to the person than the crowd, and does not apply without a cohort', () => {
		const rule = { mode: 'query' as const, k: 1, scale: 0.9 };
		expect(passesCohortNorm(0.5, { person: null, query: 0.6 }, rule)).toBe(true); // 0.83 < 0.9
		expect(passesCohortNorm(0.5, { person: null, query: 0.5 }, rule)).toBe(false); // as close to a stranger
		expect(passesCohortNorm(0.5, { person: null, query: null }, rule)).toBe(true);
	});
});

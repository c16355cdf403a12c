import { describe, expect, it } from 'vitest';
import { createCohort, findMatch, type GalleryEntry } from './matcher.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const T = 0.55;
// alice: three faces 0.1 around (1, 0, 0), so her leave-one-out spread is 0.15; bob far away.
const entries: GalleryEntry[] = [
	{ personId: 'a', name: 'alice', embedding: vec(1.1, 0, 0) },
	{ personId: 'a', name: 'alice', embedding: vec(0.9, 0, 0) },
	{ personId: 'a', name: 'alice', embedding: vec(1, 0.1, 0) },
	{ personId: 'a', name: 'alice', embedding: vec(1, -0.1, 0) },
	{ personId: 'b', name: 'bob', embedding: vec(-1, 0, 0) }
];
const near = vec(1, 0, 0.2); // 0.2 from alice's centroid
const far = vec(1, 0, 0.4); // 0.4: under the global threshold, beyond her own spread × 2

describe('adaptive open-set rules in findMatch', () => {
	it('names both faces under the global rule alone', () => {
		expect(findMatch(near, entries, T).label).toBe('alice');
		expect(findMatch(far, entries, T).label).toBe('alice');
	});

	it('a per-person threshold from her spread turns away the face beyond it', () => {
		const adaptive = { person: { spreadScale: 2, neighbourScale: null } }; // 2 × 0.133 = 0.27
		expect(findMatch(near, entries, T, { adaptive }).label).toBe('alice');
		expect(findMatch(far, entries, T, { adaptive })).toMatchObject({ label: 'unknown', personId: null, confidence: 0 });
	});

	it('a per-person threshold from the nearest enrolled neighbour', () => {
		// alice–bob centroids are 2 apart: 0.15 × 2 = 0.3 lets `near` through, not `far`
		const adaptive = { person: { spreadScale: null, neighbourScale: 0.15 } };
		expect(findMatch(near, entries, T, { adaptive }).label).toBe('alice');
		expect(findMatch(far, entries, T, { adaptive }).label).toBe('unknown');
	});

	it('cohort normalisation turns away a face as close to a stranger as to her', () => {
		const cohort = createCohort([vec(1, 0, 0.85), vec(0, 5, 0)]); // 0.45 from `far`, 0.65 from `near`
		const adaptive = { cohortNorm: { mode: 'query' as const, k: 1, scale: 0.85 } };
		expect(findMatch(near, entries, T, { cohort, cohortMargin: null, adaptive }).label).toBe('alice'); // 0.2 / 0.65
		expect(findMatch(far, entries, T, { cohort, cohortMargin: null, adaptive }).label).toBe('unknown'); // 0.4 / 0.45 = 0.89
		// without a cohort the rule has nothing to compare with and does not apply
		expect(findMatch(far, entries, T, { adaptive }).label).toBe('alice');
	});

	it('never names a face the global rule rejects', () => {
		const adaptive = { person: { spreadScale: 100, neighbourScale: 100 } };
		expect(findMatch(vec(1, 0, 0.6), entries, T, { adaptive }).label).toBe('unknown');
	});

	it('weights each face in its centroid', () => {
		const weighted: GalleryEntry[] = [
			{ personId: 'a', name: 'alice', embedding: vec(0, 0, 0), weight: 3 },
			{ personId: 'a', name: 'alice', embedding: vec(1, 0, 0), weight: 1 }
		];
		expect(findMatch(vec(0.25, 0, 0), weighted, T).distance).toBeCloseTo(0, 6);
		// no weight, or an unusable one, counts as 1
		expect(findMatch(vec(0.5, 0, 0), [{ ...weighted[0]!, weight: Number.NaN }, weighted[1]!], T).distance).toBeCloseTo(0, 6);
	});
});

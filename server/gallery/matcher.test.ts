import { describe, expect, it } from 'vitest';
import { COHORT_EXCLUSION, createCohort, DEFAULT_MARGIN, euclidean, findMatch, judge, rankPeople, type GalleryEntry } from './matcher.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const entries: GalleryEntry[] = [
	{ personId: 'a', name: 'alice', embedding: vec(1, 0, 0) },
	{ personId: 'a', name: 'alice', embedding: vec(0.9, 0.1, 0) },
	{ personId: 'b', name: 'bob', embedding: vec(0, 1, 0) }
];

/** `rounds` galleries of 50 random faces of 30 people (32 numbers each), each with a query a little further out. */
function randomGalleries(seed: number, rounds: number): Array<{ gallery: GalleryEntry[]; query: Float32Array }> {
	const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
	return Array.from({ length: rounds }, () => ({
		gallery: Array.from({ length: 50 }, (_, i) => ({ personId: `p${i % 30}`, name: `n${i % 30}`, embedding: Float32Array.from({ length: 32 }, random) })),
		query: Float32Array.from({ length: 32 }, () => 3 * random())
	}));
}

describe('matcher', () => {
	it('measures euclidean distance', () => {
		expect(euclidean(vec(0, 0), vec(3, 4))).toBe(5);
	});

	it('ranks each person once by the distance to the mean of their embeddings', () => {
		const ranked = rankPeople(vec(0.92, 0.08, 0), entries);
		expect(ranked.map((r) => r.personId)).toEqual(['a', 'b']);
		// alice's centroid is (0.95, 0.05, 0)
		expect(ranked[0]?.distance).toBeCloseTo(Math.hypot(0.03, 0.03), 5);
		expect(ranked[1]?.distance).toBeCloseTo(Math.hypot(0.92, 0.92), 5);
	});

	/** judge's leader with `margin`, far past any threshold: who leads, whatever the verdict. */
	const leader = (query: Float32Array, gallery: readonly GalleryEntry[], margin: number) => judge(query, gallery, 0.01, { margin }).leader;

	it('says who leads however far, as ranking them all does; null with nobody of the dimension', () => {
		for (const { gallery, query } of randomGalleries(7, 20)) {
			expect(leader(query, gallery, 0)).toBe(rankPeople(query, gallery)[0]!.personId);
			expect(judge(query, gallery, 0.01).match.personId).toBeNull();
		}
		expect(leader(vec(1, 0), entries, 0)).toBeNull();
		expect(leader(vec(0, 0, 0), [], 0)).toBeNull();
	});

	it('says who leads only when they lead the next by the margin, named or not', () => {
		// 0.29 from alice's centroid against 0.31 from bob: nearest, by less than 0.04.
		const near = [
			{ personId: 'a', name: 'alice', embedding: vec(1, 0) },
			{ personId: 'b', name: 'bob', embedding: vec(1, 0.6) }
		];
		expect(leader(vec(1, 0.29), near, 0)).toBe('a');
		expect(leader(vec(1, 0.29), near, 0.04)).toBeNull();
		expect(leader(vec(1, 0.25), near, 0.04)).toBe('a');
		expect(judge(vec(1, 0.25), near, 0.3)).toMatchObject({ match: { personId: 'a' }, leader: 'a' });
		expect(judge(vec(1, 0.29), near, 0.3)).toMatchObject({ match: { personId: null }, leader: null });
		const outcomes = { named: 0, none: 0 };
		for (const [round, { gallery, query }] of randomGalleries(11, 50).entries()) {
			const [first, second] = rankPeople(query, gallery);
			const margin = 0.1 * (round % 5);
			const leads = second!.distance - first!.distance >= margin;
			outcomes[leads ? 'named' : 'none']++;
			expect(leader(query, gallery, margin)).toBe(leads ? first!.personId : null);
		}
		// Both answers were put to the test.
		expect(Math.min(outcomes.named, outcomes.none)).toBeGreaterThan(5);
	});

	it('names the nearest person under the threshold with a confidence in (0.5, 1]', () => {
		const match = findMatch(vec(0.95, 0.05, 0), entries, 0.5);
		expect(match.label).toBe('alice');
		expect(match.personId).toBe('a');
		expect(match.distance).toBeCloseTo(0, 5);
		expect(match.confidence).toBeGreaterThan(0.5);
		expect(match.confidence).toBeLessThanOrEqual(1);
	});

	it('says unknown at or over the threshold, keeping the distance', () => {
		const match = findMatch(vec(0, 0, 1), entries, 0.5);
		expect(match).toMatchObject({ label: 'unknown', personId: null, confidence: 0 });
		expect(match.distance).toBeCloseTo(Math.hypot(0.95, 0.05, 1), 5);

		const atThreshold = findMatch(vec(0.95, 0.05, 0.5), entries, 0.5);
		expect(atThreshold.distance).toBeCloseTo(0.5, 6);
		expect(atThreshold.label).toBe('unknown');
		expect(findMatch(vec(0.95, 0.05, 0.49), entries, 0.5).label).toBe('alice');
	});

	it('says unknown with no distance on an empty gallery', () => {
		expect(findMatch(vec(1, 0, 0), [], 0.5)).toEqual({
			label: 'unknown',
			personId: null,
			distance: null,
			confidence: 0
		});
	});

	it('ignores embeddings of another dimension', () => {
		expect(findMatch(vec(1, 0), entries, 0.5)).toMatchObject({ label: 'unknown', distance: null });
		const mixed: GalleryEntry[] = [
			...entries,
			{ personId: 'c', name: 'carol', embedding: vec(0.95, 0.05, 0, 0) },
			{ personId: 'a', name: 'alice', embedding: vec(-5, -5) }
		];
		const match = findMatch(vec(0.95, 0.05, 0), mixed, 0.5);
		expect(match).toMatchObject({ label: 'alice', personId: 'a' });
		expect(match.distance).toBeCloseTo(0, 5); // the 2-d vector did not move alice's centroid
		expect(findMatch(vec(0.95, 0.05, 0, 0), mixed, 0.5).label).toBe('carol');
	});

	it('matches against every embedding of a person, through their mean', () => {
		// each of dora's photos is over 0.4 from the query, so nearest-neighbour would say unknown;
		// their mean is 0.1 from it
		const dora: GalleryEntry[] = [
			{ personId: 'd', name: 'dora', embedding: vec(0.4, 0, 0.1) },
			{ personId: 'd', name: 'dora', embedding: vec(-0.4, 0, 0.1) },
			{ personId: 'e', name: 'emil', embedding: vec(0, 0.35, 0) }
		];
		const match = findMatch(vec(0, 0, 0), dora, 0.3, { margin: 0.1 });
		expect(match).toMatchObject({ label: 'dora', personId: 'd' });
		expect(match.distance).toBeCloseTo(0.1, 5);
	});

	it('says unknown when two people are nearly equally close (margin)', () => {
		const twins: GalleryEntry[] = [
			{ personId: 'a', name: 'alice', embedding: vec(0.2, 0, 0) },
			{ personId: 'b', name: 'bea', embedding: vec(0, 0.21, 0) }
		];
		const query = vec(0, 0, 0);
		const ambiguous = findMatch(query, twins, 0.5);
		expect(ambiguous).toMatchObject({ label: 'unknown', personId: null, confidence: 0 });
		expect(ambiguous.distance).toBeCloseTo(0.2, 5);
		// 0.01 apart: named once the margin allows it, and unknown again for any margin over the gap
		expect(findMatch(query, twins, 0.5, { margin: 0.005 }).label).toBe('alice');
		expect(findMatch(query, twins, 0.5, { margin: 0.02 }).label).toBe('unknown');
		expect(findMatch(query, twins, 0.5, { margin: 0 }).label).toBe('alice');
	});

	it('names the best person when the second is just past the default margin', () => {
		const gap = DEFAULT_MARGIN + 0.01;
		const pair: GalleryEntry[] = [
			{ personId: 'a', name: 'alice', embedding: vec(0.2, 0, 0) },
			{ personId: 'b', name: 'bea', embedding: vec(0, 0.2 + gap, 0) }
		];
		expect(findMatch(vec(0, 0, 0), pair, 0.5).label).toBe('alice');
	});

	it('needs no margin when only one person is enrolled', () => {
		expect(findMatch(vec(0.9, 0, 0), [entries[0]!], 0.5, { margin: 1 }).label).toBe('alice');
	});

	it('gives a confidence in [0, 1] that falls as the distance grows', () => {
		const one: GalleryEntry[] = [{ personId: 'a', name: 'alice', embedding: vec(0, 0) }];
		let last = Infinity;
		for (let d = 0; d <= 0.8; d += 0.05) {
			const { confidence, distance } = findMatch(vec(d, 0), one, 0.5);
			expect(distance).toBeCloseTo(d, 5);
			expect(confidence).toBeGreaterThanOrEqual(0);
			expect(confidence).toBeLessThanOrEqual(1);
			expect(confidence).toBeLessThanOrEqual(last);
			last = confidence;
		}
		expect(findMatch(vec(0, 0), one, 0.5).confidence).toBe(1);
		expect(findMatch(vec(0.4999, 0), one, 0.5).confidence).toBeCloseTo(0.5, 3);
	});

	it('rebuilds its per-person means for a new entries array, keeps them for the old', () => {
		const first: GalleryEntry[] = [{ personId: 'a', name: 'alice', embedding: vec(1, 0) }];
		expect(findMatch(vec(1, 0), first, 0.5).label).toBe('alice');
		// a write hands out a new array: bob enrolled, alice renamed
		const second: GalleryEntry[] = [
			{ personId: 'a', name: 'alicia', embedding: vec(1, 0) },
			{ personId: 'b', name: 'bob', embedding: vec(0, 1) }
		];
		expect(findMatch(vec(0, 1), second, 0.5).label).toBe('bob');
		expect(findMatch(vec(1, 0), second, 0.5).label).toBe('alicia');
		// the cache is keyed by the array: the old one still answers with what it held
		expect(findMatch(vec(0, 1), first, 0.5).label).toBe('unknown');
		expect(findMatch(vec(1, 0), first, 0.5).label).toBe('alice');
	});

	it('gives the same verdict as an exhaustive scan on a larger gallery', () => {
		let seed = 7;
		const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
		const gallery: GalleryEntry[] = [];
		for (let p = 0; p < 60; p++) {
			const centre = Array.from({ length: 16 }, () => rand());
			for (let k = 0; k < 3; k++) {
				const embedding = Float32Array.from(centre, (x) => x + 0.1 * rand());
				gallery.push({ personId: `p${p}`, name: `n${p}`, embedding });
			}
		}
		const seen = { named: 0, ambiguous: 0, far: 0 };
		for (let q = 0; q < 60; q++) {
			// near one person, between two, or a third of the way: every kind of verdict
			const a = gallery[(q * 37) % gallery.length]!.embedding;
			const b = gallery[(q * 53 + 11) % gallery.length]!.embedding;
			const w = [0, 0.5, 0.3][q % 3]!;
			const query = Float32Array.from(a, (x, i) => (1 - w) * x + w * b[i]! + 0.3 * rand());
			const [best, second] = rankPeople(query, gallery);
			const match = findMatch(query, gallery, 1.6, { margin: 0.3 });
			expect(match.distance).toBeCloseTo(best!.distance, 5);
			const far = best!.distance >= 1.6;
			const ambiguous = !far && second!.distance - best!.distance < 0.3;
			expect(match.personId).toBe(far || ambiguous ? null : best!.personId);
			seen[far ? 'far' : ambiguous ? 'ambiguous' : 'named']++;
		}
		expect(Math.min(seen.named, seen.ambiguous, seen.far)).toBeGreaterThan(5);
	});

	it('says unknown with no distance for a query that is not a number', () => {
		const match = findMatch(vec(Number.NaN, 0, 0), entries, 0.5);
		expect(match).toEqual({ label: 'unknown', personId: null, distance: null, confidence: 0 });
	});

	it('refuses a threshold or margin that is not a distance', () => {
		expect(() => findMatch(vec(1, 0, 0), entries, 0)).toThrow(TypeError);
		expect(() => findMatch(vec(1, 0, 0), entries, Number.NaN)).toThrow(TypeError);
		expect(() => findMatch(vec(1, 0, 0), entries, 0.5, { margin: -0.1 })).toThrow(TypeError);
	});

	describe('cohort of faces that are nobody in the gallery', () => {
		// alice's centroid is (0.95, 0.05, 0); the query lies 1 from it, bob 1.64 away; threshold 1.5.
		const query = vec(0.95, 0.05, 1);
		const T = 1.5;

		it('says unknown when a cohort face is closer than the best person plus the cohort margin', () => {
			const cohort = createCohort([vec(0.95, 0.05, 1.8), vec(-1, -1, -1)]); // 0.8 from the query
			expect(findMatch(query, entries, T).label).toBe('alice');
			expect(findMatch(query, entries, T, { cohort, cohortMargin: 0 })).toMatchObject({ label: 'unknown', confidence: 0 });
			// The distance is still reported for an unknown verdict.
			expect(findMatch(query, entries, T, { cohort, cohortMargin: 0 }).distance).toBeCloseTo(1, 5);
			// A negative margin asks the cohort face to be that much closer before it vetoes.
			expect(findMatch(query, entries, T, { cohort, cohortMargin: -0.3 }).label).toBe('alice');
		});

		it('names the person when every cohort face is farther than the margin allows', () => {
			const cohort = createCohort([vec(0.95, 0.05, 2.1)]); // 1.1 from the query
			expect(findMatch(query, entries, T, { cohort, cohortMargin: 0 }).label).toBe('alice');
			expect(findMatch(query, entries, T, { cohort, cohortMargin: 0.2 }).label).toBe('unknown');
		});

		it('leaves out cohort faces of enrolled people (within COHORT_EXCLUSION of a centroid)', () => {
			const near = vec(0.95, 0.05, COHORT_EXCLUSION - 0.01); // alice in a sample photo
			expect(findMatch(vec(0.95, 0.05, 0.6), entries, T, { cohort: createCohort([near]) }).label).toBe('alice');
			const past = vec(0.95, 0.05, COHORT_EXCLUSION + 0.01);
			expect(findMatch(vec(0.95, 0.05, 0.6), entries, T, { cohort: createCohort([past]) }).label).toBe('unknown');
		});

		it('ignores cohort faces of another dimension, non-finite ones, and an empty cohort', () => {
			const cohort = createCohort([vec(0.95, 0.05, 1.8, 0), vec(0.95, 0.05, 1.8)]);
			expect(cohort).toMatchObject({ size: 1, dim: 4 }); // the first face sets the dimension; the second is dropped
			expect(findMatch(query, entries, T, { cohort }).label).toBe('alice');
			const mixed = createCohort([vec(5, 5, 5), vec(Number.NaN, 0, 0), vec(0.95, 0.05, 1.8)]);
			expect(mixed.size).toBe(2);
			expect(findMatch(query, entries, T, { cohort: mixed, cohortMargin: 0 }).label).toBe('unknown');
			expect(findMatch(query, entries, T, { cohort: createCohort([]) }).label).toBe('alice');
		});
	});
});

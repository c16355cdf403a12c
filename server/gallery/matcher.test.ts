import { describe, expect, it } from 'vitest';
import { euclidean, findMatch, rankPeople, type GalleryEntry } from './matcher.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const entries: GalleryEntry[] = [
	{ personId: 'a', name: 'alice', embedding: vec(1, 0, 0) },
	{ personId: 'a', name: 'alice', embedding: vec(0.9, 0.1, 0) },
	{ personId: 'b', name: 'bob', embedding: vec(0, 1, 0) }
];

describe('matcher', () => {
	it('measures euclidean distance', () => {
		expect(euclidean(vec(0, 0), vec(3, 4))).toBe(5);
	});

	it('ranks each person once by their nearest embedding', () => {
		const ranked = rankPeople(vec(0.92, 0.08, 0), entries);
		expect(ranked.map((r) => r.personId)).toEqual(['a', 'b']);
		expect(ranked[0]?.distance).toBeCloseTo(Math.hypot(0.02, 0.02), 5);
	});

	it('names the nearest person under the threshold with a confidence in (0.5, 1]', () => {
		const match = findMatch(vec(0.95, 0.05, 0), entries, 0.5);
		expect(match.label).toBe('alice');
		expect(match.personId).toBe('a');
		expect(match.confidence).toBeGreaterThan(0.5);
		expect(match.confidence).toBeLessThanOrEqual(1);
	});

	it('says unknown at or over the threshold, keeping the distance', () => {
		const match = findMatch(vec(0, 0, 1), entries, 0.5);
		expect(match).toMatchObject({ label: 'unknown', personId: null, confidence: 0 });
		expect(match.distance).toBeCloseTo(Math.hypot(0.9, 0.1, 1), 5);
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
		expect(findMatch(vec(1, 0), entries, 0.5).label).toBe('unknown');
	});
});

import { describe, expect, it } from 'vitest';
import { findConflict, findMismatch, MISMATCH_SLACK } from './consistency.ts';
import type { GalleryEntry } from './matcher.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const face = (...xs: number[]) => ({ embedding: vec(...xs) });
const T = 0.55;

describe('findMismatch', () => {
	it('finds the one face of a set that is somebody else', () => {
		const set = [face(0, 0, 0), face(0.1, 0, 0), face(0, 0.1, 0), face(1.2, 0, 0), face(0, 0, 0.1)];
		const mismatch = findMismatch(set, [], T);
		expect(mismatch).toMatchObject({ index: 3, others: 4 });
		// The others' mean is (0.025, 0.025, 0.025).
		expect(mismatch?.distance).toBeCloseTo(Math.hypot(1.175, 0.025, 0.025), 3);
	});

	it('lets a set of one person through, and a face with nothing to compare', () => {
		expect(findMismatch([face(0, 0, 0), face(0.3, 0, 0), face(0, 0.3, 0)], [], T)).toBeNull();
		expect(findMismatch([face(5, 5, 5)], [], T)).toBeNull();
		expect(findMismatch([], [vec(0, 0, 0), vec(5, 5, 5)], T)).toBeNull();
	});

	it('compares a new face with the faces the person already has', () => {
		const stored = [vec(0, 0, 0), vec(0.1, 0, 0)];
		expect(findMismatch([face(0, 0.2, 0)], stored, T)).toBeNull();
		expect(findMismatch([face(0, 0.9, 0)], stored, T)).toMatchObject({ index: 0 });
	});

	it('flags from threshold + slack on, not before', () => {
		const edge = T + MISMATCH_SLACK;
		expect(findMismatch([face(0, 0, 0), face(edge - 0.001, 0, 0)], [], T)).toBeNull();
		// Two faces are each as far from the other: either may be named.
		expect(findMismatch([face(0, 0, 0), face(edge + 0.001, 0, 0)], [], T)?.distance).toBeCloseTo(edge + 0.001, 3);
	});

	it('ignores stored faces of another dimension', () => {
		// The 2-d vector would pull the mean far off if it counted (and make the distance NaN).
		expect(findMismatch([face(0.1, 0, 0)], [vec(0, 0, 0), vec(0.1, 0.1, 0), vec(9, 9)], T)).toBeNull();
		expect(findMismatch([face(0.9, 0, 0)], [vec(0, 0, 0), vec(0.1, 0, 0), vec(9, 9)], T)).toMatchObject({ index: 0, others: 2 });
	});
});

describe('findConflict', () => {
	const entries: GalleryEntry[] = [
		{ personId: 'a', name: 'alice', embedding: vec(0, 0, 0) },
		{ personId: 'b', name: 'bob', embedding: vec(1, 0, 0) }
	];

	it('names the nearest other person under the threshold', () => {
		expect(findConflict([face(0.9, 0, 0), face(0, 0.4, 0)], entries, T)).toEqual({ id: 'b', name: 'bob', distance: 0.1 });
	});

	it('does not count the person the faces are for, nor anyone at the threshold or beyond', () => {
		expect(findConflict([face(0.9, 0, 0)], entries, T, 'b')).toBeNull();
		expect(findConflict([face(0, 0, T)], entries, T)).toBeNull();
	});
});

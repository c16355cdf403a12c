import { describe, expect, it } from 'vitest';
import { findMatch } from './matcher.ts';
import { applyNegatives, createNegativeIndex, EMPTY_NEGATIVES } from './negatives.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const entries = [
	{ personId: 'ann', name: 'Ann', embedding: vec(0, 0) },
	{ personId: 'bob', name: 'Bob', embedding: vec(3, 0) }
];

describe('negative examples', () => {
	const lookalike = vec(0.4, 0.1);
	const named = findMatch(lookalike, entries, 0.55);

	it('takes the name away from a face nearer to one of the person’s negatives than to the person', () => {
		expect(named).toMatchObject({ personId: 'ann' });
		const index = createNegativeIndex([{ personId: 'ann', embedding: vec(0.45, 0.1) }]);
		expect(applyNegatives(lookalike, named, index)).toEqual({ personId: null, label: 'unknown', distance: named.distance, confidence: 0 });
	});

	it('leaves the person’s own faces, other people, unknown answers and other dimensions alone', () => {
		const index = createNegativeIndex([
			{ personId: 'ann', embedding: vec(0.45, 0.1) },
			{ personId: 'bob', embedding: vec(0.1, 0) },
			{ personId: 'ann', embedding: vec(1, 1, 1) }
		]);
		const own = findMatch(vec(-0.1, 0), entries, 0.55);
		expect(applyNegatives(vec(-0.1, 0), own, index)).toBe(own);
		const far = findMatch(vec(1.5, 0), entries, 0.55);
		expect(applyNegatives(vec(1.5, 0), far, index)).toBe(far);
		expect(applyNegatives(lookalike, named, EMPTY_NEGATIVES)).toBe(named);
		// A margin asks for the negative to be that much nearer.
		expect(applyNegatives(lookalike, named, index, 0.5)).toBe(named);
	});
});

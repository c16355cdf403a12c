/**
 * Negative examples (issue 11): faces someone said are *not* a person ("Not Ann" on the live
 * page). A separate step after the matcher's verdict (matcher.ts decides; this only takes a name
 * away): a face named P is `unknown` instead when it lies closer to one of P's negatives than to
 * P's centroid, by `margin` or more. Never gives a name, never picks the runner-up: a corrected
 * mistake becomes an honest `unknown`. Pure.
 *
 * The margin (DEFAULT_NEGATIVE_MARGIN, 0: "closer to what was said not to be P than to P") is the
 * median choice of `npm run bench:accuracy` section X: per split, the named strangers of one half
 * of ../shared/data's stranger photos become negatives, the margin is chosen on that half alone,
 * and the other half is scored. Held out (10 seeds × 2): the same face again is never named after
 * its correction (40 → 0); other look-alike strangers named 11.7 % → 10.8 %, recall 94.6 % → 92.5 %.
 * Eager margins (-0.1) stop far more look-alikes but cost recall: README *Learning*.
 */
import { euclidean, UNKNOWN_LABEL, type Match } from './matcher.ts';

/** Per person, their negatives' embeddings. Build once per change (createNegativeIndex). */
export type NegativeIndex = ReadonlyMap<string, readonly Float32Array[]>;

export const EMPTY_NEGATIVES: NegativeIndex = new Map();

/** See the header: a negative must be at least this much closer than the centroid to take the name away. */
export const DEFAULT_NEGATIVE_MARGIN = 0;

export function createNegativeIndex(negatives: Iterable<{ personId: string; embedding: Float32Array }>): NegativeIndex {
	const index = new Map<string, Float32Array[]>();
	for (const { personId, embedding } of negatives) {
		const list = index.get(personId);
		if (list) list.push(embedding);
		else index.set(personId, [embedding]);
	}
	return index;
}

/** The nearest negative of `personId` to `query`, or null when the person has none of its dimension. */
export function nearestNegative(query: Float32Array, personId: string, index: NegativeIndex): number | null {
	let best: number | null = null;
	for (const negative of index.get(personId) ?? []) {
		if (negative.length !== query.length) continue;
		const d = euclidean(query, negative);
		if (best === null || d < best) best = d;
	}
	return best;
}

/** The match, or `unknown` when a negative of the named person is nearer than the person (see the header). */
export function applyNegatives(query: Float32Array, match: Match, index: NegativeIndex, margin = DEFAULT_NEGATIVE_MARGIN): Match {
	if (!match.personId || match.distance === null || index.size === 0) return match;
	const nearest = nearestNegative(query, match.personId, index);
	if (nearest === null || !(nearest + margin < match.distance)) return match;
	return { personId: null, label: UNKNOWN_LABEL, distance: match.distance, confidence: 0 };
}

/**
 * Finds who a face embedding belongs to. Pure: embeddings in, verdict out.
 *
 * Rule (issue 3): each person is represented by the mean (centroid) of their stored embeddings.
 * A face is named after the person whose centroid is nearest (euclidean) when that distance is
 * under `threshold` AND the next person's centroid is at least `margin` farther away; otherwise
 * it is `unknown`: too far from everyone, or ambiguous between two people.
 *
 * First chosen (issue 3) on ../shared/data/faces alone (8 identities × 5 tight crops, 7 strangers,
 * 5 group shots): the centroid beat nearest neighbour, k-NN votes, medoids and mixes (errors over
 * 867 trials: centroid 0.55 + margin 0.04: 3; nearest at 0.5: 70), and the margin turned away the
 * impostors that browser-like crops bring under the threshold.
 *
 * Held-out check (issue 13, `npm run bench:accuracy` sections S and N: faces + faces-real, the
 * look-alike set, 10 identity-disjoint splits × 2 directions, numbers chosen on one half and scored
 * on the other, live 112 px crops and photo probes): re-choosing threshold and margin per split
 * (0.48–0.59) was costlier than 0.55/0.04 on 12 of 20 test halves, so they stay. What they give on
 * held-out people: look-alikes (faces-real, every photo enrolled) 91 % ± 12 named from live crops,
 * 0 wrong names, but 6.1 % ± 4.2 of strangers named (46 of 771 impostor trials); one photo per
 * person 56 % ± 17 named (faces-real) and 75 % ± 10 (faces), strangers named 2.0 % / 0.2 %. The
 * issue's goals (≤ 1 % strangers named at ≥ 90 % recall) are out of reach for this embedder and any
 * threshold: its closest impostors sit inside the genuine distances (bench:embedders).
 *
 * The cohort check (MatchOptions.cohort: a face closer to a sample-photo stranger than to its best
 * person is unknown) cut strangers named on look-alikes (46 → 42 of 771) and one-photo false accepts
 * (83 → 25 of 4 365) but cost one-photo recall (56 → 35 %); it was cheaper on 9 test halves and
 * dearer on 8, so it is not proven and the server does not pass a cohort.
 *
 * The adaptive rules (MatchOptions.adaptive, issue 13.3: per-person thresholds from spread and
 * nearest neighbour, cohort normalisation, quality-weighted centroids via GalleryEntry.weight) are
 * built and measured in bench:accuracy section A, each chosen on one half and scored on the other:
 * none is on by default. Cohort normalisation (query and person references, k = 3) cut look-alike
 * strangers named from 46 to 15 of 771 held-out trials but named 69 % instead of 91 % of genuine
 * live crops; chosen to keep recall, it cut them only to 41 of 771 at 88 %. None was cheaper on
 * 75 % of the paired test halves while keeping look-alike recall ≥ 90 % (README, *Recognition accuracy*).
 *
 * Raw descriptors, not rescaled to one norm: their norm (1.36–1.59) is steady per person, and
 * normalising cut centroid's error-free window from 0.07 to 0.02.
 *
 * Cost: centroids are derived once per `entries` array (the gallery hands out the same array
 * until a write) into blocks of Float32Array (people-index.ts), so a query is one pass over the
 * people, not the embeddings, with squared distances and early abandon (`npm run bench:match`).
 * After a write, only the blocks around the people it touched are built again.
 */

import { euclidean } from './distance.ts';
import { adaptiveStats, passesAdaptive, type AdaptiveRule } from './adaptive.ts';
import { cohortFor, cohortWithin, type Cohort } from './cohort.ts';
import { centroidOf, indexFor, type GalleryEntry, type PeopleIndex } from './people-index.ts';

export type { GalleryEntry } from './people-index.ts';
export { euclidean };

export { COHORT_EXCLUSION, createCohort, type Cohort } from './cohort.ts';

export type Match = {
	personId: string | null;
	label: string;
	/**
	 * Euclidean distance from the query to the best person's centroid (kept for unknown verdicts,
	 * too); null when no stored embedding has the query's dimension.
	 */
	distance: number | null;
	/** In [0, 1]: 1 at distance 0, 0.5 at the threshold, falling with distance; 0 for unknown. */
	confidence: number;
};

export type MatchOptions = {
	/**
	 * Smallest gap (euclidean distance) between the best and the second-best person's centroid
	 * for a name; closer than that the face is ambiguous and `unknown`. Default DEFAULT_MARGIN.
	 */
	margin?: number;
	/**
	 * Faces of people who are nobody in the gallery (see createCohort). A face that lies closer
	 * to one of them than `cohortMargin` beyond its best person is `unknown`: it looks at least as
	 * much like a stranger as like that person.
	 */
	cohort?: Cohort | null;
	/**
	 * See `cohort`; default DEFAULT_COHORT_MARGIN. Negative: the cohort face must be that much
	 * closer. Null: no such veto (the cohort then serves `adaptive` only).
	 */
	cohortMargin?: number | null;
	/**
	 * The adaptive open-set rules on top of threshold and margin (adaptive.ts): per-person
	 * thresholds, cohort normalisation (needs `cohort`). Default none.
	 */
	adaptive?: AdaptiveRule | null;
};

export const UNKNOWN_LABEL = 'unknown';
/** The answer when there is nothing to compare: no face in the crop, or nobody of its dimension. */
export const NO_MATCH: Readonly<Match> = { personId: null, label: UNKNOWN_LABEL, distance: null, confidence: 0 };
/**
 * See the header: at threshold 0.55 on faces/, 0.04 cost no genuine face and turned away the
 * impostors the threshold alone let through; held out (bench:accuracy S), margins chosen per
 * split (0–0.08) did not do better.
 */
export const DEFAULT_MARGIN = 0.04;
/** See MatchOptions.cohort. */
export const DEFAULT_COHORT_MARGIN = 0;

/**
 * The nearest and second-nearest person rows by squared distance. A row is abandoned once its
 * partial sum reaches the bound: the current second best, or the current best plus the margin
 * when that is lower. Beyond it a row can change neither the best distance nor the verdict (a
 * second person that far away passes the margin), so the answer is exact.
 */
function nearestTwo(query: Float32Array, index: PeopleIndex, margin: number): { best: number; bestSq: number; secondSq: number } {
	const { blocks, starts, dim } = index;
	let best = -1;
	let bestSq = Infinity;
	let secondSq = Infinity;
	let bound = Infinity;
	for (let b = 0; b < blocks.length; b++) {
		const centroids = blocks[b] as Float32Array;
		const first = starts[b] as number;
		const people = centroids.length / dim;
		for (let p = 0, base = 0; p < people; p++, base += dim) {
			let sum = 0;
			let i = 0;
			while (i < dim && sum < bound) {
				const stop = Math.min(dim, i + 16);
				for (; i < stop; i++) {
					const d = (query[i] as number) - (centroids[base + i] as number);
					sum += d * d;
				}
			}
			if (!(sum < bound)) continue; // also skips NaN rows
			if (sum < bestSq) {
				secondSq = bestSq;
				bestSq = sum;
				best = first + p;
			} else {
				secondSq = sum;
			}
			const reach = Math.sqrt(bestSq) + margin;
			bound = Math.min(secondSq, reach * reach);
		}
	}
	return { best, bestSq, secondSq };
}

/** Every person once, by distance from the query to their centroid, best first. */
export function rankPeople(query: Float32Array, entries: readonly GalleryEntry[]): Array<{ personId: string; name: string; distance: number }> {
	const index = indexFor(entries, query.length);
	return index.ids
		.map((personId, p) => ({
			personId,
			name: index.names[p] as string,
			distance: euclidean(query, centroidOf(index, p))
		}))
		.sort((a, b) => a.distance - b.distance);
}

/**
 * A match and, whatever its verdict, the person who leads: the one nearest the query when every
 * other person is at least the margin further (null when another is about as near, or nobody has
 * the query's dimension). Track fusion reads the leader of a crop left unknown, so it knows whether
 * only the threshold kept the name away without a second pass over the people.
 */
export type Verdict = { match: Match; leader: string | null };

/**
 * Names the face behind `query`, or says unknown, and says who leads (Verdict). `threshold` is the
 * largest centroid distance that may be named (exclusive; MATCH_THRESHOLD, recommended 0.55);
 * entries of another dimension than the query are ignored. Cost per query: one pass over the
 * people (not the embeddings).
 */
export function judge(query: Float32Array, entries: readonly GalleryEntry[], threshold: number, options: MatchOptions = {}): Verdict {
	const margin = options.margin ?? DEFAULT_MARGIN;
	if (!(threshold > 0)) throw new TypeError(`threshold must be a distance > 0, got ${threshold}`);
	if (!(margin >= 0)) throw new TypeError(`margin must be a distance ≥ 0, got ${margin}`);
	const index = indexFor(entries, query.length);
	const { best, bestSq, secondSq } = nearestTwo(query, index, margin);
	if (best < 0) return { match: { ...NO_MATCH }, leader: null };
	const distance = Math.sqrt(bestSq);
	const leads = Math.sqrt(secondSq) - distance >= margin;
	const leader = leads ? (index.ids[best] as string) : null;
	const cohortMargin = options.cohortMargin === undefined ? DEFAULT_COHORT_MARGIN : options.cohortMargin;
	const cohort = options.cohort ? cohortFor(entries, index, options.cohort) : null;
	if (
		distance >= threshold ||
		!leads ||
		(cohort && cohortMargin !== null && cohortWithin(query, cohort, distance + cohortMargin)) ||
		(options.adaptive &&
			!passesAdaptive({ query, distance, threshold, row: best, stats: adaptiveStats(index, cohort, options.adaptive), cohort, rule: options.adaptive }))
	) {
		return { match: { personId: null, label: UNKNOWN_LABEL, distance, confidence: 0 }, leader };
	}
	const confidence = Math.max(0, Math.min(1, 1 - distance / (2 * threshold)));
	return { match: { personId: index.ids[best] as string, label: index.names[best] as string, distance, confidence }, leader };
}

/** judge's match alone: the name for `query`, or unknown. */
export function findMatch(query: Float32Array, entries: readonly GalleryEntry[], threshold: number, options: MatchOptions = {}): Match {
	return judge(query, entries, threshold, options).match;
}

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
 * until a write) into one flat Float32Array, so a query is one pass over the people, not the
 * embeddings, with squared distances and early abandon (`npm run bench:match`). After a write,
 * the people it did not touch keep their centroids (groupedEntries).
 */

import { euclidean } from './distance.ts';
import { adaptiveStats, passesAdaptive, type AdaptiveRule } from './adaptive.ts';
import { cohortFor, cohortWithin, type Cohort } from './cohort.ts';

export { COHORT_EXCLUSION, createCohort, type Cohort } from './cohort.ts';

/**
 * One stored embedding, already validated for model and dimension. `weight` (> 0, default 1):
 * how much it counts in its person's centroid (enrol-quality.ts).
 */
export type GalleryEntry = { personId: string; name: string; embedding: Float32Array; weight?: number };

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

/** Centroids of one dimension: row p of `centroids` is person p's mean embedding. */
export type PeopleIndex = {
	ids: string[];
	names: string[];
	centroids: Float32Array;
	dim: number;
	/** Row p: person p's embeddings (for adaptive.ts's per-person figures). */
	members: Float32Array[][];
};

/** Keyed by the entries array itself: a new array (any gallery write) gets a fresh index. */
const indexCache = new WeakMap<readonly GalleryEntry[], Map<number, PeopleIndex>>();

export { euclidean };

/**
 * A group's rows in an index (see groupedEntries): its people, and where their centroids are:
 * `length` floats at `offset` in `source`, the last index built with it (so the centroids are held
 * once, not once per group and once more whole).
 */
type GroupRows = { ids: string[]; names: string[]; members: Float32Array[][]; source: Float32Array; offset: number; length: number };
/**
 * Each group's rows: after a change to a few people only theirs are built, the others' centroids
 * are copied. A full build costs ~1 s of CPU at 100 000 people × 5 faces (`npm run bench:scale`),
 * paid on every server after every change.
 */
const groupRows = new WeakMap<readonly GalleryEntry[], Map<number, GroupRows>>();
/** Flat arrays made by groupedEntries, and the per-person arrays they were made from. */
const groupsOf = new WeakMap<readonly GalleryEntry[], ReadonlyArray<readonly GalleryEntry[]>>();

/**
 * The entries of `groups` as one flat array, which the matcher indexes group by group, keeping the
 * rows of every group it has seen before. Each group holds every entry of its people, no person is
 * in two groups, and a group is never changed once given here (a change makes a new array): then
 * the index is the one the flat array alone would give. The gallery snapshot hands out its entries
 * this way, one group per person.
 */
export function groupedEntries(groups: ReadonlyArray<readonly GalleryEntry[]>): readonly GalleryEntry[] {
	const flat = groups.flat();
	groupsOf.set(flat, groups);
	return flat;
}

function rowsOf(group: readonly GalleryEntry[], dim: number): GroupRows {
	return perDim(groupRows, group, dim, () => {
		const { ids, names, members, centroids } = buildIndex(group, dim);
		return { ids, names, members, source: centroids, offset: 0, length: centroids.length };
	});
}

function indexOfGroups(groups: ReadonlyArray<readonly GalleryEntry[]>, dim: number): PeopleIndex {
	const parts = new Array<GroupRows>(groups.length);
	let people = 0;
	for (let g = 0; g < groups.length; g++) {
		const part = rowsOf(groups[g] as readonly GalleryEntry[], dim);
		parts[g] = part;
		people += part.ids.length;
	}
	const centroids = new Float32Array(people * dim);
	const ids = new Array<string>(people);
	const names = new Array<string>(people);
	const members = new Array<Float32Array[]>(people);
	let row = 0;
	for (const part of parts) {
		const { source, offset } = part;
		const at = row * dim;
		// A plain loop: 100 000 small typed-array views (set from a subarray) cost more than the copy.
		for (let i = 0; i < part.length; i++) centroids[at + i] = source[offset + i] as number;
		part.source = centroids;
		part.offset = at;
		for (let p = 0; p < part.ids.length; p++, row++) {
			ids[row] = part.ids[p] as string;
			names[row] = part.names[p] as string;
			members[row] = part.members[p] as Float32Array[];
		}
	}
	return { ids, names, centroids, dim, members };
}

/** What `build` makes of `entries` for vectors of `dim`, made once per array and dimension. */
function perDim<T>(cache: WeakMap<readonly GalleryEntry[], Map<number, T>>, entries: readonly GalleryEntry[], dim: number, build: () => T): T {
	let byDim = cache.get(entries);
	if (!byDim) {
		byDim = new Map();
		cache.set(entries, byDim);
	}
	let made = byDim.get(dim);
	if (made === undefined) {
		made = build();
		byDim.set(dim, made);
	}
	return made;
}

function buildIndex(entries: readonly GalleryEntry[], dim: number): PeopleIndex {
	const rows = new Map<string, number>();
	const ids: string[] = [];
	const names: string[] = [];
	const counts: number[] = [];
	const members: Float32Array[][] = [];
	const rowOf = new Int32Array(entries.length).fill(-1);
	for (let e = 0; e < entries.length; e++) {
		const { personId, name, embedding } = entries[e] as GalleryEntry;
		if (embedding.length !== dim) continue;
		let row = rows.get(personId);
		if (row === undefined) {
			row = ids.length;
			rows.set(personId, row);
			ids.push(personId);
			names.push(name);
			counts.push(0);
			members.push([]);
		}
		counts[row] = (counts[row] as number) + weightOf(entries[e] as GalleryEntry);
		(members[row] as Float32Array[]).push(embedding);
		rowOf[e] = row;
	}
	const sums = new Float64Array(ids.length * dim);
	for (let e = 0; e < entries.length; e++) {
		const row = rowOf[e] as number;
		if (row < 0) continue;
		const embedding = (entries[e] as GalleryEntry).embedding;
		const w = weightOf(entries[e] as GalleryEntry);
		const base = row * dim;
		for (let i = 0; i < dim; i++) {
			sums[base + i] = (sums[base + i] as number) + w * (embedding[i] as number);
		}
	}
	const centroids = new Float32Array(sums.length);
	for (let row = 0; row < ids.length; row++) {
		const count = counts[row] as number;
		for (let i = row * dim; i < (row + 1) * dim; i++) centroids[i] = (sums[i] as number) / count;
	}
	return { ids, names, centroids, dim, members };
}

/** An entry's weight in its centroid: its `weight` when finite and > 0, else 1. */
const weightOf = (entry: GalleryEntry): number => (entry.weight !== undefined && Number.isFinite(entry.weight) && entry.weight > 0 ? entry.weight : 1);

function indexFor(entries: readonly GalleryEntry[], dim: number): PeopleIndex {
	return perDim(indexCache, entries, dim, () => {
		const groups = groupsOf.get(entries);
		return groups ? indexOfGroups(groups, dim) : buildIndex(entries, dim);
	});
}

/**
 * The nearest and second-nearest person rows by squared distance. A row is abandoned once its
 * partial sum reaches the bound: the current second best, or the current best plus the margin
 * when that is lower. Beyond it a row can change neither the best distance nor the verdict (a
 * second person that far away passes the margin), so the answer is exact.
 */
function nearestTwo(query: Float32Array, index: PeopleIndex, margin: number): { best: number; bestSq: number; secondSq: number } {
	const { centroids, dim } = index;
	const people = index.ids.length;
	let best = -1;
	let bestSq = Infinity;
	let secondSq = Infinity;
	let bound = Infinity;
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
			best = p;
		} else {
			secondSq = sum;
		}
		const reach = Math.sqrt(bestSq) + margin;
		bound = Math.min(secondSq, reach * reach);
	}
	return { best, bestSq, secondSq };
}

/** Every person once, by distance from the query to their centroid, best first. */
export function rankPeople(query: Float32Array, entries: readonly GalleryEntry[]): Array<{ personId: string; name: string; distance: number }> {
	const { ids, names, centroids, dim } = indexFor(entries, query.length);
	return ids
		.map((personId, p) => ({
			personId,
			name: names[p] as string,
			distance: euclidean(query, centroids.subarray(p * dim, (p + 1) * dim))
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

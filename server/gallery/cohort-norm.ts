/**
 * Score normalisation against a cohort (issue 13 item 3): faces of people who are nobody in the
 * gallery (the npm packages' sample photos; faces seen as unknown) say how close "somebody else"
 * usually gets. A distance is divided by a reference: the mean distance to the k nearest cohort
 * faces, of the person's centroid, of the query, or of both (averaged). A face then counts as
 * that person only when it is clearly nearer to them than the crowd is. Pure.
 */
import { euclidean } from './distance.ts';

/** Which references divide the distance. */
export type CohortNormMode = 'person' | 'query' | 'both';
/** k: cohort faces averaged; scale: the largest normalised distance that may be named. */
export type CohortNormRule = { mode: CohortNormMode; k: number; scale: number };

/** Mean distance from `v` to its `k` nearest faces of `cohort` (fewer if the cohort is smaller); null for an empty cohort. */
export function meanNearest(v: Float32Array, cohort: readonly Float32Array[], k: number): number | null {
	if (cohort.length === 0 || !(k >= 1)) return null;
	const ds = cohort.map((c) => euclidean(v, c)).sort((a, b) => a - b);
	const take = ds.slice(0, Math.min(Math.floor(k), ds.length));
	return take.reduce((s, d) => s + d, 0) / take.length;
}

/**
 * `distance` over the reference `mode` asks for; null when that reference is missing (empty
 * cohort), in which case the rule does not apply.
 */
export function normalisedDistance(distance: number, refs: { person: number | null; query: number | null }, mode: CohortNormMode): number | null {
	const ref =
		mode === 'person' ? refs.person : mode === 'query' ? refs.query : refs.person !== null && refs.query !== null ? (refs.person + refs.query) / 2 : null;
	return ref !== null && ref > 0 ? distance / ref : null;
}

/** True when the rule lets the name stand (it cannot apply: true). */
export function passesCohortNorm(distance: number, refs: { person: number | null; query: number | null }, rule: CohortNormRule): boolean {
	const n = normalisedDistance(distance, refs, rule.mode);
	return n === null || n < rule.scale;
}

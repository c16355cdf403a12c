/**
 * The adaptive part of the open-set decision (issue 13 item 3), composed by the matcher after its
 * global threshold and margin: per-person thresholds (person-threshold.ts) and cohort
 * normalisation (cohort-norm.ts). It can only turn a name into `unknown`, never name a face the
 * global rule rejected. Pure; the per-person figures are derived once per gallery snapshot.
 */
import { passesCohortNorm, meanNearest, type CohortNormRule } from './cohort-norm.ts';
import { euclidean } from './distance.ts';
import type { Cohort } from './cohort.ts';
import { centroidOf, type PeopleIndex } from './people-index.ts';
import { leaveOneOutSpread, personThreshold, type PersonSpread, type PersonThresholdRule } from './person-threshold.ts';

/** Which adaptive rules apply; an absent or null part is off. */
export type AdaptiveRule = { person?: PersonThresholdRule | null; cohortNorm?: CohortNormRule | null };

/** Per-person figures of one gallery snapshot: spread and neighbour by row, cohort references by k. */
export type AdaptiveStats = { spreads: PersonSpread[]; personRefs: Map<number, Array<number | null>> };

const statsCache = new WeakMap<PeopleIndex, WeakMap<Cohort | typeof NO_COHORT, AdaptiveStats>>();
const NO_COHORT = {};

/** The cohort's rows as vectors (a view each, no copy). */
export function cohortRows(cohort: Cohort | null): Float32Array[] {
	if (!cohort) return [];
	return Array.from({ length: cohort.size }, (_, k) => cohort.vectors.subarray(k * cohort.dim, (k + 1) * cohort.dim));
}

/**
 * Each person's spread and nearest enrolled neighbour, and (per k the rule asks for) the mean
 * distance of their centroid to its k nearest cohort faces. O(people² · dim) once per snapshot.
 */
export function adaptiveStats(index: PeopleIndex, cohort: Cohort | null, rule: AdaptiveRule): AdaptiveStats {
	let byCohort = statsCache.get(index);
	if (!byCohort) statsCache.set(index, (byCohort = new WeakMap()));
	const key = cohort ?? NO_COHORT;
	let stats = byCohort.get(key);
	if (!stats) {
		const centroid = (p: number) => centroidOf(index, p);
		const spreads = index.ids.map((_, p): PersonSpread => {
			let neighbour: number | null = null;
			for (let q = 0; q < index.ids.length; q++) {
				if (q !== p) neighbour = Math.min(neighbour ?? Infinity, euclidean(centroid(p), centroid(q)));
			}
			return { spread: leaveOneOutSpread(index.members[p] ?? [], centroid(p)), neighbour };
		});
		byCohort.set(key, (stats = { spreads, personRefs: new Map() }));
	}
	const k = rule.cohortNorm?.k;
	if (k !== undefined && !stats.personRefs.has(k)) {
		const rows = cohortRows(cohort);
		stats.personRefs.set(
			k,
			index.ids.map((_, p) => meanNearest(centroidOf(index, p), rows, k))
		);
	}
	return stats;
}

/** True when the adaptive rules let the best person's name stand. */
export function passesAdaptive(input: {
	query: Float32Array;
	distance: number;
	threshold: number;
	row: number;
	stats: AdaptiveStats;
	cohort: Cohort | null;
	rule: AdaptiveRule;
}): boolean {
	const { query, distance, threshold, row, stats, cohort, rule } = input;
	if (rule.person && distance >= personThreshold(threshold, stats.spreads[row] ?? { spread: null, neighbour: null }, rule.person)) return false;
	const norm = rule.cohortNorm;
	if (norm) {
		const person = stats.personRefs.get(norm.k)?.[row] ?? null;
		const queryRef = norm.mode === 'person' ? null : meanNearest(query, cohortRows(cohort), norm.k);
		if (!passesCohortNorm(distance, { person, query: queryRef }, norm)) return false;
	}
	return true;
}

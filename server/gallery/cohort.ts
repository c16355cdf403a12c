/**
 * The cohort: faces of people who are nobody in the gallery (the npm packages' sample photos;
 * faces seen as unknown), for the matcher's cohort veto and cohort normalisation
 * (cohort-norm.ts). Pure; the cohort without enrolled people's faces is derived once per
 * gallery snapshot.
 */
import { euclidean } from './distance.ts';
import { centroidOf, type GalleryEntry, type PeopleIndex } from './people-index.ts';

/** Cohort faces of one dimension, flat: row k is face k. */
export type Cohort = { readonly vectors: Float32Array; readonly dim: number; readonly size: number };

/** A cohort from face embeddings (those of another dimension than the first are dropped). */
export function createCohort(faces: readonly Float32Array[]): Cohort {
	const dim = faces[0]?.length ?? 0;
	const kept = faces.filter((f) => f.length === dim && f.every(Number.isFinite));
	const vectors = new Float32Array(kept.length * dim);
	kept.forEach((f, k) => vectors.set(f, k * dim));
	return { vectors, dim, size: kept.length };
}

/** Keyed by entries array, then cohort: the cohort without faces of enrolled people. */
const cohortCache = new WeakMap<readonly GalleryEntry[], WeakMap<Cohort, Cohort>>();

/** The cohort minus every face within COHORT_EXCLUSION of a centroid of `index`. */
function cohortWithout(cohort: Cohort, index: PeopleIndex): Cohort {
	if (cohort.dim !== index.dim) return cohort;
	const kept: Float32Array[] = [];
	for (let k = 0; k < cohort.size; k++) {
		const face = cohort.vectors.subarray(k * cohort.dim, (k + 1) * cohort.dim);
		let enrolled = false;
		for (let p = 0; p < index.ids.length && !enrolled; p++) {
			enrolled = euclidean(face, centroidOf(index, p)) < COHORT_EXCLUSION;
		}
		if (!enrolled) kept.push(face);
	}
	return kept.length === cohort.size ? cohort : createCohort(kept);
}

export function cohortFor(entries: readonly GalleryEntry[], index: PeopleIndex, cohort: Cohort): Cohort {
	let byCohort = cohortCache.get(entries);
	if (!byCohort) cohortCache.set(entries, (byCohort = new WeakMap()));
	let effective = byCohort.get(cohort);
	if (!effective) byCohort.set(cohort, (effective = cohortWithout(cohort, index)));
	return effective;
}

/** True when some cohort face lies within `reach` of the query (early abandon per row). */
export function cohortWithin(query: Float32Array, cohort: Cohort, reach: number): boolean {
	if (cohort.dim !== query.length || !(reach > 0)) return false;
	const bound = reach * reach;
	const { vectors, dim } = cohort;
	for (let k = 0, base = 0; k < cohort.size; k++, base += dim) {
		let sum = 0;
		for (let i = 0; i < dim && sum < bound; i++) {
			const d = (query[i] as number) - (vectors[base + i] as number);
			sum += d * d;
		}
		if (sum < bound) return true;
	}
	return false;
}

/**
 * A cohort face this close to an enrolled person's centroid is taken to be that person (a sample
 * photo of somebody who was enrolled) and left out of the cohort: 0.44 is the distance at which one
 * answer settles a name on the live page (src/lib/track/identity.ts).
 */
export const COHORT_EXCLUSION = 0.44;

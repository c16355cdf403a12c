/**
 * Finds who a face embedding belongs to. Pure: embeddings in, verdict out.
 *
 * Rule (issue 3): each person is represented by the mean (centroid) of their stored embeddings.
 * A face is named after the person whose centroid is nearest (euclidean) when that distance is
 * under `threshold` AND the next person's centroid is at least `margin` farther away; otherwise
 * it is `unknown`: too far from everyone, or ambiguous between two people.
 *
 * Chosen by `npm run bench:accuracy` (face-api FaceRecognitionNet through the embed pool on the
 * shared dev set: 8 identities × 5 crops, 7 strangers, 5 group shots). Every candidate rule ranks
 * the right person first (rank-1 100 % leave-one-out); they differ in where genuine and impostor
 * distances fall, so in which thresholds make no error:
 *  - leave-one-out (40 genuine; 47 impostors: each identity removed in turn, plus the strangers),
 *    accuracy / FRR at 0.5, all at FAR 0: nearest neighbour (issue 2) 80 / 20, k-NN(3) vote
 *    80 / 20, medoid 77.5 / 22.5, mean of 2 nearest 77.5 / 22.5, nearest+centroid mix 95 / 5,
 *    centroid 100 / 0. Error-free threshold windows: centroid 0.49–0.56, nearest 0.565–0.59,
 *    medoid 0.57–0.62; with 2 photos enrolled, centroid 0.547–0.568 and nearest 0.590–0.593.
 *    The mean averages away each photo's pose and light; the nearest photo keeps its noise.
 *  - the margin keeps impostors out as the threshold rises: centroid at 0.575, FAR 4.3 % → 0
 *    with margin 0.04 (at 0.6: 12.8 → 4.3 %); at 0.55 it removes the two impostors that
 *    browser-like crops bring under the threshold, and in a group shot the 3/4-view sheldon the
 *    centroids would call leonard (0.541 vs 0.544). From 0.05 up it starts rejecting genuine faces.
 *  - errors summed over leave-one-out (tight and browser-like crops), 2 and 3 photos enrolled and
 *    the group shots (867 trials): centroid 0.55 + margin 0.04: 3; centroid 0.5: 24, all
 *    rejections; issue 2's nearest at 0.5: 70, and 5 at its own best threshold (0.575, no
 *    margin) but with error-free windows under half as wide. Hence MATCH_THRESHOLD 0.55.
 *  - not solved: with one photo per person every rule is nearest neighbour (FRR 42.5 % at 0.5,
 *    18.8 % at 0.55, FAR 0): enrol three or more; and a look-alike extra in a group shot is
 *    named raj at 0.488 (gap 0.088), so no threshold over 0.49 rejects him.
 * Raw descriptors, not rescaled to one norm: their norm (1.36–1.59) is steady per person, and
 * normalising cut centroid's error-free window from 0.07 to 0.02.
 *
 * Cost: centroids are derived once per `entries` array (the gallery hands out the same array
 * until a write) into one flat Float32Array, so a query is one pass over the people, not the
 * embeddings, with squared distances and early abandon (`npm run bench:match`).
 */

/** One stored embedding, already validated for model and dimension. */
export type GalleryEntry = { personId: string; name: string; embedding: Float32Array };

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
};

export const UNKNOWN_LABEL = 'unknown';
/** The answer when there is nothing to compare: no face in the crop, or nobody of its dimension. */
export const NO_MATCH: Readonly<Match> = { personId: null, label: UNKNOWN_LABEL, distance: null, confidence: 0 };
/**
 * See the header: at threshold 0.55 in the bench, 0.04 cost no genuine face and turned away the
 * impostors and the misnamed face that the threshold alone let through (not the look-alike).
 */
export const DEFAULT_MARGIN = 0.04;

/** Centroids of one dimension: row p of `centroids` is person p's mean embedding. */
type PeopleIndex = { ids: string[]; names: string[]; centroids: Float32Array; dim: number };

/** Keyed by the entries array itself: a new array (any gallery write) gets a fresh index. */
const indexCache = new WeakMap<readonly GalleryEntry[], Map<number, PeopleIndex>>();

export function euclidean(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) {
		const d = (a[i] as number) - (b[i] as number);
		sum += d * d;
	}
	return Math.sqrt(sum);
}

function buildIndex(entries: readonly GalleryEntry[], dim: number): PeopleIndex {
	const rows = new Map<string, number>();
	const ids: string[] = [];
	const names: string[] = [];
	const counts: number[] = [];
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
		}
		counts[row] = (counts[row] as number) + 1;
		rowOf[e] = row;
	}
	const sums = new Float64Array(ids.length * dim);
	for (let e = 0; e < entries.length; e++) {
		const row = rowOf[e] as number;
		if (row < 0) continue;
		const embedding = (entries[e] as GalleryEntry).embedding;
		const base = row * dim;
		for (let i = 0; i < dim; i++) {
			sums[base + i] = (sums[base + i] as number) + (embedding[i] as number);
		}
	}
	const centroids = new Float32Array(sums.length);
	for (let row = 0; row < ids.length; row++) {
		const count = counts[row] as number;
		for (let i = row * dim; i < (row + 1) * dim; i++) centroids[i] = (sums[i] as number) / count;
	}
	return { ids, names, centroids, dim };
}

function indexFor(entries: readonly GalleryEntry[], dim: number): PeopleIndex {
	let byDim = indexCache.get(entries);
	if (!byDim) {
		byDim = new Map();
		indexCache.set(entries, byDim);
	}
	let index = byDim.get(dim);
	if (!index) {
		index = buildIndex(entries, dim);
		byDim.set(dim, index);
	}
	return index;
}

/**
 * The nearest and second-nearest person rows by squared distance. A row is abandoned once its
 * partial sum reaches the bound: the current second best, or the current best plus the margin
 * when that is lower. Beyond it a row can change neither the best distance nor the verdict (a
 * second person that far away passes the margin), so the answer is exact.
 */
function nearestTwo(
	query: Float32Array,
	index: PeopleIndex,
	margin: number
): { best: number; bestSq: number; secondSq: number } {
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
export function rankPeople(
	query: Float32Array,
	entries: readonly GalleryEntry[]
): Array<{ personId: string; name: string; distance: number }> {
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
 * Names the face behind `query`, or says unknown. `threshold` is the largest centroid distance
 * that may be named (exclusive; MATCH_THRESHOLD, recommended 0.55); entries of another dimension
 * than the query are ignored. Cost per query: one pass over the people (not the embeddings).
 */
export function findMatch(
	query: Float32Array,
	entries: readonly GalleryEntry[],
	threshold: number,
	options: MatchOptions = {}
): Match {
	const margin = options.margin ?? DEFAULT_MARGIN;
	if (!(threshold > 0)) throw new TypeError(`threshold must be a distance > 0, got ${threshold}`);
	if (!(margin >= 0)) throw new TypeError(`margin must be a distance ≥ 0, got ${margin}`);
	const index = indexFor(entries, query.length);
	const { best, bestSq, secondSq } = nearestTwo(query, index, margin);
	if (best < 0) return { ...NO_MATCH };
	const distance = Math.sqrt(bestSq);
	if (distance >= threshold || Math.sqrt(secondSq) - distance < margin) {
		return { personId: null, label: UNKNOWN_LABEL, distance, confidence: 0 };
	}
	const confidence = Math.max(0, Math.min(1, 1 - distance / (2 * threshold)));
	const personId = index.ids[best] as string;
	return { personId, label: index.names[best] as string, distance, confidence };
}

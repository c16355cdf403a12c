/**
 * Finds who a face embedding belongs to. Pure: embeddings in, verdict out.
 *
 * Rule (issue 2): nearest neighbour by euclidean distance over every stored embedding, best per
 * person. A face is named when the best distance is under `threshold`; otherwise `unknown`.
 * face-api's FaceRecognitionNet descriptors are unit-norm-ish 128-d vectors whose same-person
 * distances sit mostly under ~0.45 and different-person ones over ~0.55.
 */

/** One stored embedding, already validated for model and dimension. */
export type GalleryEntry = { personId: string; name: string; embedding: Float32Array };

export type Match = {
	personId: string | null;
	label: string;
	/** Euclidean distance to the nearest stored embedding; null when the gallery is empty. */
	distance: number | null;
	/** 1 at distance 0, 0.5 at the threshold, 0 at twice the threshold; 0 for unknown. */
	confidence: number;
};

export const UNKNOWN_LABEL = 'unknown';

export function euclidean(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) {
		const d = (a[i] as number) - (b[i] as number);
		sum += d * d;
	}
	return Math.sqrt(sum);
}

/** Nearest stored embedding per person, best first. */
export function rankPeople(
	query: Float32Array,
	entries: readonly GalleryEntry[]
): Array<{ personId: string; name: string; distance: number }> {
	const best = new Map<string, { personId: string; name: string; distance: number }>();
	for (const entry of entries) {
		if (entry.embedding.length !== query.length) continue;
		const distance = euclidean(query, entry.embedding);
		const seen = best.get(entry.personId);
		if (!seen || distance < seen.distance) best.set(entry.personId, { ...entry, distance });
	}
	return [...best.values()].sort((a, b) => a.distance - b.distance);
}

export function findMatch(
	query: Float32Array,
	entries: readonly GalleryEntry[],
	threshold: number
): Match {
	const [best] = rankPeople(query, entries);
	if (!best) return { personId: null, label: UNKNOWN_LABEL, distance: null, confidence: 0 };
	if (best.distance >= threshold) {
		return { personId: null, label: UNKNOWN_LABEL, distance: best.distance, confidence: 0 };
	}
	const confidence = Math.max(0, Math.min(1, 1 - best.distance / (2 * threshold)));
	return { personId: best.personId, label: best.name, distance: best.distance, confidence };
}

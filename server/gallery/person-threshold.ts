/**
 * Per-person thresholds (issue 13 item 3): a person whose own faces sit close together, or who
 * has an enrolled look-alike nearby, gets a stricter distance than the global threshold, never a
 * looser one. Pure: distances in, a distance out.
 *
 *  - spread: how far a new photo of the person usually lands from the centroid of their other
 *    photos (leave-one-out, so it is an honest estimate of a genuine probe's distance);
 *  - neighbour: the distance from their centroid to the nearest other enrolled person's centroid.
 */
import { euclidean } from './distance.ts';

/** What a person's threshold is made from; null where it cannot be measured. */
export type PersonSpread = {
	/** Mean leave-one-out distance of the person's faces; null with fewer than 2 faces. */
	spread: number | null;
	/** Distance to the nearest other person's centroid; null when alone in the gallery. */
	neighbour: number | null;
};

/** Scales of each bound; null leaves that bound out. */
export type PersonThresholdRule = { spreadScale: number | null; neighbourScale: number | null };

/**
 * Mean distance from each face to the centroid of the person's other faces, computed from the
 * full centroid: |x_i − c_{−i}| = |x_i − c| · n/(n−1). Null for fewer than 2 faces.
 */
export function leaveOneOutSpread(faces: readonly Float32Array[], centroid: Float32Array): number | null {
	const n = faces.length;
	if (n < 2) return null;
	let sum = 0;
	for (const f of faces) sum += euclidean(f, centroid);
	return ((sum / n) * n) / (n - 1);
}

/** The person's threshold: the global one, lowered by whichever bound of `rule` is tighter. */
export function personThreshold(base: number, stats: PersonSpread, rule: PersonThresholdRule): number {
	let t = base;
	if (rule.spreadScale !== null && stats.spread !== null) t = Math.min(t, rule.spreadScale * stats.spread);
	if (rule.neighbourScale !== null && stats.neighbour !== null) t = Math.min(t, rule.neighbourScale * stats.neighbour);
	return t;
}

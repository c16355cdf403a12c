/**
 * Quality weighting of enrolment faces (issue 13 item 3): a turned, small, blurred or weakly
 * detected face says less about a person, so it counts less in their centroid. Pure.
 *
 * Each known measure gives a factor in (0, 1]; the weight is their product raised to `strength`
 * (0: every face counts the same, the shipped centroid).
 */

/** What was measured of one enrolment face; null or absent: not measured (factor 1). */
export type FaceQuality = {
	/** Head turn, src/lib/protocol/pose.ts's measure (0 frontal, ±1 at a full profile). */
	yaw?: number | null;
	/** Face size in the source image, px (larger side of the detection box). */
	side?: number | null;
	/** Sharpness: variance of the Laplacian of the grey face, 0–∞. */
	sharpness?: number | null;
	/** Detector confidence, 0–1. */
	score?: number | null;
};

/** Where each factor reaches 1; below, it falls linearly to FLOOR. */
export type QualityRule = { strength: number; fullSide: number; fullSharpness: number };

/** No face weighs less than this before `strength` (a bad face still says something). */
export const QUALITY_FLOOR = 0.1;

const clamp = (x: number) => Math.max(QUALITY_FLOOR, Math.min(1, x));

/** The weight of one face, in (0, 1]. */
export function qualityWeight(q: FaceQuality, rule: QualityRule): number {
	let w = 1;
	if (q.yaw != null && Number.isFinite(q.yaw)) w *= clamp(1 - Math.abs(q.yaw));
	if (q.side != null && q.side > 0) w *= clamp(q.side / rule.fullSide);
	if (q.sharpness != null && q.sharpness >= 0) w *= clamp(q.sharpness / rule.fullSharpness);
	if (q.score != null && Number.isFinite(q.score)) w *= clamp(q.score);
	return w ** Math.max(0, rule.strength);
}

/** The weighted mean of `faces` (equal weights when every weight is 0 or not finite). */
export function weightedCentroid(faces: readonly Float32Array[], weights: readonly number[]): Float32Array {
	const dim = faces[0]?.length ?? 0;
	const ok = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
	const total = ok.reduce((s, w) => s + w, 0);
	const use = total > 0 ? ok.map((w) => w / total) : faces.map(() => 1 / faces.length);
	const out = new Float64Array(dim);
	faces.forEach((f, k) => {
		for (let i = 0; i < dim; i++) out[i] = (out[i] as number) + (use[k] as number) * (f[i] as number);
	});
	return Float32Array.from(out);
}

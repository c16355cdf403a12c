/**
 * A face's appearance in a few numbers: a tiny grey thumbnail, normalised for brightness and
 * contrast. When a tracked face's thumbnail stops resembling the one last sent, somebody else may
 * have taken its place, so its identity is asked again at once. Pure.
 */
export const SIGNATURE_SIDE_PX = 16;
/**
 * Correlation under which the face counts as changed. Measured on the dev clip: the same face
 * sliding and zooming under a jittery detector box stays above ~0.45; a different face swapped
 * into the same place falls to ~0.15–0.25.
 */
export const CHANGED_BELOW = 0.35;
/**
 * Correlation of a face's signatures in two detection frames in a row above which it is still the
 * same face (a box jump continues the track; below it, a face that swapped in is asked about at
 * once). Chosen on the `tv` clip (`npm run bench:cuts`, signatures of the true face boxes): the
 * same face in consecutive frames ≥ 0.87 in 99 % of frames (lowest 0.65, in a fast blurred pan);
 * two different faces in the same place across a cut 0.25–0.65.
 */
export const SAME_FACE_ABOVE = 0.7;

/** Zero-mean, unit-norm copy of grey pixels; null for a flat image. */
export function signatureOf(grey: ArrayLike<number>): Float32Array | null {
	const n = grey.length;
	let mean = 0;
	for (let i = 0; i < n; i++) mean += grey[i] as number;
	mean /= n;
	const out = new Float32Array(n);
	let norm = 0;
	for (let i = 0; i < n; i++) {
		const v = (grey[i] as number) - mean;
		out[i] = v;
		norm += v * v;
	}
	if (norm < 1e-6) return null;
	const inv = 1 / Math.sqrt(norm);
	for (let i = 0; i < n; i++) out[i] = (out[i] as number) * inv;
	return out;
}

/** Pearson correlation of two signatures, −1..1. */
export function resemblance(a: Float32Array, b: Float32Array): number {
	if (a.length !== b.length) return 0;
	let dot = 0;
	for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
	return dot;
}

/**
 * A face's appearance in a few numbers: a tiny grey thumbnail, normalised for brightness and
 * contrast. When a tracked face's thumbnail stops resembling the one last sent, somebody else may
 * have taken its place, so its identity is asked again at once. Pure.
 */
export const SIGNATURE_SIDE_PX = 16;
/**
 * Correlation (pixel for pixel, `resemblance`) with the last crop's look under which the face may
 * have changed. Measured on the dev clip: the same face sliding and zooming under a jittery
 * detector box stays above ~0.45; a different face swapped into the same place falls to
 * ~0.15–0.25. Pixel for pixel is strict: a face a few pixels off under its box falls under it too.
 * So neither this nor LOOK_CHANGED_BELOW counts while the look, shifted a little (`likeness`), is
 * still the last crop's face by SAME_FACE_ABOVE (track-identities.ts `see`). `npm run bench:live`
 * prints, for every re-ask, its cause and the look's likeness to the last crop: in runs of `tv`
 * and `dev` before that condition, 21 drift re-asks, 20 of them on the same face (14 at likeness
 * 0.75–0.94, now spared; 6 at 0.41–0.68) and one on another face at 0.80 (dev, at a cut the page
 * missed: now left to the next look change or refresh); look re-asks on the same face at 0.91 and
 * 0.95 (tv, now spared), on other faces 0.37–0.60 (kept).
 */
export const CHANGED_BELOW = 0.35;
/**
 * Likeness (see `likeness`) of a face's signatures in two detection frames above which a box jump
 * still continues its track. Chosen on the `tv` clip with `npm run bench:cuts` (true face boxes
 * jittered as a detector's are): two different faces in the same place across a cut 0.32–0.72;
 * the same face a frame later 0.73 at p5, 0.66 at p1. A same face taken for another only costs a
 * new question, the reverse would carry a name: the threshold sits above every different pair.
 */
export const SAME_FACE_ABOVE = 0.75;
/**
 * Likeness of a face's looks in two detection frames in a row under which somebody else may have
 * stepped into its place (no cut, no jump): it is asked about again at once. Chosen on the `tv`
 * clip: the page's own looks of one face fell under 0.75 in ~1 % of detection frames (each a
 * needless crop, so the trigger sits lower); different faces in the same place 0.32–0.72 with
 * detector-like boxes (`npm run bench:cuts`), 4 of the 7 under 0.6. The rest are left to the
 * last-crop check and the refresh.
 */
export const LOOK_CHANGED_BELOW = 0.6;
/** Largest shift tried by `likeness`, in signature cells (each 1/16 of the box). */
const LIKENESS_SHIFT = 2;

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

/**
 * Best correlation of two signatures (SIGNATURE_SIDE_PX square) over shifts of up to
 * LIKENESS_SHIFT cells each way, −1..1: a face under a box placed a few pixels differently still
 * matches itself. For signatures of another size: plain `resemblance`.
 */
export function likeness(a: Float32Array, b: Float32Array): number {
	const n = SIGNATURE_SIDE_PX;
	if (a.length !== n * n || b.length !== n * n) return resemblance(a, b);
	let best = -1;
	for (let dy = -LIKENESS_SHIFT; dy <= LIKENESS_SHIFT; dy++) {
		for (let dx = -LIKENESS_SHIFT; dx <= LIKENESS_SHIFT; dx++) {
			let sa = 0;
			let sb = 0;
			let saa = 0;
			let sbb = 0;
			let sab = 0;
			let count = 0;
			for (let y = Math.max(0, dy); y < Math.min(n, n + dy); y++) {
				for (let x = Math.max(0, dx); x < Math.min(n, n + dx); x++) {
					const va = a[y * n + x] as number;
					const vb = b[(y - dy) * n + (x - dx)] as number;
					sa += va;
					sb += vb;
					saa += va * va;
					sbb += vb * vb;
					sab += va * vb;
					count++;
				}
			}
			const varA = saa - (sa * sa) / count;
			const varB = sbb - (sb * sb) / count;
			if (varA <= 1e-12 || varB <= 1e-12) continue;
			best = Math.max(best, (sab - (sa * sb) / count) / Math.sqrt(varA * varB));
		}
	}
	return best;
}

/** Pearson correlation of two signatures, −1..1. */
export function resemblance(a: Float32Array, b: Float32Array): number {
	if (a.length !== b.length) return 0;
	let dot = 0;
	for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
	return dot;
}

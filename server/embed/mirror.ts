// Mirror test-time augmentation for the descriptor: FaceRecognitionNet on the aligned chip and on
// its horizontal mirror, the two descriptors averaged. Pure (no tfjs, no onnxruntime): face-engine.ts
// runs the net, this module flips the chip and combines the results.
//
// Used by bench:accuracy only (section M; embed.ts's flip variants), not by the server: on held-out
// people it named more faces and more strangers alike and separated look-alikes no better
// (README, Recognition accuracy). It lives here so that the descriptor cache's key covers it.
//
// The mean is rescaled to the mean of the two descriptors' lengths: face-api's descriptors are not
// unit vectors (lengths ~1.4-1.5 on the demo photos' faces), and distances are euclidean against a
// threshold on that scale (0.55), so the combined vector must stay on it; a plain mean would be a
// little shorter (the two are not parallel) and shift every distance.
import type { RgbImage } from './types.ts';

/** The chip mirrored left-right (a new image; `chip` is left as is). */
export function mirrorImage(chip: RgbImage): RgbImage {
	const { width, height, data } = chip;
	const out = new Uint8Array(data.length);
	for (let y = 0; y < height; y++) {
		const row = y * width * 3;
		for (let x = 0; x < width; x++) {
			const from = row + x * 3;
			const to = row + (width - 1 - x) * 3;
			out[to] = data[from]!;
			out[to + 1] = data[from + 1]!;
			out[to + 2] = data[from + 2]!;
		}
	}
	return { data: out, width, height };
}

/**
 * The mean of two descriptors of one face (its chip's and its mirror's; in bench:accuracy also an
 * enrolment photo's and its live-like crop's), rescaled to their mean length. Symmetric in its
 * arguments, so a face and its mirror image get the same vector. Throws on unequal lengths.
 */
export function rescaledMean(a: Float32Array, b: Float32Array): Float32Array {
	if (a.length !== b.length) throw new RangeError(`descriptors of ${a.length} and ${b.length} numbers`);
	const out = new Float32Array(a.length);
	let na = 0;
	let nb = 0;
	let nm = 0;
	for (let i = 0; i < a.length; i++) {
		const m = (a[i]! + b[i]!) / 2;
		out[i] = m;
		na += a[i]! ** 2;
		nb += b[i]! ** 2;
		nm += m * m;
	}
	const scale = nm > 0 ? (Math.sqrt(na) + Math.sqrt(nb)) / 2 / Math.sqrt(nm) : 1;
	for (let i = 0; i < out.length; i++) out[i]! *= scale;
	return out;
}

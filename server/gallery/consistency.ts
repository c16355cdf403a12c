/**
 * Checks on faces about to be enrolled, before anything is written: is a face already somebody
 * else (a duplicate or a mislabel), and does each face look like the rest of its person (a
 * stranger caught in a guided capture, a wrong photo in a batch). Pure: embeddings in, verdicts out.
 */
import type { NewFace } from './gallery.ts';
import { euclidean, rankPeople, type GalleryEntry } from './matcher.ts';

export type Conflict = { id: string; name: string; distance: number };

/**
 * How much further than the match threshold a face may lie from the mean of its person's other
 * faces before it counts as somebody else. Held-out check (`npm run bench:accuracy` section D:
 * ../shared/data faces + faces-real, 10 identity-disjoint splits × 2, sets of 3): at 0.05,
 * 0.5 % ± 0.5 of one person's sets were questioned and 99.2 % ± 0.6 of sets with an intruder;
 * slacks chosen on the other half (0 or 0.05) did worse (3.1 % questioned for 99.6 % caught).
 * (First chosen by `npm run bench:mismatch` on faces/ alone.)
 */
export const MISMATCH_SLACK = 0.05;

/**
 * The face of the set least like the others: its `index` among the new faces, its distance from
 * the mean of the others, and how many others there were. With one other face there is no
 * telling which of the two is the odd one.
 */
export type Mismatch = { index: number; distance: number; others: number };

const rounded = (distance: number) => Math.round(distance * 1000) / 1000;

/**
 * How much further than the match threshold another person's centroid may lie from a new face
 * and still raise the duplicate question (0: exactly the threshold). Held-out check (`npm run
 * bench:accuracy` section D, same splits): at 0, 100 % of faces of an enrolled person offered
 * under a new name were questioned and 0 % of new people; slacks chosen per split (−0.05, −0.025)
 * missed 1.9 % of duplicates.
 */
export const DUPLICATE_SLACK = 0;

/**
 * The nearest person other than `ownerId` whose centroid (as the matcher ranks people) is closer
 * than `threshold` + DUPLICATE_SLACK to any of the faces: a likely duplicate or mislabel. Stricter than naming
 * (no margin): an ambiguous face is worth a question too. Null when there is none.
 */
export function findConflict(faces: readonly NewFace[], entries: readonly GalleryEntry[], threshold: number, ownerId: string | null = null): Conflict | null {
	let best: Conflict | null = null;
	for (const face of faces) {
		const near = rankPeople(face.embedding, entries).find((p) => p.personId !== ownerId);
		if (near && near.distance < threshold + DUPLICATE_SLACK && (!best || near.distance < best.distance)) {
			best = { id: near.personId, name: near.name, distance: rounded(near.distance) };
		}
	}
	return best;
}

/**
 * The new face furthest from the mean of all the person's other faces (the other new ones and
 * `stored`, the faces the person already has), when that distance reaches threshold +
 * MISMATCH_SLACK; null when every face fits, or when there is nothing to compare with.
 * Faces of another dimension than the first new one are ignored.
 */
export function findMismatch(faces: readonly NewFace[], stored: readonly Float32Array[], threshold: number): Mismatch | null {
	const dim = faces[0]?.embedding.length ?? 0;
	const all = [...faces.map((f) => f.embedding), ...stored].filter((v) => v.length === dim);
	if (faces.length === 0 || all.length < 2) return null;
	const sum = new Float64Array(dim);
	for (const v of all) for (let i = 0; i < dim; i++) sum[i]! += v[i]!;
	let worst: Mismatch | null = null;
	const others = new Float32Array(dim);
	faces.forEach((face, index) => {
		if (face.embedding.length !== dim) return;
		for (let i = 0; i < dim; i++) others[i] = (sum[i]! - face.embedding[i]!) / (all.length - 1);
		const distance = euclidean(face.embedding, others);
		if (distance >= threshold + MISMATCH_SLACK && (!worst || distance > worst.distance)) {
			worst = { index, distance: rounded(distance), others: all.length - 1 };
		}
	});
	return worst;
}

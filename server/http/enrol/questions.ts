/**
 * The 409 answers for faces that look like somebody else (see gallery/consistency.ts): what the
 * People page shows, and which `?force=` answers the question.
 */
import { parseForce } from '../../../src/lib/protocol/rest.ts';
import { findConflict, findMismatch, type Conflict, type Mismatch } from '../../gallery/consistency.ts';
import type { NewFace } from '../../gallery/gallery.ts';
import type { GalleryEntry } from '../../gallery/matcher.ts';
import { DetailedError } from '../errors.ts';

/**
 * Refuses faces that look like somebody else already enrolled (the more telling question, so
 * asked first), then faces that do not look like the rest of their person (`owner`'s stored
 * faces and each other), unless `force` (the request's `?force=`) answers that question.
 */
export function askQuestions({
	force,
	faces,
	entries,
	threshold,
	owner
}: {
	force: unknown;
	faces: readonly NewFace[];
	entries: readonly GalleryEntry[];
	threshold: number;
	owner: { id: string; name: string } | null;
}): void {
	const answered = parseForce(force);
	const conflict = answered.has('near') ? null : findConflict(faces, entries, threshold, owner?.id ?? null);
	if (conflict) throw conflictError(conflict, threshold);
	if (answered.has('mismatch')) return;
	const stored = owner ? entries.filter((e) => e.personId === owner.id).map((e) => e.embedding) : [];
	const mismatch = findMismatch(faces, stored, threshold);
	if (mismatch) throw mismatchError(mismatch, { person: owner && { id: owner.id, name: owner.name }, imageCount: faces.length, threshold });
}

/** `threshold` (the match threshold) goes with the distance, so a client can say how near that is. */
export function conflictError(conflict: Conflict, threshold: number): DetailedError {
	return new DetailedError(
		'conflict',
		`this face is very close to ${conflict.name} (distance ${conflict.distance.toFixed(2)}): a duplicate or a mislabel? Resend with ?force=near to enrol anyway`,
		{ near: { ...conflict, threshold } }
	);
}

/**
 * `imageCount`: the images of this request (`index` counts them); `person` is set when the faces
 * join someone already enrolled; `threshold` as for conflictError.
 */
export function mismatchError(
	mismatch: Mismatch,
	{ person, imageCount, threshold }: { person: { id: string; name: string } | null; imageCount: number; threshold: number }
): DetailedError {
	const what = imageCount > 1 ? `image ${mismatch.index + 1}` : 'this face';
	const distance = `(distance ${mismatch.distance.toFixed(2)})`;
	// With only two faces there is no telling which one is the stranger.
	const message =
		mismatch.others > 1
			? `${what} does not look like ${person ? `${person.name}'s other faces` : 'the other images'} ${distance}: somebody else?`
			: person && imageCount === 1
				? `this face and ${person.name}'s one other face do not look like the same person ${distance}: somebody else?`
				: `the two images do not look like the same person ${distance}: somebody else?`;
	return new DetailedError('conflict', `${message} Resend with ?force=mismatch to enrol anyway`, {
		mismatch: { ...mismatch, threshold, ...(person && { person }) },
		index: mismatch.index
	});
}

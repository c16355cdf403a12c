/**
 * The 409 answers for faces that look like somebody else (see gallery/consistency.ts): what the
 * People page shows, and which `?force=` answers the question.
 */
import type { Conflict, Mismatch } from '../../gallery/consistency.ts';
import { DetailedError } from '../errors.ts';

export function conflictError(conflict: Conflict): DetailedError {
	return new DetailedError(
		'conflict',
		`this face is very close to ${conflict.name} (distance ${conflict.distance.toFixed(2)}): a duplicate or a mislabel? Resend with ?force=near to enrol anyway`,
		{ near: conflict }
	);
}

/** `index` counts the images of this request; `person` is set when the faces join someone already enrolled. */
export function mismatchError(mismatch: Mismatch, person: { id: string; name: string } | null, imageCount: number): DetailedError {
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
		mismatch: { ...mismatch, ...(person && { person }) },
		index: mismatch.index
	});
}

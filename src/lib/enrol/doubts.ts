/**
 * The server's doubts about faces to enrol (409 `conflict`: somebody else's face, or unlike the
 * rest of its person), in words for people, and the ask-then-resend loop both enrolment forms use.
 */
import { ApiError, type Doubt } from '../api.ts';
import type { EnrolQuestion } from '../protocol/rest.ts';

/** The question behind a 409 `conflict`, or null for any other failure. */
export function doubtOf(err: unknown): Doubt | null {
	if (!(err instanceof ApiError) || err.code !== 'conflict') return null;
	if (err.details.near) return { near: err.details.near };
	if (err.details.mismatch) return { mismatch: err.details.mismatch };
	return null;
}

export const questionOf = (doubt: Doubt): EnrolQuestion => ('near' in doubt ? 'near' : 'mismatch');

/** The doubt in a few words, for a message beside the photo or the capture. */
export function describeDoubt(doubt: Doubt): string {
	if ('near' in doubt) return `looks like ${doubt.near.name}`;
	const { person, others } = doubt.mismatch;
	if (others === 1) return person ? `does not look like ${person.name}'s one other face` : 'does not look like the other picture';
	return person ? `does not look like ${person.name}` : 'does not look like the same person as the others';
}

/**
 * A face this near (a share of the match threshold) is very like the other: the live page names
 * a face on one answer this near (confidence ≥ 0.6, i.e. distance ≤ 0.8 × threshold: the
 * held-out `settleAt` of src/lib/track/identity.ts).
 */
export const VERY_LIKE_SHARE = 0.8;
/**
 * Faces this far apart (a share of the match threshold) look very different; past the threshold
 * but nearer, only a little (0.70 at threshold 0.55, where the prompt split its words before).
 */
export const VERY_UNLIKE_SHARE = 1.27;

/** How alike two faces look, by their distance in bands of the match threshold. */
export type Likeness = 'very like' | 'like' | 'a little unlike' | 'very unlike';

export function likenessOf(distance: number, threshold: number): Likeness {
	if (distance <= VERY_LIKE_SHARE * threshold) return 'very like';
	if (distance < threshold) return 'like';
	return distance < VERY_UNLIKE_SHARE * threshold ? 'a little unlike' : 'very unlike';
}

/**
 * A doubt's distance in words, for the duplicate prompt. `phrase`: for `near`, how the new face
 * looks to the person ("looks very much like", "looks like"); for `mismatch`, how the faces
 * look to each other ("look a little different", "look very different"). From a server that
 * gives no threshold, the plain words ("looks like", "look different"). `detail`: the number,
 * for a tooltip.
 */
export function doubtWords(doubt: Doubt): { likeness: Likeness | null; phrase: string; detail: string } {
	const { distance, threshold } = 'near' in doubt ? doubt.near : doubt.mismatch;
	const likeness = threshold !== undefined && threshold > 0 ? likenessOf(distance, threshold) : null;
	const phrase =
		'near' in doubt
			? likeness === 'very like'
				? 'looks very much like'
				: 'looks like'
			: likeness === 'very unlike'
				? 'look very different'
				: likeness
					? 'look a little different'
					: 'look different';
	const scale = threshold === undefined ? '' : ` (the recognizer names faces nearer than ${threshold.toFixed(2)})`;
	return { likeness, phrase, detail: `distance ${distance.toFixed(2)}${scale}` };
}

/**
 * Sends, and each time the server doubts the faces asks `confirm`: yes resends with that question
 * answered (and the ones before), no stops with the doubt declined. Each question is asked once.
 */
export async function sendConfirming<T>(
	send: (answered: EnrolQuestion[]) => Promise<T>,
	confirm: (doubt: Doubt) => Promise<boolean>
): Promise<{ sent: T } | { declined: Doubt }> {
	const answered: EnrolQuestion[] = [];
	for (;;) {
		try {
			return { sent: await send([...answered]) };
		} catch (err) {
			const doubt = doubtOf(err);
			if (!doubt || answered.includes(questionOf(doubt))) throw err;
			if (!(await confirm(doubt))) return { declined: doubt };
			answered.push(questionOf(doubt));
		}
	}
}

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

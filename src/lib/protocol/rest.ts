/** What the REST API accepts, shared by the upload form and the server that checks it. */

/** Image types the API reads (enrolment and `/api/recognize`); anything else is a 415. */
export const IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];

/**
 * The questions enrolment may ask before storing faces (409 `conflict`): `near`, the face looks
 * like somebody else already enrolled; `mismatch`, it does not look like the rest of its person.
 * A request answers them with `?force=near`, `?force=mismatch`, `?force=near,mismatch`, or
 * `?force=1` for all.
 */
export const ENROL_QUESTIONS = ['near', 'mismatch'] as const;
export type EnrolQuestion = (typeof ENROL_QUESTIONS)[number];

/** The `force` query value that answers `questions` (empty: none answered). */
export function forceQuery(questions: readonly EnrolQuestion[]): string {
	return questions.length ? `?force=${[...new Set(questions)].join(',')}` : '';
}

/** The questions a `force` query value answers; unknown words answer nothing. */
export function parseForce(value: unknown): Set<EnrolQuestion> {
	if (typeof value !== 'string') return new Set();
	if (value === '1' || value === 'true') return new Set(ENROL_QUESTIONS);
	return new Set(ENROL_QUESTIONS.filter((q) => value.split(',').map((w) => w.trim()).includes(q)));
}

/**
 * When a live track's name is settled, decided on the server (issue 11: a sighting is a settled
 * name). The browser settles its label with a vote (src/lib/track/identity.ts); the server does
 * not take a client's word for it, and works for any client, so it follows the same evidence on
 * its own answers: a name settles on one sure answer (distance ≤ SURE_DISTANCE) or on two answers
 * in a row that agree; `unknown` on two in a row. A different name settling later ends the first
 * sighting and starts another. Pure.
 */
import type { Match } from '../gallery/matcher.ts';

/**
 * One answer this close settles a name: the browser's own rule (identity.ts `settleAt` 1.1 at
 * confidence ≥ 0.6, i.e. distance ≤ 0.44 at threshold 0.55), held-out there (bench:accuracy V).
 */
export const SURE_DISTANCE = 0.44;
/** Answers in a row that must agree otherwise (the browser: a fairer answer needs a second). */
export const AGREEING_ANSWERS = 2;

/** What a track is seen as: a person's id, or `unknown` (its group, when remembered, is kept beside). */
export type Verdict = { key: string; personId: string | null; label: string };

export type TrackState = { candidate: string | null; streak: number; settled: Verdict | null };

export const newTrackState = (): TrackState => ({ candidate: null, streak: 0, settled: null });

export const verdictOf = (match: Match): Verdict =>
	match.personId ? { key: `person:${match.personId}`, personId: match.personId, label: match.label } : { key: 'unknown', personId: null, label: 'unknown' };

/**
 * Feeds one answer; returns `settled` when this answer settles a (new) name, `same` when it agrees
 * with the name already settled, null otherwise. Mutates `state`.
 */
export function observe(state: TrackState, match: Match): 'settled' | 'same' | null {
	const verdict = verdictOf(match);
	state.streak = state.candidate === verdict.key ? state.streak + 1 : 1;
	state.candidate = verdict.key;
	if (state.settled?.key === verdict.key) return 'same';
	const sure = verdict.personId !== null && match.distance !== null && match.distance <= SURE_DISTANCE;
	if (!sure && state.streak < AGREEING_ANSWERS) return null;
	state.settled = verdict;
	return 'settled';
}

/**
 * Names as the People page shows and takes them: initials that never split a character (emoji,
 * accents, scripts without case), and what is wrong with a typed name before it is sent (the
 * shared rule of src/lib/protocol/names.ts, in a sentence).
 */

import { checkName } from '../protocol/names.ts';

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** The first user-perceived character of `word` (a whole emoji, a letter with its accents). */
export function firstGrapheme(word: string): string {
	if (segmenter) {
		for (const { segment } of segmenter.segment(word)) return segment;
		return '';
	}
	return Array.from(word)[0] ?? '';
}

/** Up to two initials, upper-cased where the script has case: "ada lovelace" → "AL", "🦊 fox" → "🦊F". */
export function initialsOf(name: string): string {
	return name
		.trim()
		.split(/\s+/)
		.filter(Boolean)
		.slice(0, 2)
		.map((word) => firstGrapheme(word).toLocaleUpperCase())
		.join('');
}

/** Why `name` cannot be sent as is, as a sentence for the form (the server's own rule), or null when it can. */
export function nameProblem(name: string): string | null {
	if (!name.trim()) return 'Type a name.';
	const checked = checkName(name);
	return checked.ok ? null : `The ${checked.message}.`;
}

/**
 * Names as the People page shows and takes them: initials that never split a character (emoji,
 * accents, scripts without case), and what is wrong with a typed name before it is sent.
 */

/** The server's longest name (src/lib/protocol: the name rule), in UTF-16 units as it counts. */
export const MAX_NAME_LENGTH = 64;

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

// Control characters (newline, NUL, …) and the invisible bidirectional controls that can make a
// name display as something else.
const FORBIDDEN = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Why `name` cannot be sent as is (in words for the form), or null when it can. */
export function nameProblem(name: string): string | null {
	const trimmed = name.trim();
	if (!trimmed) return 'Type a name.';
	if (FORBIDDEN.test(trimmed)) return 'Names cannot hold line breaks, tabs or invisible control characters.';
	if (trimmed.length > MAX_NAME_LENGTH) {
		return `Names are at most ${MAX_NAME_LENGTH} characters; this one has ${trimmed.length}.`;
	}
	return null;
}

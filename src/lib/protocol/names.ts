/**
 * The rule for a person's name, shared by the People page form and the server (which enforces
 * it on create, rename and import). A name is what the live page shows over a face, so it must
 * not be able to pass for another:
 *
 * - refused, with the character named: control characters, bidirectional overrides and isolates
 *   (which reorder what is shown), and invisible characters (zero-width space, word joiner, BOM,
 *   soft hyphen, Hangul fillers, tag characters… — Unicode's Default_Ignorable_Code_Point). ZWJ
 *   and ZWNJ (U+200D, U+200C) and variation selectors stay allowed: emoji sequences and scripts
 *   such as Persian and the Indic ones need them. We refuse rather than strip, so what is stored
 *   is exactly what was typed, and the user sees why.
 * - more than MAX_COMBINING_MARKS combining marks on one character (stacked "Zalgo" text).
 * - longer than MAX_NAME_CHARS characters (Unicode code points, after trimming): refused with the
 *   limit stated, never cut.
 * - two people may not have names with the same `nameKey` (NFKC, case folded, joiners and
 *   variation selectors removed, spaces collapsed): "Ann", "ANN", "Ａｎｎ" and "An\u200dn" are one.
 *
 * Imports nothing, so it runs in the browser and in Node.
 */

export const MAX_NAME_CHARS = 64;
export const MAX_COMBINING_MARKS = 3;

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

/** Invisible characters still allowed (they join or select glyphs); `nameKey` ignores them. */
// Joiners, then both blocks of variation selectors (U+E0100–E01EF select ideograph variants, as in
// Japanese names). Under the `u` flag an astral range is written as code points: a surrogate pair
// split around a class (`\udb40[\udd00-\uddef]`) never matches.
const ALLOWED_INVISIBLE = /[\u200c\u200d]|[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CONTROL = /\p{Cc}/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const MARK = /\p{M}/u;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Checks a name as typed; on success `name` is what to store (trimmed, NFC). Never throws. */
export function checkName(raw: unknown): NameCheck {
	if (typeof raw !== 'string') return { ok: false, message: 'name must be text' };
	// Said before any work on it: a 13 MB name held the server's event loop 2 s (review, 3 December).
	// 16 UTF-16 units a character leave room for surrogates, accents and spaces to trim.
	if (raw.length > MAX_NAME_CHARS * 16) return { ok: false, message: `name is over ${MAX_NAME_CHARS * 16} characters long; the limit is ${MAX_NAME_CHARS}` };
	const name = raw.normalize('NFC').trim();
	if (name === '') return { ok: false, message: 'name is empty' };
	const chars = [...name];
	let marks = 0;
	for (const [i, ch] of chars.entries()) {
		const at = `character ${i + 1}`;
		if (CONTROL.test(ch)) return { ok: false, message: `name has a control character (${codePoint(ch)}) at ${at}` };
		if (BIDI.test(ch)) return { ok: false, message: `name has a text-direction control (${codePoint(ch)}) at ${at}: it can make a name read as another` };
		if (INVISIBLE.test(ch) && !ALLOWED_INVISIBLE.test(ch)) {
			return { ok: false, message: `name has an invisible character (${codePoint(ch)}) at ${at}` };
		}
		marks = MARK.test(ch) ? marks + 1 : 0;
		if (marks > MAX_COMBINING_MARKS) return { ok: false, message: `name stacks more than ${MAX_COMBINING_MARKS} accents on one letter at ${at}` };
	}
	if (chars.length > MAX_NAME_CHARS) {
		return { ok: false, message: `name is ${chars.length} characters long; the limit is ${MAX_NAME_CHARS}` };
	}
	return { ok: true, name };
}

/**
 * What two names are compared by: NFKC (so full-width and compatibility forms fold), case folded
 * (upper- then lower-casing folds ß/SS, ς/σ), without joiners and variation selectors, with runs
 * of spaces as one.
 */
export function nameKey(name: string): string {
	return name
		.normalize('NFKC')
		.replace(new RegExp(ALLOWED_INVISIBLE.source, 'gu'), '')
		.toUpperCase()
		.toLowerCase()
		.normalize('NFKC')
		.replace(/\s+/gu, ' ')
		.trim();
}

/** The person among `people` whose name is the same as `name` under `nameKey`, other than `except`. */
export function sameName<P extends { id: string; name: string }>(people: readonly P[], name: string, except?: string): P | undefined {
	const key = nameKey(name);
	return people.find((p) => p.id !== except && nameKey(p.name) === key);
}

/** The message for a name already taken (HTTP 409 `conflict`). */
export const nameTakenMessage = (existing: string) =>
	`"${existing}" is already enrolled, and names may not differ only in case, width or invisible characters: use another name`;

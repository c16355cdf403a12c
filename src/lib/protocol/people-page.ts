/**
 * Finding and paging the people of `GET /api/people`, one rule for both sides: the People page
 * searches a gallery it holds whole itself and asks the server (`?q=`) about a larger one, and
 * both must find the same people. Also the query a page is asked with (`limit`, `after`, `q`),
 * the cursor the server hands out in `Link: <…>; rel="next"`, and what a page says in its headers.
 *
 * Search: names are compared as the name rule compares them (nameKey: width, case, joiners and
 * spacing folded), and without accents on either side, so "emile" finds "Émile Zola" and "ＡＤＡ"
 * finds "Ada". Every word typed must appear somewhere in the name, in any order: "zola em" finds
 * him too.
 */
import * as v from 'valibot';
import { MAX_NAME_CHARS, nameKey } from './names.ts';

/** Most people one page holds (`limit`). */
export const PAGE_MAX_PEOPLE = 500;
/** People a page holds when `q` or `after` comes without `limit`. */
export const PAGE_DEFAULT_PEOPLE = 100;
/** Longest `q`, in UTF-16 units: what names.ts reads of a name before refusing it. */
export const MAX_SEARCH_CHARS = MAX_NAME_CHARS * 16;

/** A name or query folded for search: nameKey, then accents and other combining marks dropped. */
export function searchKey(text: string): string {
	return nameKey(text).normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** Distinct words a query is searched by: a name holds far fewer, and each costs a pass over every name. */
export const MAX_SEARCH_WORDS = 32;

/**
 * The distinct words of a query, folded as names are (searchKey), at most MAX_SEARCH_WORDS of them
 * (1 024 × U+FDFA folds to 3 073 words); none for a blank query, which finds everyone.
 */
export function searchWords(query: string): string[] {
	return [...new Set(searchKey(query).split(' ').filter(Boolean))].slice(0, MAX_SEARCH_WORDS);
}

/** Whether a name, folded by searchKey, holds every word. */
export const holdsWords = (key: string, words: readonly string[]): boolean => words.every((word) => key.includes(word));

/** The people whose names hold every word of `query`, in their order; everyone for a blank query. */
export function searchPeople<P extends { name: string }>(people: readonly P[], query: string): P[] {
	const words = searchWords(query);
	if (words.length === 0) return [...people];
	return people.filter((person) => holdsWords(searchKey(person.name), words));
}

// ---- the cursor ----

/**
 * Where a page ended: the last row's name (as it was then: the store orders by it) and id. A
 * person renamed or deleted meanwhile does not move the next page: it starts after this place.
 */
export type PeopleCursor = { name: string; id: string };

/** Longest cursor accepted: a name of MAX_SEARCH_CHARS, an id, and base64's growth. */
const MAX_CURSOR_CHARS = 4 * MAX_SEARCH_CHARS + 256;
// No control character (a name never holds one): PostgreSQL refuses a NUL in text, which a forged
// cursor would otherwise turn into a 500.
const NO_CONTROL = /^\P{Cc}*$/u;
const CursorParts = v.strictTuple([
	v.pipe(v.string(), v.maxLength(MAX_SEARCH_CHARS), v.regex(NO_CONTROL)),
	v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(NO_CONTROL))
]);

/** The cursor as the `after` parameter: base64url of `[name, id]` (UTF-8 JSON). Opaque to clients. */
export function encodeCursor({ name, id }: PeopleCursor): string {
	const bytes = new TextEncoder().encode(JSON.stringify([name, id]));
	let binary = '';
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cursor an `after` parameter holds, or null when it is not one that encodeCursor made. Never throws. */
export function decodeCursor(text: string): PeopleCursor | null {
	if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
	try {
		const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
		const json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
		const parsed = v.safeParse(CursorParts, JSON.parse(json));
		return parsed.success ? { name: parsed.output[0], id: parsed.output[1] } : null;
	} catch {
		return null;
	}
}

// ---- the query ----

/** One page of people: at most `limit`, after `after` (null: from the start), whose names hold `q`'s words. */
export type PeoplePageQuery = { limit: number; after: PeopleCursor | null; q: string };

const once = (name: string) => `${name} must be given once, as text`;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${PAGE_MAX_PEOPLE}`;

/** `GET /api/people`'s query parameters as Express reads them (strings; arrays when repeated). Others are ignored. */
export const PeoplePageParams = v.object({
	limit: v.optional(
		v.pipe(
			v.string(once('limit')),
			v.regex(/^[0-9]{1,9}$/, LIMIT_MESSAGE),
			v.transform(Number),
			v.minValue(1, LIMIT_MESSAGE),
			v.maxValue(PAGE_MAX_PEOPLE, LIMIT_MESSAGE)
		)
	),
	after: v.optional(
		v.pipe(
			v.string(once('after')),
			v.rawTransform(({ dataset, addIssue, NEVER }) => {
				const cursor = decodeCursor(dataset.value);
				if (cursor) return cursor;
				addIssue({ message: 'after is not a cursor this server gave: take the next page from the Link header' });
				return NEVER;
			})
		)
	),
	q: v.optional(v.pipe(v.string(once('q')), v.maxLength(MAX_SEARCH_CHARS, `q is over ${MAX_SEARCH_CHARS} characters long`))),
	name: v.optional(v.pipe(v.string(once('name')), v.maxLength(MAX_SEARCH_CHARS, `name is over ${MAX_SEARCH_CHARS} characters long`)))
});

/**
 * The page asked for, null when none of `limit`, `after` and `q` is given (the full list, as
 * before paging), or the first fault in words; `name`: the person of exactly that name (by the
 * name rule) is asked for instead, alone. Never throws.
 */
export function parsePeoplePageQuery(
	query: Record<string, unknown>
): { ok: true; page: PeoplePageQuery | null; name: string | null } | { ok: false; message: string } {
	const parsed = v.safeParse(PeoplePageParams, query);
	if (!parsed.success) return { ok: false, message: parsed.issues[0]?.message ?? 'bad query' };
	const { limit, after, q, name } = parsed.output;
	const paging = limit !== undefined || after !== undefined || q !== undefined;
	if (name !== undefined) return paging ? { ok: false, message: 'name is asked alone, without limit, after or q' } : { ok: true, page: null, name };
	if (!paging) return { ok: true, page: null, name: null };
	return { ok: true, page: { limit: limit ?? PAGE_DEFAULT_PEOPLE, after: after ?? null, q: q ?? '' }, name: null };
}

/** The path of a page (`path` is `/api/people`): what the Link header points to, and what the client asks for. */
export function peoplePagePath(path: string, { limit, after, q }: PeoplePageQuery): string {
	const params = [`limit=${limit}`, ...(after ? [`after=${encodeCursor(after)}`] : []), ...(q ? [`q=${encodeURIComponent(q)}`] : [])];
	return `${path}?${params.join('&')}`;
}

/** The target of the `rel="next"` link in a Link header (RFC 8288), or null. */
export function nextLinkOf(header: string | null): string | null {
	for (const [, target, params] of (header ?? '').matchAll(/<([^>]*)>([^<]*)/g)) {
		const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params ?? '');
		if ((rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).includes('next')) return target ?? null;
	}
	return null;
}

// ---- the answer ----

/** Header of a page: people matching `q` (everyone without it), all pages together. */
export const TOTAL_HEADER = 'x-total-count';
/** Header of the first page of everyone (no `after`, no `q`): faces of everyone in the gallery. */
export const FACES_HEADER = 'x-total-faces';

const HeaderCount = v.pipe(v.string(), v.regex(/^[0-9]{1,15}$/), v.transform(Number));

/**
 * What a page of `GET /api/people` says beside its rows (the rows: rest.ts's PeopleList). `next`:
 * the path of the next page, only ever one of this API's own (the client sends its token there).
 */
export const PeoplePageHeaders = v.object({
	total: HeaderCount,
	faces: v.nullable(HeaderCount),
	next: v.nullable(
		v.pipe(
			v.string(),
			v.startsWith('/api/people?'),
			v.check((path) => !/[\s\\]/.test(path) && !path.includes('//'))
		)
	)
});
export type PeoplePageHeaders = v.InferOutput<typeof PeoplePageHeaders>;

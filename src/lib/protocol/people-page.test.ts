import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import {
	decodeCursor,
	encodeCursor,
	MAX_SEARCH_WORDS,
	nextLinkOf,
	PAGE_DEFAULT_PEOPLE,
	PAGE_MAX_PEOPLE,
	parsePeoplePageQuery,
	PeoplePageHeaders,
	peoplePagePath,
	searchKey,
	searchPeople,
	searchWords
} from './people-page.ts';

const people = [
	{ id: '1', name: 'Émile Zola' },
	{ id: '2', name: 'Ada Lovelace' },
	{ id: '3', name: '李 小龍' },
	{ id: '4', name: '🦊 Fox Mulder' },
	{ id: '5', name: 'Zoë Adams' }
];
const found = (query: string) => searchPeople(people, query).map((p) => p.id);

describe('searchPeople', () => {
	it('finds a name from any part of it, whatever the case, width or accents', () => {
		expect(found('emile')).toEqual(['1']);
		expect(found('ÉMILE')).toEqual(['1']);
		expect(found('ＡＤＡ')).toEqual(['2', '5']);
		expect(found('love')).toEqual(['2']);
		expect(found('zoe')).toEqual(['5']);
		expect(found('小龍')).toEqual(['3']);
		expect(found('🦊')).toEqual(['4']);
	});

	it('needs every word typed, in any order', () => {
		expect(found('zola em')).toEqual(['1']);
		expect(found('  ada   lovelace ')).toEqual(['2']);
		expect(found('ada zola')).toEqual([]);
	});

	it('searches by each distinct word once, and by at most MAX_SEARCH_WORDS of them', () => {
		expect(searchWords('ann ANN bo ann')).toEqual(['ann', 'bo']);
		expect(searchWords('\uFDFA'.repeat(1024)).length).toBeLessThanOrEqual(MAX_SEARCH_WORDS);
		expect(searchWords(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '))).toHaveLength(MAX_SEARCH_WORDS);
	});

	it('keeps everyone, in order, for a blank query, and nobody for a name not there', () => {
		expect(found('')).toEqual(['1', '2', '3', '4', '5']);
		expect(found('   ')).toEqual(['1', '2', '3', '4', '5']);
		expect(found('turing')).toEqual([]);
	});

	it('folds a name once as the name rule does, then drops accents', () => {
		expect(searchKey('  Émile   ZOLA ')).toBe('emile zola');
		expect(searchKey('An\u200dn')).toBe('ann');
	});
});

describe('the paging cursor', () => {
	it('round-trips any name and id, and is safe in a URL as it is', () => {
		for (const cursor of [
			{ name: 'Ann', id: 'p1' },
			{ name: 'Émile Zola 🦊 李', id: '3f0c0d1e-0000-4000-8000-000000000000' },
			{ name: '', id: 'x' },
			{ name: 'a&b=c?d/e+f', id: 'id with spaces' }
		]) {
			const text = encodeCursor(cursor);
			expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
			expect(decodeCursor(text)).toEqual(cursor);
		}
	});

	it('refuses what it did not make, without throwing', () => {
		const json = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '');
		for (const text of ['', '!!', 'a b', 'Zm9v', json({ name: 'a', id: 'b' }), json(['a']), json(['a', '']), json(['a', 1]), json(['a', 'b', 'c'])]) {
			expect(decodeCursor(text)).toBeNull();
		}
		// Not UTF-8 once decoded.
		expect(decodeCursor(btoa(String.fromCharCode(0x5b, 0x22, 0xff, 0x22, 0x5d)))).toBeNull();
		expect(decodeCursor('A'.repeat(100_000))).toBeNull();
		expect(decodeCursor(encodeCursor({ name: 'x'.repeat(5000), id: 'p' }))).toBeNull();
		// A control character, which no name holds (PostgreSQL refuses NUL in text: a forged one was a 500).
		expect(decodeCursor(encodeCursor({ name: 'a\u0000b', id: 'p' }))).toBeNull();
		expect(decodeCursor(encodeCursor({ name: 'a', id: 'p\u0007' }))).toBeNull();
		expect(decodeCursor(encodeCursor({ name: 'Ann 😀 é', id: 'p' }))).toEqual({ name: 'Ann 😀 é', id: 'p' });
	});
});

describe('the page query', () => {
	const cursor = encodeCursor({ name: 'Ann', id: 'p1' });

	it('is no page at all without limit, after or q: the full list, as before paging', () => {
		expect(parsePeoplePageQuery({})).toEqual({ ok: true, page: null, name: null });
		expect(parsePeoplePageQuery({ other: '1' })).toEqual({ ok: true, page: null, name: null });
	});

	it('reads a limit from 1 to the maximum, a cursor and a search', () => {
		expect(parsePeoplePageQuery({ limit: '1' })).toEqual({ ok: true, page: { limit: 1, after: null, q: '' }, name: null });
		expect(parsePeoplePageQuery({ limit: String(PAGE_MAX_PEOPLE), after: cursor, q: 'ann b' })).toEqual({
			ok: true,
			page: { limit: PAGE_MAX_PEOPLE, after: { name: 'Ann', id: 'p1' }, q: 'ann b' },
			name: null
		});
		expect(parsePeoplePageQuery({ q: 'ann' })).toEqual({ ok: true, page: { limit: PAGE_DEFAULT_PEOPLE, after: null, q: 'ann' }, name: null });
		// The person of exactly a name: alone.
		expect(parsePeoplePageQuery({ name: 'Ann' })).toEqual({ ok: true, page: null, name: 'Ann' });
		expect(parsePeoplePageQuery({ name: 'Ann', q: 'a' })).toMatchObject({ ok: false });
	});

	it('says in words what is wrong with a bad one', () => {
		const fault = (query: Record<string, unknown>) => {
			const parsed = parsePeoplePageQuery(query);
			return parsed.ok ? null : parsed.message;
		};
		for (const limit of ['0', String(PAGE_MAX_PEOPLE + 1), '-1', '1.5', '', 'ten', ' 1', '9999999999']) {
			expect(fault({ limit })).toBe(`limit must be a whole number from 1 to ${PAGE_MAX_PEOPLE}`);
		}
		expect(fault({ limit: ['1', '2'] })).toBe('limit must be given once, as text');
		expect(fault({ after: 'nonsense!' })).toMatch(/^after is not a cursor this server gave/);
		expect(fault({ q: ['a', 'b'] })).toBe('q must be given once, as text');
		expect(fault({ q: 'x'.repeat(1025) })).toBe('q is over 1024 characters long');
	});

	it('makes the path of a page that reads back as the same page', () => {
		const page = { limit: 100, after: { name: 'Zoë & Co', id: 'p9' }, q: 'zoë & co' };
		const path = peoplePagePath('/api/people', page);
		expect(path).toMatch(/^\/api\/people\?limit=100&after=[A-Za-z0-9_-]+&q=zo%C3%AB%20%26%20co$/);
		expect(parsePeoplePageQuery(Object.fromEntries(new URL(path, 'http://x').searchParams))).toEqual({ ok: true, page, name: null });
		expect(peoplePagePath('/api/people', { limit: 5, after: null, q: '' })).toBe('/api/people?limit=5');
	});
});

describe('the Link header', () => {
	it('finds the next page among links and their parameters', () => {
		expect(nextLinkOf('</api/people?limit=100&after=abc>; rel="next"')).toBe('/api/people?limit=100&after=abc');
		expect(nextLinkOf('</a>; rel="prev", </b>; title="x"; rel=next')).toBe('/b');
		expect(nextLinkOf('</c>; rel="last next"')).toBe('/c');
		expect(nextLinkOf('</a>; rel="prev"')).toBeNull();
		expect(nextLinkOf(null)).toBeNull();
		expect(nextLinkOf('')).toBeNull();
	});

	it('lets the client follow only this API: the request carries the admin token', () => {
		const headers = (next: string | null) => v.safeParse(PeoplePageHeaders, { total: '3', faces: null, next }).success;
		expect(headers('/api/people?limit=100&after=abc')).toBe(true);
		expect(headers(null)).toBe(true);
		for (const next of ['https://evil.example/api/people?x', '//evil.example/api/people?', '/api/people?a//b', '/api/export?x', '/api/people?a b']) {
			expect(headers(next)).toBe(false);
		}
		expect(v.parse(PeoplePageHeaders, { total: '12', faces: '60', next: null })).toEqual({ total: 12, faces: 60, next: null });
		expect(v.safeParse(PeoplePageHeaders, { total: '-1', faces: null, next: null }).success).toBe(false);
	});
});

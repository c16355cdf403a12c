/**
 * `GET /api/people` in pages against the real server and its SQLite file: without parameters the
 * full list as before; `limit` pages that follow the Link header to the same list; `q` finds whom
 * the People page's rule finds; totals in headers; a 304 only while the headers hold too; bad
 * parameters refused in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_MAX_PEOPLE, searchPeople } from '../../src/lib/protocol/people-page.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PEOPLE = 230;
const jpeg = (fill: number) => Buffer.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]).toString('base64');
type Person = { id: string; name: string; faces: number; coverage: Record<string, number>; thumbnail?: string };

let server: TestServer;
let faces = 0;
let pictured = 0;

const get = async (path: string, headers: Record<string, string> = {}) => {
	const res = await server.api(path, { headers });
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Person[] & { error?: string; code?: string } };
};
/** Every page from `path`, following the Link header. */
async function pages(path: string): Promise<{ pages: Person[][]; totals: Array<string | null> }> {
	const out: Person[][] = [];
	const totals: Array<string | null> = [];
	let next: string | null = path;
	while (next) {
		const res = await get(next);
		expect(res.status, next).toBe(200);
		out.push(res.body);
		totals.push(res.headers.get('x-total-count'));
		next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
		expect(out.length).toBeLessThan(100);
	}
	return { pages: out, totals };
}

beforeAll(async () => {
	server = await startTestServer();
	const { model, dim } = (await (await server.api('/api/export')).json()) as { model: string; dim: number };
	expect(
		(await server.api('/api/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keepThumbnails: true }) }))
			.status
	).toBe(200);
	let seed = 11;
	const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
	const people = Array.from({ length: PEOPLE }, (_, i) => {
		const n = i % 4;
		faces += n;
		if (n > 0 && i % 2) pictured++;
		return {
			// Case, accents and other scripts mixed in, as names are.
			name: i % 10 === 0 ? `Émile ${i}` : i % 7 === 0 ? `ada ${i}` : i % 5 === 0 ? `李 ${i}` : `Person ${String(i).padStart(3, '0')}`,
			faces: Array.from({ length: n }, (_, j) => ({
				embedding: Array.from({ length: dim }, random),
				yaw: j * 0.2 - 0.2,
				...(j === n - 1 && i % 2 ? { thumbnail: jpeg(i % 250) } : {})
			}))
		};
	});
	const res = await server.api('/api/import?mode=replace', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ format: 'facertc-gallery', version: 1, model, dim, people })
	});
	expect(res.status).toBe(200);
});

afterAll(async () => {
	await server?.stop();
});

describe('GET /api/people in pages', () => {
	it('answers the full list without parameters, as before: no paging headers', async () => {
		const all = await get('/api/people');
		expect(all.status).toBe(200);
		expect(all.body).toHaveLength(PEOPLE);
		expect(all.headers.get('link')).toBeNull();
		expect(all.headers.get('x-total-count')).toBeNull();
		expect(all.body.filter((p) => p.thumbnail?.startsWith('data:image/jpeg;base64,'))).toHaveLength(pictured);
		expect(all.body.find((p) => p.faces === 3)?.coverage).toEqual({ frontal: 1, left: 1, right: 1, unknown: 0 });
	});

	it('pages through the same list by the Link header, with the totals on every page', async () => {
		const all = (await get('/api/people')).body;
		const { pages: got, totals } = await pages('/api/people?limit=100');
		expect(got.map((p) => p.length)).toEqual([100, 100, PEOPLE - 200]);
		expect(got.flat()).toEqual(all);
		expect(totals).toEqual([String(PEOPLE), String(PEOPLE), String(PEOPLE)]);
		const first = await get('/api/people?limit=100');
		expect(first.headers.get('x-total-faces')).toBe(String(faces));
		const second = /^<([^>]+)>/.exec(first.headers.get('link') ?? '')![1]!;
		expect((await get(second)).headers.get('x-total-faces')).toBeNull();
		expect(first.headers.get('link')).toMatch(/^<\/api\/people\?limit=100&after=[A-Za-z0-9_-]+>; rel="next"$/);
		expect((await get(`/api/people?limit=${PAGE_MAX_PEOPLE}`)).body).toEqual(all);
	});

	it('finds whom the People page would find, page by page, the search kept in the Link', async () => {
		const all = (await get('/api/people')).body;
		for (const q of ['emile', 'ADA', 'person 1', '李', 'nobody at all']) {
			const expected = searchPeople(all, q);
			const { pages: got, totals } = await pages(`/api/people?limit=7&q=${encodeURIComponent(q)}`);
			expect(
				got.flat().map((p) => p.name),
				q
			).toEqual(expected.map((p) => p.name));
			expect(new Set(totals), q).toEqual(new Set([String(expected.length)]));
		}
		const searched = await get('/api/people?limit=2&q=person%201');
		expect(searched.headers.get('link')).toMatch(/&q=person%201>; rel="next"$/);
		expect(searched.headers.get('x-total-faces')).toBeNull();
	});

	it('finds the person of exactly a name, wherever they are in the list, by the name rule', async () => {
		const all = (await get('/api/people')).body;
		// "ada 7" sorts among the a's; "Person 229" is past the first pages; each asked in another case and width.
		for (const [asked, name] of [
			['ADA 7', 'ada 7'],
			['person 229', 'Person 229'],
			['Ｐｅｒｓｏｎ ２２９', 'Person 229']
		]) {
			const res = await get(`/api/people?name=${encodeURIComponent(asked!)}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual(all.filter((p) => p.name === name));
			expect(res.body).toHaveLength(1);
		}
		expect((await get(`/api/people?name=${encodeURIComponent('Person 22')}`)).body).toEqual([]);
		expect((await get('/api/people?name=nobody')).body).toEqual([]);
	});

	it('answers 304 to a page asked again only while its totals and Link hold too', async () => {
		const first = await get('/api/people?limit=5');
		const etag = first.headers.get('etag')!;
		expect(etag).toMatch(/^W\/"/);
		// fetch adds Cache-Control: no-cache to a request with If-None-Match (as the page's client knows) unless told otherwise.
		const asked = { 'if-none-match': etag, 'cache-control': 'max-age=0' };
		expect((await get('/api/people?limit=5', asked)).status).toBe(304);
		// Someone at the end of the list: the first page's rows are the same, its total is not.
		const created = await server.api('/api/people', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: 'zzz last' })
		});
		expect(created.status).toBe(201);
		const again = await get('/api/people?limit=5', asked);
		expect(again.status).toBe(200);
		expect(again.body).toEqual(first.body);
		expect(again.headers.get('x-total-count')).toBe(String(PEOPLE + 1));
		await server.api(`/api/people/${((await created.json()) as { id: string }).id}`, { method: 'DELETE' });
	});

	it('refuses bad parameters in words, and strangers as ever', async () => {
		const cases: Array<[string, RegExp]> = [
			['limit=0', /^limit must be a whole number from 1 to 500$/],
			[`limit=${PAGE_MAX_PEOPLE + 1}`, /^limit must be a whole number from 1 to 500$/],
			['limit=ten', /^limit must be a whole number from 1 to 500$/],
			['limit=1&limit=2', /^limit must be given once/],
			['limit=10&after=not-a-cursor!', /^after is not a cursor this server gave/],
			['limit=10&after=eyJhIjoxfQ', /^after is not a cursor this server gave/],
			['q=a&q=b', /^q must be given once/],
			[`q=${'x'.repeat(1025)}`, /^q is over 1024 characters long$/],
			['name=a&limit=5', /^name is asked alone/],
			['name=a&name=b', /^name must be given once/],
			// A cursor of this server's form with a NUL in its name (PostgreSQL refused it with a 500).
			[`limit=5&after=${Buffer.from(JSON.stringify(['a\u0000b', 'x'])).toString('base64url')}`, /^after is not a cursor this server gave/]
		];
		for (const [query, message] of cases) {
			const res = await get(`/api/people?${query}`);
			expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'bad-request' });
			expect(res.body.error, query).toMatch(message);
		}
		const stranger = await fetch(`${server.url}/api/people?limit=5`);
		expect(stranger.status).toBe(401);
	});
});

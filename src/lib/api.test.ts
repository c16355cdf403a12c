import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './api.ts';

/** Answers every fetch with `status` and `body` (JSON unless a string). */
function answer(status: number, body: unknown) {
	vi.stubGlobal('fetch', async () => new Response(status === 204 ? null : typeof body === 'string' ? body : JSON.stringify(body), { status }));
}

afterEach(() => vi.unstubAllGlobals());

describe('REST client', () => {
	it('parses answers with the shared schemas', async () => {
		answer(200, { id: 'p1', name: 'Ann', faces: 2 });
		expect(await api.getPerson('p1')).toEqual({ id: 'p1', name: 'Ann', faces: 2 });
		answer(204, null);
		await expect(api.deleteFace('p1', 'f1')).resolves.toBeUndefined();
	});

	it('refuses an answer that is not what the API promises, saying where', async () => {
		answer(200, [{ id: 'p1', name: 'Ann', faces: 'two' }]);
		const err = await api.peoplePage({ limit: 10 }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ApiError);
		expect(err).toMatchObject({ code: 'bad-response' });
		expect((err as Error).message).toMatch(/answer to \/api\/people\?limit=10 is not what this page expects \(0\.faces: /);
	});

	it('turns error bodies into coded errors with their details, and copes with foreign ones', async () => {
		answer(409, { error: 'close to Bob', code: 'conflict', near: { id: 'b', name: 'Bob', distance: 0.3 } });
		await expect(api.addFaces('p1', [])).rejects.toMatchObject({ status: 409, code: 'conflict', details: { near: { name: 'Bob' } } });
		answer(400, { error: 'person 2, face 1: the face data is damaged', code: 'bad-request', where: 'people.1.faces.0.embedding' });
		await expect(api.importGallery('{}')).rejects.toMatchObject({ code: 'bad-request', details: { where: 'people.1.faces.0.embedding' } });
		answer(413, '<html>nginx: Request Entity Too Large</html>');
		await expect(api.importGallery('{}')).rejects.toMatchObject({ status: 413, code: 'too-large', message: 'Too large for this server.' });
		answer(502, 'Bad Gateway');
		await expect(api.settings()).rejects.toMatchObject({ status: 502, code: 'internal', message: 'The server answered HTTP 502.' });
	});

	it('asks for a list again with its ETag and keeps the last answer when the server says 304', async () => {
		const list = [{ id: 'g1', faces: 3, firstSeen: 1, lastSeen: 2 }];
		const sent: Array<{ ifNoneMatch: string | null; cacheControl: string | null }> = [];
		let status = 200;
		vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
			const headers = new Headers(init.headers);
			sent.push({ ifNoneMatch: headers.get('if-none-match'), cacheControl: headers.get('cache-control') });
			return status === 304
				? new Response(null, { status, headers: { etag: 'W/"1"' } })
				: new Response(JSON.stringify(list), { status, headers: { etag: 'W/"1"' } });
		});
		expect(await api.listUnknowns()).toEqual(list);
		status = 304;
		expect(await api.listUnknowns()).toEqual(list);
		expect(sent).toEqual([
			{ ifNoneMatch: null, cacheControl: null },
			// no-store would add Cache-Control: no-cache, which makes the server ignore the tag.
			{ ifNoneMatch: 'W/"1"', cacheControl: 'max-age=0' }
		]);
		// Another token is another reader: nothing of the first one's answers is offered.
		vi.stubGlobal('localStorage', { getItem: () => 'other-token' });
		status = 200;
		await api.listUnknowns();
		expect(sent[2]).toEqual({ ifNoneMatch: null, cacheControl: null });
	});

	it('reads a page of people with its totals and next page from the headers, checked like the body', async () => {
		const asked: string[] = [];
		let headers: Record<string, string> = { 'x-total-count': '250', 'x-total-faces': '600', link: '</api/people?limit=100&after=abc>; rel="next"' };
		vi.stubGlobal('fetch', async (path: string) => {
			asked.push(path);
			return new Response(JSON.stringify([{ id: 'p1', name: 'Ann', faces: 2 }]), { status: 200, headers });
		});
		expect(await api.peoplePage({ limit: 100, q: 'ann lee' })).toEqual({
			people: [{ id: 'p1', name: 'Ann', faces: 2 }],
			total: 250,
			faces: 600,
			next: '/api/people?limit=100&after=abc'
		});
		headers = { 'x-total-count': '1' };
		expect(await api.peoplePage({ next: '/api/people?limit=100&after=abc' })).toMatchObject({ total: 1, faces: null, next: null });
		expect(asked).toEqual(['/api/people?limit=100&q=ann%20lee', '/api/people?limit=100&after=abc']);
		// A next page elsewhere would be sent the admin token: refused, as a page without its total.
		const bads: Array<Record<string, string>> = [{ 'x-total-count': '1', link: '<https://elsewhere.example/api/people?x>; rel="next"' }, {}];
		for (const bad of bads) {
			headers = bad;
			await expect(api.peoplePage({ limit: 1 })).rejects.toMatchObject({ code: 'bad-response' });
		}
	});

	it('keeps the headers of a page answered 304 with the body they came with', async () => {
		let status = 200;
		vi.stubGlobal('fetch', async () =>
			status === 304
				? new Response(null, { status, headers: { etag: 'W/"p"' } })
				: new Response('[]', { status, headers: { etag: 'W/"p"', 'x-total-count': '7', 'x-total-faces': '9' } })
		);
		expect(await api.peoplePage({ limit: 3 })).toEqual({ people: [], total: 7, faces: 9, next: null });
		status = 304;
		expect(await api.peoplePage({ limit: 3 })).toEqual({ people: [], total: 7, faces: 9, next: null });
	});

	it('tells a cancelled request from an unreachable server', async () => {
		const controller = new AbortController();
		vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
			controller.abort();
			throw init.signal?.reason ?? new Error('aborted');
		});
		await expect(api.peoplePage({ limit: 1 }, { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
	});

	it('says when the server cannot be reached', async () => {
		vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('Failed to fetch')));
		await expect(api.settings()).rejects.toMatchObject({ status: 0, code: 'offline', message: 'The server cannot be reached.' });
	});
});

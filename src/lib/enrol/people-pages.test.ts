import { describe, expect, it } from 'vitest';
import type { PeoplePage, Person } from '../api.ts';
import { appendRows, readRows, type FetchPage } from './people-pages.ts';

const person = (id: string, name = id): Person => ({ id, name, faces: 0 });

/** A server of `count` people p0…, pages of at most `max`, the next page's path `next:<index>`. */
function server(count: number, max = 500) {
	const asked: string[] = [];
	const everyone = Array.from({ length: count }, (_, i) => person(`p${i}`));
	const fetchPage: FetchPage = async (page) => {
		const from = 'next' in page ? Number(page.next.split(':')[1]) : 0;
		const limit = 'next' in page ? Number(page.next.split(':')[2]) : page.limit;
		asked.push('next' in page ? page.next : `limit=${page.limit}`);
		expect(limit).toBeLessThanOrEqual(max);
		const rows = everyone.slice(from, from + limit);
		const end = from + rows.length;
		const result: PeoplePage = { people: rows, total: count, faces: 2 * count, next: end < count ? `next:${end}:${limit}` : null };
		return result;
	};
	return { fetchPage, asked };
}

describe('reading the rows the page shows', () => {
	it('asks for one page when the rows fit in one, whatever is shown', async () => {
		const { fetchPage, asked } = server(1000);
		const read = await readRows(fetchPage, { q: '', rows: 30, pageRows: 100 });
		expect(read.people).toHaveLength(100);
		expect(read).toMatchObject({ total: 1000, faces: 2000, next: 'next:100:100' });
		expect(asked).toEqual(['limit=100']);
		expect((await readRows(fetchPage, { q: '', rows: 300, pageRows: 100 })).people).toHaveLength(300);
		expect(asked.at(-1)).toBe('limit=300');
	});

	it('follows the next pages past the largest page the server gives', async () => {
		const { fetchPage, asked } = server(1000);
		const read = await readRows(fetchPage, { q: '', rows: 700, pageRows: 100 });
		expect(read.people.map((p) => p.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `p${i}`));
		expect(read.next).toBeNull();
		expect(asked).toEqual(['limit=500', 'next:500:500']);
	});

	it('stops at the last page', async () => {
		const { fetchPage } = server(42);
		expect(await readRows(fetchPage, { q: '', rows: 100, pageRows: 100 })).toMatchObject({ total: 42, next: null });
	});
});

describe('appending a page', () => {
	it('keeps the order, and only the newer row of someone listed again', () => {
		const rows = [person('a'), person('b', 'Bob'), person('c')];
		expect(appendRows(rows, [person('d'), person('b', 'Zed')]).map((p) => `${p.id}:${p.name}`)).toEqual(['a:a', 'c:c', 'd:d', 'b:Zed']);
		expect(appendRows([], [person('x')])).toEqual([person('x')]);
	});
});

/**
 * Reading the people list a page at a time (GET /api/people?limit=…, src/lib/protocol/people-page.ts).
 * Pure: the request is injected.
 */
import type { PeoplePage, Person } from '../api.ts';
import { PAGE_MAX_PEOPLE } from '../protocol/people-page.ts';

export type FetchPage = (page: { limit: number; q: string } | { next: string }, options: { signal?: AbortSignal }) => Promise<PeoplePage>;

/**
 * `rows` then `more`. Someone renamed meanwhile from before a page's cursor to after it comes
 * again on a later page: only that newer row is kept.
 */
export function appendRows(rows: readonly Person[], more: readonly Person[]): Person[] {
	const again = new Set(more.map((p) => p.id));
	return [...rows.filter((p) => !again.has(p.id)), ...more];
}

/**
 * The first `rows` people (at least `pageRows`) of everyone, or of the search `q`, in as few
 * requests as the server's page size allows: what the page shows, read again after a change.
 * `total`, `faces` are the first page's; `next` where the last one ended.
 */
export async function readRows(
	fetchPage: FetchPage,
	{ q, rows, pageRows, signal }: { q: string; rows: number; pageRows: number; signal?: AbortSignal }
): Promise<PeoplePage> {
	const wanted = Math.max(pageRows, rows);
	const first = await fetchPage({ limit: Math.min(PAGE_MAX_PEOPLE, wanted), q }, { signal });
	let people = first.people;
	let next = first.next;
	while (next && people.length < wanted) {
		const page = await fetchPage({ next }, { signal });
		people = appendRows(people, page.people);
		next = page.next;
	}
	return { ...first, people, next };
}

/** The people list of the SQLite gallery (sqlite-gallery.ts): everyone, or a page (gallery.ts's listPeople, pagePeople). */
import { searchWords, type PeoplePageQuery } from '../../src/lib/protocol/people-page.ts';
import type { Gallery, PeoplePage, PersonListing } from './gallery.ts';
import { createSearchKeys, inOrder, poseSums, searchPage, toCoverage, type NameRow } from './people-page.ts';
import type { SqliteDatabase } from './sqlite-db.ts';

type ListingRow = {
	id: string;
	name: string;
	faces: number;
	frontal: number | null;
	left_turns: number | null;
	right_turns: number | null;
	thumbnail?: Buffer | null;
};
type Cursor = { name: string; id: string };

// The index people_order (migration 009) holds this order, and the cursor's place in it: a page
// is a seek and a short read, wherever it is.
const ORDER = 'ORDER BY p.name COLLATE NOCASE, p.id';
// A row value with the collation on the right: SQLite then seeks the index (on the left it scans).
const AFTER = '(p.name, p.id) > (@name COLLATE NOCASE, @id)';
/** A page after a cursor (@name, @id, @limit): a seek in people_order, tested by its plan. */
export const PAGE_AFTER_SQL = `SELECT p.id, p.name FROM people p WHERE ${AFTER} ${ORDER} LIMIT @limit`;
const THUMBNAIL = `(SELECT t.thumbnail FROM faces t WHERE t.person_id = p.id AND t.thumbnail IS NOT NULL ORDER BY t.rowid DESC LIMIT 1) AS thumbnail`;

export function createSqlitePeople(db: SqliteDatabase): Pick<Gallery, 'listPeople' | 'pagePeople'> {
	// Each person's faces counted by pose in one pass over them (poseSums), and the latest thumbnail.
	const listing = (thumbnails: boolean, where: string) =>
		`SELECT p.id, p.name, COUNT(f.id) AS faces, ${poseSums('sqlite')}${thumbnails ? `, ${THUMBNAIL}` : ''}
		 FROM people p LEFT JOIN faces f ON f.person_id = p.id ${where} GROUP BY p.id`;
	// The page's ids first (below), then this for those rows only: SQLite would otherwise count and
	// fetch for every person before sorting and cutting.
	const FOR_IDS = 'WHERE p.id IN (SELECT value FROM json_each(?))';
	const q = {
		everyone: db.prepare<[], ListingRow>(`${listing(false, '')} ${ORDER}`),
		everyoneWithThumbnails: db.prepare<[], ListingRow>(`${listing(true, '')} ${ORDER}`),
		byIds: db.prepare<[string], ListingRow>(listing(false, FOR_IDS)),
		byIdsWithThumbnails: db.prepare<[string], ListingRow>(listing(true, FOR_IDS)),
		first: db.prepare<[{ limit: number }], Cursor>(`SELECT p.id, p.name FROM people p ${ORDER} LIMIT @limit`),
		after: db.prepare<[Cursor & { limit: number }], Cursor>(PAGE_AFTER_SQL),
		// A search reads (id, name) of everyone from the index alone, never faces or pictures.
		names: db.prepare<[], NameRow>(`SELECT p.id, p.name, 1 AS after FROM people p ${ORDER}`),
		namesAfter: db.prepare<[Cursor], NameRow>(`SELECT p.id, p.name, ${AFTER} AS after FROM people p ${ORDER}`),
		people: db.prepare<[], number>('SELECT COUNT(*) FROM people').pluck(),
		faces: db.prepare<[], number>('SELECT COUNT(*) FROM faces').pluck()
	};

	const toListing = ({ thumbnail, ...row }: ListingRow): PersonListing => {
		const listing = { id: row.id, name: row.name, ...toCoverage(row) };
		return thumbnail ? { ...listing, thumbnail: new Uint8Array(thumbnail) } : listing;
	};
	const keyOf = createSearchKeys();

	// One read transaction: the page, its counts and its rows are of one state of the file.
	// Deferred: it only reads, so it needs no write lock (sqlite-db.ts makes transactions IMMEDIATE).
	const readPage = db.transaction(({ limit, after, q: query, thumbnails = false }: PeoplePageQuery & { thumbnails?: boolean }): PeoplePage => {
		const words = searchWords(query);
		const cursor = after ? { name: after.name, id: after.id } : null;
		let found: { page: Cursor[]; total: number; more: boolean };
		let faces: number | undefined;
		if (words.length === 0) {
			const rows = cursor ? q.after.all({ ...cursor, limit: limit + 1 }) : q.first.all({ limit: limit + 1 });
			found = { page: rows.slice(0, limit), total: q.people.get()!, more: rows.length > limit };
			// Everyone's faces with the first page only: counting 500 000 faces is most of a page's cost.
			if (!cursor) faces = q.faces.get()!;
		} else {
			found = searchPage(cursor ? q.namesAfter.iterate(cursor) : q.names.iterate(), { words, limit, keyOf });
		}
		const ids = found.page.map((p) => p.id);
		const people = inOrder(ids, (thumbnails ? q.byIdsWithThumbnails : q.byIds).all(JSON.stringify(ids)).map(toListing));
		const last = found.page.at(-1);
		return { people, total: found.total, ...(faces !== undefined && { faces }), next: found.more && last ? { name: last.name, id: last.id } : null };
	});

	return {
		listPeople: async ({ thumbnails = false } = {}) => (thumbnails ? q.everyoneWithThumbnails : q.everyone).all().map(toListing),
		pagePeople: async (query) => readPage.deferred(query)
	};
}

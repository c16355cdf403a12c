/** The people list of the PostgreSQL gallery (pg-gallery.ts): everyone, or a page (gallery.ts's listPeople, pagePeople). */
import { searchWords } from '../../src/lib/protocol/people-page.ts';
import type { Gallery, PeoplePage, PersonListing } from './gallery.ts';
import { createSearchKeys, inOrder, poseSums, searchPage, toCoverage, type NameRow } from './people-page.ts';
import type { PgDatabase } from './pg-db.ts';

type ListingRow = {
	id: string;
	name: string;
	faces: string | null;
	frontal: string | null;
	left_turns: string | null;
	right_turns: string | null;
	thumbnail?: Buffer | null;
};
type Cursor = { id: string; name: string };

// lower() under the C collation folds ASCII only, in byte order: the order SQLite's NOCASE gives.
// The index people_order (migration 009) holds it.
export const PEOPLE_ORDER = 'ORDER BY lower(p.name COLLATE "C"), p.id COLLATE "C"';
const AFTER = (name: string, id: string) => `(lower(p.name COLLATE "C"), p.id COLLATE "C") > (lower(${name}::text COLLATE "C"), ${id}::text COLLATE "C")`;
/** A page after a cursor ($1 limit, $2 name, $3 id): a seek in people_order, tested by its plan. */
export const PAGE_AFTER_SQL = `SELECT p.id, p.name FROM people p WHERE ${AFTER('$2', '$3')} ${PEOPLE_ORDER} LIMIT $1`;
/** The latest thumbnail of person `p` (faces_person_seq, migration 009). */
export const THUMBNAIL_SQL = 'SELECT t.thumbnail FROM faces t WHERE t.person_id = p.id AND t.thumbnail IS NOT NULL ORDER BY t.seq DESC LIMIT 1';

export function createPgPeople(db: PgDatabase): Pick<Gallery, 'listPeople' | 'pagePeople'> {
	const thumbnailColumn = (thumbnails: boolean) => (thumbnails ? `, (${THUMBNAIL_SQL}) AS thumbnail` : '');
	const toListing = ({ thumbnail, ...row }: ListingRow): PersonListing => {
		const listing = { id: row.id, name: row.name, ...toCoverage(row) };
		return thumbnail ? { ...listing, thumbnail: new Uint8Array(thumbnail) } : listing;
	};
	const keyOf = createSearchKeys();

	return {
		async listPeople({ thumbnails = false } = {}) {
			// One grouped pass over faces, not a count per person: 100 000 people list in one pass.
			const rows = await db.sql<ListingRow>(
				`SELECT p.id, p.name, c.faces, c.frontal, c.left_turns, c.right_turns${thumbnailColumn(thumbnails)} FROM people p
				 LEFT JOIN (SELECT f.person_id, COUNT(*) AS faces, ${poseSums('postgres')} FROM faces f GROUP BY f.person_id) c
				   ON c.person_id = p.id ${PEOPLE_ORDER}`
			);
			return rows.map(toListing);
		},

		pagePeople({ limit, after, q, thumbnails = false }) {
			const words = searchWords(q);
			// One snapshot: the page, its counts and its rows are of one state of the database.
			return db.transaction(
				async (sql): Promise<PeoplePage> => {
					// A page reads ~100 people: compiling its plan never pays. Before the planner has statistics
					// (a gallery just copied in) it priced the page's rows at 1.6 M and JIT took 124 of 147 ms.
					await sql('SET LOCAL jit = off');
					let found: { page: Cursor[]; total: number; more: boolean };
					let faces: number | undefined;
					if (words.length === 0) {
						const rows = after
							? await sql<Cursor>(PAGE_AFTER_SQL, [limit + 1, after.name, after.id])
							: await sql<Cursor>(`SELECT p.id, p.name FROM people p ${PEOPLE_ORDER} LIMIT $1`, [limit + 1]);
						const [people] = await sql<{ n: string }>('SELECT COUNT(*) AS n FROM people');
						found = { page: rows.slice(0, limit), total: Number(people!.n), more: rows.length > limit };
						// Everyone's faces with the first page only: counting 500 000 faces is most of a page's cost
						// (0.17 s of 0.18 s here, right after a copy, before a vacuum lets it read the index alone).
						if (!after) faces = Number((await sql<{ n: string }>('SELECT COUNT(*) AS n FROM faces'))[0]!.n);
					} else {
						// (id, name) of everyone, never faces or pictures; matched here by the shared rule.
						const rows = after
							? await sql<NameRow>(`SELECT p.id, p.name, ${AFTER('$1', '$2')} AS after FROM people p ${PEOPLE_ORDER}`, [after.name, after.id])
							: await sql<NameRow>(`SELECT p.id, p.name, true AS after FROM people p ${PEOPLE_ORDER}`);
						found = searchPage(rows, { words, limit, keyOf });
					}
					const ids = found.page.map((p) => p.id);
					// The page's rows only: faces counted by pose for each (an aggregate over one person's faces).
					const rows = await sql<ListingRow>(
						`SELECT p.id, p.name, c.faces, c.frontal, c.left_turns, c.right_turns${thumbnailColumn(thumbnails)} FROM people p
						 CROSS JOIN LATERAL (SELECT COUNT(*) AS faces, ${poseSums('postgres')} FROM faces f WHERE f.person_id = p.id) c
						 WHERE p.id = ANY($1::text[])`,
						[ids]
					);
					const last = found.page.at(-1);
					return {
						people: inOrder(ids, rows.map(toListing)),
						total: found.total,
						...(faces !== undefined && { faces }),
						next: found.more && last ? { name: last.name, id: last.id } : null
					};
				},
				{ readOnlySnapshot: true }
			);
		}
	};
}

/**
 * What both stores share to list people (sqlite-people.ts, pg-people.ts): the pose counts as SQL,
 * and the search of a page over (id, name) rows read in the store's order.
 *
 * Coverage is counted in SQL by the bands of src/lib/protocol/pose.ts's poseOf, not from a list
 * of every face's yaw shipped to Node (that list was about half of the full list's time at
 * 100 000 people). It must give what coverageOf gives over the yaws as the stores read them back
 * (checks.ts's storedYaw: anything but a finite number is unknown): the contract test holds both
 * stores to that, edge values and hand-written rows included.
 */
import { holdsWords, searchKey } from '../../src/lib/protocol/people-page.ts';
import { FRONTAL_MAX_YAW } from '../../src/lib/protocol/pose.ts';
import type { Coverage } from '../../src/lib/protocol/rest.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * `SUM(…) AS frontal, SUM(…) AS left_turns, SUM(…) AS right_turns` over the faces `yaw` belongs
 * to (null when a person has none); the rest of a person's faces are of unknown pose (toCoverage).
 */
export function poseSums(dialect: Dialect, yaw = 'f.yaw'): string {
	// The same doubles on both sides: a literal is read back exactly (shortest round-trip form),
	// and PostgreSQL would otherwise take 0.12 as numeric.
	const float = (x: number) => (dialect === 'postgres' ? `'${x}'::float8` : String(x));
	// Finite numbers only: SQLite may hold text or a blob in a REAL column (abs('x') is 0.0), and
	// ±Infinity; PostgreSQL ±Infinity and NaN (which compares above every number).
	const measured = `${dialect === 'sqlite' ? `typeof(${yaw}) IN ('integer', 'real') AND ` : ''}abs(${yaw}) <= ${float(Number.MAX_VALUE)}`;
	const frontal = `abs(${yaw}) <= ${float(FRONTAL_MAX_YAW)}`;
	const count = (when: string) => `SUM(CASE WHEN ${measured} AND ${when} THEN 1 ELSE 0 END)`;
	return [
		`${count(frontal)} AS frontal`,
		`${count(`NOT (${frontal}) AND ${yaw} > 0`)} AS left_turns`,
		`${count(`NOT (${frontal}) AND ${yaw} < 0`)} AS right_turns`
	].join(', ');
}

/** A row's counts (SQL: numbers, bigint strings or null) as a person's coverage. */
export function toCoverage(row: { faces: unknown; frontal: unknown; left_turns: unknown; right_turns: unknown }): { faces: number; coverage: Coverage } {
	const faces = Number(row.faces ?? 0);
	const frontal = Number(row.frontal ?? 0);
	const left = Number(row.left_turns ?? 0);
	const right = Number(row.right_turns ?? 0);
	return { faces, coverage: { frontal, left, right, unknown: faces - frontal - left - right } };
}

/** One row of a search scan: a person's id and name, and whether they come after the page's cursor. */
export type NameRow = { id: string; name: string; after: unknown };

/**
 * Search keys by name, kept between searches: folding 100 000 names takes ~0.1 s of the main
 * thread, looking them up ~5 ms. Forgets everything past `max` names (renames leave old ones).
 */
export function createSearchKeys(max = 250_000): (name: string) => string {
	const keys = new Map<string, string>();
	return (name) => {
		let key = keys.get(name);
		if (key === undefined) {
			if (keys.size >= max) keys.clear();
			key = searchKey(name);
			keys.set(name, key);
		}
		return key;
	};
}

/**
 * The page of a search: of `rows` (everyone, in the store's order), those whose names hold every
 * word; `total` counts them all, `page` holds the first `limit` after the cursor, and `more` says
 * whether any match is left after it.
 */
export function searchPage(
	rows: Iterable<NameRow>,
	{ words, limit, keyOf }: { words: readonly string[]; limit: number; keyOf: (name: string) => string }
): { page: Array<{ id: string; name: string }>; total: number; more: boolean } {
	const page: Array<{ id: string; name: string }> = [];
	let total = 0;
	let more = false;
	for (const row of rows) {
		if (!holdsWords(keyOf(row.name), words)) continue;
		total++;
		if (!row.after) continue;
		if (page.length < limit) page.push({ id: row.id, name: row.name });
		else more = true;
	}
	return { page, total, more };
}

/** `rows` put in the order of `ids` (the page as read), leaving out any gone meanwhile. */
export function inOrder<R extends { id: string }>(ids: readonly string[], rows: readonly R[]): R[] {
	const byId = new Map(rows.map((row) => [row.id, row]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}

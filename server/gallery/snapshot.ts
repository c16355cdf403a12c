/**
 * The in-memory gallery the recognizer matches against: every embedding of the current model,
 * grouped by person so that a change to a few people (here or on another server) replaces just
 * their rows. `entries()` hands out the same array until something changes: the matcher keys its
 * centroid index on that array. Pure: rows in, array out.
 */
import type { GalleryEntry } from './matcher.ts';

export type Snapshot = {
	/** The whole gallery anew (start, or a change too large to follow person by person). */
	replaceAll(rows: Iterable<GalleryEntry>): void;
	/** `people`: everyone whose rows may have changed; `rows`: all of their rows now (none when deleted). */
	replacePeople(people: Iterable<string>, rows: Iterable<GalleryEntry>): void;
	entries(): readonly GalleryEntry[];
	readonly people: number;
	readonly embeddings: number;
};

export function createSnapshot(): Snapshot {
	let byPerson = new Map<string, GalleryEntry[]>();
	let flat: GalleryEntry[] | null = [];
	let embeddings = 0;

	function add(map: Map<string, GalleryEntry[]>, row: GalleryEntry): void {
		const rows = map.get(row.personId);
		if (rows) rows.push(row);
		else map.set(row.personId, [row]);
		embeddings++;
	}

	return {
		replaceAll(rows) {
			const next = new Map<string, GalleryEntry[]>();
			embeddings = 0;
			for (const row of rows) add(next, row);
			byPerson = next;
			flat = null;
		},
		replacePeople(people, rows) {
			for (const id of people) {
				embeddings -= byPerson.get(id)?.length ?? 0;
				byPerson.delete(id);
			}
			for (const row of rows) add(byPerson, row);
			flat = null;
		},
		entries() {
			flat ??= [...byPerson.values()].flat();
			return flat;
		},
		get people() {
			return byPerson.size;
		},
		get embeddings() {
			return embeddings;
		}
	};
}

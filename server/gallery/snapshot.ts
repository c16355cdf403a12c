/**
 * The in-memory gallery the recognizer matches against: every embedding of the current model,
 * grouped by person so that a change to a few people (here or on another server) replaces just
 * their rows. `entries()` hands out the same array until something changes: the matcher keys its
 * centroid index on that array, and on each person's own array inside it (groupedEntries), which is
 * why a person's array is never changed in place: a change gives the people it touches new arrays.
 * Pure: rows in, array out.
 */
import { groupedEntries, type GalleryEntry } from './people-index.ts';

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
	let byPerson = new Map<string, readonly GalleryEntry[]>();
	let flat: readonly GalleryEntry[] | null = [];
	let embeddings = 0;

	/** The rows grouped by person, in new arrays. */
	function group(rows: Iterable<GalleryEntry>): Map<string, GalleryEntry[]> {
		const map = new Map<string, GalleryEntry[]>();
		for (const row of rows) {
			const list = map.get(row.personId);
			if (list) list.push(row);
			else map.set(row.personId, [row]);
		}
		return map;
	}

	return {
		replaceAll(rows) {
			byPerson = group(rows);
			embeddings = 0;
			for (const list of byPerson.values()) embeddings += list.length;
			flat = null;
		},
		replacePeople(people, rows) {
			for (const id of people) {
				embeddings -= byPerson.get(id)?.length ?? 0;
				byPerson.delete(id);
			}
			for (const [id, list] of group(rows)) {
				// Rows of somebody not listed in `people` join theirs, in a new array all the same.
				byPerson.set(id, [...(byPerson.get(id) ?? []), ...list]);
				embeddings += list.length;
			}
			flat = null;
		},
		entries() {
			flat ??= groupedEntries([...byPerson.values()]);
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

/** A stored face as a driver returns it: the embedding as float32 little-endian bytes. */
export type StoredFace = { personId: string; name: string; embedding: Uint8Array };

/**
 * Entries for a batch of stored faces, built to be light at 100 000 people: the batch's
 * embeddings share one buffer (a buffer of its own costs ~200 bytes beyond a 512-byte vector), and
 * each person's id and name are one string each, not one per face. Copies: a driver's bytes need
 * not be 4-byte aligned. A buffer lives until the last of its entries goes (a full reload frees all).
 */
export function toEntries(faces: readonly StoredFace[]): GalleryEntry[] {
	let floats = 0;
	for (const face of faces) floats += face.embedding.byteLength >>> 2;
	const packed = new Float32Array(floats);
	const bytes = new Uint8Array(packed.buffer);
	const people = new Map<string, { personId: string; name: string }>();
	let at = 0;
	return faces.map((face) => {
		let person = people.get(face.personId);
		if (!person || person.name !== face.name) people.set(face.personId, (person = { personId: face.personId, name: face.name }));
		const length = face.embedding.byteLength >>> 2;
		bytes.set(face.embedding.subarray(0, length * 4), at * 4);
		const embedding = packed.subarray(at, at + length);
		at += length;
		return { personId: person.personId, name: person.name, embedding };
	});
}

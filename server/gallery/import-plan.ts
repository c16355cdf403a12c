/**
 * What an import adds, decided before anything is written: a person of the document whose name is
 * already in the gallery (the same name by the rule of src/lib/protocol/names.ts) is the same
 * person, and gets only the faces it does not hold yet (the same embedding, bit for bit, is the
 * same face). So importing your own backup with `add` changes nothing, and a newer backup adds only
 * what is new. A name that comes twice in one document (an old gallery could hold it twice) is two
 * people: the later one is numbered, "Ann (2)", the same way on every import. Pure.
 */
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { DocProblem } from '../../src/lib/protocol/gallery-doc.ts';
import { MAX_NAME_CHARS, nameKey } from '../../src/lib/protocol/names.ts';
import type { NewFace } from './gallery.ts';
import type { GalleryEntry } from './matcher.ts';

export type ImportPerson = { name: string; faces: NewFace[] };

export type ImportCounts = {
	/** People created. */
	imported: number;
	/** People already here (by name) who got new faces. */
	merged: number;
	/** People already here who hold every face the document has for them. */
	unchanged: number;
	facesAdded: number;
	/** Faces already stored (same embedding) and left out. */
	facesSkipped: number;
	/** People whose name came earlier in the same document, numbered to keep them apart. */
	renamed: number;
};

export type ImportPlan = {
	/** In document order; each holds at least one face, or none when the document gave none. */
	create: ImportPerson[];
	extend: Array<{ personId: string; faces: NewFace[] }>;
	counts: ImportCounts;
};

/** `name (n)`, cut so that it stays within the name rule's length. */
function numbered(name: string, n: number): string {
	const suffix = ` (${n})`;
	return (
		[...name]
			.slice(0, MAX_NAME_CHARS - suffix.length)
			.join('')
			.trimEnd() + suffix
	);
}

/** What names numbered `n` share when they are cut alike: its suffix's length and the key of what is left. */
function stemKey(name: string, n: number): string {
	const suffix = ` (${n})`;
	return `${suffix.length}:${nameKey([...name].slice(0, MAX_NAME_CHARS - suffix.length).join(''))}`;
}

/** A vector's identity for finding it again in a set: its bytes (with -0 as 0, as === compares). */
export function embeddingKey(embedding: Float32Array): string {
	const same = embedding.some((x) => Object.is(x, -0)) ? embedding.map((x) => x + 0) : embedding;
	return Buffer.from(same.buffer, same.byteOffset, same.byteLength).toString('base64');
}

/**
 * The name each person of a document is imported under, in document order: a name (by the name
 * rule) that came earlier in the document is numbered, "Ann (2)", the same way on every import.
 * Depends on the document alone, so what else the document carries for a person (negatives) can
 * find them again.
 */
export function documentNames(names: readonly string[]): string[] {
	/** Name keys this document has used so far. */
	const inDocument = new Set<string>();
	/**
	 * Per stem (the name as `numbered` cuts it, for a number of that many digits), the next number to
	 * try: 10 000 people called "Ann" cost one step each, not 10 000 (review, 3 December: 30 s), and
	 * so do 4 000 long names cut to the same stem (17 s before it was per stem).
	 */
	const nextNumber = new Map<string, number>();
	return names.map((written) => {
		let name = written;
		let key = nameKey(name);
		if (inDocument.has(key)) {
			let n = 2;
			for (;;) {
				const stem = stemKey(written, n);
				const from = nextNumber.get(stem) ?? n;
				// Lower numbers of this stem are taken; a jump to more digits may change the stem.
				if (from > n && stemKey(written, (n = from)) !== stem) continue;
				key = nameKey((name = numbered(written, n)));
				if (!inDocument.has(key)) {
					nextNumber.set(stem, n + 1);
					break;
				}
				n++;
			}
		}
		inDocument.add(key);
		return name;
	});
}

/**
 * Each name key's person id, the first in `people`'s order when an old gallery holds a name twice:
 * the one planImport gives the document's faces to, so what else the document carries for them
 * (negatives) goes to the same person.
 */
export function peopleByKey(people: ReadonlyArray<{ id: string; name: string }>): Map<string, string> {
	const out = new Map<string, string>();
	for (const p of people) {
		const key = nameKey(p.name);
		if (!out.has(key)) out.set(key, p.id);
	}
	return out;
}

/**
 * `existing`: everyone in the gallery (id and name) and every stored embedding of the document's
 * model (the matcher's entries). With `replace` the caller empties the gallery first: pass none.
 */
export function planImport(
	people: readonly ImportPerson[],
	existing: { people: ReadonlyArray<{ id: string; name: string }>; entries: readonly GalleryEntry[] }
): ImportPlan {
	const counts: ImportCounts = { imported: 0, merged: 0, unchanged: 0, facesAdded: 0, facesSkipped: 0, renamed: 0 };
	/** By name key: the person's faces so far, and where new ones go. */
	const known = new Map<string, { faces: Set<string>; target: { personId: string } | { created: ImportPerson } }>();
	for (const [key, personId] of peopleByKey(existing.people)) known.set(key, { faces: new Set(), target: { personId } });
	const owner = new Map(existing.people.map((p) => [p.id, nameKey(p.name)]));
	for (const entry of existing.entries) {
		const key = owner.get(entry.personId);
		if (key) known.get(key)?.faces.add(embeddingKey(entry.embedding));
	}

	const create: ImportPerson[] = [];
	const extend = new Map<string, NewFace[]>();
	const touched = new Map<string, boolean>();
	const names = documentNames(people.map((p) => p.name));
	for (const [i, person] of people.entries()) {
		const name = names[i]!;
		const key = nameKey(name);
		if (name !== person.name) counts.renamed++;
		let entry = known.get(key);
		if (!entry) {
			const created: ImportPerson = { name, faces: [] };
			create.push(created);
			counts.imported++;
			entry = { faces: new Set(), target: { created } };
			known.set(key, entry);
		}
		for (const face of person.faces) {
			const faceKey = embeddingKey(face.embedding);
			if (entry.faces.has(faceKey)) {
				counts.facesSkipped++;
				continue;
			}
			entry.faces.add(faceKey);
			counts.facesAdded++;
			if ('created' in entry.target) entry.target.created.faces.push(face);
			else {
				const list = extend.get(entry.target.personId);
				if (list) list.push(face);
				else extend.set(entry.target.personId, [face]);
			}
		}
		if ('personId' in entry.target) touched.set(entry.target.personId, extend.has(entry.target.personId));
	}
	for (const grew of touched.values()) {
		if (grew) counts.merged++;
		else counts.unchanged++;
	}
	return { create, extend: [...extend].map(([personId, faces]) => ({ personId, faces })), counts };
}

/** A fault in an import document, with its place (`people.2.faces.0.embedding`) for the answer. */
export class DocError extends AppError {
	readonly where: string;
	constructor(problem: DocProblem) {
		super('bad-request', problem.message);
		this.where = problem.where;
	}
}

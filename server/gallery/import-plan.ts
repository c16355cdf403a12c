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

const embeddingKey = (embedding: Float32Array) => Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).toString('base64');

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
	for (const person of existing.people) {
		const key = nameKey(person.name);
		if (!known.has(key)) known.set(key, { faces: new Set(), target: { personId: person.id } });
	}
	const owner = new Map(existing.people.map((p) => [p.id, nameKey(p.name)]));
	for (const entry of existing.entries) {
		const key = owner.get(entry.personId);
		if (key) known.get(key)?.faces.add(embeddingKey(entry.embedding));
	}

	const create: ImportPerson[] = [];
	const extend = new Map<string, NewFace[]>();
	const touched = new Map<string, boolean>();
	/** Name keys this document has used so far. */
	const inDocument = new Set<string>();
	for (const person of people) {
		let name = person.name;
		let key = nameKey(name);
		if (inDocument.has(key)) {
			for (let n = 2; inDocument.has(key); n++) key = nameKey((name = numbered(person.name, n)));
			counts.renamed++;
		}
		inDocument.add(key);
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
			else extend.set(entry.target.personId, [...(extend.get(entry.target.personId) ?? []), face]);
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

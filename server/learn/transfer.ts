/**
 * What learning adds to the gallery export (issue 11): each person's negative examples always, and
 * the groups of unknown faces when asked (`GET /api/export?unknowns=1`); the import takes them back.
 *
 * Checked before anything is written (sizes against the server's model, pictures), so a bad
 * document changes nothing; written after the people (gallery.importAll), whom negatives belong to.
 * Importing a document twice adds nothing the second time (equal embeddings are skipped), as the
 * people's own faces. Unknown faces are taken only while `rememberUnknowns` is on: an operator who
 * turned it off keeps no unknown faces, whatever a file holds.
 */
import { randomUUID } from 'node:crypto';
import type { GalleryExport } from '../../src/lib/protocol/gallery-doc.ts';
import { checkEmbedding, checkThumbnail } from '../gallery/checks.ts';
import { DocError, documentNames, embeddingKey } from '../gallery/import-plan.ts';
import type { LearnStore, UnknownFace } from './store.ts';

type People = {
	listPeople(): Promise<ReadonlyArray<{ id: string; name: string }>>;
	findByName(name: string): Promise<{ id: string; name: string } | null>;
};

export type LearnImportResult = {
	negativesAdded: number;
	unknownFacesAdded: number;
	/** The document held unknown faces but `rememberUnknowns` is off: none were kept. */
	unknownsSkipped?: number;
};

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** `doc` with every person's negatives, and the unknown groups when `unknowns`. */
export async function addLearningToExport(doc: GalleryExport, deps: { store: LearnStore; people: People; unknowns: boolean }): Promise<GalleryExport> {
	const [negatives, people] = await Promise.all([deps.store.negatives(), deps.people.listPeople()]);
	const nameOf = new Map(people.map((p) => [p.id, p.name]));
	const byName = new Map<string, number[][]>();
	for (const n of negatives) {
		const name = nameOf.get(n.personId);
		if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), Array.from(n.embedding)]);
	}
	const out: GalleryExport = { ...doc, people: doc.people.map((p) => (byName.has(p.name) ? { ...p, negatives: byName.get(p.name)! } : p)) };
	if (!deps.unknowns) return out;
	const faces = await deps.store.unknownFaces();
	const groups = new Map<string, UnknownFace[]>();
	for (const f of faces) groups.set(f.groupId, [...(groups.get(f.groupId) ?? []), f]);
	out.unknowns = [...groups.values()].map((list) => ({
		faces: list.map((f) => ({ embedding: Array.from(f.embedding), at: f.at, ...(f.thumbnail ? { thumbnail: base64(f.thumbnail) } : {}) }))
	}));
	return out;
}

type Checked = { negatives: Array<{ name: string; embedding: Float32Array }>; unknowns: Array<Array<Omit<UnknownFace, 'groupId'>>> };

/** Converts and checks the learning parts of `doc` (throws DocError, writes nothing). */
export function checkLearningImport(doc: GalleryExport, dim: number): Checked {
	const out: Checked = { negatives: [], unknowns: [] };
	// Under the name the person is imported as: a repeated name is numbered ("Ann (2)") by the import.
	const names = documentNames(doc.people.map((p) => p.name));
	doc.people.forEach((person, i) => {
		(person.negatives ?? []).forEach((values, j) => {
			const embedding = Float32Array.from(values);
			try {
				checkEmbedding(embedding, dim);
			} catch {
				throw new DocError({
					message: `person ${i + 1}: face said not to be them ${j + 1} is damaged (it should be ${dim} numbers).`,
					where: `people.${i}.negatives.${j}`
				});
			}
			out.negatives.push({ name: names[i]!, embedding });
		});
	});
	(doc.unknowns ?? []).forEach((group, i) => {
		out.unknowns.push(
			group.faces.map((face, j) => {
				const where = `unknowns.${i}.faces.${j}`;
				const embedding = Float32Array.from(face.embedding);
				try {
					checkEmbedding(embedding, dim);
				} catch {
					throw new DocError({ message: `unknown group ${i + 1}, face ${j + 1}: the face data is damaged (it should be ${dim} numbers).`, where });
				}
				if (face.thumbnail === undefined) return { embedding, at: face.at };
				const thumbnail = new Uint8Array(Buffer.from(face.thumbnail, 'base64'));
				try {
					checkThumbnail(thumbnail);
				} catch {
					throw new DocError({ message: `unknown group ${i + 1}, face ${j + 1}: the picture is damaged or not a JPEG.`, where });
				}
				return { embedding, at: face.at, thumbnail };
			})
		);
	});
	return out;
}

/** Writes what checkLearningImport returned, after the people were imported. */
export async function importLearning(
	checked: Checked,
	deps: { store: LearnStore; people: People; keepThumbnails: boolean; now?: () => number; retentionMs: number }
): Promise<LearnImportResult> {
	const result: LearnImportResult = { negativesAdded: 0, unknownFacesAdded: 0 };
	if (checked.negatives.length) {
		// Each name looked up once, by index: 800 negatives against 20 000 people took 9 s as scans.
		const byName = new Map<string, { id: string } | null>();
		const have = new Set((await deps.store.negatives()).map((n) => `${n.personId}:${embeddingKey(n.embedding)}`));
		for (const { name, embedding } of checked.negatives) {
			if (!byName.has(name)) byName.set(name, await deps.people.findByName(name));
			const person = byName.get(name);
			const key = person && `${person.id}:${embeddingKey(embedding)}`;
			if (!person || !key || have.has(key)) continue;
			await deps.store.addNegative(person.id, embedding);
			have.add(key);
			result.negativesAdded++;
		}
	}
	if (checked.unknowns.length) {
		if (!(await deps.store.learnSettings()).rememberUnknowns) {
			result.unknownsSkipped = checked.unknowns.reduce((n, g) => n + g.length, 0);
			return result;
		}
		const have = new Set((await deps.store.unknownFaces()).map((h) => embeddingKey(h.embedding)));
		// Faces older than the retention period would be deleted at the next sweep: not taken at all.
		const now = (deps.now ?? Date.now)();
		const oldest = now - deps.retentionMs;
		for (const group of checked.unknowns) {
			const fresh = group.filter((f) => f.at >= oldest && !have.has(embeddingKey(f.embedding)));
			if (fresh.length === 0) continue;
			const groupId = randomUUID();
			await deps.store.addUnknownFaces(
				groupId,
				// A time to come (another server's clock, or a made-up file) is taken as now: the sweep
				// counts the retention period from it, so a face dated 2223 would never be deleted.
				fresh.map((f) => ({ ...f, at: Math.min(f.at, now), groupId, thumbnail: deps.keepThumbnails ? (f.thumbnail ?? null) : null }))
			);
			result.unknownFacesAdded += fresh.length;
		}
	}
	return result;
}

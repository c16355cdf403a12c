/**
 * What learning adds to the gallery export (issue 11): each person's negative examples always, and
 * the groups of unknown faces when asked (`GET /api/export?unknowns=1`); the import takes them back.
 *
 * Checked before anything is written (sizes against the server's model, pictures), so a bad
 * document changes nothing; planned and written in the people's own transaction (gallery.importAll),
 * after them, since negatives belong to them.
 * Importing a document twice adds nothing the second time (equal embeddings are skipped), as the
 * people's own faces. Unknown faces are taken only while `rememberUnknowns` is on: an operator who
 * turned it off keeps no unknown faces, whatever a file holds.
 */
import { randomUUID } from 'node:crypto';
import type { GalleryExport } from '../../src/lib/protocol/gallery-doc.ts';
import { checkEmbedding, checkThumbnail } from '../gallery/checks.ts';
import { DocError, documentNames, embeddingKey } from '../gallery/import-plan.ts';
import type { LearningPlan, LearningSeen, LearnStore, UnknownFace } from './store.ts';

type People = {
	listPeople(): Promise<ReadonlyArray<{ id: string; name: string }>>;
};

/** What an import added to learning (in the answer to `POST /api/import`). */
export type LearnImportResult = LearningPlan['result'];

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

export type Checked = { negatives: Array<{ name: string; embedding: Float32Array }>; unknowns: Array<Array<Omit<UnknownFace, 'groupId'>>> };

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

/**
 * What the import adds to learning, decided inside the import's own transaction (the gallery
 * stores' `importAll`), against the people as that transaction leaves them and the learning rows
 * stored then: so people, negatives and unknown faces are committed together or not at all (an
 * operator probe, 3 December: a database lost 5 s into an import answered 503 with 8 000 people
 * committed and 391 of their 8 000 negatives). Pure but for the new groups' random ids.
 */
export function planLearningImport(checked: Checked, seen: LearningSeen, policy: { now: number; retentionMs: number }): LearningPlan {
	const plan: LearningPlan = { negatives: [], unknownGroups: [], result: { negativesAdded: 0, unknownFacesAdded: 0 } };
	const have = new Set(seen.negativeKeys);
	for (const { name, embedding } of checked.negatives) {
		const personId = seen.personIdOf(name);
		const key = personId && `${personId}:${embeddingKey(embedding)}`;
		if (!personId || !key || have.has(key)) continue;
		plan.negatives.push({ personId, embedding });
		have.add(key);
		plan.result.negativesAdded++;
	}
	if (checked.unknowns.length === 0) return plan;
	if (!seen.rememberUnknowns) {
		plan.result.unknownsSkipped = checked.unknowns.reduce((n, g) => n + g.length, 0);
		return plan;
	}
	const known = new Set(seen.unknownKeys);
	// Faces older than the retention period would be deleted at the next sweep: not taken at all.
	const oldest = policy.now - policy.retentionMs;
	for (const group of checked.unknowns) {
		const fresh = group.filter((f) => f.at >= oldest && !known.has(embeddingKey(f.embedding)));
		if (fresh.length === 0) continue;
		const groupId = randomUUID();
		plan.unknownGroups.push({
			groupId,
			// A time to come (another server's clock, or a made-up file) is taken as now: the sweep
			// counts the retention period from it, so a face dated 2223 would never be deleted.
			faces: fresh.map((f) => ({ ...f, at: Math.min(f.at, policy.now), groupId, thumbnail: seen.keepThumbnails ? (f.thumbnail ?? null) : null }))
		});
		for (const f of fresh) known.add(embeddingKey(f.embedding));
		plan.result.unknownFacesAdded += fresh.length;
	}
	return plan;
}

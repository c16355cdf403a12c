/** The learning store (server/learn/store.ts) in the gallery's SQLite file: same connection, same transactions. */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/lib/protocol/errors.ts';
import {
	DEFAULT_LEARN_SETTINGS,
	type Correction,
	type LearningPlan,
	type LearningSeen,
	type LearningWants,
	type LearnSettings,
	type LearnStore,
	type Negative,
	type Sighting,
	type UnknownFace,
	type UnknownGroup
} from '../learn/store.ts';
import { checkEmbedding, checkThumbnail, toBytes } from './checks.ts';
import { embeddingKey } from './import-plan.ts';
import type { SqliteDatabase } from './sqlite-db.ts';

type CorrectionRow = {
	id: string;
	person_id: string;
	kind: string;
	face_id: string | null;
	negative_id: string | null;
	was_person_id: string | null;
	device: string;
	device_name: string | null;
	by_token: string;
	created_at: number;
	undone_at: number | null;
};
type SightingRow = {
	id: string;
	person_id: string | null;
	group_id: string | null;
	label: string;
	device: string;
	device_name: string | null;
	first_seen: number;
	last_seen: number;
};

/** Float32 from stored bytes (copied: a driver's buffer need not be 4-byte aligned). */
export const toVector = (bytes: Uint8Array) => new Float32Array(new Uint8Array(bytes).buffer);

export const toCorrection = (row: CorrectionRow): Correction => ({
	id: row.id,
	personId: row.person_id,
	kind: row.kind === 'not' ? 'not' : 'is',
	faceId: row.face_id,
	negativeId: row.negative_id,
	wasPersonId: row.was_person_id,
	device: row.device,
	deviceName: row.device_name,
	byToken: row.by_token,
	createdAt: Number(row.created_at),
	undoneAt: row.undone_at === null ? null : Number(row.undone_at)
});

export const toSighting = (row: SightingRow): Sighting => ({
	id: row.id,
	personId: row.person_id,
	groupId: row.group_id,
	label: row.label,
	device: row.device,
	deviceName: row.device_name,
	firstSeen: Number(row.first_seen),
	lastSeen: Number(row.last_seen)
});

/** What an import's transaction does with learning (sqlite-gallery.ts `importAll`): synchronous, inside it. */
export type SqliteLearningImport = {
	seen(wants: LearningWants): Omit<LearningSeen, 'personIdOf' | 'keepThumbnails'>;
	write(plan: LearningPlan): void;
};

export function createSqliteLearn(db: SqliteDatabase, { model, dim }: { model: string; dim: number }): { store: LearnStore; inImport: SqliteLearningImport } {
	const GROUPS = `SELECT g.id, g.first_seen, g.last_seen, COUNT(f.id) AS faces
		FROM unknown_groups g LEFT JOIN unknown_faces f ON f.group_id = g.id AND f.model = @model AND f.dim = @dim
		GROUP BY g.id ORDER BY faces DESC, g.last_seen DESC, g.id`;
	const q = {
		setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
		putSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
		upsertGroup: db.prepare(
			`INSERT INTO unknown_groups (id, first_seen, last_seen) VALUES (@id, @first, @last)
			 ON CONFLICT(id) DO UPDATE SET first_seen = min(first_seen, @first), last_seen = max(last_seen, @last)`
		),
		group: db.prepare<[string], { id: string; first_seen: number; last_seen: number }>('SELECT * FROM unknown_groups WHERE id = ?'),
		insertUnknown: db.prepare('INSERT INTO unknown_faces (id, group_id, model, dim, embedding, thumbnail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
		groups: db.prepare<{ model: string; dim: number }, { id: string; first_seen: number; last_seen: number; faces: number }>(GROUPS),
		latestThumbnail: db.prepare<[string], { thumbnail: Buffer }>(
			'SELECT thumbnail FROM unknown_faces WHERE group_id = ? AND thumbnail IS NOT NULL ORDER BY rowid DESC LIMIT 1'
		),
		groupFaces: db.prepare<[string, string, number], { group_id: string; embedding: Buffer; thumbnail: Buffer | null; created_at: number }>(
			'SELECT group_id, embedding, thumbnail, created_at FROM unknown_faces WHERE group_id = ? AND model = ? AND dim = ? ORDER BY rowid'
		),
		allUnknownFaces: db.prepare<[string, number], { group_id: string; embedding: Buffer; thumbnail: Buffer | null; created_at: number }>(
			'SELECT group_id, embedding, thumbnail, created_at FROM unknown_faces WHERE model = ? AND dim = ? ORDER BY rowid'
		),
		unknownEmbeddings: db.prepare<[string, number], { embedding: Buffer }>('SELECT embedding FROM unknown_faces WHERE model = ? AND dim = ?'),
		moveFaces: db.prepare('UPDATE unknown_faces SET group_id = ? WHERE group_id = ?'),
		moveGroupSightings: db.prepare('UPDATE sightings SET group_id = ? WHERE group_id = ?'),
		deleteGroup: db.prepare('DELETE FROM unknown_groups WHERE id = ?'),
		deleteAllGroups: db.prepare('DELETE FROM unknown_groups'),
		settleSightings: db.prepare('UPDATE sightings SET person_id = ?, group_id = NULL, label = ? WHERE group_id = ?'),
		dropThumbnails: db.prepare('UPDATE unknown_faces SET thumbnail = NULL WHERE thumbnail IS NOT NULL'),
		person: db.prepare<[string], { id: string }>('SELECT id FROM people WHERE id = ?'),
		insertNegative: db.prepare('INSERT INTO negatives (id, person_id, model, dim, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
		deleteNegative: db.prepare('DELETE FROM negatives WHERE id = ?'),
		negatives: db.prepare<[string, number], { id: string; person_id: string; embedding: Buffer; created_at: number }>(
			'SELECT id, person_id, embedding, created_at FROM negatives WHERE model = ? AND dim = ? ORDER BY rowid'
		),
		insertCorrection: db.prepare(
			`INSERT INTO corrections (id, person_id, kind, face_id, negative_id, was_person_id, device, device_name, by_token, created_at)
			 VALUES (@id, @personId, @kind, @faceId, @negativeId, @wasPersonId, @device, @deviceName, @byToken, @createdAt)`
		),
		correction: db.prepare<[string], CorrectionRow>('SELECT * FROM corrections WHERE id = ?'),
		corrections: db.prepare<[string, string], CorrectionRow>(
			'SELECT * FROM corrections WHERE person_id = ? OR was_person_id = ? ORDER BY created_at DESC, rowid DESC'
		),
		undo: db.prepare('UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS NULL'),
		insertSighting: db.prepare(
			`INSERT INTO sightings (id, person_id, group_id, label, device, device_name, first_seen, last_seen)
			 VALUES (@id, @personId, @groupId, @label, @device, @deviceName, @firstSeen, @lastSeen)`
		),
		touchSighting: db.prepare('UPDATE sightings SET last_seen = max(last_seen, ?) WHERE id = ?'),
		sightings: db.prepare<[number, number], SightingRow>('SELECT * FROM sightings WHERE last_seen >= ? ORDER BY first_seen DESC, rowid DESC LIMIT ?'),
		expireFaces: db.prepare('DELETE FROM unknown_faces WHERE created_at < ?'),
		expireGroups: db.prepare(
			'DELETE FROM unknown_groups WHERE last_seen < ? OR NOT EXISTS (SELECT 1 FROM unknown_faces f WHERE f.group_id = unknown_groups.id)'
		),
		expireSightings: db.prepare('DELETE FROM sightings WHERE last_seen < ?')
	};

	function readSettings(): LearnSettings {
		const row = q.setting.get('remember_unknowns');
		return { ...DEFAULT_LEARN_SETTINGS, ...(row ? { rememberUnknowns: JSON.parse(row.value) === true } : {}) };
	}

	const settingsTx = db.transaction((patch: Partial<LearnSettings>) => {
		if (patch.rememberUnknowns !== undefined) {
			q.putSetting.run('remember_unknowns', JSON.stringify(patch.rememberUnknowns));
			if (!patch.rememberUnknowns) q.deleteAllGroups.run();
		}
		return readSettings();
	});

	const addUnknownTx = db.transaction((groupId: string, faces: readonly UnknownFace[]) => {
		const times = faces.map((f) => f.at);
		q.upsertGroup.run({ id: groupId, first: Math.min(...times), last: Math.max(...times) });
		for (const face of faces) {
			q.insertUnknown.run(randomUUID(), groupId, model, dim, toBytes(face.embedding), face.thumbnail ? Buffer.from(face.thumbnail) : null, face.at);
		}
	});

	const mergeTx = db.transaction((into: string, from: string) => {
		const a = q.group.get(into);
		const b = q.group.get(from);
		if (!a || !b || into === from) return;
		q.upsertGroup.run({ id: into, first: b.first_seen, last: b.last_seen });
		q.moveFaces.run(into, from);
		q.moveGroupSightings.run(into, from);
		q.deleteGroup.run(from);
	});

	const settleTx = db.transaction((id: string, personId: string, label: string) => {
		if (!q.group.get(id)) return false;
		q.settleSightings.run(personId, label, id);
		q.deleteGroup.run(id);
		return true;
	});

	const expireTx = db.transaction((before: number) => {
		const faces = q.expireFaces.run(before).changes;
		const sightings = q.expireSightings.run(before).changes;
		const groups = q.expireGroups.run(before).changes;
		return { groups, faces, sightings };
	});

	const toFace = (row: { group_id: string; embedding: Buffer; thumbnail: Buffer | null; created_at: number }): UnknownFace => ({
		groupId: row.group_id,
		embedding: toVector(row.embedding),
		at: row.created_at,
		thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null
	});

	const inImport: SqliteLearningImport = {
		seen: (wants) => ({
			negativeKeys: new Set(wants.negatives ? q.negatives.all(model, dim).map((row) => `${row.person_id}:${embeddingKey(toVector(row.embedding))}`) : []),
			// The embeddings alone: the pictures beside them (up to 32 KB each) are not needed for keys.
			unknownKeys: new Set(wants.unknowns ? q.unknownEmbeddings.all(model, dim).map((row) => embeddingKey(toVector(row.embedding))) : []),
			rememberUnknowns: readSettings().rememberUnknowns
		}),
		write(plan) {
			const now = Date.now();
			for (const n of plan.negatives) q.insertNegative.run(randomUUID(), n.personId, model, dim, toBytes(n.embedding), now);
			for (const group of plan.unknownGroups) addUnknownTx(group.groupId, group.faces);
		}
	};

	const store: LearnStore = {
		learnSettings: async () => readSettings(),
		updateLearnSettings: async (patch) => settingsTx(patch),
		async addUnknownFaces(groupId, faces) {
			if (faces.length === 0) return;
			for (const face of faces) {
				checkEmbedding(face.embedding, dim);
				if (face.thumbnail) checkThumbnail(face.thumbnail);
			}
			addUnknownTx(groupId, faces);
		},
		mergeUnknownGroups: async (into, from) => mergeTx(into, from),
		async listUnknownGroups(options = {}) {
			return q.groups.all({ model, dim }).map((row): UnknownGroup => {
				const group = { id: row.id, faces: row.faces, firstSeen: row.first_seen, lastSeen: row.last_seen };
				const thumbnail = options.thumbnails ? q.latestThumbnail.get(row.id)?.thumbnail : undefined;
				return thumbnail ? { ...group, thumbnail: new Uint8Array(thumbnail) } : group;
			});
		},
		async unknownFaces(groupId) {
			return (groupId === undefined ? q.allUnknownFaces.all(model, dim) : q.groupFaces.all(groupId, model, dim)).map(toFace);
		},
		deleteUnknownGroup: async (id) => q.deleteGroup.run(id).changes > 0,
		settleUnknownGroup: async (id, personId, label) => settleTx(id, personId, label),
		async dropUnknownThumbnails() {
			q.dropThumbnails.run();
		},
		async addNegative(personId, embedding) {
			checkEmbedding(embedding, dim);
			if (!q.person.get(personId)) throw new AppError('not-found', 'no such person');
			const negative = { id: randomUUID(), personId, embedding: Float32Array.from(embedding), createdAt: Date.now() };
			q.insertNegative.run(negative.id, personId, model, dim, toBytes(embedding), negative.createdAt);
			return negative;
		},
		deleteNegative: async (id) => q.deleteNegative.run(id).changes > 0,
		async negatives() {
			return q.negatives.all(model, dim).map((row): Negative => ({
				id: row.id,
				personId: row.person_id,
				embedding: toVector(row.embedding),
				createdAt: row.created_at
			}));
		},
		async addCorrection(correction) {
			const row = { ...correction, id: randomUUID(), createdAt: Date.now() };
			q.insertCorrection.run(row);
			return { ...row, undoneAt: null };
		},
		async getCorrection(id) {
			const row = q.correction.get(id);
			return row ? toCorrection(row) : null;
		},
		listCorrections: async (personId) => q.corrections.all(personId, personId).map(toCorrection),
		markUndone: async (id, at) => q.undo.run(at, id).changes > 0,
		async addSighting(sighting) {
			q.insertSighting.run(sighting);
		},
		async touchSighting(id, lastSeen) {
			q.touchSighting.run(lastSeen, id);
		},
		listSightings: async (since, limit) => q.sightings.all(since, limit).map(toSighting),
		expire: async (before) => expireTx(before)
	};
	return { store, inImport };
}

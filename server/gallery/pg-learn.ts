/**
 * The learning store (server/learn/store.ts) in the gallery's PostgreSQL database. Negatives change
 * what the recognizer answers, so their writes go through the gallery's `write` (the person is
 * named in `changes` and every server following the gallery hears of it); the rest is read on demand.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/lib/protocol/errors.ts';
import {
	DEFAULT_LEARN_SETTINGS,
	type LearningPlan,
	type LearningSeen,
	type LearningWants,
	type LearnSettings,
	type LearnStore,
	type Negative,
	type UnknownFace,
	type UnknownGroup
} from '../learn/store.ts';
import { checkEmbedding, checkThumbnail, toBytes } from './checks.ts';
import { embeddingKey } from './import-plan.ts';
import type { Row } from './copy.ts';
import type { PgDatabase, Sql } from './pg-db.ts';
import { toCorrection, toSighting, toVector } from './sqlite-learn.ts';

/** The gallery's write transaction: `touched` names the people whose matching changed. */
export type PgWrite = <T>(fn: (sql: Sql) => Promise<T>, touched: (result: T) => readonly string[] | 'all') => Promise<T>;

type FaceRow = { group_id: string; embedding: Buffer; thumbnail: Buffer | null; created_at: string };

/** What an import's transaction does with learning (pg-gallery.ts `importAll`), with its `sql`. */
export type PgLearningImport = {
	seen(sql: Sql, wants: LearningWants): Promise<Omit<LearningSeen, 'personIdOf' | 'keepThumbnails'>>;
	write(sql: Sql, plan: LearningPlan): Promise<void>;
};

export function createPgLearn(
	db: PgDatabase,
	write: PgWrite,
	{ model, dim }: { model: string; dim: number }
): { store: LearnStore; inImport: PgLearningImport } {
	async function readSettings(sql: Sql): Promise<LearnSettings> {
		const [row] = await sql<{ value: string }>("SELECT value FROM settings WHERE key = 'remember_unknowns'");
		return { ...DEFAULT_LEARN_SETTINGS, ...(row ? { rememberUnknowns: JSON.parse(row.value) === true } : {}) };
	}
	const upsertGroup = (sql: Sql, id: string, first: number, last: number) =>
		sql(
			`INSERT INTO unknown_groups (id, first_seen, last_seen) VALUES ($1, $2, $3)
			 ON CONFLICT (id) DO UPDATE SET first_seen = least(unknown_groups.first_seen, $2), last_seen = greatest(unknown_groups.last_seen, $3)`,
			[id, first, last]
		);
	const toFace = (row: FaceRow): UnknownFace => ({
		groupId: row.group_id,
		embedding: toVector(row.embedding),
		at: Number(row.created_at),
		thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null
	});

	/** Unknown groups (made, or widened to their faces' times) and their faces: two statements, however many groups. */
	async function insertUnknownGroups(sql: Sql, unknownGroups: ReadonlyArray<{ groupId: string; faces: readonly UnknownFace[] }>): Promise<void> {
		const groups = unknownGroups.filter((g) => g.faces.length > 0);
		if (groups.length === 0) return;
		const times = (g: (typeof groups)[number]) => g.faces.map((f) => f.at);
		await sql(
			`INSERT INTO unknown_groups (id, first_seen, last_seen) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
			 ON CONFLICT (id) DO UPDATE SET first_seen = least(unknown_groups.first_seen, excluded.first_seen), last_seen = greatest(unknown_groups.last_seen, excluded.last_seen)`,
			[groups.map((g) => g.groupId), groups.map((g) => Math.min(...times(g))), groups.map((g) => Math.max(...times(g)))]
		);
		const faces = groups.flatMap((g) => g.faces.map((f) => ({ ...f, groupId: g.groupId })));
		await sql(
			`INSERT INTO unknown_faces (id, group_id, model, dim, embedding, thumbnail, created_at)
			 SELECT id, group_id, $3, $4, embedding, thumbnail, created_at
			 FROM unnest($1::text[], $2::text[], $5::bytea[], $6::bytea[], $7::bigint[]) WITH ORDINALITY AS t(id, group_id, embedding, thumbnail, created_at, n) ORDER BY n`,
			[
				faces.map(() => randomUUID()),
				faces.map((f) => f.groupId),
				model,
				dim,
				faces.map((f) => toBytes(f.embedding)),
				faces.map((f) => (f.thumbnail ? Buffer.from(f.thumbnail) : null)),
				faces.map((f) => f.at)
			]
		);
	}

	const inImport: PgLearningImport = {
		async seen(sql, wants) {
			const keysOf = async <T extends Row>(want: boolean, query: string, key: (row: T) => string) =>
				new Set(want ? (await sql<T>(query, [model, dim])).map(key) : []);
			return {
				negativeKeys: await keysOf<{ person_id: string; embedding: Buffer }>(
					wants.negatives,
					'SELECT person_id, embedding FROM negatives WHERE model = $1 AND dim = $2',
					(row) => `${row.person_id}:${embeddingKey(toVector(row.embedding))}`
				),
				unknownKeys: await keysOf<{ embedding: Buffer }>(wants.unknowns, 'SELECT embedding FROM unknown_faces WHERE model = $1 AND dim = $2', (row) =>
					embeddingKey(toVector(row.embedding))
				),
				rememberUnknowns: (await readSettings(sql)).rememberUnknowns
			};
		},
		async write(sql, plan) {
			if (plan.negatives.length) {
				const now = Date.now();
				await sql(
					`INSERT INTO negatives (id, person_id, model, dim, embedding, created_at)
					 SELECT id, person_id, $3, $4, embedding, $5
					 FROM unnest($1::text[], $2::text[], $6::bytea[]) WITH ORDINALITY AS t(id, person_id, embedding, n) ORDER BY n`,
					[plan.negatives.map(() => randomUUID()), plan.negatives.map((n) => n.personId), model, dim, now, plan.negatives.map((n) => toBytes(n.embedding))]
				);
			}
			// Every group in two statements, not two a group: the import holds the name lock meanwhile.
			await insertUnknownGroups(sql, plan.unknownGroups);
		}
	};

	const store: LearnStore = {
		learnSettings: () => readSettings(db.sql),
		updateLearnSettings(patch) {
			return db.transaction(async (sql) => {
				if (patch.rememberUnknowns !== undefined) {
					await sql("INSERT INTO settings (key, value) VALUES ('remember_unknowns', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
						JSON.stringify(patch.rememberUnknowns)
					]);
					if (!patch.rememberUnknowns) await sql('DELETE FROM unknown_groups');
				}
				return readSettings(sql);
			});
		},
		async addUnknownFaces(groupId, faces) {
			if (faces.length === 0) return;
			for (const face of faces) {
				checkEmbedding(face.embedding, dim);
				if (face.thumbnail) checkThumbnail(face.thumbnail);
			}
			await db.transaction((sql) => insertUnknownGroups(sql, [{ groupId, faces }]));
		},
		async mergeUnknownGroups(into, from) {
			if (into === from) return;
			await db.transaction(async (sql) => {
				const rows = await sql<{ id: string; first_seen: string; last_seen: string }>(
					'SELECT id, first_seen, last_seen FROM unknown_groups WHERE id = ANY($1) ORDER BY id FOR UPDATE',
					[[into, from]]
				);
				const source = rows.find((r) => r.id === from);
				if (rows.length < 2 || !source) return;
				await upsertGroup(sql, into, Number(source.first_seen), Number(source.last_seen));
				await sql('UPDATE unknown_faces SET group_id = $1 WHERE group_id = $2', [into, from]);
				await sql('UPDATE sightings SET group_id = $1 WHERE group_id = $2', [into, from]);
				await sql('DELETE FROM unknown_groups WHERE id = $1', [from]);
			});
		},
		async listUnknownGroups(options = {}) {
			const thumbnail = options.thumbnails
				? ', (SELECT f.thumbnail FROM unknown_faces f WHERE f.group_id = g.id AND f.thumbnail IS NOT NULL ORDER BY f.seq DESC LIMIT 1) AS thumbnail'
				: '';
			const rows = await db.sql<{ id: string; first_seen: string; last_seen: string; faces: string; thumbnail?: Buffer | null }>(
				`SELECT g.id, g.first_seen, g.last_seen, COALESCE(c.faces, 0) AS faces${thumbnail} FROM unknown_groups g
				 LEFT JOIN (SELECT group_id, COUNT(*) AS faces FROM unknown_faces WHERE model = $1 AND dim = $2 GROUP BY group_id) c ON c.group_id = g.id
				 ORDER BY faces DESC, g.last_seen DESC, g.id COLLATE "C"`,
				[model, dim]
			);
			return rows.map((row): UnknownGroup => {
				const group = { id: row.id, faces: Number(row.faces), firstSeen: Number(row.first_seen), lastSeen: Number(row.last_seen) };
				return row.thumbnail ? { ...group, thumbnail: new Uint8Array(row.thumbnail) } : group;
			});
		},
		async unknownFaces(groupId) {
			const rows = await db.sql<FaceRow>(
				`SELECT group_id, embedding, thumbnail, created_at FROM unknown_faces
				 WHERE model = $1 AND dim = $2 ${groupId === undefined ? '' : 'AND group_id = $3'} ORDER BY seq`,
				groupId === undefined ? [model, dim] : [model, dim, groupId]
			);
			return rows.map(toFace);
		},
		deleteUnknownGroup: async (id) => (await db.sql('DELETE FROM unknown_groups WHERE id = $1 RETURNING id', [id])).length > 0,
		settleUnknownGroup(id, personId, label) {
			return db.transaction(async (sql) => {
				const found = await sql('SELECT 1 FROM unknown_groups WHERE id = $1 FOR UPDATE', [id]);
				if (found.length === 0) return false;
				await sql('UPDATE sightings SET person_id = $1, group_id = NULL, label = $2 WHERE group_id = $3', [personId, label, id]);
				await sql('DELETE FROM unknown_groups WHERE id = $1', [id]);
				return true;
			});
		},
		async dropUnknownThumbnails() {
			await db.sql('UPDATE unknown_faces SET thumbnail = NULL WHERE thumbnail IS NOT NULL');
		},
		async addNegative(personId, embedding) {
			checkEmbedding(embedding, dim);
			const negative: Negative = { id: randomUUID(), personId, embedding: Float32Array.from(embedding), createdAt: Date.now() };
			await write(
				async (sql) => {
					const found = await sql('SELECT 1 FROM people WHERE id = $1 FOR KEY SHARE', [personId]);
					if (found.length === 0) throw new AppError('not-found', 'no such person');
					await sql('INSERT INTO negatives (id, person_id, model, dim, embedding, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
						negative.id,
						personId,
						model,
						dim,
						toBytes(embedding),
						negative.createdAt
					]);
				},
				() => [personId]
			);
			return negative;
		},
		async deleteNegative(id) {
			const people = await write(
				async (sql) => (await sql<{ person_id: string }>('DELETE FROM negatives WHERE id = $1 RETURNING person_id', [id])).map((r) => r.person_id),
				(ids) => ids
			);
			return people.length > 0;
		},
		async negatives() {
			const rows = await db.sql<{ id: string; person_id: string; embedding: Buffer; created_at: string }>(
				'SELECT id, person_id, embedding, created_at FROM negatives WHERE model = $1 AND dim = $2 ORDER BY seq',
				[model, dim]
			);
			return rows.map((row) => ({ id: row.id, personId: row.person_id, embedding: toVector(row.embedding), createdAt: Number(row.created_at) }));
		},
		async addCorrection(c) {
			const row = { ...c, id: randomUUID(), createdAt: Date.now() };
			await db.sql(
				`INSERT INTO corrections (id, person_id, kind, face_id, negative_id, was_person_id, device, device_name, by_token, created_at)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				[row.id, row.personId, row.kind, row.faceId, row.negativeId, row.wasPersonId, row.device, row.deviceName, row.byToken, row.createdAt]
			);
			return { ...row, undoneAt: null };
		},
		async getCorrection(id) {
			const [row] = await db.sql<Parameters<typeof toCorrection>[0]>('SELECT * FROM corrections WHERE id = $1', [id]);
			return row ? toCorrection(row) : null;
		},
		async listCorrections(personId) {
			const rows = await db.sql<Parameters<typeof toCorrection>[0]>(
				'SELECT * FROM corrections WHERE person_id = $1 OR was_person_id = $1 ORDER BY created_at DESC, seq DESC',
				[personId]
			);
			return rows.map(toCorrection);
		},
		markUndone: async (id, at) => (await db.sql('UPDATE corrections SET undone_at = $1 WHERE id = $2 AND undone_at IS NULL RETURNING id', [at, id])).length > 0,
		async addSighting(s) {
			await db.sql(
				'INSERT INTO sightings (id, person_id, group_id, label, device, device_name, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
				[s.id, s.personId, s.groupId, s.label, s.device, s.deviceName, s.firstSeen, s.lastSeen]
			);
		},
		async touchSighting(id, lastSeen) {
			await db.sql('UPDATE sightings SET last_seen = greatest(last_seen, $1) WHERE id = $2', [lastSeen, id]);
		},
		async listSightings(since, limit) {
			const rows = await db.sql<Parameters<typeof toSighting>[0]>('SELECT * FROM sightings WHERE last_seen >= $1 ORDER BY first_seen DESC, seq DESC LIMIT $2', [
				since,
				limit
			]);
			return rows.map(toSighting);
		},
		expire(before) {
			return db.transaction(async (sql) => {
				const faces = (await sql('DELETE FROM unknown_faces WHERE created_at < $1 RETURNING id', [before])).length;
				const sightings = (await sql('DELETE FROM sightings WHERE last_seen < $1 RETURNING id', [before])).length;
				const groups = (
					await sql('DELETE FROM unknown_groups g WHERE g.last_seen < $1 OR NOT EXISTS (SELECT 1 FROM unknown_faces f WHERE f.group_id = g.id) RETURNING id', [
						before
					])
				).length;
				return { groups, faces, sightings };
			});
		}
	};
	return { store, inImport };
}

/**
 * The gallery in PostgreSQL, shared by every server given the same DATABASE_URL. Same contract as
 * sqlite-gallery.ts (gallery.contract.ts); each write is one transaction that also records which
 * people it touched, so the other servers follow it (pg-follow.ts).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { nameKey, sameName } from '../../src/lib/protocol/names.ts';
import { assertNameFree, checkEmbedding, checkFaces, exportDocument, prepareImport, storedSource, storedYaw, toBytes } from './checks.ts';
import { DEFAULT_SETTINGS, type Face, type Gallery, type GallerySettings, type NewFace, type OtherModelFace, type Person } from './gallery.ts';
import { mayHaveKey } from './name-keys.ts';
import { openPostgres, type Sql } from './pg-db.ts';
import { followGallery, NOTIFY_CHANNEL, type Follower } from './pg-follow.ts';
import { peopleByKey, planImport } from './import-plan.ts';
import { createPgLearn } from './pg-learn.ts';
import { createPgPeople, PEOPLE_ORDER } from './pg-people.ts';
import { createSnapshot, toEntries } from './snapshot.ts';
import { SILENT_STORE_LOG, type StoreLog } from './gallery.ts';

export type PgGalleryOptions = {
	/** postgres://user:password@host:port/database */
	url: string;
	model: string;
	dim: number;
	/** See pg-follow.ts: DEFAULT_POLL_MS, DEFAULT_STALE_AFTER_MS. */
	pollMs?: number;
	staleAfterMs?: number;
	/** Versions whose changed people are kept for followers that fall behind; default CHANGES_KEPT. */
	changesKept?: number;
	log?: StoreLog;
};

/** Versions whose changed people are kept for followers that fall behind (beyond: full reload). */
const CHANGES_KEPT = 1000;
/** Rows one multi-row INSERT carries. */
const INSERT_ROWS = 1000;
/** The advisory lock every name-writing transaction holds (pg-db.ts's MIGRATION_LOCK is 7_210_001). */
const NAMES_LOCK = 7_210_002;

type PersonRow = { id: string; name: string; faces: string };
const toPerson = (row: PersonRow): Person => ({ id: row.id, name: row.name, faces: Number(row.faces) });

/** A face row ready to insert. */
type FaceInsert = { id: string; personId: string; embedding: Buffer; thumbnail: Buffer | null; yaw: number | null; source: string | null };

export async function createPgGallery(options: PgGalleryOptions): Promise<Gallery> {
	const { url, model, dim, log = SILENT_STORE_LOG, changesKept = CHANGES_KEPT } = options;
	const db = await openPostgres(url, { log });
	const snapshot = createSnapshot();
	let follower: Follower;
	try {
		follower = await followGallery({ db, snapshot, model, dim, log, pollMs: options.pollMs, staleAfterMs: options.staleAfterMs });
	} catch (err) {
		await db.close();
		throw err;
	}

	const PERSON_COLUMNS = 'p.id, p.name, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS faces';
	const ORDER = PEOPLE_ORDER;

	async function readSettings(sql: Sql): Promise<GallerySettings> {
		const [row] = await sql<{ value: string }>("SELECT value FROM settings WHERE key = 'keep_thumbnails'");
		return { ...DEFAULT_SETTINGS, ...(row ? { keepThumbnails: JSON.parse(row.value) === true } : {}) };
	}

	/**
	 * Holds the gallery's name lock until the transaction ends, then checks `name` (names.ts) against
	 * everyone: two servers naming two people alike at once are taken one after the other, and the
	 * second is refused. Name writes are rare (enrolment, rename, import), so one lock for all is cheap.
	 */
	async function claimName(sql: Sql, name: string | null, except?: string): Promise<void> {
		await sql('SELECT pg_advisory_xact_lock($1)', [NAMES_LOCK]);
		if (name === null) return;
		// Compared by the rule after: a row an older server wrote has no key yet (name-keys.ts).
		assertNameFree(await sql<{ id: string; name: string }>(`SELECT id, name FROM people WHERE ${mayHaveKey('$1')}`, [nameKey(name)]), name, except);
	}

	async function insertPeople(sql: Sql, people: ReadonlyArray<{ id: string; name: string }>): Promise<void> {
		const at = Date.now();
		for (let i = 0; i < people.length; i += INSERT_ROWS) {
			const chunk = people.slice(i, i + INSERT_ROWS);
			await sql(
				'INSERT INTO people (id, name, name_key, created_at) SELECT id, name, key, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, name, key)',
				[chunk.map((p) => p.id), chunk.map((p) => p.name), chunk.map((p) => nameKey(p.name)), at]
			);
		}
	}

	async function insertFaces(sql: Sql, faces: readonly FaceInsert[]): Promise<void> {
		const at = Date.now();
		for (let i = 0; i < faces.length; i += INSERT_ROWS) {
			const chunk = faces.slice(i, i + INSERT_ROWS);
			await sql(
				`INSERT INTO faces (id, person_id, model, dim, embedding, thumbnail, created_at, yaw, source)
				 SELECT id, person_id, $5, $6, embedding, thumbnail, $7, yaw, source
				 FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $8::float8[], $9::text[])
				   WITH ORDINALITY AS t(id, person_id, embedding, thumbnail, yaw, source, n)
				 ORDER BY n`,
				[
					chunk.map((f) => f.id),
					chunk.map((f) => f.personId),
					chunk.map((f) => f.embedding),
					chunk.map((f) => f.thumbnail),
					model,
					dim,
					at,
					chunk.map((f) => f.yaw),
					chunk.map((f) => f.source)
				]
			);
		}
	}

	function facesFor(personId: string, faces: readonly NewFace[], keep: boolean): FaceInsert[] {
		return faces.map((face) => ({
			id: randomUUID(),
			personId,
			embedding: toBytes(face.embedding),
			thumbnail: keep && face.thumbnail ? Buffer.from(face.thumbnail) : null,
			yaw: storedYaw(face.yaw),
			source: storedSource(face.source)
		}));
	}

	/**
	 * One write transaction. `touched` names the people whose rows it changed ('all' for
	 * everyone); the version is raised last, so its row lock is held only until the commit, and
	 * every follower, this server first, loads those people before the write resolves.
	 */
	async function write<T>(fn: (sql: Sql) => Promise<T>, touched: (result: T) => readonly string[] | 'all'): Promise<T> {
		let changed = false;
		const result = await db.transaction(async (sql) => {
			const value = await fn(sql);
			const people = touched(value);
			if (people !== 'all' && people.length === 0) return value;
			const all = people === 'all';
			const [state] = await sql<{ version: string }>(
				`UPDATE gallery_state SET version = version + 1,
				 pruned_below = CASE WHEN $1 THEN version + 2 ELSE greatest(pruned_below, version + 2 - $2) END
				 RETURNING version`,
				[all, changesKept]
			);
			const version = Number(state!.version);
			if (!all) await sql('INSERT INTO changes (version, person_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [version, [...new Set(people)]]);
			// The last CHANGES_KEPT versions stay: pruned_below (the lowest kept) is version - CHANGES_KEPT + 1.
			await sql('DELETE FROM changes WHERE version <= $1', [version - changesKept]);
			await sql('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, String(version)]);
			changed = true;
			return value;
		});
		if (changed) {
			// Committed: a failure to reload now is the follower's to retry, not the caller's.
			await follower.refresh().catch(() => {});
		}
		return result;
	}
	const learning = createPgLearn(db, write, { model, dim });

	async function addFaces(personId: string, faces: readonly NewFace[]): Promise<{ faceIds: string[] }> {
		checkFaces(faces, dim);
		return write(
			async (sql) => {
				// FOR KEY SHARE: a concurrent delete of this person waits for us, or we see it gone.
				const found = await sql('SELECT 1 FROM people WHERE id = $1 FOR KEY SHARE', [personId]);
				if (found.length === 0) throw new AppError('not-found', 'no such person');
				const rows = facesFor(personId, faces, (await readSettings(sql)).keepThumbnails);
				await insertFaces(sql, rows);
				return { faceIds: rows.map((r) => r.id) };
			},
			() => [personId]
		);
	}

	async function getPerson(sql: Sql, id: string): Promise<Person | null> {
		const [row] = await sql<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.id = $1`, [id]);
		return row ? toPerson(row) : null;
	}

	return {
		...createPgPeople(db),
		getPerson: (id) => getPerson(db.sql, id),
		async findByName(name) {
			const rows = await db.sql<{ id: string; name: string }>(`SELECT id, name FROM people WHERE ${mayHaveKey('$1')} ORDER BY created_at, id`, [nameKey(name)]);
			return sameName(rows, name) ?? null;
		},
		async addPerson(name) {
			const person = { id: randomUUID(), name, faces: 0 };
			await db.transaction(async (sql) => {
				await claimName(sql, name);
				await insertPeople(sql, [person]);
			});
			return person;
		},
		async enrolPerson(name, faces) {
			checkFaces(faces, dim);
			const id = randomUUID();
			return write(
				async (sql) => {
					await claimName(sql, name);
					await insertPeople(sql, [{ id, name }]);
					const rows = facesFor(id, faces, (await readSettings(sql)).keepThumbnails);
					await insertFaces(sql, rows);
					return { person: { id, name, faces: rows.length }, faceIds: rows.map((r) => r.id) };
				},
				() => [id]
			);
		},
		async addFace(personId, embedding, thumbnail) {
			const { faceIds } = await addFaces(personId, [{ embedding, thumbnail: thumbnail ?? null }]);
			return { faceId: faceIds[0] as string };
		},
		addFaces,
		renamePerson(id, name) {
			return write(
				async (sql) => {
					await claimName(sql, name, id);
					const updated = await sql('UPDATE people SET name = $1, name_key = $2 WHERE id = $3 RETURNING id', [name, nameKey(name), id]);
					return updated.length > 0 ? getPerson(sql, id) : null;
				},
				(person) => (person ? [id] : [])
			);
		},
		async listFaces(personId) {
			return db.transaction(
				async (sql) => {
					if (!(await getPerson(sql, personId))) return null;
					const rows = await sql<{ id: string; created_at: string; thumbnail: Buffer | null; yaw: unknown; source: unknown }>(
						'SELECT id, created_at, thumbnail, yaw, source FROM faces WHERE person_id = $1 ORDER BY seq',
						[personId]
					);
					return rows.map((row): Face => ({
						id: row.id,
						createdAt: Number(row.created_at),
						thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null,
						yaw: storedYaw(row.yaw),
						source: storedSource(row.source)
					}));
				},
				{ readOnlySnapshot: true }
			);
		},
		deleteFace(personId, faceId) {
			return write(
				async (sql) => (await sql('DELETE FROM faces WHERE id = $1 AND person_id = $2 RETURNING id', [faceId, personId])).length > 0,
				(deleted) => (deleted ? [personId] : [])
			);
		},
		deletePerson(id) {
			return write(
				async (sql) => (await sql('DELETE FROM people WHERE id = $1 RETURNING id', [id])).length > 0,
				(deleted) => (deleted ? [id] : [])
			);
		},
		settings: () => readSettings(db.sql),
		updateSettings(patch) {
			return db.transaction(async (sql) => {
				if (patch.keepThumbnails !== undefined) {
					await sql("INSERT INTO settings (key, value) VALUES ('keep_thumbnails', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
						JSON.stringify(patch.keepThumbnails)
					]);
					if (!patch.keepThumbnails) await sql('UPDATE faces SET thumbnail = NULL WHERE thumbnail IS NOT NULL');
				}
				return readSettings(sql);
			});
		},
		entries() {
			follower.assertFresh();
			return snapshot.entries();
		},
		health: () => follower.health(),
		async exportAll() {
			return db.transaction(
				async (sql) => {
					const people = await sql<PersonRow>(`SELECT p.id, p.name FROM people p ${ORDER}`);
					const faces = await sql<{ person_id: string; embedding: Buffer; thumbnail: Buffer | null; yaw: unknown }>(
						'SELECT person_id, embedding, thumbnail, yaw FROM faces WHERE model = $1 AND dim = $2 ORDER BY seq',
						[model, dim]
					);
					return exportDocument(
						model,
						dim,
						people,
						faces.map((f) => ({ personId: f.person_id, embedding: f.embedding, thumbnail: f.thumbnail, yaw: f.yaw }))
					);
				},
				{ readOnlySnapshot: true }
			);
		},
		async importAll(doc, { replace = false, learning: learn } = {}) {
			// Everything is converted and checked before the first write.
			const people = prepareImport(doc, model, dim);
			const { result } = await write(
				async (sql) => {
					// Planned inside the transaction under the name lock (claimName), against the gallery as
					// it is at that moment: two servers importing the same new name at once merge, not double.
					await claimName(sql, null);
					const removed = replace ? (await sql('DELETE FROM people RETURNING id')).length : 0;
					const existing = await sql<{ id: string; name: string }>(`SELECT p.id, p.name FROM people p ${ORDER}`);
					const faces = await sql<{ person_id: string; name: string; embedding: Buffer }>(
						'SELECT f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id WHERE f.model = $1 AND f.dim = $2 ORDER BY f.seq',
						[model, dim]
					);
					const entries = toEntries(faces.map((f) => ({ personId: f.person_id, name: f.name, embedding: f.embedding })));
					const plan = planImport(people, { people: existing, entries });
					const keep = (await readSettings(sql)).keepThumbnails;
					const created = plan.create.map((p) => ({ ...p, id: randomUUID() }));
					await insertPeople(sql, created);
					await insertFaces(sql, [
						...created.flatMap((p) => facesFor(p.id, p.faces, keep)),
						...plan.extend.flatMap((e) => facesFor(e.personId, e.faces, keep))
					]);
					const touched = [...created.map((p) => p.id), ...plan.extend.map((e) => e.personId)];
					const counts = replace ? { ...plan.counts, removed } : plan.counts;
					if (!learn) return { result: counts, touched };
					const idOf = peopleByKey(existing);
					for (const p of created) idOf.set(nameKey(p.name), p.id);
					const learned = learn.plan({
						...(await learning.inImport.seen(sql, learn.wants)),
						personIdOf: (name) => idOf.get(nameKey(name)),
						keepThumbnails: keep
					});
					await learning.inImport.write(sql, learned);
					return { result: { ...counts, ...learned.result }, touched: [...new Set([...touched, ...learned.negatives.map((n) => n.personId)])] };
				},
				({ touched }) => (replace ? 'all' : touched)
			);
			return result;
		},
		async otherModelFaces() {
			const rows = await db.sql<{ id: string; person_id: string; name: string; model: string; dim: number; thumbnail: Buffer | null }>(
				`SELECT f.id, f.person_id, p.name, f.model, f.dim, f.thumbnail FROM faces f JOIN people p ON p.id = f.person_id
				 WHERE f.model <> $1 OR f.dim <> $2 ORDER BY f.seq`,
				[model, dim]
			);
			return rows.map((row): OtherModelFace => ({
				id: row.id,
				personId: row.person_id,
				name: row.name,
				model: row.model,
				dim: Number(row.dim),
				thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null
			}));
		},
		async reembedFace(faceId, embedding) {
			checkEmbedding(embedding, dim);
			const people = await write(
				async (sql) =>
					(
						await sql<{ person_id: string }>('UPDATE faces SET model = $1, dim = $2, embedding = $3 WHERE id = $4 RETURNING person_id', [
							model,
							dim,
							toBytes(embedding),
							faceId
						])
					).map((r) => r.person_id),
				(ids) => ids
			);
			return people.length > 0;
		},
		async sharedSecret(name, make) {
			const [made] = await db.sql<{ value: string }>(
				'INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING value',
				[name, make(), Date.now()]
			);
			if (made) return made.value;
			// Another server's insert won (the conflict waited for its commit). A new statement, a new
			// snapshot: one statement reading back would not see a row committed while it waited.
			const [kept] = await db.sql<{ value: string }>('SELECT value FROM secrets WHERE name = $1', [name]);
			if (!kept) throw new AppError('internal', `secret ${name} vanished`);
			return kept.value;
		},
		async savePairingCode(codeHash, role, expiresAt) {
			await db.sql('DELETE FROM pairing_codes WHERE expires_at <= $1', [Date.now()]);
			await db.sql('INSERT INTO pairing_codes (code_hash, role, expires_at) VALUES ($1, $2, $3) ON CONFLICT (code_hash) DO NOTHING', [
				codeHash,
				role,
				expiresAt
			]);
		},
		async takePairingCode(codeHash, now) {
			const [row] = await db.sql<{ role: string }>('DELETE FROM pairing_codes WHERE code_hash = $1 AND expires_at > $2 RETURNING role', [codeHash, now]);
			return row?.role ?? null;
		},
		learn: learning.store,
		async close() {
			await follower.close();
			await db.close();
		}
	};
}

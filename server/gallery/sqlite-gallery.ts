/** The gallery in one SQLite file: one server's store, the default when DATABASE_URL is unset. */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { nameKey, sameName } from '../../src/lib/protocol/names.ts';
import { assertNameFree, checkEmbedding, checkFaces, exportDocument, prepareImport, storedSource, storedYaw, toBytes, type ImportedPerson } from './checks.ts';
import { DEFAULT_SETTINGS, type Face, type Gallery, type GallerySettings, type NewFace, type OtherModelFace, type Person, type StoreLog } from './gallery.ts';
import { peopleByKey, planImport } from './import-plan.ts';
import { mayHaveKey } from './name-keys.ts';
import { createSnapshot, toEntries } from './snapshot.ts';
import { openSqlite } from './sqlite-db.ts';
import { createSqliteLearn } from './sqlite-learn.ts';
import { createSqlitePeople } from './sqlite-people.ts';
import type { LearningImport } from '../learn/store.ts';

export type SqliteGalleryOptions = {
	/** A file path, or ':memory:'. */
	file: string;
	/** Identifies the embedding model; rows of another model are kept but never matched. */
	model: string;
	dim: number;
	/**
	 * How often to look for writes by another process on the same file (`npm run gallery -- copy
	 * --replace` into a running server's file), ms; 0: never. Default 1000.
	 */
	pollMs?: number;
	/** Hears about a start step skipped (sqlite-db.ts). */
	log?: StoreLog;
};

type FaceRow = { person_id: string; name: string; embedding: Buffer };

export function createSqliteGallery({ file, model, dim, pollMs = 1000, log }: SqliteGalleryOptions): Gallery {
	const db = openSqlite(file, log ? { log } : {});

	const PERSON_COLUMNS = 'p.id, p.name, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS faces';
	const ORDER = 'ORDER BY p.name COLLATE NOCASE, p.id';
	const ENTRY = 'SELECT f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id';
	const q = {
		person: db.prepare<[string], Person>(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.id = ?`),
		insertPerson: db.prepare('INSERT INTO people (id, name, name_key, created_at) VALUES (?, ?, ?, ?)'),
		renamePerson: db.prepare('UPDATE people SET name = ?, name_key = ? WHERE id = ?'),
		// Compared by the rule (sameName) after: a row an older server wrote has no key yet (name-keys.ts).
		named: db.prepare<[string], { id: string; name: string }>(`SELECT id, name FROM people WHERE ${mayHaveKey('?')} ORDER BY rowid`),
		insertFace: db.prepare('INSERT INTO faces (id, person_id, model, dim, embedding, thumbnail, created_at, yaw, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
		faces: db.prepare<[string], { id: string; created_at: number; thumbnail: Buffer | null; yaw: unknown; source: unknown }>(
			'SELECT id, created_at, thumbnail, yaw, source FROM faces WHERE person_id = ? ORDER BY rowid'
		),
		peopleNames: db.prepare<[], { id: string; name: string }>(`SELECT p.id, p.name FROM people p ${ORDER}`),
		deleteFace: db.prepare('DELETE FROM faces WHERE id = ? AND person_id = ?'),
		deletePerson: db.prepare('DELETE FROM people WHERE id = ?'),
		deleteEveryone: db.prepare('DELETE FROM people'),
		entries: db.prepare<[string, number], FaceRow>(`${ENTRY} WHERE f.model = ? AND f.dim = ? ORDER BY f.rowid`),
		personEntries: db.prepare<[string, string, number], FaceRow>(`${ENTRY} WHERE f.person_id = ? AND f.model = ? AND f.dim = ? ORDER BY f.rowid`),
		exportFaces: db.prepare<[string, number], { person_id: string; embedding: Buffer; thumbnail: Buffer | null; yaw: unknown }>(
			'SELECT person_id, embedding, thumbnail, yaw FROM faces WHERE model = ? AND dim = ? ORDER BY rowid'
		),
		setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
		putSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
		dropThumbnails: db.prepare('UPDATE faces SET thumbnail = NULL WHERE thumbnail IS NOT NULL'),
		secret: db.prepare<[string], { value: string }>('SELECT value FROM secrets WHERE name = ?'),
		putSecret: db.prepare('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING'),
		dataVersion: db.prepare('PRAGMA data_version').pluck(),
		savePairingCode: db.prepare('INSERT OR REPLACE INTO pairing_codes (code_hash, role, expires_at) VALUES (?, ?, ?)'),
		dropExpiredCodes: db.prepare('DELETE FROM pairing_codes WHERE expires_at <= ?'),
		takePairingCode: db.prepare<[string, number], { role: string }>('DELETE FROM pairing_codes WHERE code_hash = ? AND expires_at > ? RETURNING role'),
		otherModelFaces: db.prepare<[string, number], { id: string; person_id: string; name: string; model: string; dim: number; thumbnail: Buffer | null }>(
			`SELECT f.id, f.person_id, p.name, f.model, f.dim, f.thumbnail FROM faces f JOIN people p ON p.id = f.person_id
			 WHERE f.model <> ? OR f.dim <> ? ORDER BY f.rowid`
		),
		reembedFace: db.prepare<[string, number, Buffer, string], { person_id: string }>(
			'UPDATE faces SET model = ?, dim = ?, embedding = ? WHERE id = ? RETURNING person_id'
		)
	};

	const stored = (row: FaceRow) => ({ personId: row.person_id, name: row.name, embedding: row.embedding });
	const snapshot = createSnapshot();
	const reloadAll = () => snapshot.replaceAll(toEntries(q.entries.all(model, dim).map(stored)));
	/** After a write (committed or not): the snapshot follows the people it touched. */
	const refresh = (people: Iterable<string>) => {
		const ids = [...people];
		snapshot.replacePeople(ids, toEntries(ids.flatMap((id) => q.personEntries.all(id, model, dim).map(stored))));
	};
	reloadAll();

	// PRAGMA data_version changes when another connection commits to the file.
	let seenVersion = q.dataVersion.get() as number;
	const poll =
		pollMs > 0 && file !== ':memory:'
			? setInterval(() => {
					const version = q.dataVersion.get() as number;
					if (version !== seenVersion) {
						seenVersion = version;
						reloadAll();
					}
				}, pollMs)
			: null;
	poll?.unref();

	function readSettings(): GallerySettings {
		const row = q.setting.get('keep_thumbnails');
		return { ...DEFAULT_SETTINGS, ...(row ? { keepThumbnails: JSON.parse(row.value) === true } : {}) };
	}

	function insertPerson(name: string): Person {
		const person = { id: randomUUID(), name, faces: 0 };
		q.insertPerson.run(person.id, name, nameKey(name), Date.now());
		return person;
	}

	function insertFace(personId: string, face: NewFace, keepThumbnail: boolean): string {
		const faceId = randomUUID();
		const thumbnail = keepThumbnail && face.thumbnail ? Buffer.from(face.thumbnail) : null;
		q.insertFace.run(faceId, personId, model, dim, toBytes(face.embedding), thumbnail, Date.now(), storedYaw(face.yaw), storedSource(face.source));
		return faceId;
	}

	// A transaction runs to its end before any other write (one connection, no awaits inside), and
	// another process's write waits on the file lock: the name check and the write are one.
	const addPersonTx = db.transaction((name: string) => {
		assertNameFree(q.named.all(nameKey(name)), name);
		return insertPerson(name);
	});

	const renameTx = db.transaction((id: string, name: string) => {
		assertNameFree(q.named.all(nameKey(name)), name, id);
		return q.renamePerson.run(name, nameKey(name), id).changes > 0;
	});

	const enrolTx = db.transaction((name: string, faces: readonly NewFace[]) => {
		assertNameFree(q.named.all(nameKey(name)), name);
		const keep = readSettings().keepThumbnails;
		const person = insertPerson(name);
		const faceIds = faces.map((face) => insertFace(person.id, face, keep));
		return { person: { ...person, faces: faceIds.length }, faceIds };
	});

	const addFacesTx = db.transaction((personId: string, faces: readonly NewFace[]) => {
		if (!q.person.get(personId)) throw new AppError('not-found', 'no such person');
		const keep = readSettings().keepThumbnails;
		return { faceIds: faces.map((face) => insertFace(personId, face, keep)) };
	});

	const settingsTx = db.transaction((patch: Partial<GallerySettings>) => {
		if (patch.keepThumbnails !== undefined) {
			q.putSetting.run('keep_thumbnails', JSON.stringify(patch.keepThumbnails));
			if (!patch.keepThumbnails) q.dropThumbnails.run();
		}
		return readSettings();
	});

	// Planned inside the transaction, against the gallery as it is at that moment.
	const learning = createSqliteLearn(db, { model, dim });

	const importTx = db.transaction((people: readonly ImportedPerson[], replace: boolean, learn?: LearningImport) => {
		const removed = replace ? q.deleteEveryone.run().changes : 0;
		const existing = { people: q.peopleNames.all(), entries: toEntries(q.entries.all(model, dim).map(stored)) };
		const plan = planImport(people, existing);
		const keep = readSettings().keepThumbnails;
		const touched: string[] = [];
		const idOf = peopleByKey(existing.people);
		for (const person of plan.create) {
			const { id } = insertPerson(person.name);
			for (const face of person.faces) insertFace(id, face, keep);
			touched.push(id);
			idOf.set(nameKey(person.name), id);
		}
		for (const { personId, faces } of plan.extend) {
			for (const face of faces) insertFace(personId, face, keep);
			touched.push(personId);
		}
		const counts = replace ? { ...plan.counts, removed } : plan.counts;
		if (!learn) return { result: counts, touched };
		const learned = learn.plan({ ...learning.inImport.seen(learn.wants), personIdOf: (name) => idOf.get(nameKey(name)), keepThumbnails: keep });
		learning.inImport.write(learned);
		// Once each: refresh() reads a person's entries for every time they are named.
		return { result: { ...counts, ...learned.result }, touched: [...new Set([...touched, ...learned.negatives.map((n) => n.personId)])] };
	});

	const secretTx = db.transaction((name: string, make: () => string) => {
		q.putSecret.run(name, make(), Date.now());
		return (q.secret.get(name) as { value: string }).value;
	});

	async function addFaces(personId: string, faces: readonly NewFace[]): Promise<{ faceIds: string[] }> {
		checkFaces(faces, dim);
		try {
			return addFacesTx(personId, faces);
		} finally {
			refresh([personId]);
		}
	}

	return {
		...createSqlitePeople(db),
		getPerson: async (id) => q.person.get(id) ?? null,
		findByName: async (name) => sameName(q.named.all(nameKey(name)), name) ?? null,
		addPerson: async (name) => addPersonTx(name),
		async enrolPerson(name, faces) {
			checkFaces(faces, dim);
			const enrolled = enrolTx(name, faces);
			refresh([enrolled.person.id]);
			return enrolled;
		},
		async addFace(personId, embedding, thumbnail) {
			const { faceIds } = await addFaces(personId, [{ embedding, thumbnail: thumbnail ?? null }]);
			return { faceId: faceIds[0] as string };
		},
		addFaces,
		async renamePerson(id, name) {
			const changed = renameTx(id, name);
			refresh([id]);
			return changed ? (q.person.get(id) ?? null) : null;
		},
		async listFaces(personId) {
			if (!q.person.get(personId)) return null;
			return q.faces.all(personId).map((row): Face => ({
				id: row.id,
				createdAt: row.created_at,
				thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null,
				yaw: storedYaw(row.yaw),
				source: storedSource(row.source)
			}));
		},
		async deleteFace(personId, faceId) {
			const deleted = q.deleteFace.run(faceId, personId).changes > 0;
			refresh([personId]);
			return deleted;
		},
		async deletePerson(id) {
			const deleted = q.deletePerson.run(id).changes > 0;
			refresh([id]);
			return deleted;
		},
		settings: async () => readSettings(),
		updateSettings: async (patch) => settingsTx(patch),
		entries: () => snapshot.entries(),
		health: () => ({ store: 'sqlite', ok: true, people: snapshot.people, embeddings: snapshot.embeddings, syncedAgoMs: 0 }),
		async exportAll() {
			const faces = q.exportFaces.iterate(model, dim);
			const rows = (function* () {
				for (const row of faces) yield { personId: row.person_id, embedding: row.embedding, thumbnail: row.thumbnail, yaw: row.yaw };
			})();
			return exportDocument(model, dim, q.peopleNames.all(), rows);
		},
		async importAll(doc, { replace = false, learning: learn } = {}) {
			// Everything is converted and checked before the first write.
			const people = prepareImport(doc, model, dim);
			const { result, touched } = importTx(people, replace, learn);
			if (replace) reloadAll();
			else refresh(touched);
			return result;
		},
		async otherModelFaces() {
			return q.otherModelFaces.all(model, dim).map((row): OtherModelFace => ({
				id: row.id,
				personId: row.person_id,
				name: row.name,
				model: row.model,
				dim: row.dim,
				thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null
			}));
		},
		async reembedFace(faceId, embedding) {
			checkEmbedding(embedding, dim);
			const row = q.reembedFace.get(model, dim, toBytes(embedding), faceId);
			if (row) refresh([row.person_id]);
			return row !== undefined;
		},
		sharedSecret: async (name, make) => secretTx(name, make),
		async savePairingCode(codeHash, role, expiresAt) {
			q.dropExpiredCodes.run(Date.now());
			q.savePairingCode.run(codeHash, role, expiresAt);
		},
		takePairingCode: async (codeHash, now) => q.takePairingCode.get(codeHash, now)?.role ?? null,
		learn: learning.store,
		async close() {
			if (poll) clearInterval(poll);
			db.close();
		}
	};
}

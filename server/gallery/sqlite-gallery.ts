/** The only module that talks to SQLite. */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { badEmbedding, badThumbnail, modelMismatch } from '../../src/lib/protocol/gallery-doc.ts';
import { FACE_SOURCES, type FaceSource } from '../../src/lib/protocol/rest.ts';
import {
	DEFAULT_SETTINGS,
	MAX_THUMBNAIL_BYTES,
	type Face,
	type Gallery,
	type GalleryExport,
	type GallerySettings,
	type NewFace,
	type Person,
	type PersonListing
} from './gallery.ts';
import { DocError, planImport, type ImportPerson } from './import-plan.ts';
import type { GalleryEntry } from './matcher.ts';

const MIGRATIONS = ['001_init.sql', '002_thumbnails_settings.sql', '003_face_pose_source.sql'];

export type SqliteGalleryOptions = {
	/** A file path, or ':memory:'. */
	file: string;
	/** Identifies the embedding model; rows of another model are kept but never matched. */
	model: string;
	dim: number;
};

type FaceRow = { person_id: string; name: string; embedding: Buffer };
type ExportRow = { person_id: string; embedding: Buffer; thumbnail: Buffer | null; yaw: number | null };
type ListingRow = Person & { yaws: string; thumbnail?: Buffer | null };

/** A stored yaw or source read back: anything unexpected (a hand-edited row) reads as unknown. */
const yawOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const sourceOf = (value: unknown): FaceSource | null => (FACE_SOURCES as readonly unknown[]).includes(value) ? (value as FaceSource) : null;

function migrate(db: Database.Database): void {
	const current = db.pragma('user_version', { simple: true }) as number;
	MIGRATIONS.slice(current).forEach((file, i) => {
		const sql = readFileSync(new URL(`./migrations/${file}`, import.meta.url), 'utf8');
		db.transaction(() => {
			db.exec(sql);
			db.pragma(`user_version = ${current + i + 1}`);
		})();
	});
}

function toBlob(embedding: Float32Array): Buffer {
	return Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
}

function fromBlob(blob: Buffer): Float32Array {
	// Copy: a Buffer from SQLite need not be 4-byte aligned.
	const copy = new Uint8Array(blob.byteLength);
	copy.set(blob);
	return new Float32Array(copy.buffer);
}

const isJpeg = (b: Uint8Array) => b.byteLength > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

function checkThumbnail(thumbnail: Uint8Array, where = 'thumbnail'): void {
	if (thumbnail.byteLength > MAX_THUMBNAIL_BYTES) {
		throw new AppError('bad-request', `${where}: over ${MAX_THUMBNAIL_BYTES / 1024} KB`);
	}
	if (!isJpeg(thumbnail)) throw new AppError('bad-request', `${where}: not a JPEG`);
}

export function createSqliteGallery({ file, model, dim }: SqliteGalleryOptions): Gallery {
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	db.pragma('foreign_keys = ON');
	// With WAL, NORMAL loses no committed transaction when the process dies (only on power loss).
	db.pragma('synchronous = NORMAL');
	migrate(db);

	const PERSON_COLUMNS = 'p.id, p.name, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS faces';
	// Each face's yaw, as a JSON array (null for unmeasured faces): the page counts poses from it.
	const YAWS = '(SELECT json_group_array(f.yaw) FROM faces f WHERE f.person_id = p.id) AS yaws';
	const q = {
		people: db.prepare<[], ListingRow>(
			`SELECT ${PERSON_COLUMNS}, ${YAWS} FROM people p ORDER BY p.name COLLATE NOCASE, p.id`
		),
		peopleWithThumbnails: db.prepare<[], ListingRow>(
			`SELECT ${PERSON_COLUMNS}, ${YAWS},
			 (SELECT f.thumbnail FROM faces f WHERE f.person_id = p.id AND f.thumbnail IS NOT NULL
			  ORDER BY f.rowid DESC LIMIT 1) AS thumbnail
			 FROM people p ORDER BY p.name COLLATE NOCASE, p.id`
		),
		person: db.prepare<[string], Person>(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.id = ?`),
		insertPerson: db.prepare('INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)'),
		renamePerson: db.prepare('UPDATE people SET name = ? WHERE id = ?'),
		insertFace: db.prepare(
			'INSERT INTO faces (id, person_id, model, dim, embedding, thumbnail, created_at, yaw, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
		),
		faces: db.prepare<[string], { id: string; created_at: number; thumbnail: Buffer | null; yaw: unknown; source: unknown }>(
			'SELECT id, created_at, thumbnail, yaw, source FROM faces WHERE person_id = ? ORDER BY rowid'
		),
		deleteFace: db.prepare('DELETE FROM faces WHERE id = ? AND person_id = ?'),
		deletePerson: db.prepare('DELETE FROM people WHERE id = ?'),
		deleteEveryone: db.prepare('DELETE FROM people'),
		entries: db.prepare<[string, number], FaceRow>(
			`SELECT f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id
			 WHERE f.model = ? AND f.dim = ? ORDER BY f.rowid`
		),
		exportFaces: db.prepare<[string, number], ExportRow>(
			'SELECT person_id, embedding, thumbnail, yaw FROM faces WHERE model = ? AND dim = ? ORDER BY rowid'
		),
		setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
		putSetting: db.prepare(
			'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
		),
		dropThumbnails: db.prepare('UPDATE faces SET thumbnail = NULL WHERE thumbnail IS NOT NULL')
	};

	let cache: GalleryEntry[] | null = null;

	function readSettings(): GallerySettings {
		const row = q.setting.get('keep_thumbnails');
		return { ...DEFAULT_SETTINGS, ...(row ? { keepThumbnails: JSON.parse(row.value) === true } : {}) };
	}

	function checkEmbedding(embedding: Float32Array): void {
		if (embedding.length !== dim || !embedding.every(Number.isFinite)) {
			throw new AppError('bad-request', `embedding must be ${dim} finite numbers`);
		}
	}

	function checkFaces(faces: readonly NewFace[]): void {
		if (faces.length === 0) throw new AppError('bad-request', 'no faces to store');
		for (const face of faces) {
			checkEmbedding(face.embedding);
			if (face.thumbnail) checkThumbnail(face.thumbnail);
		}
	}

	function insertPerson(name: string): Person {
		const person = { id: randomUUID(), name, faces: 0 };
		q.insertPerson.run(person.id, name, Date.now());
		return person;
	}

	function insertFace(personId: string, face: NewFace, keepThumbnail: boolean): string {
		const faceId = randomUUID();
		const thumbnail = keepThumbnail && face.thumbnail ? Buffer.from(face.thumbnail) : null;
		const yaw = yawOf(face.yaw);
		q.insertFace.run(faceId, personId, model, dim, toBlob(face.embedding), thumbnail, Date.now(), yaw, sourceOf(face.source));
		return faceId;
	}

	const enrolTx = db.transaction((name: string, faces: readonly NewFace[]) => {
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
	const importTx = db.transaction((people: readonly ImportPerson[], replace: boolean) => {
		const removed = replace ? q.deleteEveryone.run().changes : 0;
		const plan = planImport(people, { people: q.people.all(), entries: q.entries.all(model, dim).map(toEntry) });
		const keep = readSettings().keepThumbnails;
		for (const person of plan.create) {
			const { id } = insertPerson(person.name);
			for (const face of person.faces) insertFace(id, face, keep);
		}
		for (const { personId, faces } of plan.extend) for (const face of faces) insertFace(personId, face, keep);
		return replace ? { ...plan.counts, removed } : plan.counts;
	});

	/** Runs a write and drops the match cache, whether or not the write went through. */
	function write<T>(fn: () => T): T {
		try {
			return fn();
		} finally {
			cache = null;
		}
	}

	function toEntry(row: FaceRow): GalleryEntry {
		return { personId: row.person_id, name: row.name, embedding: fromBlob(row.embedding) };
	}

	function addFaces(personId: string, faces: readonly NewFace[]): { faceIds: string[] } {
		checkFaces(faces);
		return write(() => addFacesTx(personId, faces));
	}

	return {
		listPeople(options = {}) {
			const rows = (options.thumbnails ? q.peopleWithThumbnails : q.people).all();
			return rows.map(({ thumbnail, yaws, ...person }): PersonListing => {
				const listing = { ...person, yaws: (JSON.parse(yaws) as unknown[]).map(yawOf) };
				return thumbnail ? { ...listing, thumbnail: new Uint8Array(thumbnail) } : listing;
			});
		},
		getPerson: (id) => q.person.get(id) ?? null,
		addPerson: (name) => write(() => insertPerson(name)),
		enrolPerson(name, faces) {
			checkFaces(faces);
			return write(() => enrolTx(name, faces));
		},
		addFace(personId, embedding, thumbnail) {
			const { faceIds } = addFaces(personId, [{ embedding, thumbnail: thumbnail ?? null }]);
			return { faceId: faceIds[0] as string };
		},
		addFaces,
		renamePerson(id, name) {
			const changed = write(() => q.renamePerson.run(name, id).changes > 0);
			return changed ? (q.person.get(id) ?? null) : null;
		},
		listFaces(personId) {
			if (!q.person.get(personId)) return null;
			return q.faces.all(personId).map(
				(row): Face => ({
					id: row.id,
					createdAt: row.created_at,
					thumbnail: row.thumbnail ? new Uint8Array(row.thumbnail) : null,
					yaw: yawOf(row.yaw),
					source: sourceOf(row.source)
				})
			);
		},
		deleteFace: (personId, faceId) => write(() => q.deleteFace.run(faceId, personId).changes > 0),
		deletePerson: (id) => write(() => q.deletePerson.run(id).changes > 0),
		settings: readSettings,
		updateSettings: (patch) => settingsTx(patch),
		entries() {
			cache ??= q.entries.all(model, dim).map(toEntry);
			return cache;
		},
		exportAll() {
			const byPerson = new Map<string, GalleryExport['people'][number]>();
			for (const person of q.people.all()) byPerson.set(person.id, { name: person.name, faces: [] });
			for (const row of q.exportFaces.iterate(model, dim)) {
				const face: GalleryExport['people'][number]['faces'][number] = {
					embedding: Array.from(fromBlob(row.embedding))
				};
				if (row.thumbnail) face.thumbnail = row.thumbnail.toString('base64');
				const yaw = yawOf(row.yaw);
				if (yaw !== null) face.yaw = yaw;
				byPerson.get(row.person_id)?.faces.push(face);
			}
			return { format: 'facertc-gallery', version: 1, model, dim, people: [...byPerson.values()] };
		},
		importAll(doc, { replace = false } = {}) {
			if (doc.model !== model || doc.dim !== dim) throw new DocError(modelMismatch(doc, { model, dim }));
			// Everything is converted and checked before the first write.
			const people = doc.people.map((person, i) => ({
				name: person.name,
				faces: person.faces.map((face, j): NewFace => {
					const embedding = Float32Array.from(face.embedding);
					try {
						checkEmbedding(embedding);
					} catch {
						throw new DocError(badEmbedding(doc, i, j, dim));
					}
					const imported: NewFace = { embedding, yaw: face.yaw ?? null, source: 'import' };
					if (face.thumbnail === undefined) return imported;
					const thumbnail = new Uint8Array(Buffer.from(face.thumbnail, 'base64'));
					try {
						checkThumbnail(thumbnail);
					} catch {
						throw new DocError(badThumbnail(doc, i, j));
					}
					return { ...imported, thumbnail };
				})
			}));
			return write(() => importTx(people, replace));
		},
		close: () => db.close()
	};
}

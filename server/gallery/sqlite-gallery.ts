/** The only module that talks to SQLite. */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { Gallery, GalleryExport, Person } from './gallery.ts';
import type { GalleryEntry } from './matcher.ts';

const MIGRATIONS = ['001_init.sql'];

export type SqliteGalleryOptions = {
	/** A file path, or ':memory:'. */
	file: string;
	/** Identifies the embedding model; rows of another model are kept but never matched. */
	model: string;
	dim: number;
};

type FaceRow = { person_id: string; name: string; embedding: Buffer };

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

export function createSqliteGallery({ file, model, dim }: SqliteGalleryOptions): Gallery {
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	db.pragma('foreign_keys = ON');
	db.pragma('synchronous = NORMAL');
	migrate(db);

	const q = {
		people: db.prepare<[], Person>(
			`SELECT p.id, p.name, COUNT(f.id) AS faces FROM people p
			 LEFT JOIN faces f ON f.person_id = p.id GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id`
		),
		person: db.prepare<[string], Person>(
			`SELECT p.id, p.name, COUNT(f.id) AS faces FROM people p
			 LEFT JOIN faces f ON f.person_id = p.id WHERE p.id = ? GROUP BY p.id`
		),
		insertPerson: db.prepare('INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)'),
		insertFace: db.prepare(
			'INSERT INTO faces (id, person_id, model, dim, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?)'
		),
		deletePerson: db.prepare('DELETE FROM people WHERE id = ?'),
		faces: db.prepare<[string, number], FaceRow>(
			`SELECT f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id
			 WHERE f.model = ? AND f.dim = ? ORDER BY f.rowid`
		)
	};

	let cache: GalleryEntry[] | null = null;

	function checkEmbedding(embedding: Float32Array): void {
		if (embedding.length !== dim || !embedding.every(Number.isFinite)) {
			throw new AppError('bad-request', `embedding must be ${dim} finite numbers`);
		}
	}

	function insertPerson(name: string): Person {
		const person = { id: randomUUID(), name, faces: 0 };
		q.insertPerson.run(person.id, name, Date.now());
		return person;
	}

	function insertFace(personId: string, embedding: Float32Array): string {
		const faceId = randomUUID();
		q.insertFace.run(faceId, personId, model, dim, toBlob(embedding), Date.now());
		return faceId;
	}

	const importTx = db.transaction((doc: GalleryExport) => {
		for (const person of doc.people) {
			const { id } = insertPerson(person.name);
			for (const face of person.faces) insertFace(id, Float32Array.from(face.embedding));
		}
		return doc.people.length;
	});

	return {
		listPeople: () => q.people.all(),
		getPerson: (id) => q.person.get(id) ?? null,
		addPerson(name) {
			cache = null;
			return insertPerson(name);
		},
		addFace(personId, embedding) {
			checkEmbedding(embedding);
			if (!q.person.get(personId)) throw new AppError('not-found', 'no such person');
			cache = null;
			return { faceId: insertFace(personId, embedding) };
		},
		deletePerson(id) {
			cache = null;
			return q.deletePerson.run(id).changes > 0;
		},
		entries() {
			cache ??= q.faces.all(model, dim).map((row) => ({
				personId: row.person_id,
				name: row.name,
				embedding: fromBlob(row.embedding)
			}));
			return cache;
		},
		exportAll() {
			const byPerson = new Map<string, GalleryExport['people'][number]>();
			for (const person of q.people.all()) byPerson.set(person.id, { name: person.name, faces: [] });
			for (const entry of this.entries()) {
				byPerson.get(entry.personId)?.faces.push({ embedding: Array.from(entry.embedding) });
			}
			return { format: 'facertc-gallery', version: 1, model, dim, people: [...byPerson.values()] };
		},
		importAll(doc) {
			if (doc.model !== model || doc.dim !== dim) {
				throw new AppError('bad-request', `document holds ${doc.model}/${doc.dim}, this server uses ${model}/${dim}`);
			}
			for (const person of doc.people) person.faces.forEach((f) => checkEmbedding(Float32Array.from(f.embedding)));
			cache = null;
			return importTx(doc);
		},
		close: () => db.close()
	};
}

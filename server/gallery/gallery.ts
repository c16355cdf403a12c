import type { PeopleCursor, PeoplePageQuery } from '../../src/lib/protocol/people-page.ts';
import type { Coverage, FaceSource } from '../../src/lib/protocol/rest.ts';
import type { ImportCounts } from './import-plan.ts';
import type { LearningImport, LearningPlan, LearnStore } from '../learn/store.ts';
import type { GalleryEntry } from './matcher.ts';

export type Person = { id: string; name: string; faces: number };

/**
 * Where a store says how it is doing, by level: `warn` for what an operator must hear at
 * LOG_LEVEL=warn (the database lost, a start step skipped), `info` for the rest (it is back).
 */
export type StoreLog = { info(msg: string): void; warn(msg: string): void };

/** A StoreLog that drops everything: tests and tools. */
export const SILENT_STORE_LOG: StoreLog = Object.freeze({ info() {}, warn() {} });

/**
 * A person as listed; `coverage`: their faces counted by head pose (src/lib/protocol/pose.ts's
 * coverageOf over the faces' yaws), for the People page; `thumbnail` (JPEG, of the latest face
 * that has one) only when asked for and one is kept.
 */
export type PersonListing = Person & { coverage: Coverage; thumbnail?: Uint8Array };

/**
 * One page of people (`GET /api/people?limit=…`): `people` in the list's order; `total`, how many
 * match the query on all pages; `faces`, the faces of everyone (on the first page of everyone
 * only); `next`, where the next page starts, null on the last.
 */
export type PeoplePage = { people: PersonListing[]; total: number; faces?: number; next: PeopleCursor | null };

/**
 * One enrolled face; `createdAt` in ms since the epoch, `thumbnail` a JPEG or null, `yaw` and
 * `source` null for faces stored before they were recorded (migration 005).
 */
export type Face = { id: string; createdAt: number; thumbnail: Uint8Array | null; yaw: number | null; source: FaceSource | null };

/**
 * A face to store: the embedding, a JPEG thumbnail that is kept only while the setting is on, the
 * head turn measured at enrolment, and how it came in.
 */
export type NewFace = { embedding: Float32Array; thumbnail?: Uint8Array | null; yaw?: number | null; source?: FaceSource | null };

export type GallerySettings = {
	/** Store a small face thumbnail beside each embedding. Off by default: embeddings only. */
	keepThumbnails: boolean;
};

export const DEFAULT_SETTINGS: GallerySettings = Object.freeze({ keepThumbnails: false });

export { MAX_THUMBNAIL_BYTES } from '../../src/lib/protocol/gallery-doc.ts';

/**
 * Versioned document of `GET /api/export` and `POST /api/import` (src/lib/protocol/gallery-doc.ts).
 * `thumbnail`: base64 JPEG, present only when the exporting gallery keeps thumbnails; `yaw` when measured.
 */
export type { GalleryExport } from '../../src/lib/protocol/gallery-doc.ts';
import type { GalleryExport } from '../../src/lib/protocol/gallery-doc.ts';

/** What an import did (import-plan.ts); `removed`: people deleted first by a `replace`. */
export type ImportResult = ImportCounts & { removed?: number };

/** A face stored with another embedding model (or dimension) than the one the server runs. */
export type OtherModelFace = { id: string; personId: string; name: string; model: string; dim: number; thumbnail: Uint8Array | null };

/** What `/healthz` says about the store. */
export type GalleryHealth = {
	store: 'sqlite' | 'postgres';
	/** False when the snapshot can no longer be vouched for: `entries()` then throws. */
	ok: boolean;
	/** Why not ok, for people (e.g. "gallery database unreachable for 6 s: connect ECONNREFUSED"). */
	reason?: string;
	/** People and embeddings in the in-memory snapshot. */
	people: number;
	embeddings: number;
	/** Ms since the store last confirmed the snapshot is current (0 for SQLite, which is local). */
	syncedAgoMs: number;
};

/**
 * The gallery port: people and their face embeddings, in SQLite (one server) or PostgreSQL (many
 * servers sharing one gallery). Every write is one transaction, so a process killed at any point
 * leaves the gallery as it was before or after the write. Reads and writes are async (PostgreSQL
 * is); only `entries()` and `health()` are synchronous: they read the in-memory snapshot that the
 * recognizer's hot path matches against, and never wait on the database.
 */
export interface Gallery {
	/** Everyone, by name (case aside: SQLite's NOCASE, ASCII only), then id. */
	listPeople(options?: { thumbnails?: boolean }): Promise<PersonListing[]>;
	/**
	 * A page of the same list (keyset: after the cursor's name and id, so people added, renamed or
	 * deleted meanwhile neither repeat nor hide the others), of the people whose names hold every
	 * word of `q` (src/lib/protocol/people-page.ts). Reads faces and thumbnails for that page only.
	 */
	pagePeople(query: PeoplePageQuery & { thumbnails?: boolean }): Promise<PeoplePage>;
	getPerson(id: string): Promise<Person | null>;
	/**
	 * Who has this name as names.ts compares names (case, width, joiners aside), or null: one index
	 * lookup (people.name_key), where a scan of every name took 0.1–0.7 s at 100 000 people.
	 */
	findByName(name: string): Promise<{ id: string; name: string } | null>;
	/**
	 * A person without faces (the DESIGN.md contract); prefer `enrolPerson`. Every write that names
	 * somebody throws AppError('conflict') when another person has the same name (names.ts), checked
	 * inside its transaction.
	 */
	addPerson(name: string): Promise<Person>;
	/** Creates a person and their faces in one transaction. Throws AppError('bad-request') for no faces, 'conflict' for a taken name. */
	enrolPerson(name: string, faces: readonly NewFace[]): Promise<{ person: Person; faceIds: string[] }>;
	/** Throws AppError('not-found') for an unknown person. */
	addFace(personId: string, embedding: Float32Array, thumbnail?: Uint8Array | null): Promise<{ faceId: string }>;
	/** All or nothing. Throws AppError('not-found') for an unknown person. */
	addFaces(personId: string, faces: readonly NewFace[]): Promise<{ faceIds: string[] }>;
	/** Null for an unknown person; AppError('conflict') for a name somebody else has. */
	renamePerson(id: string, name: string): Promise<Person | null>;
	/** The person's faces, oldest first; null for an unknown person. */
	listFaces(personId: string): Promise<Face[] | null>;
	/** False when the person has no such face. */
	deleteFace(personId: string, faceId: string): Promise<boolean>;
	deletePerson(id: string): Promise<boolean>;
	settings(): Promise<GallerySettings>;
	/** Turning `keepThumbnails` off deletes every stored thumbnail in the same transaction. */
	updateSettings(patch: Partial<GallerySettings>): Promise<GallerySettings>;
	/**
	 * Every embedding of the current model, for matching: the in-memory snapshot, the same array
	 * until the gallery changes (here or, with PostgreSQL, on another server). A write resolves
	 * only once its change is in this snapshot. Throws AppError('unavailable') while the snapshot
	 * cannot be vouched for (PostgreSQL unreachable for longer than the store's stale bound).
	 */
	entries(): readonly GalleryEntry[];
	health(): GalleryHealth;
	exportAll(): Promise<GalleryExport>;
	/**
	 * Faces embedded by another model than the current one: never matched (vectors of two models
	 * are not comparable) until re-embedded from their thumbnail or enrolled again.
	 */
	otherModelFaces(): Promise<OtherModelFace[]>;
	/**
	 * Stores a current-model embedding in place of a face's other-model one (the snapshot follows);
	 * false if no such face. Throws AppError('bad-request') for an embedding of the wrong size.
	 */
	reembedFace(faceId: string, embedding: Float32Array): Promise<boolean>;
	/**
	 * Checks the whole document first (model, sizes, thumbnails; DocError naming the fault), then
	 * in one transaction adds what is new (import-plan.ts: a person already here by name gets only
	 * the faces they lack). With `replace`, the same transaction first deletes everyone already
	 * there (`removed`). Thumbnails are dropped unless the gallery keeps them.
	 */
	importAll(
		doc: GalleryExport,
		options?: {
			replace?: boolean;
			/**
			 * Plans the document's learning rows (negatives, unknown faces: learn/transfer.ts) inside the
			 * same transaction, from the people as it leaves them: all of it is committed, or nothing.
			 */
			learning?: LearningImport;
		}
	): Promise<ImportResult & Partial<LearningPlan['result']>>;
	/**
	 * The value stored under `name`, made by `make()` and stored by the first caller when there is
	 * none (atomic: servers starting together on one database all get the same value). For secrets
	 * every server sharing the gallery must agree on, such as generated tokens.
	 */
	sharedSecret(name: string, make: () => string): Promise<string>;
	/** Keeps a one-time code (by its hash) until `expiresAt` (ms); drops expired ones. */
	savePairingCode(codeHash: string, role: string, expiresAt: number): Promise<void>;
	/** The role of a code kept and not expired at `now`, which is used up (atomic across servers); null otherwise. */
	takePairingCode(codeHash: string, now: number): Promise<string | null>;
	/** Unknown groups, negatives, corrections and sightings (issue 11), in the same database. */
	readonly learn: LearnStore;
	close(): Promise<void>;
}

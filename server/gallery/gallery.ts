import type { GalleryEntry } from './matcher.ts';

export type Person = { id: string; name: string; faces: number };

/** A person as listed; `thumbnail` (JPEG) only when asked for and one is kept. */
export type PersonListing = Person & { thumbnail?: Uint8Array };

/** One enrolled face; `createdAt` in ms since the epoch, `thumbnail` a JPEG or null. */
export type Face = { id: string; createdAt: number; thumbnail: Uint8Array | null };

/** A face to store: the embedding, and a JPEG thumbnail that is kept only while the setting is on. */
export type NewFace = { embedding: Float32Array; thumbnail?: Uint8Array | null };

export type GallerySettings = {
	/** Store a small face thumbnail beside each embedding. Off by default: embeddings only. */
	keepThumbnails: boolean;
};

export const DEFAULT_SETTINGS: GallerySettings = Object.freeze({ keepThumbnails: false });

/** Largest thumbnail stored or imported, bytes (a 96 px JPEG is ~3 KB). */
export const MAX_THUMBNAIL_BYTES = 32 * 1024;

/** Versioned document of `GET /api/export` and `POST /api/import`. */
export type GalleryExport = {
	format: 'facertc-gallery';
	version: 1;
	model: string;
	dim: number;
	/** `thumbnail`: base64 JPEG, present only when the exporting gallery keeps thumbnails. */
	people: Array<{ name: string; faces: Array<{ embedding: number[]; thumbnail?: string }> }>;
};

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
	listPeople(options?: { thumbnails?: boolean }): Promise<PersonListing[]>;
	getPerson(id: string): Promise<Person | null>;
	/** A person without faces (the DESIGN.md contract); prefer `enrolPerson`. */
	addPerson(name: string): Promise<Person>;
	/** Creates a person and their faces in one transaction. Throws AppError('bad-request') for no faces. */
	enrolPerson(name: string, faces: readonly NewFace[]): Promise<{ person: Person; faceIds: string[] }>;
	/** Throws AppError('not-found') for an unknown person. */
	addFace(personId: string, embedding: Float32Array, thumbnail?: Uint8Array | null): Promise<{ faceId: string }>;
	/** All or nothing. Throws AppError('not-found') for an unknown person. */
	addFaces(personId: string, faces: readonly NewFace[]): Promise<{ faceIds: string[] }>;
	/** Null for an unknown person. */
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
	 * Checks the whole document first (model, sizes, thumbnails), then adds every person in one
	 * transaction; returns how many. With `replace`, the same transaction first deletes everyone
	 * already there. Thumbnails are dropped unless the gallery keeps them.
	 */
	importAll(doc: GalleryExport, options?: { replace?: boolean }): Promise<number>;
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
	close(): Promise<void>;
}

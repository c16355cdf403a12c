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

/** A face stored with another embedding model (or dimension) than the one the server runs. */
export type OtherModelFace = { id: string; personId: string; name: string; model: string; dim: number; thumbnail: Uint8Array | null };

/** Versioned document of `GET /api/export` and `POST /api/import`. */
export type GalleryExport = {
	format: 'facertc-gallery';
	version: 1;
	model: string;
	dim: number;
	/** `thumbnail`: base64 JPEG, present only when the exporting gallery keeps thumbnails. */
	people: Array<{ name: string; faces: Array<{ embedding: number[]; thumbnail?: string }> }>;
};

/**
 * The gallery port: people and their face embeddings. Every write is one transaction, so a
 * process killed at any point leaves the gallery as it was before or after the write.
 */
export interface Gallery {
	listPeople(options?: { thumbnails?: boolean }): PersonListing[];
	getPerson(id: string): Person | null;
	/** A person without faces (the DESIGN.md contract); prefer `enrolPerson`. */
	addPerson(name: string): Person;
	/** Creates a person and their faces in one transaction. Throws AppError('bad-request') for no faces. */
	enrolPerson(name: string, faces: readonly NewFace[]): { person: Person; faceIds: string[] };
	/** Throws AppError('not-found') for an unknown person. */
	addFace(personId: string, embedding: Float32Array, thumbnail?: Uint8Array | null): { faceId: string };
	/** All or nothing. Throws AppError('not-found') for an unknown person. */
	addFaces(personId: string, faces: readonly NewFace[]): { faceIds: string[] };
	/** Null for an unknown person. */
	renamePerson(id: string, name: string): Person | null;
	/** The person's faces, oldest first; null for an unknown person. */
	listFaces(personId: string): Face[] | null;
	/** False when the person has no such face. */
	deleteFace(personId: string, faceId: string): boolean;
	deletePerson(id: string): boolean;
	settings(): GallerySettings;
	/** Turning `keepThumbnails` off deletes every stored thumbnail in the same transaction. */
	updateSettings(patch: Partial<GallerySettings>): GallerySettings;
	/** Every embedding of the current model, for matching; cached until the next write. */
	entries(): readonly GalleryEntry[];
	exportAll(): GalleryExport;
	/**
	 * Faces embedded by another model than the current one: never matched (vectors of two models
	 * are not comparable) until re-embedded from their thumbnail or enrolled again.
	 */
	otherModelFaces(): OtherModelFace[];
	/** Stores a current-model embedding in place of a face's other-model one; false if no such face. */
	reembedFace(faceId: string, embedding: Float32Array): boolean;
	/**
	 * Checks the whole document first (model, sizes, thumbnails), then adds every person in one
	 * transaction; returns how many. With `replace`, the same transaction first deletes everyone
	 * already there. Thumbnails are dropped unless the gallery keeps them.
	 */
	importAll(doc: GalleryExport, options?: { replace?: boolean }): number;
	close(): void;
}

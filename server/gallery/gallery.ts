import type { FaceSource } from '../../src/lib/protocol/rest.ts';
import type { ImportCounts } from './import-plan.ts';
import type { GalleryEntry } from './matcher.ts';

export type Person = { id: string; name: string; faces: number };

/**
 * A person as listed; `yaws`: the head turn of each face (src/lib/protocol/pose.ts; null when not
 * measured), for the People page's coverage; `thumbnail` (JPEG) only when asked for and one is kept.
 */
export type PersonListing = Person & { yaws: Array<number | null>; thumbnail?: Uint8Array };

/**
 * One enrolled face; `createdAt` in ms since the epoch, `thumbnail` a JPEG or null, `yaw` and
 * `source` null for faces stored before they were recorded.
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

export type ImportResult = ImportCounts & { removed?: number };

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
	 * Checks the whole document first (model, sizes, thumbnails), then in one transaction adds
	 * what is new (import-plan.ts: a person already here by name gets only the faces it lacks).
	 * With `replace`, the same transaction first deletes everyone already there (`removed`).
	 * Thumbnails are dropped unless the gallery keeps them.
	 */
	importAll(doc: GalleryExport, options?: { replace?: boolean }): ImportResult;
	close(): void;
}

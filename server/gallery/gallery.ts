import type { GalleryEntry } from './matcher.ts';

export type Person = { id: string; name: string; faces: number };

/** Versioned document of `GET /api/export` and `POST /api/import`. */
export type GalleryExport = {
	format: 'facertc-gallery';
	version: 1;
	model: string;
	dim: number;
	people: Array<{ name: string; faces: Array<{ embedding: number[] }> }>;
};

/** The gallery port: people and their face embeddings. Writes are transactional. */
export interface Gallery {
	listPeople(): Person[];
	getPerson(id: string): Person | null;
	addPerson(name: string): Person;
	/** Throws AppError('not-found') for an unknown person. */
	addFace(personId: string, embedding: Float32Array): { faceId: string };
	deletePerson(id: string): boolean;
	/** Every embedding of the current model, for matching; cached until the next write. */
	entries(): readonly GalleryEntry[];
	exportAll(): GalleryExport;
	/** Adds every person of a validated document in one transaction; returns how many. */
	importAll(doc: GalleryExport): number;
	close(): void;
}

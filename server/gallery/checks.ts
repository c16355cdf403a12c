/**
 * What every store checks before a write, the same way: embeddings of the gallery's model and
 * size, JPEG thumbnails within bounds, an import document converted and checked whole before its
 * first row is written. Pure: no driver here.
 */
import { AppError } from '../../src/lib/protocol/errors.ts';
import { badEmbedding, badThumbnail, modelMismatch } from '../../src/lib/protocol/gallery-doc.ts';
import { nameTakenMessage, sameName } from '../../src/lib/protocol/names.ts';
import { FACE_SOURCES, type FaceSource } from '../../src/lib/protocol/rest.ts';
import { MAX_THUMBNAIL_BYTES, type GalleryExport, type NewFace } from './gallery.ts';
import { DocError } from './import-plan.ts';

const isJpeg = (b: Uint8Array) => b.byteLength > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

export function checkThumbnail(thumbnail: Uint8Array, where = 'thumbnail'): void {
	if (thumbnail.byteLength > MAX_THUMBNAIL_BYTES) {
		throw new AppError('bad-request', `${where}: over ${MAX_THUMBNAIL_BYTES / 1024} KB`);
	}
	if (!isJpeg(thumbnail)) throw new AppError('bad-request', `${where}: not a JPEG`);
}

/** `where` names the embedding's place in an import document, for the message. */
export function checkEmbedding(embedding: Float32Array, dim: number, where?: string): void {
	if (embedding.length !== dim || !embedding.every(Number.isFinite)) {
		throw new AppError('bad-request', `${where ? `${where}.embedding: ` : 'embedding '}must be ${dim} finite numbers`);
	}
}

export function checkFaces(faces: readonly NewFace[], dim: number): void {
	if (faces.length === 0) throw new AppError('bad-request', 'no faces to store');
	for (const face of faces) {
		checkEmbedding(face.embedding, dim);
		if (face.thumbnail) checkThumbnail(face.thumbnail);
	}
}

/**
 * AppError('conflict') when somebody but `except` already has this name (names.ts: case, width and
 * invisible characters aside). The stores call it inside the write's own transaction, so two
 * requests (or two servers) naming two people alike at once cannot both succeed.
 */
export function assertNameFree(people: ReadonlyArray<{ id: string; name: string }>, name: string, except?: string): void {
	const taken = sameName(people, name, except);
	if (taken) throw new AppError('conflict', nameTakenMessage(taken.name));
}

export type ImportedPerson = { name: string; faces: NewFace[] };

/**
 * The people of an import document as faces to store (source `import`, their pose kept); throws a
 * DocError naming the first fault in words, before any write.
 */
export function prepareImport(doc: GalleryExport, model: string, dim: number): ImportedPerson[] {
	if (doc.model !== model || doc.dim !== dim) throw new DocError(modelMismatch(doc, { model, dim }));
	return doc.people.map((person, i) => ({
		name: person.name,
		faces: person.faces.map((face, j): NewFace => {
			const embedding = Float32Array.from(face.embedding);
			try {
				checkEmbedding(embedding, dim);
			} catch {
				throw new DocError(badEmbedding(doc, i, j, dim));
			}
			const imported: NewFace = { embedding, yaw: storedYaw(face.yaw), source: 'import' };
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
}

/** A stored or given yaw as the stores keep it: a finite number, or null (unknown). */
export const storedYaw = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
/** A stored source read back: anything unexpected (a hand-edited row) reads as unknown. */
export const storedSource = (value: unknown): FaceSource | null => ((FACE_SOURCES as readonly unknown[]).includes(value) ? (value as FaceSource) : null);

/** Float32 little-endian bytes, as stored (a view: no copy). */
export function toBytes(embedding: Float32Array): Buffer {
	return Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
}

/** The embedding stored as `bytes`. Copied: a driver's Buffer need not be 4-byte aligned. */
export function fromBytes(bytes: Uint8Array): Float32Array {
	const copy = new Uint8Array(bytes.byteLength);
	copy.set(bytes);
	return new Float32Array(copy.buffer);
}

/** Builds the export document from people (in listing order) and their faces (oldest first). */
export function exportDocument(
	model: string,
	dim: number,
	people: ReadonlyArray<{ id: string; name: string }>,
	faces: Iterable<{ personId: string; embedding: Uint8Array; thumbnail: Uint8Array | null; yaw: unknown }>
): GalleryExport {
	const byPerson = new Map<string, GalleryExport['people'][number]>();
	for (const person of people) byPerson.set(person.id, { name: person.name, faces: [] });
	for (const row of faces) {
		const face: GalleryExport['people'][number]['faces'][number] = { embedding: Array.from(fromBytes(row.embedding)) };
		if (row.thumbnail) face.thumbnail = Buffer.from(row.thumbnail).toString('base64');
		const yaw = storedYaw(row.yaw);
		if (yaw !== null) face.yaw = yaw;
		byPerson.get(row.personId)?.faces.push(face);
	}
	return { format: 'facertc-gallery', version: 1, model, dim, people: [...byPerson.values()] };
}

/**
 * The gallery export document (`GET /api/export`, `POST /api/import`): its schema, read by the
 * server before an import and by the People page before it sends a file, and what is wrong with a
 * document in words a person can act on (not validator output).
 */
import * as v from 'valibot';
import { MAX_NAME_CHARS, checkName } from './names.ts';

export const GALLERY_FORMAT = 'facertc-gallery';
export const GALLERY_VERSION = 1;
/** Largest thumbnail stored or imported, bytes (a 96 px JPEG is ~3 KB). */
export const MAX_THUMBNAIL_BYTES = 32 * 1024;
export const MAX_IMPORT_PEOPLE = 100_000;
export const MAX_FACES_PER_PERSON = 1000;
/** Longest embedding a document may hold; the server then checks it against its own model's. */
const MAX_EMBEDDING_DIM = 4096;

/** The name rule of names.ts; its message says what is wrong. */
const Name = v.pipe(
	v.string('the name is missing'),
	v.rawTransform(({ dataset, addIssue, NEVER }) => {
		const checked = checkName(dataset.value);
		if (checked.ok) return checked.name;
		addIssue({ message: `the ${checked.message}` });
		return NEVER;
	})
);
const Embedding = v.pipe(v.array(v.pipe(v.number(), v.finite())), v.minLength(1), v.maxLength(MAX_EMBEDDING_DIM));
const Thumbnail = v.pipe(v.string(), v.maxLength(Math.ceil((MAX_THUMBNAIL_BYTES * 4) / 3) + 4), v.regex(/^[A-Za-z0-9+/]*={0,2}$/));
const Yaw = v.pipe(v.number(), v.finite(), v.minValue(-10), v.maxValue(10));
const DocFace = v.object({ embedding: Embedding, thumbnail: v.optional(Thumbnail), yaw: v.optional(v.nullable(Yaw)) });
/** Negative examples ("Not <name>" on the live page) a person may carry, at most. */
export const MAX_NEGATIVES_PER_PERSON = 1000;
/** Groups of unknown faces a document may carry (only when exported with them), and faces per group. */
export const MAX_IMPORT_UNKNOWN_GROUPS = 10_000;
export const MAX_IMPORT_UNKNOWN_FACES = 100;
const Time = v.pipe(v.number(), v.integer(), v.minValue(0));
const UnknownGroupDoc = v.object({
	faces: v.pipe(v.array(v.object({ embedding: Embedding, at: Time, thumbnail: v.optional(Thumbnail) })), v.minLength(1), v.maxLength(MAX_IMPORT_UNKNOWN_FACES))
});

export const GalleryDoc = v.strictObject({
	format: v.literal(GALLERY_FORMAT),
	version: v.literal(GALLERY_VERSION),
	model: v.string(),
	dim: v.pipe(v.number(), v.integer(), v.minValue(1)),
	people: v.pipe(
		v.array(
			v.object({
				name: Name,
				faces: v.pipe(v.array(DocFace), v.maxLength(MAX_FACES_PER_PERSON)),
				negatives: v.optional(v.pipe(v.array(Embedding), v.maxLength(MAX_NEGATIVES_PER_PERSON)))
			})
		),
		v.maxLength(MAX_IMPORT_PEOPLE)
	),
	unknowns: v.optional(v.pipe(v.array(UnknownGroupDoc), v.maxLength(MAX_IMPORT_UNKNOWN_GROUPS)))
});
/**
 * `thumbnail`: base64 JPEG, only when the exporting gallery kept thumbnails; `yaw` when measured.
 * `negatives`: faces said not to be that person (issue 11). `unknowns`: groups of faces nobody
 * named yet, only in an export asked for with them (`GET /api/export?unknowns=1`).
 */
export type GalleryExport = v.InferOutput<typeof GalleryDoc>;

/** What is wrong with a document: a sentence for people, and the path of the fault for tools. */
export type DocProblem = { message: string; where: string };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** "person 3 (“Ann”)": 1-based, with the name when the document has a readable one. */
export function personLabel(doc: unknown, index: number): string {
	const people = isRecord(doc) && Array.isArray(doc.people) ? doc.people : [];
	const entry: unknown = people[index];
	const name = isRecord(entry) && typeof entry.name === 'string' && checkName(entry.name).ok ? entry.name.trim() : '';
	return name ? `person ${index + 1} (“${name}”)` : `person ${index + 1}`;
}

/** The first problem of `doc` in plain words, or null when it is a valid document. */
export function checkGalleryDoc(doc: unknown): DocProblem | null {
	const result = v.safeParse(GalleryDoc, doc);
	if (result.success) return null;
	return explainIssue(result.issues[0], doc);
}

function explainIssue(issue: v.BaseIssue<unknown> | undefined, doc: unknown): DocProblem {
	const path = (issue?.path ?? []).map((p) => p.key as string | number);
	const where = path.join('.');
	const notOurs = { message: 'This is not a FaceRTC gallery export.', where };
	if (!isRecord(doc)) return { ...notOurs, where: '' };
	const [top, i, field, j, faceField] = path;
	switch (top) {
		case undefined:
			return notOurs;
		case 'format':
			return notOurs;
		case 'version':
			return {
				message: `This gallery export is format version ${String(doc.version)}; this server reads version ${GALLERY_VERSION}. Export it again from a FaceRTC of the same version.`,
				where
			};
		case 'model':
		case 'dim':
			return { message: 'This gallery export does not say which face model made it, so its faces cannot be used.', where };
		case 'people':
			break;
		case 'unknowns':
			return typeof i === 'number'
				? { message: `unknown group ${i + 1}: its faces are missing, damaged or more than ${MAX_IMPORT_UNKNOWN_FACES}.`, where }
				: { message: `The unknown faces in this file are damaged or more than ${MAX_IMPORT_UNKNOWN_GROUPS.toLocaleString('en')} groups.`, where };
		default:
			// strictObject: a key this version does not know.
			return {
				message: `This file has fields a FaceRTC gallery export does not (${unknownKeys(doc).join(', ')}): it is another kind of file, or from a newer FaceRTC.`,
				where
			};
	}
	if (typeof i !== 'number') {
		return Array.isArray(doc.people)
			? { message: `This gallery export holds more than ${MAX_IMPORT_PEOPLE.toLocaleString('en')} people, more than one import takes.`, where }
			: { message: 'This gallery export holds no list of people.', where };
	}
	const who = personLabel(doc, i);
	if (field === 'negatives') return { message: `${who}: the faces said not to be them are damaged or more than ${MAX_NEGATIVES_PER_PERSON}.`, where };
	if (field === 'name') return { message: `${who}: ${issue?.message ?? `the name is missing or longer than ${MAX_NAME_CHARS} characters`}.`, where };
	if (field !== 'faces' || typeof j !== 'number') {
		return field === 'faces' && issue?.type === 'max_length'
			? { message: `${who} has more than ${MAX_FACES_PER_PERSON} faces, more than one person may have.`, where }
			: { message: `${who}: the list of faces is missing or damaged.`, where };
	}
	const face = `${who}, face ${j + 1}`;
	if (faceField === 'thumbnail') return { message: `${face}: the picture is damaged or larger than ${MAX_THUMBNAIL_BYTES / 1024} KB.`, where };
	if (faceField === 'yaw') return { message: `${face}: the head pose is not a number.`, where };
	return { message: `${face}: the face data is damaged (it should be a list of numbers).`, where };
}

function unknownKeys(doc: Record<string, unknown>): string[] {
	const known = new Set(['format', 'version', 'model', 'dim', 'people', 'unknowns']);
	return Object.keys(doc)
		.filter((k) => !known.has(k))
		.slice(0, 3)
		.map((k) => `“${k.slice(0, 30)}”`);
}

/** The server's embedding model differs from the document's: its faces cannot be compared. */
export function modelMismatch(doc: { model: string; dim: number }, server: { model: string; dim: number }): DocProblem {
	return {
		message:
			`This gallery export was made with another face model (${doc.model}, ${doc.dim} numbers a face); this server uses ` +
			`${server.model} (${server.dim}). Faces of two models cannot be compared: enrol these people again here instead.`,
		where: doc.model !== server.model ? 'model' : 'dim'
	};
}

/** An embedding of the wrong length (or not finite) at people[i].faces[j]. */
export function badEmbedding(doc: unknown, i: number, j: number, dim: number): DocProblem {
	return {
		message: `${personLabel(doc, i)}, face ${j + 1}: the face data is damaged (it should be ${dim} numbers).`,
		where: `people.${i}.faces.${j}.embedding`
	};
}

/** A thumbnail that is not a JPEG (or too large once decoded) at people[i].faces[j]. */
export function badThumbnail(doc: unknown, i: number, j: number): DocProblem {
	return {
		message: `${personLabel(doc, i)}, face ${j + 1}: the picture is damaged or not a JPEG.`,
		where: `people.${i}.faces.${j}.thumbnail`
	};
}

/** How the API reads requests: body schemas, validation into coded errors, image bodies. */
import express, { type Request, type RequestHandler } from 'express';
import * as v from 'valibot';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { checkName } from '../../src/lib/protocol/names.ts';
import { IMAGE_TYPES } from '../../src/lib/protocol/rest.ts';
import { MAX_THUMBNAIL_BYTES } from '../gallery/gallery.ts';
import { MAX_IMAGES_PER_REQUEST } from './enrol.ts';

/** A person's name: the shared rule of src/lib/protocol/names.ts; the output is the name to store. */
const Name = v.pipe(
	v.string('name must be text'),
	v.rawTransform(({ dataset, addIssue, NEVER }) => {
		const checked = checkName(dataset.value);
		if (checked.ok) return checked.name;
		addIssue({ message: checked.message });
		return NEVER;
	})
);
const Images = v.pipe(
	v.array(v.string('each image must be a base64 string')),
	v.minLength(1, 'no images'),
	v.maxLength(MAX_IMAGES_PER_REQUEST, `at most ${MAX_IMAGES_PER_REQUEST} images at once`)
);
export const NewPerson = v.object({ name: Name, images: v.optional(Images) });
export const NewFaces = v.object({ images: Images });
export const Rename = v.object({ name: Name });
export const SettingsPatch = v.strictObject({ keepThumbnails: v.optional(v.boolean()) });
const Embedding = v.pipe(v.array(v.pipe(v.number(), v.finite())), v.minLength(1), v.maxLength(4096));
const Base64 = v.pipe(
	v.string(),
	v.maxLength(Math.ceil((MAX_THUMBNAIL_BYTES * 4) / 3) + 4, 'thumbnail too large'),
	v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'thumbnail is not base64')
);
export const ExportDoc = v.strictObject({
	format: v.literal('facertc-gallery'),
	version: v.literal(1),
	model: v.string(),
	dim: v.pipe(v.number(), v.integer(), v.minValue(1)),
	people: v.pipe(
		v.array(
			v.object({
				name: Name,
				faces: v.pipe(v.array(v.object({ embedding: Embedding, thumbnail: v.optional(Base64) })), v.maxLength(1000))
			})
		),
		v.maxLength(100_000)
	)
});

function issueText(issues: v.BaseIssue<unknown>[]): string {
	const first = issues[0];
	if (!first) return 'invalid';
	const path = first.path?.map((p) => String(p.key)).join('.') ?? '';
	return path ? `${path}: ${first.message}` : first.message;
}

export function parseBody<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
	const result = v.safeParse(schema, body);
	if (!result.success) throw new AppError('bad-request', issueText(result.issues));
	return result.output;
}

export const contentType = (req: Request) => (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** Reads one image body: 415 for other types (before reading), 413 past the limit. */
export function imageBody(maxBytes: number): RequestHandler[] {
	return [
		(req, _res, next) => {
			const type = contentType(req);
			if (!IMAGE_TYPES.includes(type)) {
				return next(new AppError('unsupported-media-type', `send ${IMAGE_TYPES.join(', ')}; got "${type || 'nothing'}"`));
			}
			next();
		},
		express.raw({ type: () => true, limit: maxBytes }),
		(req, _res, next) => {
			if (!Buffer.isBuffer(req.body) || req.body.byteLength === 0) {
				return next(new AppError('bad-image', 'empty body'));
			}
			next();
		}
	];
}

export const bytesOf = (req: Request) => new Uint8Array(req.body as Buffer);

/** Wraps an async handler so a rejection reaches the error middleware. */
export const handle =
	(fn: (req: Request, res: express.Response) => Promise<void> | void): RequestHandler =>
	(req, res, next) => {
		Promise.resolve()
			.then(() => fn(req, res))
			.catch(next);
	};

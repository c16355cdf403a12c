/** How the API reads requests: body schemas, validation into coded errors, image bodies. */
import express, { type Request, type RequestHandler } from 'express';
import * as v from 'valibot';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { checkName } from '../../src/lib/protocol/names.ts';
import { IMAGE_TYPES, describeIssues } from '../../src/lib/protocol/rest.ts';
import { MAX_IMAGES_PER_REQUEST } from './enrol/images.ts';

/** A person's name: the shared rule of src/lib/protocol/names.ts; the output is the name to store. */
export const Name = v.pipe(
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
/** How the People page took the images (stored with each face); tools may leave it out. */
const Source = v.optional(v.picklist(['camera', 'photo']));
export const NewPerson = v.object({ name: Name, images: v.optional(Images), source: Source });
export const NewFaces = v.object({ images: Images, source: Source });
export const Rename = v.object({ name: Name });
export const SettingsPatch = v.strictObject({ keepThumbnails: v.optional(v.boolean()), rememberUnknowns: v.optional(v.boolean()) });
export function parseBody<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
	const result = v.safeParse(schema, body);
	if (!result.success) throw new AppError('bad-request', describeIssues(result.issues));
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

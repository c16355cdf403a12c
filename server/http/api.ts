/** The REST API of DESIGN.md. Every handler validates its input and answers `{ error, code }` on failure. */
import express, { type Request, type RequestHandler } from 'express';
import * as v from 'valibot';
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { Gallery, GalleryExport } from '../gallery/gallery.ts';
import { findMatch } from '../gallery/matcher.ts';
import type { Metrics } from '../metrics.ts';
import type { PhotoAnalysis } from '../embed/types.ts';
import { requireToken } from './auth.ts';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export type ApiDeps = {
	gallery: Gallery;
	analyzePhoto(bytes: Uint8Array): Promise<PhotoAnalysis>;
	matchThreshold: number;
	adminToken: string | null;
	maxUploadBytes: number;
	clientConfig: () => object;
	metrics: Metrics;
};

const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'name is empty'), v.maxLength(64, 'name over 64 characters'));
const NewPerson = v.object({ name: Name });
const Embedding = v.pipe(v.array(v.pipe(v.number(), v.finite())), v.minLength(1), v.maxLength(4096));
const ExportDoc = v.strictObject({
	format: v.literal('facertc-gallery'),
	version: v.literal(1),
	model: v.string(),
	dim: v.pipe(v.number(), v.integer(), v.minValue(1)),
	people: v.pipe(
		v.array(v.object({ name: Name, faces: v.pipe(v.array(v.object({ embedding: Embedding })), v.maxLength(1000)) })),
		v.maxLength(100_000)
	)
});

function issueText(issues: v.BaseIssue<unknown>[]): string {
	const first = issues[0];
	if (!first) return 'invalid';
	const path = first.path?.map((p) => String(p.key)).join('.') ?? '';
	return path ? `${path}: ${first.message}` : first.message;
}

function parseBody<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
	const result = v.safeParse(schema, body);
	if (!result.success) throw new AppError('bad-request', issueText(result.issues));
	return result.output;
}

/** Reads one image body: 415 for other types (before reading), 413 past the limit. */
function imageBody(maxBytes: number): RequestHandler[] {
	return [
		(req, _res, next) => {
			const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
			if (!(IMAGE_TYPES as readonly string[]).includes(type)) {
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

const bytesOf = (req: Request) => new Uint8Array(req.body as Buffer);

/** Wraps an async handler so a rejection reaches the error middleware. */
const handle =
	(fn: (req: Request, res: express.Response) => Promise<void> | void): RequestHandler =>
	(req, res, next) => {
		Promise.resolve()
			.then(() => fn(req, res))
			.catch(next);
	};

export function createApi(deps: ApiDeps): express.Router {
	const { gallery, metrics } = deps;
	const admin = requireToken(deps.adminToken);
	const api = express.Router();
	const json = express.json({ limit: deps.maxUploadBytes });

	api.get('/config', (_req, res) => {
		res.json(deps.clientConfig());
	});

	api.get('/people', (_req, res) => {
		res.json(gallery.listPeople());
	});

	api.post(
		'/people',
		admin,
		json,
		handle((req, res) => {
			const { name } = parseBody(NewPerson, req.body);
			const person = gallery.addPerson(name);
			res.status(201).json({ id: person.id, name: person.name });
		})
	);

	api.post(
		'/people/:id/faces',
		admin,
		(req, _res, next) => next(gallery.getPerson(req.params.id ?? '') ? undefined : new AppError('not-found', 'no such person')),
		...imageBody(deps.maxUploadBytes),
		handle(async (req, res) => {
			const { faces } = await deps.analyzePhoto(bytesOf(req));
			if (faces.length === 0) throw new AppError('no-face', 'no face found in the image');
			if (faces.length > 1) throw new AppError('several-faces', `${faces.length} faces found; send a photo of one face`);
			const descriptor = faces[0]?.descriptor;
			if (!descriptor) throw new AppError('no-face', 'the face is too small or unclear to enrol');
			const { faceId } = gallery.addFace(req.params.id ?? '', descriptor);
			metrics.inc('facertc_enrolments_total', 'Faces enrolled');
			res.status(201).json({ faceId });
		})
	);

	api.delete('/people/:id', admin, (req, res, next) => {
		if (!gallery.deletePerson(req.params.id ?? '')) return next(new AppError('not-found', 'no such person'));
		res.status(204).end();
	});

	api.post(
		'/recognize',
		...imageBody(deps.maxUploadBytes),
		handle(async (req, res) => {
			const { faces } = await deps.analyzePhoto(bytesOf(req));
			const entries = gallery.entries();
			res.json({
				faces: faces.map((face) => {
					const match = face.descriptor
						? findMatch(face.descriptor, entries, deps.matchThreshold)
						: { label: 'unknown', distance: null, personId: null, confidence: 0 };
					return { box: face.box, score: face.score, ...match };
				})
			});
		})
	);

	api.get('/export', admin, (_req, res) => {
		res.setHeader('content-disposition', 'attachment; filename="facertc-gallery.json"');
		res.json(gallery.exportAll());
	});

	api.post(
		'/import',
		admin,
		json,
		handle((req, res) => {
			const doc = parseBody(ExportDoc, req.body) as GalleryExport;
			res.json({ imported: gallery.importAll(doc) });
		})
	);

	api.use((_req, _res, next) => next(new AppError('not-found', 'no such endpoint')));
	return api;
}

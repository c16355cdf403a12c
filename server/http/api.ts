/** The REST API of DESIGN.md. Every handler validates its input and answers `{ error, code }` on failure. */
import express, { type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { checkGalleryDoc, type GalleryExport } from '../../src/lib/protocol/gallery-doc.ts';
import { nameTakenMessage } from '../../src/lib/protocol/names.ts';
import { FACES_HEADER, parsePeoplePageQuery, peoplePagePath, TOTAL_HEADER } from '../../src/lib/protocol/people-page.ts';
import { type FaceInfo, type FaceSource, type ImportResult, type PersonInfo, type SettingsInfo } from '../../src/lib/protocol/rest.ts';
import type { Gallery, NewFace, PersonListing } from '../gallery/gallery.ts';
import { DocError } from '../gallery/import-plan.ts';
import { findMatch, NO_MATCH, type Match } from '../gallery/matcher.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { PhotoAnalysis } from '../embed/types.ts';
import type { LearningImport } from '../learn/store.ts';
import type { LearnImportResult } from '../learn/transfer.ts';
import { clientAddress } from '../client-address.ts';
import { isAuthorized, requireToken, type TokenCheck } from './auth.ts';
import { DetailedError } from './errors.ts';
import { facesOf, type FaceFinder } from './enrol/faces.ts';
import { decodeBase64Image, MAX_IMAGES_PER_REQUEST } from './enrol/images.ts';
import { askQuestions } from './enrol/questions.ts';
import type { RestLimiter } from './rate-limits.ts';
import { NewFaces, NewPerson, Rename, SettingsPatch, bytesOf, contentType, handle, imageBody, parseBody } from './request.ts';

/** An import's learning parts, checked: planned in the import's transaction, reloaded after it. */
type LearningParts = LearningImport & { committed(): Promise<void> };

export type ApiDeps = {
	gallery: Gallery;
	/**
	 * `recognize`: a REST recognition, served before enrolment (`enrol`, the default) when the
	 * server is busy. `client`: whose queue it waits in (the scheduler serves clients in turn).
	 */
	analyzePhoto(bytes: Uint8Array, priority?: 'recognize' | 'enrol', client?: string): Promise<PhotoAnalysis>;
	/** Whether X-Forwarded-For names the client (TRUST_PROXY), for the address a recognition queues under. */
	trustProxy?: boolean;
	matchThreshold: number;
	/** Reading and changing the gallery. */
	adminCheck: TokenCheck;
	/** Recognition (`/api/recognize`); null when it is open (OPEN_RECOGNITION=1). */
	recognizeCheck: TokenCheck | null;
	/** Per-address rate limits for the costly routes. */
	limit: RestLimiter;
	maxUploadBytes: number;
	/** The embedding model in use, and who must be enrolled again after a model change (gallery/model-change.ts). */
	model?: () => { embeddingModel: string; reEnrol: ReadonlyArray<{ id: string; name: string; faces: number }> };
	clientConfig: () => object;
	metrics: Metrics;
	/** Audit lines for gallery changes (ids and counts, never names or pixels). */
	log: Logger;
	/** Learning (issue 11): its routes (learn-api.ts), negatives on `/recognize`, its settings. */
	learning?: {
		router: express.Router;
		refine(embedding: Float32Array, match: Match): Match;
		settings(): Promise<{ rememberUnknowns: boolean; retentionDays: number; sightings: boolean }>;
		/** After a settings change (rememberUnknowns stored here; thumbnails off drops the unknown faces' too). */
		update(patch: { rememberUnknowns?: boolean; keepThumbnails?: boolean }): Promise<void>;
		/** The export with every person's negatives, and the unknown groups when asked (learn/transfer.ts). */
		exportWith(doc: GalleryExport, options: { unknowns: boolean }): Promise<GalleryExport>;
		/**
		 * Checks the document's learning parts now (throws DocError, writes nothing): null when it has
		 * none, else the planner the import's transaction runs, and what to reload once it committed.
		 */
		prepareImport(doc: GalleryExport): LearningParts | null;
	};
};

const dataUrl = (jpeg: Uint8Array) => `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
const personInfo = ({ thumbnail, ...person }: PersonListing): PersonInfo => (thumbnail ? { ...person, thumbnail: dataUrl(thumbnail) } : person);

/**
 * Sends `rows` as JSON with an ETag over the body and the page's headers together: a page asked
 * again comes back 304 only when its totals and Link are unchanged too (Express's own tag covers
 * the body alone, and the first page's rows stay the same while someone is added further on).
 */
function sendPage(res: Response, rows: unknown, headers: Record<string, string>): void {
	const body = JSON.stringify(rows);
	const hash = createHash('sha1').update(body);
	for (const [name, value] of Object.entries(headers)) {
		res.setHeader(name, value);
		hash.update(`\n${name}: ${value}`);
	}
	res.setHeader('etag', `W/"${hash.digest('base64url')}"`);
	res.type('application/json').send(body);
}

export function createApi(deps: ApiDeps): express.Router {
	const { gallery, metrics, adminCheck, recognizeCheck, limit } = deps;
	const log = (msg: string) => deps.log.info(msg);
	const admin = requireToken(adminCheck, 'the gallery needs the admin token');
	const api = express.Router();
	const json = express.json({ limit: deps.maxUploadBytes });
	// Base64 grows bytes by a third: the images of one request may hold MAX_UPLOAD_MB in all.
	const jsonImages = express.json({ limit: Math.ceil((deps.maxUploadBytes * 4) / 3) + 64 * 1024 });
	const finder = async (): Promise<FaceFinder> => ({ analyzePhoto: deps.analyzePhoto, thumbnails: (await gallery.settings()).keepThumbnails });
	const decodeAll = (images: readonly string[]) => images.map((text, i) => decodeBase64Image(text, i, deps.maxUploadBytes));
	const from = (source: FaceSource | undefined) => (faces: NewFace[]) => faces.map((face) => ({ ...face, source: source ?? 'api' }));

	function checkConflict(req: Request, faces: readonly NewFace[], owner: { id: string; name: string } | null): void {
		askQuestions({ force: req.query.force, faces, entries: gallery.entries(), threshold: deps.matchThreshold, owner });
	}

	function enrolled(faces: number): void {
		metrics.enrolments.inc(faces);
	}

	/**
	 * 409 when somebody else already has this name (src/lib/protocol/names.ts): said before the slow
	 * face analysis. The store checks again inside the write's own transaction (checks.ts), which is
	 * what keeps two requests or two servers from both taking one name.
	 */
	async function assertNameFree(name: string, except?: string): Promise<void> {
		const taken = await gallery.findByName(name);
		if (taken && taken.id !== except) throw new AppError('conflict', nameTakenMessage(taken.name));
	}

	async function personOr404(req: Request) {
		const person = await gallery.getPerson(req.params.id ?? '');
		if (!person) throw new AppError('not-found', 'no such person');
		return person;
	}

	api.get('/config', (_req, res) => {
		res.json(deps.clientConfig());
	});

	const settingsOf = async (req: Request): Promise<SettingsInfo> => ({
		...(await gallery.settings()),
		...(deps.learning ? await deps.learning.settings() : {}),
		adminTokenRequired: adminCheck !== null,
		recognizeTokenRequired: recognizeCheck !== null,
		authorized: isAuthorized(adminCheck, req),
		maxUploadBytes: deps.maxUploadBytes,
		maxImagesPerRequest: MAX_IMAGES_PER_REQUEST,
		// Names only for callers who may see the gallery.
		...(deps.model && isAuthorized(adminCheck, req) ? deps.model() : {})
	});

	api.get(
		'/settings',
		handle(async (req, res) => {
			res.json(await settingsOf(req));
		})
	);

	api.patch(
		'/settings',
		admin,
		json,
		handle(async (req, res) => {
			const patch = parseBody(SettingsPatch, req.body);
			const settings = await gallery.updateSettings(patch.keepThumbnails === undefined ? {} : { keepThumbnails: patch.keepThumbnails });
			await deps.learning?.update(patch);
			log(`gallery: settings ${JSON.stringify({ ...settings, ...(patch.rememberUnknowns !== undefined && { rememberUnknowns: patch.rememberUnknowns }) })}`);
			res.json(await settingsOf(req));
		})
	);

	// Without limit, after or q: everyone at once, as before paging (the DESIGN.md contract tools
	// rely on). With them: one page (src/lib/protocol/people-page.ts), the next in the Link header.
	api.get(
		'/people',
		admin,
		handle(async (req, res) => {
			const asked = parsePeoplePageQuery(req.query);
			if (!asked.ok) throw new AppError('bad-request', asked.message);
			const thumbnails = (await gallery.settings()).keepThumbnails;
			if (asked.name !== null) {
				// Whether a typed name is someone's, whoever the pages listed so far (the People page's enrol
				// form). Their row is the first after (their name, ''): no two people's names fold alike.
				const found = await gallery.findByName(asked.name);
				const page = found ? await gallery.pagePeople({ limit: 1, after: { name: found.name, id: '' }, q: '', thumbnails }) : null;
				res.json((page?.people ?? []).filter((p) => p.id === found?.id).map(personInfo));
				return;
			}
			if (!asked.page) {
				res.json((await gallery.listPeople({ thumbnails })).map(personInfo));
				return;
			}
			const query = asked.page;
			const page = await gallery.pagePeople({ ...query, thumbnails });
			const headers: Record<string, string> = { [TOTAL_HEADER]: String(page.total) };
			if (page.faces !== undefined) headers[FACES_HEADER] = String(page.faces);
			if (page.next) headers.link = `<${peoplePagePath(`${req.baseUrl}${req.path}`, { ...query, after: page.next })}>; rel="next"`;
			sendPage(res, page.people.map(personInfo), headers);
		})
	);

	api.post(
		'/people',
		admin,
		limit('enrol'),
		jsonImages,
		handle(async (req, res) => {
			const { name, images, source } = parseBody(NewPerson, req.body);
			await assertNameFree(name);
			if (!images) {
				const person = await gallery.addPerson(name);
				log(`gallery: added person ${person.id} without faces`);
				res.status(201).json({ id: person.id, name: person.name });
				return;
			}
			const faces = from(source)(await facesOf(decodeAll(images), await finder()));
			checkConflict(req, faces, null);
			const { person, faceIds } = await gallery.enrolPerson(name, faces);
			enrolled(faceIds.length);
			log(`gallery: enrolled person ${person.id} with ${faceIds.length} face(s)`);
			res.status(201).json({ id: person.id, name: person.name, faceIds });
		})
	);

	api.get(
		'/people/:id',
		admin,
		handle(async (req, res) => {
			res.json(await personOr404(req));
		})
	);

	api.patch(
		'/people/:id',
		admin,
		json,
		handle(async (req, res) => {
			const { name } = parseBody(Rename, req.body);
			await personOr404(req);
			const person = await gallery.renamePerson(req.params.id ?? '', name);
			if (!person) throw new AppError('not-found', 'no such person');
			log(`gallery: renamed person ${person.id}`);
			res.json(person);
		})
	);

	api.get(
		'/people/:id/faces',
		admin,
		handle(async (req, res) => {
			const faces = await gallery.listFaces(req.params.id ?? '');
			if (!faces) throw new AppError('not-found', 'no such person');
			res.json(faces.map(({ thumbnail, ...face }): FaceInfo => (thumbnail ? { ...face, thumbnail: dataUrl(thumbnail) } : face)));
		})
	);

	// Two bodies on one path: JSON { images: [base64…] } → { faceIds } here (with the questions);
	// anything else goes on to the next route, the DESIGN.md one: one image body → { faceId }.
	api.post(
		'/people/:id/faces',
		admin,
		limit('enrol'),
		// Before reading a body of up to MAX_UPLOAD_MB.
		(req, _res, next) => {
			gallery.getPerson(req.params.id ?? '').then((person) => next(person ? undefined : new AppError('not-found', 'no such person')), next);
		},
		(req, _res, next) => (contentType(req) === 'application/json' ? next() : next('route')),
		jsonImages,
		handle(async (req, res) => {
			const person = await personOr404(req);
			const { images, source } = parseBody(NewFaces, req.body);
			const faces = from(source)(await facesOf(decodeAll(images), await finder()));
			checkConflict(req, faces, person);
			const { faceIds } = await gallery.addFaces(person.id, faces);
			enrolled(faceIds.length);
			log(`gallery: added ${faceIds.length} face(s) to person ${person.id}`);
			res.status(201).json({ faceIds });
		})
	);
	// The DESIGN.md route that other tools rely on: `{ faceId }`, or 422 when there is not one face.
	// It stores what it is given and asks no questions (no 409): the JSON routes above, which the
	// People page uses, are the ones that check for duplicates and mix-ups.
	api.post(
		'/people/:id/faces',
		admin,
		limit('enrol'),
		...imageBody(deps.maxUploadBytes),
		handle(async (req, res) => {
			const person = await personOr404(req);
			const faces = from('api')(await facesOf([bytesOf(req)], await finder(), { single: true }));
			const { faceIds } = await gallery.addFaces(person.id, faces);
			enrolled(1);
			log(`gallery: added 1 face to person ${person.id}`);
			res.status(201).json({ faceId: faceIds[0] });
		})
	);

	api.delete(
		'/people/:id/faces/:faceId',
		admin,
		handle(async (req, res) => {
			if (!(await gallery.deleteFace(req.params.id ?? '', req.params.faceId ?? ''))) throw new AppError('not-found', 'no such face');
			log(`gallery: deleted face ${req.params.faceId} of person ${req.params.id}`);
			res.status(204).end();
		})
	);

	api.delete(
		'/people/:id',
		admin,
		handle(async (req, res) => {
			if (!(await gallery.deletePerson(req.params.id ?? ''))) throw new AppError('not-found', 'no such person');
			log(`gallery: deleted person ${req.params.id}`);
			res.status(204).end();
		})
	);

	api.post(
		'/recognize',
		requireToken(recognizeCheck, 'recognition needs a paired device: the recognize token or the admin token'),
		limit('recognize'),
		...imageBody(deps.maxUploadBytes),
		handle(async (req, res) => {
			// Each address waits in its own queue: one caller's photos cannot crowd out the others'.
			const { faces } = await deps.analyzePhoto(bytesOf(req), 'recognize', `rest:${clientAddress(req, deps.trustProxy ?? false)}`);
			const entries = gallery.entries();
			res.json({
				faces: faces.map((face) => {
					const found = face.descriptor ? findMatch(face.descriptor, entries, deps.matchThreshold) : NO_MATCH;
					const match = face.descriptor && deps.learning ? deps.learning.refine(face.descriptor, found) : found;
					return { box: face.box, score: face.score, ...match };
				})
			});
		})
	);

	api.get(
		'/export',
		admin,
		handle(async (req, res) => {
			const unknowns = req.query.unknowns === '1' || req.query.unknowns === 'true';
			const people = await gallery.exportAll();
			const doc = deps.learning ? await deps.learning.exportWith(people, { unknowns }) : people;
			res.setHeader('content-disposition', 'attachment; filename="facertc-gallery.json"');
			res.json(doc);
		})
	);

	api.post(
		'/import',
		admin,
		limit('import'),
		json,
		handle(async (req, res) => {
			const mode = req.query.mode ?? 'add';
			if (mode !== 'add' && mode !== 'replace') throw new AppError('bad-request', 'mode must be add or replace');
			const problem = checkGalleryDoc(req.body);
			if (problem) throw new DetailedError('bad-request', problem.message, { where: problem.where });
			const doc = req.body as GalleryExport;
			const faces = doc.people.reduce((n, p) => n + p.faces.length, 0);
			// Logged before the write: a crash after this line must still leave all or nothing.
			log(`gallery: import of ${doc.people.length} people, ${faces} faces begins (${mode})`);
			let result: ImportResult & Partial<LearnImportResult>;
			let learning: LearningParts | null;
			try {
				learning = deps.learning?.prepareImport(doc) ?? null;
				result = await gallery.importAll(doc, { replace: mode === 'replace', ...(learning && { learning }) });
			} catch (err) {
				throw err instanceof DocError ? new DetailedError('bad-request', err.message, { where: err.where }) : err;
			}
			// Committed: a failed reload leaves the recognizer's copy stale until its next reload, not the import undone.
			await learning?.committed().catch((err: unknown) => log(`gallery: import committed, but learning did not reload: ${String(err)}`));
			log(
				`gallery: import of ${doc.people.length} people committed: ${result.imported} created, ${result.merged} merged, ` +
					`${result.unchanged} unchanged; ${result.facesAdded} faces added, ${result.facesSkipped} already there`
			);
			// The learning counts are in every answer of a server that learns, as zeros when the document carried none.
			res.json(deps.learning ? { negativesAdded: 0, unknownFacesAdded: 0, ...result } : result);
		})
	);

	if (deps.learning) api.use(deps.learning.router);

	// Errors, DetailedErrors' fields included, are rendered by errors.ts's errorHandler (app.ts).
	api.use((_req, _res, next) => next(new AppError('not-found', 'no such endpoint')));
	return api;
}

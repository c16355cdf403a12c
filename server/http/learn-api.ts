/**
 * The REST routes of issue 11, mounted under `/api` by api.ts, every one behind the admin token:
 * unknown groups (list, name, forget), corrections from the live page (and undoing them),
 * sightings (a list and a server-sent event stream). Enrolment goes through the same questions
 * (duplicate of someone else, unlike the person's other faces) as the People page's.
 */
import express, { type RequestHandler } from 'express';
import * as v from 'valibot';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { nameTakenMessage } from '../../src/lib/protocol/names.ts';
import { CORRECTION_KINDS, type CorrectionInfo, type SightingInfo, type UnknownGroupInfo } from '../../src/lib/protocol/rest.ts';
import { clientAddress } from '../client-address.ts';
import type { Gallery, NewFace, Person } from '../gallery/gallery.ts';
import type { Learner } from '../learn/learner.ts';
import type { SseHub } from '../learn/sse.ts';
import type { Correction, Sighting } from '../learn/store.ts';
import type { Logger } from '../log.ts';
import { askQuestions } from './enrol/questions.ts';
import type { RestLimiter } from './rate-limits.ts';
import { handle, Name, parseBody } from './request.ts';

export type LearnApiDeps = {
	gallery: Gallery;
	learner: Learner;
	hub: SseHub;
	matchThreshold: number;
	admin: RequestHandler;
	limit: RestLimiter;
	trustProxy: boolean;
	/** SIGHTINGS=off: the sighting routes answer 404 `not-found` saying so. */
	sightings: boolean;
	toThumbnail(crop: Uint8Array): Promise<Uint8Array | null>;
	/** Audit lines (ids, kinds and devices; never names or pictures). */
	log: Logger;
	onEnrolled?: (faces: number) => void;
};

/** Sightings one `GET /api/sightings` answers at most. */
export const MAX_SIGHTINGS = 1000;

const PersonId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
/** Name a group: a new person by `name`, or the person with that name (name rule), or `personId`. */
const NameGroup = v.union([v.strictObject({ name: Name }), v.strictObject({ personId: PersonId })], 'send { name } or { personId }');
const CorrectionBody = v.strictObject({
	/** The live page's PeerJS id: with `trackId`, which face the correction is about. */
	peerId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	trackId: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
	kind: v.picklist(CORRECTION_KINDS, 'kind must be is or not'),
	personId: v.optional(PersonId),
	name: v.optional(Name)
});

const dataUrl = (jpeg: Uint8Array) => `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
export const sightingInfo = (s: Sighting): SightingInfo => ({ ...s, at: s.firstSeen });

export function createLearnApi(deps: LearnApiDeps): express.Router {
	const { gallery, learner, admin, limit } = deps;
	const store = gallery.learn;
	const log = (msg: string) => deps.log.info(msg);
	const api = express.Router();
	const json = express.json({ limit: 16 * 1024 });

	/** The person a name means (the name rule), or a new one to create; `personId` must exist. */
	async function target(body: { name?: string; personId?: string }): Promise<{ person: Person | null; name: string }> {
		if (body.personId !== undefined) {
			const person = await gallery.getPerson(body.personId);
			if (!person) throw new AppError('not-found', 'no such person');
			return { person, name: person.name };
		}
		if (body.name === undefined) throw new AppError('bad-request', 'send a name or a personId');
		const existing = await gallery.findByName(body.name);
		return { person: existing && (await gallery.getPerson(existing.id)), name: body.name };
	}

	/** Enrols `faces` for the person (created when new) after the usual questions; returns the person's id. */
	async function enrol(
		force: unknown,
		faces: readonly NewFace[],
		to: { person: Person | null; name: string }
	): Promise<{ personId: string; faceIds: string[]; created: boolean }> {
		askQuestions({ force, faces, entries: gallery.entries(), threshold: deps.matchThreshold, owner: to.person });
		if (to.person) {
			const { faceIds } = await gallery.addFaces(to.person.id, faces);
			deps.onEnrolled?.(faceIds.length);
			return { personId: to.person.id, faceIds, created: false };
		}
		// Checked again right before the write: someone may have taken the name meanwhile.
		if (await gallery.findByName(to.name)) throw new AppError('conflict', nameTakenMessage(to.name));
		const { person, faceIds } = await gallery.enrolPerson(to.name, faces);
		deps.onEnrolled?.(faceIds.length);
		return { personId: person.id, faceIds, created: true };
	}

	// ---- unknown groups ----

	api.get(
		'/unknowns',
		admin,
		handle(async (_req, res) => {
			const thumbnails = (await gallery.settings()).keepThumbnails;
			const groups = await store.listUnknownGroups({ thumbnails });
			res.json(groups.filter((g) => g.faces > 0).map(({ thumbnail, ...g }): UnknownGroupInfo => (thumbnail ? { ...g, thumbnail: dataUrl(thumbnail) } : g)));
		})
	);

	api.post(
		'/unknowns/:id/name',
		admin,
		limit('enrol'),
		json,
		handle(async (req, res) => {
			const body = parseBody(NameGroup, req.body);
			const id = req.params.id ?? '';
			const stored = await store.unknownFaces(id);
			if (stored.length === 0) throw new AppError('not-found', 'no such group of unknown faces (named, forgotten or expired?)');
			const faces = stored.map((f): NewFace => ({ embedding: f.embedding, thumbnail: f.thumbnail ?? null, source: 'live' }));
			const to = await target(body);
			const { personId, faceIds, created } = await enrol(req.query.force, faces, to);
			// Enrolled first, then the group goes: a crash in between leaves the group to forget, never lost faces.
			await store.settleUnknownGroup(id, personId, to.name);
			learner.dropGroup(id);
			log(`learn: unknown group ${id} named: ${faceIds.length} face(s) to ${created ? 'new ' : ''}person ${personId}`);
			res.status(created ? 201 : 200).json({ personId, faces: faceIds.length, created });
		})
	);

	api.delete(
		'/unknowns/:id',
		admin,
		handle(async (req, res) => {
			const id = req.params.id ?? '';
			if (!(await store.deleteUnknownGroup(id))) throw new AppError('not-found', 'no such group of unknown faces');
			learner.dropGroup(id);
			log(`learn: unknown group ${id} forgotten`);
			res.status(204).end();
		})
	);

	// ---- corrections ----

	async function correctionInfo(c: Correction): Promise<CorrectionInfo> {
		const [person, was] = await Promise.all([gallery.getPerson(c.personId), c.wasPersonId ? gallery.getPerson(c.wasPersonId) : null]);
		return {
			id: c.id,
			personId: c.personId,
			kind: c.kind,
			wasPersonId: c.wasPersonId,
			device: c.device,
			deviceName: c.deviceName,
			byToken: c.byToken,
			createdAt: c.createdAt,
			undoneAt: c.undoneAt,
			...(person && { name: person.name }),
			...(c.wasPersonId && { wasName: was?.name ?? null })
		};
	}

	api.post(
		'/corrections',
		admin,
		limit('enrol'),
		json,
		handle(async (req, res) => {
			const body = parseBody(CorrectionBody, req.body);
			const face = learner.recentFace(body.peerId, body.trackId);
			// Remembered: the last face the embedder found in this track's crops, for 2 minutes. A track
			// answered "unknown" because no crop held a face (turned away, blurred) has nothing to learn from.
			if (!face)
				throw new AppError(
					'not-found',
					'there is no face of this track to learn from: its crops held no face the recognizer could use, or its label is more than 2 minutes old. Wait for a clearer view and tap again'
				);
			// The device the channel's page named (display only), else its peer id, as for sightings.
			const base = { wasPersonId: face.match.personId, ...face.device, byToken: 'admin' };
			let correction: Correction;
			/** This is… made the person (a new name): an Undo right after may take them away again. */
			let created = false;
			if (body.kind === 'not') {
				// Whom it is not: as given (the label the page shows may lag the last answer), else the last answer's.
				const byName = body.name === undefined ? undefined : (await gallery.findByName(body.name))?.id;
				if (body.name !== undefined && !byName) throw new AppError('not-found', 'nobody has that name');
				const personId = body.personId ?? byName ?? face.match.personId;
				if (!personId) throw new AppError('bad-request', 'this face was not named: say whom it is not (personId or name)');
				if (!(await gallery.getPerson(personId))) throw new AppError('not-found', 'no such person');
				const negative = await store.addNegative(personId, face.embedding);
				await learner.reloadNegatives();
				correction = await store.addCorrection({ ...base, personId, kind: 'not', faceId: null, negativeId: negative.id });
			} else {
				const to = await target(body);
				const thumbnail = face.crop && (await gallery.settings()).keepThumbnails ? await deps.toThumbnail(face.crop) : null;
				const enrolled = await enrol(req.query.force, [{ embedding: face.embedding, thumbnail, source: 'live' }], to);
				created = enrolled.created;
				correction = await store.addCorrection({ ...base, personId: enrolled.personId, kind: 'is', faceId: enrolled.faceIds[0] ?? null, negativeId: null });
			}
			log(
				`learn: correction ${correction.id}: ${correction.kind} person ${correction.personId} (was ${correction.wasPersonId ?? 'unknown'}) by ${correction.byToken} token, device ${correction.device}`
			);
			res.status(201).json({ ...(await correctionInfo(correction)), ...(created ? { created } : {}) });
		})
	);

	api.get(
		'/people/:id/corrections',
		admin,
		handle(async (req, res) => {
			if (!(await gallery.getPerson(req.params.id ?? ''))) throw new AppError('not-found', 'no such person');
			const list = await store.listCorrections(req.params.id ?? '');
			res.json(await Promise.all(list.map(correctionInfo)));
		})
	);

	api.post(
		'/corrections/:id/undo',
		admin,
		handle(async (req, res) => {
			const correction = await store.getCorrection(req.params.id ?? '');
			if (!correction) throw new AppError('not-found', 'no such correction');
			if (correction.undoneAt !== null) throw new AppError('conflict', 'this correction was undone already');
			if (correction.kind === 'is' && correction.faceId) await gallery.deleteFace(correction.personId, correction.faceId);
			if (correction.kind === 'not' && correction.negativeId) {
				await store.deleteNegative(correction.negativeId);
				await learner.reloadNegatives();
			}
			const at = Date.now();
			if (!(await store.markUndone(correction.id, at))) throw new AppError('conflict', 'this correction was undone already');
			log(`learn: correction ${correction.id} undone`);
			res.json(await correctionInfo({ ...correction, undoneAt: at }));
		})
	);

	// ---- sightings ----

	const sightingsOn: RequestHandler = (_req, _res, next) =>
		next(deps.sightings ? undefined : new AppError('not-found', 'sightings are off on this server (SIGHTINGS=off)'));

	api.get(
		'/sightings',
		admin,
		sightingsOn,
		handle(async (req, res) => {
			const since = req.query.since === undefined ? 0 : Number(req.query.since);
			const max = req.query.limit === undefined ? MAX_SIGHTINGS : Number(req.query.limit);
			if (!Number.isFinite(since) || since < 0) throw new AppError('bad-request', 'since must be a time in ms since the epoch');
			if (!Number.isInteger(max) || max < 1 || max > MAX_SIGHTINGS) throw new AppError('bad-request', `limit must be 1 to ${MAX_SIGHTINGS}`);
			res.json((await store.listSightings(since, max)).map(sightingInfo));
		})
	);

	api.get('/sightings/stream', admin, sightingsOn, (req, res, next) => {
		try {
			deps.hub.open(req, res, clientAddress(req, deps.trustProxy));
		} catch (err) {
			next(err);
		}
	});

	return api;
}

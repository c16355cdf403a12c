/**
 * The REST API's contract, shared by the browser client (which parses every answer with these
 * schemas) and the server (which types what it sends with them): what it accepts, what it answers.
 */
import * as v from 'valibot';

/** Image types the API reads (enrolment and `/api/recognize`); anything else is a 415. */
export const IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];

/**
 * The questions enrolment may ask before storing faces (409 `conflict`): `near`, the face looks
 * like somebody else already enrolled; `mismatch`, it does not look like the rest of its person.
 * A request answers them with `?force=near`, `?force=mismatch`, `?force=near,mismatch`, or
 * `?force=1` for all.
 */
export const ENROL_QUESTIONS = ['near', 'mismatch'] as const;
export type EnrolQuestion = (typeof ENROL_QUESTIONS)[number];

/** The `force` query value that answers `questions` (empty: none answered). */
export function forceQuery(questions: readonly EnrolQuestion[]): string {
	return questions.length ? `?force=${[...new Set(questions)].join(',')}` : '';
}

/** The questions a `force` query value answers; unknown words answer nothing. */
export function parseForce(value: unknown): Set<EnrolQuestion> {
	if (typeof value !== 'string') return new Set();
	if (value === '1' || value === 'true') return new Set(ENROL_QUESTIONS);
	return new Set(
		ENROL_QUESTIONS.filter((q) =>
			value
				.split(',')
				.map((w) => w.trim())
				.includes(q)
		)
	);
}

/**
 * How a face came into the gallery: the guided `camera` capture or a `photo` (both from the
 * People page, which says which in the enrolment request), an `import`, `api` (the one-image
 * route tools use), or `live`: a face from the live page, named by someone (a correction, or a
 * named group of unknown faces). Faces stored before this was recorded have none.
 */
export const FACE_SOURCES = ['camera', 'photo', 'import', 'api', 'live'] as const;
export type FaceSource = (typeof FACE_SOURCES)[number];

// ---- answers ----

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Id = v.pipe(v.string(), v.minLength(1));

/** How many of a person's faces are frontal, turned to the person's left or right, or of unknown pose. */
export const Coverage = v.object({ frontal: Count, left: Count, right: Count, unknown: Count });
export type Coverage = v.InferOutput<typeof Coverage>;

/** `GET /api/people` item; `thumbnail`: a `data:image/jpeg` URL, only when kept and the caller may see it. */
export const PersonInfo = v.object({
	id: Id,
	name: v.string(),
	faces: Count,
	coverage: v.optional(Coverage),
	thumbnail: v.optional(v.string())
});
export type PersonInfo = v.InferOutput<typeof PersonInfo>;
export const PeopleList = v.array(PersonInfo);

/** `GET /api/people/:id` and `PATCH /api/people/:id`. */
export const PersonSummary = v.object({ id: Id, name: v.string(), faces: Count });
export type PersonSummary = v.InferOutput<typeof PersonSummary>;

/**
 * `GET /api/people/:id/faces` item. `createdAt` in ms since the epoch; `yaw`: the head turn
 * measured at enrolment (see pose.ts), null when unknown; `source`: how it was added.
 */
export const FaceInfo = v.object({
	id: Id,
	createdAt: v.number(),
	yaw: v.optional(v.nullable(v.number())),
	source: v.optional(v.nullable(v.picklist(FACE_SOURCES))),
	thumbnail: v.optional(v.string())
});
export type FaceInfo = v.InferOutput<typeof FaceInfo>;
export const FaceList = v.array(FaceInfo);

export const SettingsInfo = v.object({
	keepThumbnails: v.boolean(),
	/** Faces answered `unknown` on the live page are kept, grouped, for naming (issue 11). Off by default. */
	rememberUnknowns: v.optional(v.boolean()),
	/** How long unknown faces and sightings are kept, days (RETENTION_DAYS). */
	retentionDays: v.optional(v.number()),
	/** Sightings are followed (false with SIGHTINGS=off). */
	sightings: v.optional(v.boolean()),
	adminTokenRequired: v.boolean(),
	recognizeTokenRequired: v.boolean(),
	/** The request's admin token is accepted (or none is needed). */
	authorized: v.boolean(),
	maxUploadBytes: Count,
	maxImagesPerRequest: Count,
	/** The embedding model in use (admin callers only). */
	embeddingModel: v.optional(v.string()),
	/** People whose faces were made by another model and could not be re-embedded: enrol them again (admin callers only). */
	reEnrol: v.optional(v.pipe(v.array(v.object({ id: Id, name: v.string(), faces: Count })), v.readonly()))
});
export type SettingsInfo = v.InferOutput<typeof SettingsInfo>;

/** `POST /api/people` with images: the person and all their faces, stored in one transaction. */
export const EnrolledPerson = v.object({ id: Id, name: v.string(), faceIds: v.array(Id) });
/** `POST /api/people` without images (the DESIGN.md contract). */
export const CreatedPerson = v.object({ id: Id, name: v.string() });
/** `POST /api/people/:id/faces` with JSON images. */
export const AddedFaces = v.object({ faceIds: v.array(Id) });

/**
 * `POST /api/import`. `imported`: people created; `merged`: people already here (same name) who
 * got new faces; `unchanged`: people already here with every face of the file; `facesAdded` and
 * `facesSkipped` (already stored, same embedding); `renamed`: people whose name came earlier in
 * the same file, numbered ("Ann (2)"); `removed`: people deleted first (`replace`).
 */
export const ImportResult = v.object({
	imported: Count,
	merged: Count,
	unchanged: Count,
	facesAdded: Count,
	facesSkipped: Count,
	renamed: Count,
	removed: v.optional(Count)
});
export type ImportResult = v.InferOutput<typeof ImportResult>;

/**
 * Who the server thinks a new face already belongs to (409 `conflict`): the face's distance from
 * them and the server's match threshold (MATCH_THRESHOLD: faces nearer are named as one person),
 * which a page needs to say how near that is in words (absent from servers before it).
 */
export const NearPerson = v.object({ id: Id, name: v.string(), distance: v.number(), threshold: v.optional(v.number()) });
export type NearPerson = v.InferOutput<typeof NearPerson>;

/**
 * A new face unlike the rest of its person (409 `conflict`): `index` of the image in the
 * request, its distance from the mean of the `others` (with one other face, either of the two
 * may be the stranger), the person when they were enrolled already, and the match threshold as
 * for NearPerson.
 */
export const Mismatch = v.object({
	index: Count,
	distance: v.number(),
	others: Count,
	person: v.optional(v.object({ id: Id, name: v.string() })),
	threshold: v.optional(v.number())
});
export type Mismatch = v.InferOutput<typeof Mismatch>;

/** Every error answer: `{ error, code }` and, for some, the fields that say more. */
export const ErrorBody = v.object({
	error: v.string(),
	code: v.string(),
	/** The image at fault in a request with several (0-based). */
	index: v.optional(Count),
	near: v.optional(NearPerson),
	mismatch: v.optional(Mismatch),
	/** Where in an import document the first fault is, e.g. `people.2.faces.0.embedding`. */
	where: v.optional(v.string())
});
export type ErrorBody = v.InferOutput<typeof ErrorBody>;

/** `POST /api/pair`: the role a one-time code gave this device and its token (null: recognition is open). */
export const Paired = v.object({ role: v.picklist(['admin', 'recognize']), token: v.nullable(v.string()) });
/** `POST /api/pair/codes`: a one-time pairing code (expiry in ms since the epoch) and links that open it. */
export const PairingCodeInfo = v.object({
	code: v.string(),
	role: v.picklist(['admin', 'recognize']),
	expiresAt: v.number(),
	links: v.array(v.string())
});

/** `GET /healthz`, as far as the pages read it: how many people are enrolled. */
export const Health = v.object({ ok: v.boolean(), people: v.optional(Count) });

// ---- learning (issue 11): unknown groups, corrections, sightings ----

/**
 * `GET /api/unknowns` item: a group of faces answered `unknown`, taken for one person. Times in ms
 * since the epoch; `thumbnail` (a `data:image/jpeg` URL) only while thumbnails are kept.
 */
export const UnknownGroupInfo = v.object({
	id: Id,
	faces: Count,
	firstSeen: v.number(),
	lastSeen: v.number(),
	thumbnail: v.optional(v.string())
});
export type UnknownGroupInfo = v.InferOutput<typeof UnknownGroupInfo>;
export const UnknownsList = v.array(UnknownGroupInfo);

/** `POST /api/unknowns/:id/name`: the person the group was enrolled as (new or existing) and the faces added. */
export const NamedGroup = v.object({ personId: Id, faces: Count, created: v.optional(v.boolean()) });

/** What a correction did: `is`, the face was enrolled for the person; `not`, it is a negative example for them. */
export const CORRECTION_KINDS = ['is', 'not'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

/**
 * A correction made from the live page. `wasPersonId`/`wasName`: whom the recognizer had named;
 * `device`, `deviceName`: the live page's device (see SightingInfo); `byToken`: the kind of token
 * that made it; `undoneAt` once undone.
 */
export const CorrectionInfo = v.object({
	id: Id,
	personId: Id,
	name: v.optional(v.string()),
	kind: v.picklist(CORRECTION_KINDS),
	wasPersonId: v.nullable(v.string()),
	wasName: v.optional(v.nullable(v.string())),
	device: v.string(),
	deviceName: v.nullish(v.string()),
	byToken: v.string(),
	createdAt: v.number(),
	undoneAt: v.nullable(v.number()),
	/** In the answer to POST /api/corrections only: This is… made this person (the name was new). */
	created: v.optional(v.literal(true))
});
export type CorrectionInfo = v.InferOutput<typeof CorrectionInfo>;
export const CorrectionsList = v.array(CorrectionInfo);

/**
 * A settled name on a live track. `personId` for a person, `groupId` for a remembered unknown
 * group, both null for an unknown face while unknowns are not remembered. `at` = `firstSeen`.
 * `device`: the live page's stable device id (device.ts), or its per-load PeerJS id for a page
 * that sent none; `deviceName`: the page's label for itself ("Chrome on Android"), cleaned by the
 * server, null when none (absent from servers before it).
 */
export const SightingInfo = v.object({
	id: Id,
	at: v.number(),
	firstSeen: v.number(),
	lastSeen: v.number(),
	personId: v.nullable(v.string()),
	groupId: v.nullable(v.string()),
	label: v.string(),
	device: v.string(),
	deviceName: v.nullish(v.string())
});
export type SightingInfo = v.InferOutput<typeof SightingInfo>;
export const SightingsList = v.array(SightingInfo);

/** Why an answer is not what the schema says, in one line: the first fault and where it is. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
	const first = issues[0];
	if (!first) return 'invalid';
	const path = first.path?.map((p) => String(p.key)).join('.') ?? '';
	return path ? `${path}: ${first.message}` : first.message;
}

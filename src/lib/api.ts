/**
 * Browser client of the REST API. Every answer is parsed with its schema from
 * `protocol/rest.ts` (a server that answers something else is an error that says so, never a
 * cast). Keeps the admin token and the recognize token in localStorage, on this device only (a
 * paired device: see /pair and server/http/pairing.ts).
 */
import * as v from 'valibot';
import { FACES_HEADER, nextLinkOf, PeoplePageHeaders, peoplePagePath, TOTAL_HEADER } from './protocol/people-page.ts';
import {
	AddedFaces,
	CorrectionInfo,
	CorrectionsList,
	CreatedPerson,
	NamedGroup,
	SightingsList,
	UnknownsList,
	EnrolledPerson,
	ErrorBody,
	FaceList,
	Health,
	ImportResult,
	Paired,
	PairingCodeInfo,
	PeopleList,
	PersonSummary,
	SettingsInfo,
	describeIssues,
	forceQuery,
	type EnrolQuestion,
	type FaceInfo,
	type Mismatch,
	type NearPerson,
	type PersonInfo
} from './protocol/rest.ts';

export type { CorrectionInfo, ImportResult, Mismatch, NearPerson, SightingInfo, UnknownGroupInfo } from './protocol/rest.ts';
export type Person = PersonInfo;
/**
 * A page of the people list: its rows, how many match on all pages (`total`), everyone's faces
 * (`faces`, for a page without a search), and the path of the next page (null on the last).
 */
export type PeoplePage = { people: Person[] } & PeoplePageHeaders;
export type Face = FaceInfo;
export type Settings = SettingsInfo;
/** A one-time pairing code an admin made (`POST /api/pair/codes`), with links to open it on another device. */
export type PairingCode = v.InferOutput<typeof PairingCodeInfo>;
/** What the server wants confirmed before it enrols (see src/lib/enrol/doubts.ts). */
export type Doubt = { near: NearPerson } | { mismatch: Mismatch };
/** How the People page took the images it enrols (stored with each face). */
export type EnrolSource = 'camera' | 'photo';

const ADMIN_TOKEN_KEY = 'facertc.adminToken';
export const RECOGNIZE_TOKEN_KEY = 'facertc.recognizeToken';

export class ApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		/**
		 * The server's code; `offline` (no answer), `aborted` (the caller cancelled it) and
		 * `bad-response` (not what the API promises) are the client's.
		 */
		readonly code: string,
		/** Extra fields of the error body: `index` of the image at fault, `near` person, `mismatch`, `where`. */
		readonly details: { index?: number; near?: NearPerson; mismatch?: Mismatch; where?: string } = {}
	) {
		super(message);
	}
}

function stored(key: string): string | null {
	try {
		return localStorage.getItem(key);
	} catch {
		return null;
	}
}

function store(key: string, value: string | null): void {
	if (value) localStorage.setItem(key, value);
	else localStorage.removeItem(key);
}

export const getToken = () => stored(ADMIN_TOKEN_KEY);
export const setToken = (token: string | null) => store(ADMIN_TOKEN_KEY, token);
/** The token the live page sends to the recognizer: the recognize token, else the admin token. */
export const getRecognizeToken = () => stored(RECOGNIZE_TOKEN_KEY) ?? stored(ADMIN_TOKEN_KEY);
export const setRecognizeToken = (token: string | null) => store(RECOGNIZE_TOKEN_KEY, token);

/**
 * The last answer to each list the pages read again and again (the people after every change, the
 * unknown faces every 15 s), with its ETag. Asked again, the server answers 304 when nothing
 * changed, instead of every thumbnail again (~2.3 KB a person). In memory only: the HTTP cache is
 * bypassed (`no-store`), so no face picture is written to the browser's disk cache.
 */
const validated = new Map<string, { etag: string; body: unknown; headers: Headers }>();
const MAX_VALIDATED = 16;

/** The answer to `path`, parsed with `schema` (null: a 204 or any body, ignored); `revalidate`: see `validated`. */
async function request<T extends v.GenericSchema | null>(
	path: string,
	schema: T,
	init: RequestInit = {},
	options: { revalidate?: boolean } = {}
): Promise<T extends v.GenericSchema ? v.InferOutput<T> : void> {
	return (await exchange(path, schema, init, options)).body;
}

/** `request`, with the answer's headers (after a 304, those that came with the body kept). */
async function exchange<T extends v.GenericSchema | null>(
	path: string,
	schema: T,
	init: RequestInit = {},
	{ revalidate = false } = {}
): Promise<{ body: T extends v.GenericSchema ? v.InferOutput<T> : void; headers: Headers }> {
	type Out = T extends v.GenericSchema ? v.InferOutput<T> : void;
	const headers = new Headers(init.headers);
	const token = getToken();
	if (token) headers.set('authorization', `Bearer ${token}`);
	const key = `${token ?? ''}\n${path}`;
	const known = revalidate ? validated.get(key) : undefined;
	if (known) {
		headers.set('if-none-match', known.etag);
		// `no-store` adds `Cache-Control: no-cache`, which makes a server ignore If-None-Match.
		headers.set('cache-control', 'max-age=0');
	}
	let res: Response;
	try {
		res = await fetch(path, { ...init, headers, cache: 'no-store' });
	} catch {
		if (init.signal?.aborted) throw new ApiError('Cancelled.', 0, 'aborted');
		throw new ApiError('The server cannot be reached.', 0, 'offline');
	}
	const unchanged = known !== undefined && res.status === 304;
	const body: unknown = unchanged ? known.body : res.status === 204 ? null : await res.json().catch(() => null);
	if (init.signal?.aborted) throw new ApiError('Cancelled.', 0, 'aborted');
	// The server's tag covers a page's headers too (server/http/api.ts): unchanged, they are the kept ones.
	const answered = unchanged ? known.headers : res.headers;
	if (!res.ok && !unchanged) throw errorOf(res.status, body, res.headers.get('retry-after'));
	const etag = res.headers.get('etag');
	if (revalidate && res.ok && etag) {
		validated.delete(key);
		validated.set(key, { etag, body, headers: res.headers });
		if (validated.size > MAX_VALIDATED) validated.delete(validated.keys().next().value!);
	}
	if (schema === null) return { body: undefined as Out, headers: answered };
	return { body: parsed(path, schema, body, res.status) as Out, headers: answered };
}

/** `value` as `schema` says, or an ApiError saying where it is not. */
function parsed<T extends v.GenericSchema>(path: string, schema: T, value: unknown, status: number): v.InferOutput<T> {
	const result = v.safeParse(schema, value);
	if (result.success) return result.output;
	throw new ApiError(
		`The server's answer to ${path} is not what this page expects (${describeIssues(result.issues)}): reload the page.`,
		status,
		'bad-response'
	);
}

/**
 * A page of people: the first `limit` whose names hold the words of `q` (all for none), or the
 * page at `next` (a previous page's). `signal` cancels it (ApiError `aborted`). The first page of
 * everyone or of a search is revalidated by its ETag: the page reads it again after every change.
 */
async function peoplePage(page: { limit: number; q?: string } | { next: string }, { signal }: { signal?: AbortSignal } = {}): Promise<PeoplePage> {
	const path = 'next' in page ? page.next : peoplePagePath('/api/people', { limit: page.limit, after: null, q: page.q ?? '' });
	const { body, headers } = await exchange(path, PeopleList, signal ? { signal } : {}, { revalidate: !('next' in page) });
	const said = { total: headers.get(TOTAL_HEADER), faces: headers.get(FACES_HEADER), next: nextLinkOf(headers.get('link')) };
	return { people: body, ...parsed(`${path} (headers)`, PeoplePageHeaders, said, 200) };
}

/** The person of exactly this name (the name rule's), wherever the list has them; null when nobody has it. */
async function personNamed(name: string, { signal }: { signal?: AbortSignal } = {}): Promise<PersonInfo | null> {
	const { body } = await exchange(`/api/people?name=${encodeURIComponent(name)}`, PeopleList, signal ? { signal } : {});
	return body[0] ?? null;
}

function errorOf(status: number, body: unknown, retryAfter: string | null): ApiError {
	if (status === 429) {
		return new ApiError(
			`The server is busy with requests from this device: try again${retryAfter ? ` in ${retryAfter} s` : ' shortly'}.`,
			status,
			'rate-limited'
		);
	}
	const parsed = v.safeParse(ErrorBody, body);
	// A proxy or an old server may answer an error without our body.
	if (!parsed.success) {
		return status === 413
			? new ApiError('Too large for this server.', status, 'too-large')
			: new ApiError(`The server answered HTTP ${status}.`, status, status === 401 ? 'unauthorized' : 'internal');
	}
	const { error, code, index, near, mismatch, where } = parsed.output;
	const details = {
		...(index !== undefined && { index }),
		...(near && { near }),
		...(mismatch && { mismatch }),
		...(where !== undefined && { where })
	};
	return new ApiError(status === 413 && !error ? 'Too large for this server.' : error, status, code, details);
}

const sendJson = (method: string, body: unknown): RequestInit => ({
	method,
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify(body)
});

/** Each image's data URL, kept while the image lives: a request resent after a 409 reuses it. */
const dataUrls = new WeakMap<Blob, Promise<string>>();

/** An image as the `data:` URL the JSON enrolment endpoints take. */
export function toDataUrl(image: Blob): Promise<string> {
	const known = dataUrls.get(image);
	if (known) return known;
	const url = readAsDataUrl(image);
	dataUrls.set(image, url);
	url.catch(() => dataUrls.delete(image));
	return url;
}

function readAsDataUrl(image: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(reader.result as string);
		reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
		reader.readAsDataURL(image);
	});
}

type EnrolOptions = { answered?: EnrolQuestion[]; source?: EnrolSource };

export const api = {
	/** Whether the server can recognise, and how many people are enrolled (open to anyone). */
	health: () => request('/healthz', Health),
	/** Trades a one-time pairing code for its token, and keeps the token on this device. */
	pair: async (code: string): Promise<'admin' | 'recognize'> => {
		const { role, token } = await request('/api/pair', Paired, sendJson('POST', { code }));
		if (role === 'admin') setToken(token);
		else setRecognizeToken(token);
		return role;
	},
	/** A pairing code for another device (admin only). */
	createPairingCode: (role: 'admin' | 'recognize') => request('/api/pair/codes', PairingCodeInfo, sendJson('POST', { role })),
	settings: () => request('/api/settings', SettingsInfo),
	updateSettings: (patch: { keepThumbnails?: boolean; rememberUnknowns?: boolean }) => request('/api/settings', SettingsInfo, sendJson('PATCH', patch)),
	/** Groups of faces answered `unknown`, biggest first (while rememberUnknowns is on). */
	listUnknowns: () => request('/api/unknowns', UnknownsList, {}, { revalidate: true }),
	/** Enrols a group as a new person (`name`) or adds it to someone (`personId`, or their name). 409 for a question not `answered`. */
	nameUnknown: (id: string, to: { name: string } | { personId: string }, answered: EnrolQuestion[] = []) =>
		request(`/api/unknowns/${encodeURIComponent(id)}/name${forceQuery(answered)}`, NamedGroup, sendJson('POST', to)),
	forgetUnknown: (id: string) => request(`/api/unknowns/${encodeURIComponent(id)}`, null, { method: 'DELETE' }),
	/**
	 * A correction from the live page about the face last answered on this device's track:
	 * `is` (enrol it for a person, by id or name; 409 for a question not `answered`) or `not` (a
	 * negative example for the person it was named after, or the one given).
	 */
	correct: (face: { peerId: string; trackId: number }, correction: { kind: 'is' | 'not'; personId?: string; name?: string }, answered: EnrolQuestion[] = []) =>
		request(`/api/corrections${forceQuery(answered)}`, CorrectionInfo, sendJson('POST', { ...face, ...correction })),
	listCorrections: (personId: string) => request(`/api/people/${encodeURIComponent(personId)}/corrections`, CorrectionsList),
	undoCorrection: (id: string) => request(`/api/corrections/${encodeURIComponent(id)}/undo`, CorrectionInfo, { method: 'POST' }),
	/** Sightings in view since `since` (ms), newest first. */
	listSightings: (since: number, limit = 50) => request(`/api/sightings?since=${Math.max(0, Math.floor(since))}&limit=${limit}`, SightingsList),
	peoplePage,
	personNamed,
	getPerson: (id: string) => request(`/api/people/${encodeURIComponent(id)}`, PersonSummary),
	/** A person without faces (the DESIGN.md contract). */
	createPerson: (name: string) => request('/api/people', CreatedPerson, sendJson('POST', { name })),
	/** Creates the person with all the faces at once (or nothing). 409 `conflict` for a question not `answered`. */
	enrolPerson: async (name: string, images: Blob[], { answered = [], source }: EnrolOptions = {}) =>
		request(
			`/api/people${forceQuery(answered)}`,
			EnrolledPerson,
			sendJson('POST', { name, images: await Promise.all(images.map(toDataUrl)), ...(source && { source }) })
		),
	/** Adds all the faces to an existing person, or none. 409 `conflict` for a question not `answered`. */
	addFaces: async (personId: string, images: Blob[], { answered = [], source }: EnrolOptions = {}) =>
		request(
			`/api/people/${encodeURIComponent(personId)}/faces${forceQuery(answered)}`,
			AddedFaces,
			sendJson('POST', { images: await Promise.all(images.map(toDataUrl)), ...(source && { source }) })
		),
	renamePerson: (id: string, name: string) => request(`/api/people/${encodeURIComponent(id)}`, PersonSummary, sendJson('PATCH', { name })),
	listFaces: (id: string) => request(`/api/people/${encodeURIComponent(id)}/faces`, FaceList),
	/** `keepalive`: the page is being left and the request must outlive it (a delete whose Undo window was cut short). */
	deleteFace: (personId: string, faceId: string, { keepalive = false } = {}) =>
		request(`/api/people/${encodeURIComponent(personId)}/faces/${encodeURIComponent(faceId)}`, null, { method: 'DELETE', keepalive }),
	deletePerson: (id: string) => request(`/api/people/${encodeURIComponent(id)}`, null, { method: 'DELETE' }),
	/** The export document as a file to save (checked on import, not here: it is saved as it came). */
	/** `unknowns`: with the groups of unknown faces (issue 11); every person's negatives come always. */
	exportGallery: async ({ unknowns = false }: { unknowns?: boolean } = {}): Promise<Blob> => {
		const doc = await request(unknowns ? '/api/export?unknowns=1' : '/api/export', v.unknown());
		return new Blob([JSON.stringify(doc)], { type: 'application/json' });
	},
	/** `add` keeps everyone already there and adds only what is new; `replace` swaps the whole gallery for the file's, atomically. */
	importGallery: (text: string, mode: 'add' | 'replace' = 'add') =>
		request(`/api/import?mode=${mode}`, ImportResult, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: text
		})
};

/**
 * Browser client of the REST API. Keeps the admin token and the recognize token in localStorage,
 * on this device only (a paired device: see /pair and server/http/pairing.ts).
 */
import { forceQuery, type EnrolQuestion } from './protocol/rest.ts';

export type Person = { id: string; name: string; faces: number; /** data: URL, only when kept */ thumbnail?: string };
export type Face = { id: string; createdAt: number; thumbnail?: string };

/** A one-time pairing code an admin made (`POST /api/pair/codes`), with links to open it on another device. */
export type PairingCode = { code: string; role: 'admin' | 'recognize'; expiresAt: number; links: string[] };

export type Settings = {
	keepThumbnails: boolean;
	adminTokenRequired: boolean;
	recognizeTokenRequired: boolean;
	/** The stored admin token is accepted (or none is needed). */
	authorized: boolean;
	maxUploadBytes: number;
	maxImagesPerRequest: number;
};

/** Who the server thinks a new face already belongs to (409 `conflict`). */
export type NearPerson = { id: string; name: string; distance: number };
/**
 * A new face unlike the rest of its person (409 `conflict`): `index` of the image in the
 * request, its distance from the mean of the `others` (with one other face, either of the two
 * may be the stranger), and the person when they were enrolled already.
 */
export type Mismatch = { index: number; distance: number; others: number; person?: { id: string; name: string } };
/** What the server wants confirmed before it enrols (see src/lib/enrol/doubts.ts). */
export type Doubt = { near: NearPerson } | { mismatch: Mismatch };


const ADMIN_TOKEN_KEY = 'facertc.adminToken';
export const RECOGNIZE_TOKEN_KEY = 'facertc.recognizeToken';

export class ApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly code: string,
		/** Extra fields of the error body: `index` of the image at fault, `near` person, `mismatch`. */
		readonly details: { index?: number; near?: NearPerson; mismatch?: Mismatch } = {}
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

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
	const headers = new Headers(init.headers);
	const token = getToken();
	if (token) headers.set('authorization', `Bearer ${token}`);
	let res: Response;
	try {
		res = await fetch(path, { ...init, headers, cache: 'no-store' });
	} catch {
		throw new ApiError('The server cannot be reached.', 0, 'offline');
	}
	if (res.status === 204) return undefined as T;
	const body = (await res.json().catch(() => ({}))) as {
		error?: string;
		code?: string;
		index?: number;
		near?: NearPerson;
		mismatch?: Mismatch;
	};
	if (!res.ok) {
		const details = {
			...(body.index !== undefined && { index: body.index }),
			...(body.near && { near: body.near }),
			...(body.mismatch && { mismatch: body.mismatch })
		};
		const retry = res.headers.get('retry-after');
		const message =
			res.status === 413
				? 'Too large for this server.'
				: res.status === 429
					? `The server is busy with requests from this device: try again${retry ? ` in ${retry} s` : ' shortly'}.`
					: (body.error ?? `HTTP ${res.status}`);
		throw new ApiError(message, res.status, body.code ?? (res.status === 413 ? 'too-large' : 'internal'), details);
	}
	return body as T;
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

export const api = {
	/** Trades a one-time pairing code for its token, and keeps the token on this device. */
	pair: async (code: string): Promise<'admin' | 'recognize'> => {
		const { role, token } = await request<{ role: 'admin' | 'recognize'; token: string | null }>('/api/pair', sendJson('POST', { code }));
		if (role === 'admin') setToken(token);
		else setRecognizeToken(token);
		return role;
	},
	/** A pairing code for another device (admin only). */
	createPairingCode: (role: 'admin' | 'recognize') => request<PairingCode>('/api/pair/codes', sendJson('POST', { role })),
	settings: () => request<Settings>('/api/settings'),
	updateSettings: (patch: { keepThumbnails?: boolean }) => request<Settings>('/api/settings', sendJson('PATCH', patch)),
	listPeople: () => request<Person[]>('/api/people'),
	/** Creates the person with all the faces at once (or nothing). 409 `conflict` for a question not `answered`. */
	enrolPerson: async (name: string, images: Blob[], { answered = [] as EnrolQuestion[] } = {}) =>
		request<{ id: string; name: string; faceIds: string[] }>(
			`/api/people${forceQuery(answered)}`,
			sendJson('POST', { name, images: await Promise.all(images.map(toDataUrl)) })
		),
	/** Adds all the faces to an existing person, or none. 409 `conflict` for a question not `answered`. */
	addFaces: async (personId: string, images: Blob[], { answered = [] as EnrolQuestion[] } = {}) =>
		request<{ faceIds: string[] }>(
			`/api/people/${encodeURIComponent(personId)}/faces${forceQuery(answered)}`,
			sendJson('POST', { images: await Promise.all(images.map(toDataUrl)) })
		),
	renamePerson: (id: string, name: string) =>
		request<Person>(`/api/people/${encodeURIComponent(id)}`, sendJson('PATCH', { name })),
	listFaces: (id: string) => request<Face[]>(`/api/people/${encodeURIComponent(id)}/faces`),
	deleteFace: (personId: string, faceId: string) =>
		request<void>(`/api/people/${encodeURIComponent(personId)}/faces/${encodeURIComponent(faceId)}`, { method: 'DELETE' }),
	deletePerson: (id: string) => request<void>(`/api/people/${encodeURIComponent(id)}`, { method: 'DELETE' }),
	/** The export document as a file to save. */
	exportGallery: async (): Promise<Blob> => {
		const doc = await request<unknown>('/api/export');
		return new Blob([JSON.stringify(doc)], { type: 'application/json' });
	},
	/** `add` keeps everyone already there; `replace` swaps the whole gallery for the file's, atomically. */
	importGallery: (text: string, mode: 'add' | 'replace' = 'add') =>
		request<{ imported: number; removed?: number }>(`/api/import?mode=${mode}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: text
		})
};

/** Browser client of the REST API. Keeps the admin token (when the server wants one) in localStorage. */
export type Person = { id: string; name: string; faces: number };

const TOKEN_KEY = 'facertc.adminToken';

export class ApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly code: string
	) {
		super(message);
	}
}

export function getToken(): string | null {
	return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
	if (token) localStorage.setItem(TOKEN_KEY, token);
	else localStorage.removeItem(TOKEN_KEY);
}

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
	const body = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
	if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status, body.code ?? 'internal');
	return body as T;
}

export const api = {
	listPeople: () => request<Person[]>('/api/people'),
	addPerson: (name: string) =>
		request<{ id: string; name: string }>('/api/people', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name })
		}),
	addFace: (personId: string, image: Blob) =>
		request<{ faceId: string }>(`/api/people/${encodeURIComponent(personId)}/faces`, {
			method: 'POST',
			headers: { 'content-type': image.type || 'application/octet-stream' },
			body: image
		}),
	deletePerson: (id: string) => request<void>(`/api/people/${encodeURIComponent(id)}`, { method: 'DELETE' })
};

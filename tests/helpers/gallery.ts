/**
 * REST shortcuts the browser tests and benchmarks use to set up a gallery on a running server.
 * They send the admin token (`token`, TEST_ADMIN_TOKEN by default): it opens the gallery and
 * recognition alike.
 */
import type { FaceBox } from './faces.ts';
import { authHeaders, TEST_ADMIN_TOKEN } from './server.ts';

/** Face boxes the server finds in a photo, largest first. */
export async function findFaces(baseUrl: string, photo: Uint8Array, token = TEST_ADMIN_TOKEN): Promise<FaceBox[]> {
	const res = await fetch(`${baseUrl}/api/recognize`, {
		method: 'POST',
		body: new Uint8Array(photo),
		headers: { 'content-type': 'image/jpeg', ...authHeaders(token) }
	});
	if (!res.ok) throw new Error(`recognize: ${res.status} ${await res.text()}`);
	const { faces } = (await res.json()) as { faces: Array<{ box: FaceBox }> };
	return faces.map((f) => f.box).sort((a, b) => b.width * b.height - a.width * a.height);
}

/** Creates a person and enrols each image (one face each); returns the person's id. */
export async function enrolPerson(
	baseUrl: string,
	name: string,
	images: readonly Uint8Array[],
	type = 'image/jpeg',
	token = TEST_ADMIN_TOKEN
): Promise<string> {
	const person = await fetch(`${baseUrl}/api/people`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...authHeaders(token) },
		body: JSON.stringify({ name })
	});
	if (person.status !== 201) throw new Error(`create ${name}: ${person.status} ${await person.text()}`);
	const { id } = (await person.json()) as { id: string };
	for (const image of images) {
		const face = await fetch(`${baseUrl}/api/people/${id}/faces`, {
			method: 'POST',
			body: new Uint8Array(image),
			headers: { 'content-type': type, ...authHeaders(token) }
		});
		if (face.status !== 201) throw new Error(`enrol ${name}: ${face.status} ${await face.text()}`);
	}
	return id;
}

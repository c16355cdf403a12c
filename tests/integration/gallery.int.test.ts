/**
 * Gallery management over REST against the real server: enrolment (one image, many images,
 * person and faces at once), rename, delete, duplicate warnings, thumbnails, export/import, the
 * token rules for the gallery and for recognition (REST and the data channel), and a SIGKILL in
 * the middle of a large import.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { firstReply } from '../helpers/node-peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ADMIN = 'admin-secret';
const LOOK = 'look-secret';

type Json = Record<string, unknown>;
type Person = { id: string; name: string; faces: number; thumbnail?: string; coverage?: Record<'frontal' | 'left' | 'right' | 'unknown', number> };

function client(server: () => TestServer, token: string | null = ADMIN) {
	const auth = (t: string | null): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});
	const call = async (method: string, path: string, body?: unknown, { as = token, type }: { as?: string | null; type?: string } = {}) => {
		const raw = body instanceof Uint8Array || typeof body === 'string';
		const res = await fetch(`${server().url}${path}`, {
			method,
			headers: { ...auth(as), ...(body === undefined ? {} : { 'content-type': type ?? (raw ? 'image/jpeg' : 'application/json') }) },
			body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body)
		});
		const text = await res.text();
		return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json & Json[] };
	};
	return {
		call,
		people: async () => (await call('GET', '/api/people')).body as unknown as Person[]
	};
}

const b64 = (bytes: Uint8Array) => `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`;

async function facesIn(server: TestServer, photo: Buffer): Promise<FaceBox[]> {
	const res = await fetch(`${server.url}/api/recognize`, {
		method: 'POST',
		body: new Uint8Array(photo),
		headers: { 'content-type': 'image/jpeg' }
	});
	const { faces } = (await res.json()) as { faces: Array<{ box: FaceBox }> };
	return faces.map((f) => f.box).sort((a, b) => a.x - b.x);
}

const photo3 = readFileSync(samplePhotoPath(3));
const photo6 = readFileSync(samplePhotoPath(6));
let blank: Buffer;
beforeAll(async () => {
	blank = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } })
		.jpeg()
		.toBuffer();
});
/** Two crops of one woman (sample3, middle), one each of two others (sample6), all one face. */
const crops = {} as Record<'ann' | 'ann2' | 'bea' | 'cat', Buffer>;

describe('gallery REST with ADMIN_TOKEN set', () => {
	let server: TestServer;
	const admin = client(() => server);
	const anyone = client(() => server, null);

	beforeAll(async () => {
		server = await startTestServer({ env: { ADMIN_TOKEN: ADMIN, MAX_UPLOAD_MB: '2' } });
		const [, ann] = await facesIn(server, photo3);
		const [bea, , , cat] = await facesIn(server, photo6);
		if (!ann || !bea || !cat) throw new Error('sample photos should hold these faces');
		crops.ann = await cropFromPhoto(photo3, ann, { margin: 0.35, quality: 92 });
		crops.ann2 = await cropFromPhoto(photo3, ann, { margin: 0.5, maxSide: 240, quality: 80 });
		crops.bea = await cropFromPhoto(photo6, bea, { margin: 0.35, quality: 92 });
		crops.cat = await cropFromPhoto(photo6, cat, { margin: 0.35, quality: 92 });
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('keeps the DESIGN.md contract: a person, then one image → { faceId }', async () => {
		const created = await admin.call('POST', '/api/people', { name: 'Ann' });
		expect(created.status).toBe(201);
		expect(Object.keys(created.body).sort()).toEqual(['id', 'name']);
		const face = await admin.call('POST', `/api/people/${created.body.id}/faces`, new Uint8Array(crops.ann));
		expect(face.status).toBe(201);
		expect(face.body).toEqual({ faceId: expect.any(String) });
		const [ann] = await admin.people();
		expect(ann).toEqual({
			id: created.body.id,
			name: 'Ann',
			faces: 1,
			coverage: { frontal: expect.any(Number), left: expect.any(Number), right: expect.any(Number), unknown: 0 }
		});
		// The pose was measured at enrolment: the one face counts as frontal or turned, never unknown.
		expect(ann!.coverage!.frontal + ann!.coverage!.left + ann!.coverage!.right).toBe(1);
	});

	it('enrols a new person with several images in one request', async () => {
		const res = await admin.call('POST', '/api/people', { name: 'Bea', images: [b64(crops.bea), b64(crops.bea)] });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ name: 'Bea', faceIds: [expect.any(String), expect.any(String)] });
		expect((await admin.call('GET', `/api/people/${res.body.id}`)).body).toMatchObject({ name: 'Bea', faces: 2 });
	});

	it('refuses bad uploads with the right status and message, and stores nothing', async () => {
		const before = await admin.people();
		const ann = before.find((p) => p.name === 'Ann')!;
		const group = await sharp(photo6).resize({ width: 900 }).jpeg().toBuffer();

		const cases: Array<[string, Awaited<ReturnType<typeof admin.call>>, number, Json]> = [
			['no face', await admin.call('POST', '/api/people', { name: 'X', images: [b64(crops.cat), b64(blank)] }), 422, { code: 'no-face', index: 1 }],
			['two faces', await admin.call('POST', '/api/people', { name: 'X', images: [b64(group)] }), 422, { code: 'several-faces', index: 0 }],
			[
				'not an image',
				await admin.call('POST', '/api/people', { name: 'X', images: [b64(new TextEncoder().encode('hello, not a jpeg'))] }),
				422,
				{ code: 'bad-image' }
			],
			['not base64', await admin.call('POST', '/api/people', { name: 'X', images: ['%%%'] }), 422, { code: 'bad-image' }],
			[
				'wrong type',
				await admin.call('POST', '/api/people', { name: 'X', images: ['data:text/plain;base64,aGVsbG8='] }),
				415,
				{ code: 'unsupported-media-type' }
			],
			['huge JSON', await admin.call('POST', '/api/people', { name: 'X', images: [b64(new Uint8Array(3 * 1024 * 1024))] }), 413, { code: 'too-large' }],
			['empty name', await admin.call('POST', '/api/people', { name: '  ', images: [b64(crops.cat)] }), 400, { code: 'bad-request' }],
			['single: no face', await admin.call('POST', `/api/people/${ann.id}/faces`, new Uint8Array(blank)), 422, { code: 'no-face' }],
			['single: two faces', await admin.call('POST', `/api/people/${ann.id}/faces`, new Uint8Array(group)), 422, { code: 'several-faces' }],
			['single: not an image', await admin.call('POST', `/api/people/${ann.id}/faces`, 'not an image'), 422, { code: 'bad-image' }],
			['single: text', await admin.call('POST', `/api/people/${ann.id}/faces`, 'hello', { type: 'text/plain' }), 415, { code: 'unsupported-media-type' }],
			['single: huge', await admin.call('POST', `/api/people/${ann.id}/faces`, new Uint8Array(3 * 1024 * 1024)), 413, { code: 'too-large' }],
			['single: nobody', await admin.call('POST', '/api/people/nobody/faces', new Uint8Array(crops.cat)), 404, { code: 'not-found' }]
		];
		for (const [what, res, status, body] of cases) {
			expect({ what, status: res.status, body: res.body }).toMatchObject({ what, status, body });
			expect(typeof res.body.error, what).toBe('string');
		}
		expect(cases[0]![1].body.error).toMatch(/no face found in image 2/);
		expect(cases[1]![1].body.error).toMatch(/^\d+ faces found in image 1/);
		expect(await admin.people()).toEqual(before);
	});

	it("answers a client's malformed requests with a 4xx and a message, never a 500", async () => {
		const cases: Array<[string, Awaited<ReturnType<typeof admin.call>>, number, string]> = [
			['bad %-escape in an id', await anyone.call('GET', '/api/people/%ZZ'), 400, 'bad-request'],
			['bad %-escape, admin', await admin.call('DELETE', '/api/people/%ZZ'), 400, 'bad-request'],
			['a model that is not there', await anyone.call('GET', '/models/nonexistent.json'), 404, 'not-found'],
			['a hashed script gone after a deploy', await anyone.call('GET', '/_app/immutable/x.js'), 404, 'not-found'],
			['outside the WASM folder', await anyone.call('GET', '/vendor/mediapipe/wasm/..%2fpackage.json'), 404, 'not-found'],
			['another charset', await anyone.call('POST', '/api/pair', { code: 'x' }, { type: 'application/json; charset=koi8-r' }), 415, 'unsupported-media-type'],
			[
				'another charset, admin',
				await admin.call('POST', '/api/people', { name: 'x' }, { type: 'application/json; charset=koi8-r' }),
				415,
				'unsupported-media-type'
			]
		];
		for (const [what, res, status, code] of cases) {
			expect([what, res.status, res.body?.code]).toEqual([what, status, code]);
			expect(typeof res.body.error, what).toBe('string');
		}
		expect(server.logs.join('')).not.toMatch(/request failed/);
	});

	it('warns when a new face is very close to somebody else, and enrols it when told to', async () => {
		const ann = (await admin.people()).find((p) => p.name === 'Ann')!;
		const dup = await admin.call('POST', '/api/people', { name: 'Anna', images: [b64(crops.ann2)] });
		expect(dup.status).toBe(409);
		// With the match threshold, so the page can say how near that is in words.
		expect(dup.body).toMatchObject({ code: 'conflict', near: { id: ann.id, name: 'Ann', distance: expect.any(Number), threshold: 0.55 } });
		expect(dup.body.error).toMatch(/Ann/);
		expect((await admin.people()).map((p) => p.name)).not.toContain('Anna');

		const bea = (await admin.people()).find((p) => p.name === 'Bea')!;
		const mislabel = await admin.call('POST', `/api/people/${bea.id}/faces`, { images: [b64(crops.ann2)] });
		expect(mislabel.status).toBe(409);
		expect(mislabel.body).toMatchObject({ code: 'conflict', near: { name: 'Ann' } });
		// The DESIGN.md one-image route stores what it is given: tools relying on it get { faceId }.
		const asTold = await admin.call('POST', `/api/people/${bea.id}/faces`, new Uint8Array(crops.ann2));
		expect(asTold).toMatchObject({ status: 201, body: { faceId: expect.any(String) } });
		expect((await admin.call('DELETE', `/api/people/${bea.id}/faces/${asTold.body.faceId}`)).status).toBe(204);
		// The same person again is no conflict.
		const more = await admin.call('POST', `/api/people/${ann.id}/faces`, { images: [b64(crops.ann2)] });
		expect(more.status).toBe(201);
		expect(more.body).toEqual({ faceIds: [expect.any(String)] });

		const forced = await admin.call('POST', '/api/people?force=1', { name: 'Anna', images: [b64(crops.ann2)] });
		expect(forced.status).toBe(201);
		expect(await admin.call('DELETE', `/api/people/${forced.body.id}`)).toMatchObject({ status: 204 });
	});

	it('asks before enrolling faces that do not look like the rest of their person', async () => {
		// Ann's faces would be a duplicate (asked first); here they play a stranger, so Ann leaves for a while.
		await admin.call('DELETE', `/api/people/${(await admin.people()).find((p) => p.name === 'Ann')!.id}`);
		// One request with two people in it (a stranger caught in a guided capture): nothing stored.
		const mixed = await admin.call('POST', '/api/people', { name: 'Dee', images: [b64(crops.cat), b64(crops.cat), b64(crops.ann)] });
		expect(mixed.status).toBe(409);
		expect(mixed.body).toMatchObject({ code: 'conflict', index: 2, mismatch: { index: 2, distance: expect.any(Number), others: 2, threshold: 0.55 } });
		expect((mixed.body.mismatch as { distance: number }).distance).toBeGreaterThan(0.6);
		expect(mixed.body.error).toMatch(/image 3 does not look like the other images/);
		expect((await admin.people()).map((p) => p.name)).not.toContain('Dee');

		// A face added to somebody it does not look like (and who is nobody else here either).
		const dee = await admin.call('POST', '/api/people', { name: 'Dee', images: [b64(crops.cat)] });
		expect(dee.status).toBe(201);
		const wrong = await admin.call('POST', `/api/people/${dee.body.id}/faces`, { images: [b64(crops.ann)] });
		expect(wrong.status).toBe(409);
		expect(wrong.body).toMatchObject({ code: 'conflict', mismatch: { index: 0, others: 1, person: { id: dee.body.id, name: 'Dee' } } });
		expect(wrong.body.error).toMatch(/this face and Dee's one other face do not look like the same person/);
		// With two faces of Dee stored, the new one is the odd one out.
		expect((await admin.call('POST', `/api/people/${dee.body.id}/faces`, { images: [b64(crops.cat)] })).status).toBe(201);
		const odd = await admin.call('POST', `/api/people/${dee.body.id}/faces`, { images: [b64(crops.ann)] });
		expect(odd.body).toMatchObject({ code: 'conflict', mismatch: { others: 2 } });
		expect(odd.body.error).toMatch(/this face does not look like Dee's other faces/);
		expect((await admin.call('GET', `/api/people/${dee.body.id}`)).body).toMatchObject({ faces: 2 });

		// Each question is answered on its own: `near` does not answer `mismatch`.
		const nearOnly = await admin.call('POST', `/api/people/${dee.body.id}/faces?force=near`, { images: [b64(crops.ann)] });
		expect(nearOnly.body).toMatchObject({ code: 'conflict', mismatch: { index: 0 } });
		expect(nearOnly.body.error).toMatch(/force=mismatch/);
		const forced = await admin.call('POST', `/api/people/${dee.body.id}/faces?force=mismatch`, { images: [b64(crops.ann)] });
		expect(forced.status).toBe(201);
		expect(await admin.call('DELETE', `/api/people/${dee.body.id}`)).toMatchObject({ status: 204 });
		const ann = await admin.call('POST', '/api/people', { name: 'Ann', images: [b64(crops.ann), b64(crops.ann2)] });
		expect(ann.status).toBe(201);
	});

	it('renames a person', async () => {
		const bea = (await admin.people()).find((p) => p.name === 'Bea')!;
		const res = await admin.call('PATCH', `/api/people/${bea.id}`, { name: '  Beatrice ' });
		expect(res).toMatchObject({ status: 200, body: { id: bea.id, name: 'Beatrice', faces: 2 } });
		expect((await admin.call('PATCH', `/api/people/${bea.id}`, { name: '' })).status).toBe(400);
		expect((await admin.call('PATCH', '/api/people/nobody', { name: 'x' })).status).toBe(404);
		const recognized = await anyone.call('POST', '/api/recognize', new Uint8Array(crops.bea));
		expect(recognized.body.faces).toMatchObject([{ label: 'Beatrice', personId: bea.id }]);
	});

	it('lists and deletes single faces', async () => {
		const bea = (await admin.people()).find((p) => p.name === 'Beatrice')!;
		const faces = await admin.call('GET', `/api/people/${bea.id}/faces`);
		expect(faces.status).toBe(200);
		// Bea came in through the JSON route without saying how (a tool): source `api`, pose measured.
		expect(faces.body).toEqual([
			{ id: expect.any(String), createdAt: expect.any(Number), yaw: expect.any(Number), source: 'api' },
			{ id: expect.any(String), createdAt: expect.any(Number), yaw: expect.any(Number), source: 'api' }
		]);
		const faceId = (faces.body[0] as { id: string }).id;
		expect((await admin.call('DELETE', `/api/people/${bea.id}/faces/${faceId}`)).status).toBe(204);
		expect((await admin.call('DELETE', `/api/people/${bea.id}/faces/${faceId}`)).status).toBe(404);
		expect((await admin.call('GET', `/api/people/${bea.id}`)).body).toMatchObject({ faces: 1 });
		expect((await admin.call('GET', '/api/people/nobody/faces')).status).toBe(404);
	});

	it('keeps thumbnails only when turned on, shows them only to the admin, and drops them when turned off', async () => {
		expect((await anyone.call('GET', '/api/settings')).body).toMatchObject({
			keepThumbnails: false,
			adminTokenRequired: true,
			recognizeTokenRequired: false,
			authorized: false
		});
		expect((await admin.call('GET', '/api/settings')).body).toMatchObject({ authorized: true });
		expect((await anyone.call('PATCH', '/api/settings', { keepThumbnails: true })).status).toBe(401);
		expect((await admin.call('PATCH', '/api/settings', { keepThumbnails: 'yes' })).status).toBe(400);
		expect((await admin.call('PATCH', '/api/settings', { keepThumbnails: true })).body).toMatchObject({ keepThumbnails: true });

		const cat = await admin.call('POST', '/api/people', { name: 'Cat', images: [b64(crops.cat)] });
		expect(cat.status).toBe(201);
		const listed = (await admin.people()).find((p) => p.id === cat.body.id)!;
		expect(listed.thumbnail).toMatch(/^data:image\/jpeg;base64,\/9j\//);
		const thumb = Buffer.from(listed.thumbnail!.split(',')[1]!, 'base64');
		expect(await sharp(thumb).metadata()).toMatchObject({ width: 96, height: 96, format: 'jpeg' });
		// Thumbnails are pictures of faces: the list itself needs the admin token.
		expect((await anyone.call('GET', '/api/people')).status).toBe(401);
		expect((await admin.call('GET', `/api/people/${cat.body.id}/faces`)).body[0]).toHaveProperty('thumbnail');
		const exported = await admin.call('GET', '/api/export');
		const catDoc = (exported.body.people as Array<{ name: string; faces: Array<{ thumbnail?: string }> }>).find((p) => p.name === 'Cat');
		expect(catDoc?.faces[0]?.thumbnail).toBe(thumb.toString('base64'));

		expect((await admin.call('PATCH', '/api/settings', { keepThumbnails: false })).body).toMatchObject({ keepThumbnails: false, authorized: true });
		expect((await admin.people()).find((p) => p.id === cat.body.id)).not.toHaveProperty('thumbnail');
		expect((await admin.call('GET', `/api/people/${cat.body.id}/faces`)).body[0]).not.toHaveProperty('thumbnail');
	});

	// Imports are rate-limited per address (10, then one per 5 s): this test sends 10. The cases it
	// leaves out are unit tests (src/lib/protocol/gallery-doc.test.ts, server/gallery/import-plan.test.ts).
	it('exports and imports the gallery; a bad document changes nothing and says what is wrong', async () => {
		const before = await admin.people();
		const doc = (await admin.call('GET', '/api/export')).body;
		expect(doc).toMatchObject({ format: 'facertc-gallery', version: 1, dim: 128 });
		expect((doc.people as unknown[]).length).toBe(before.length);

		// Named apart from everyone here, so the only fault is the one each case puts in.
		const copies = { ...doc, people: (doc.people as Array<{ name: string }>).map((p) => ({ ...p, name: `${p.name} (copy)` })) };
		const broken = structuredClone(copies) as unknown as { people: Array<{ faces: Array<{ embedding: number[] }> }> };
		broken.people[1]!.faces[0]!.embedding = [1, 2, 3];
		const bad = await admin.call('POST', '/api/import', broken);
		const second = copies.people[1]!.name;
		expect(bad).toMatchObject({
			status: 400,
			body: {
				code: 'bad-request',
				where: 'people.1.faces.0.embedding',
				error: `person 2 (“${second}”), face 1: the face data is damaged (it should be 128 numbers).`
			}
		});
		expect((await admin.call('POST', '/api/import', { ...doc, version: 9 })).body.error).toMatch(/format version 9; this server reads version 1/);
		expect((await admin.call('POST', '/api/import', { ...doc, model: 'other-model' })).body.error).toMatch(/made with another face model \(other-model/);
		expect((await admin.call('POST', '/api/import', '{"format": "facertc-gallery", ', { type: 'application/json' })).body.error).toMatch(/JSON/);
		expect(await admin.people()).toEqual(before);

		expect((await anyone.call('POST', '/api/import', doc)).status).toBe(401);
		// Your own backup, added again: nobody doubles.
		const faceCount = before.reduce((n, p) => n + p.faces, 0);
		expect(await admin.call('POST', '/api/import', doc)).toMatchObject({
			status: 200,
			body: { imported: 0, merged: 0, unchanged: before.length, facesAdded: 0, facesSkipped: faceCount }
		});
		expect(await admin.people()).toEqual(before);
		// A backup with a newcomer and one more face for somebody already here.
		const grown = structuredClone(doc) as unknown as { people: Array<{ name: string; faces: Array<{ embedding: number[] }> }> };
		const extra = grown.people[0]!.faces[0]!.embedding.map((x) => x * 0.99);
		grown.people[0]!.faces.push({ embedding: extra });
		grown.people.push({ name: 'Newcomer', faces: [{ embedding: extra.map((x) => x * 0.98) }] });
		expect(await admin.call('POST', '/api/import', grown)).toMatchObject({
			status: 200,
			body: { imported: 1, merged: 1, unchanged: before.length - 1, facesAdded: 2, facesSkipped: faceCount }
		});
		expect(await admin.people()).toHaveLength(before.length + 1);
		// A name twice in one file (an old backup may hold it twice): both people are kept, apart.
		const twice = {
			...doc,
			people: [
				{ name: 'Twin', faces: [{ embedding: extra.map((x) => x * 0.9) }] },
				{ name: 'twin', faces: [{ embedding: extra.map((x) => x * 0.8) }] }
			]
		};
		expect(await admin.call('POST', '/api/import', twice)).toMatchObject({ status: 200, body: { imported: 2, renamed: 1 } });
		expect(
			(await admin.people())
				.map((p) => p.name)
				.filter((n) => /twin/i.test(n))
				.sort()
		).toEqual(['Twin', 'twin (2)']);
		expect(await admin.people()).toHaveLength(before.length + 3);

		expect((await admin.call('POST', '/api/import?mode=merge', doc)).status).toBe(400);
		expect((await admin.call('POST', '/api/import?mode=replace', broken)).status).toBe(400);
		expect(await admin.people()).toHaveLength(before.length + 3);
		const replaced = await admin.call('POST', '/api/import?mode=replace', doc);
		expect(replaced).toMatchObject({ status: 200, body: { imported: before.length, removed: before.length + 3 } });
		expect((await admin.people()).map((p) => [p.name, p.faces])).toEqual(before.map((p) => [p.name, p.faces]));
	});

	it('deletes a person with their faces', async () => {
		const [first] = await admin.people();
		expect((await anyone.call('DELETE', `/api/people/${first!.id}`)).status).toBe(401);
		expect((await admin.call('DELETE', `/api/people/${first!.id}`)).status).toBe(204);
		expect((await admin.call('DELETE', `/api/people/${first!.id}`)).status).toBe(404);
		expect((await admin.people()).map((p) => p.id)).not.toContain(first!.id);
	});

	it('needs the admin token to read or change the gallery; recognition is open with OPEN_RECOGNITION=1', async () => {
		const [someone] = await admin.people();
		const changes: Array<[string, string, unknown?]> = [
			['GET', '/api/people'],
			['GET', `/api/people/${someone!.id}`],
			['POST', '/api/people', { name: 'Eve' }],
			['PATCH', `/api/people/${someone!.id}`, { name: 'Eve' }],
			['POST', `/api/people/${someone!.id}/faces`, new Uint8Array(crops.cat)],
			['GET', `/api/people/${someone!.id}/faces`],
			['DELETE', `/api/people/${someone!.id}/faces/x`],
			['DELETE', `/api/people/${someone!.id}`],
			['GET', '/api/export'],
			['POST', '/api/import', { format: 'facertc-gallery' }],
			['PATCH', '/api/settings', { keepThumbnails: true }]
		];
		for (const [method, path, body] of changes) {
			const none = await anyone.call(method, path, body);
			expect({ method, path, status: none.status, code: none.body?.code }).toEqual({ method, path, status: 401, code: 'unauthorized' });
			expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
			expect((await anyone.call(method, path, body, { as: 'wrong' })).status).toBe(401);
		}
		expect((await anyone.call('POST', '/api/recognize', new Uint8Array(crops.cat))).status).toBe(200);
		expect(await firstReply(server.url)).toMatchObject({ type: 'welcome' });
	});
});

describe('RECOGNIZE_TOKEN', () => {
	let server: TestServer;
	const anyone = client(() => server, null);

	beforeAll(async () => {
		server = await startTestServer({ env: { ADMIN_TOKEN: ADMIN, RECOGNIZE_TOKEN: LOOK, OPEN_RECOGNITION: '0', EMBED_WORKERS: '1' } });
	});
	afterAll(async () => {
		await server?.stop();
	});

	it('guards POST /api/recognize, accepting it or the admin token', async () => {
		const image = new Uint8Array(blank);
		expect(await anyone.call('POST', '/api/recognize', image)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
		expect((await anyone.call('POST', '/api/recognize', image, { as: 'wrong' })).status).toBe(401);
		expect(await anyone.call('POST', '/api/recognize', image, { as: LOOK })).toMatchObject({ status: 200, body: { faces: [] } });
		expect((await anyone.call('POST', '/api/recognize', image, { as: ADMIN })).status).toBe(200);
		expect((await anyone.call('GET', '/api/settings')).body).toMatchObject({ recognizeTokenRequired: true });
		// The recognize token does not open the gallery.
		expect((await anyone.call('POST', '/api/people', { name: 'x' }, { as: LOOK })).status).toBe(401);
	});

	it('guards the data channel: the token travels in the PeerJS connect metadata, checked at the offer', async () => {
		expect(await firstReply(server.url)).toMatchObject({ type: 'refused', code: 'unauthorized' });
		expect(await firstReply(server.url, { metadata: { token: 'wrong' } })).toMatchObject({ type: 'refused', code: 'unauthorized' });
		expect(await firstReply(server.url, { metadata: 'not an object' })).toMatchObject({ type: 'refused', code: 'unauthorized' });
		expect(await firstReply(server.url, { metadata: { token: LOOK } })).toMatchObject({ type: 'welcome' });
		expect(await firstReply(server.url, { metadata: { token: ADMIN } })).toMatchObject({ type: 'welcome' });
	});
});

describe('a server killed during a large import', () => {
	const PEOPLE = 20_000;
	let dataDir: string;
	let server: TestServer | undefined;
	const admin = client(() => server!);
	const env = { MAX_UPLOAD_MB: '100', EMBED_WORKERS: '1', ADMIN_TOKEN: ADMIN };

	beforeAll(() => {
		dataDir = mkdtempSync(join(tmpdir(), 'facertc-kill-'));
	});
	afterAll(async () => {
		await server?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	/** `count` people with one random face each, as an import document; names `<prefix> <i>`. */
	function document(count: number, { dim, model }: { dim: number; model: string }, prefix = 'imported'): string {
		let seed = 7;
		const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
		const vector = () => Array.from({ length: dim }, () => Math.round(random() * 1e4) / 1e4);
		// Each person carries a negative too: written in the same transaction as the people.
		const people = Array.from({ length: count }, (_, i) => ({ name: `${prefix} ${i}`, faces: [{ embedding: vector() }], negatives: [vector()] }));
		return JSON.stringify({ format: 'facertc-gallery', version: 1, model, dim, people });
	}

	it('comes back with all of the import or none of it', async () => {
		server = await startTestServer({ dataDir, env });
		const empty = (await admin.call('GET', '/api/export')).body as unknown as { model: string; dim: number };
		expect((await admin.call('POST', '/api/import', document(3, empty, 'first'), { type: 'application/json' })).status).toBe(200);
		const before = await admin.people();
		expect(before).toHaveLength(3);
		const doc = document(PEOPLE, empty);

		const child = server.child;
		const running = server;
		const begun = new Promise<void>((resolve) => {
			child.stdout?.on('data', (chunk: Buffer) => {
				if (chunk.toString().includes(`import of ${PEOPLE} people`)) resolve();
			});
		});
		const exited = new Promise((resolve) => child.once('exit', resolve));
		const committedLog = () => running.logs.join('').includes(`import of ${PEOPLE} people committed`);
		const request = admin.call('POST', '/api/import', doc, { type: 'application/json' }).catch((err: Error) => err);
		// A refused import would never log its start: fail with its answer instead of waiting.
		await Promise.race([begun, request.then((answer) => Promise.reject(new Error(`import answered before it began: ${JSON.stringify(answer)}`)))]);
		// The server has parsed and checked the document. Kill it once the transaction is writing:
		// SQLite spills uncommitted pages into the WAL file when its cache fills up.
		const wal = join(dataDir, 'gallery.db-wal');
		const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
		const start = walSize();
		const deadline = Date.now() + 30_000;
		while (walSize() < start + 1024 * 1024 && !committedLog() && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
		const uncommittedBytes = walSize() - start;
		child.kill('SIGKILL');
		await exited;
		const answer = await request;
		const committed = committedLog();
		server = await startTestServer({ dataDir, env });
		const after = await admin.people();
		expect([before.length, before.length + PEOPLE]).toContain(after.length);
		// Killed mid-write (nothing committed yet): none of it may be there.
		if (!committed) expect(after).toEqual(before);
		// No half-enrolled person: everyone kept has their face, and the negative they came with.
		expect(after.every((p) => p.faces === 1)).toBe(true);
		const kept = (await admin.call('GET', '/api/export')).body as unknown as { people: Array<{ name: string; negatives?: unknown[] }> };
		expect(kept.people.filter((p) => p.negatives?.length !== 1).map((p) => p.name)).toEqual([]);
		console.log(
			`SIGKILL during import: ${after.length === before.length ? 'nothing' : 'everything'} was kept ` +
				`(${(uncommittedBytes / 1024 / 1024).toFixed(1)} MB written to the WAL, commit logged: ${committed}, ` +
				`client saw ${answer instanceof Error ? 'a dropped connection' : `HTTP ${answer.status}`})`
		);

		// The restarted server is whole: an import of as many people (named apart from the first) goes through completely.
		const again = await admin.call('POST', '/api/import', document(PEOPLE, empty, 'again'), { type: 'application/json' });
		expect(again).toMatchObject({ status: 200, body: { imported: PEOPLE } });
		expect(await admin.people()).toHaveLength(after.length + PEOPLE);
		expect((await fetch(`${server.url}/healthz`).then((r) => r.json())) as Json).toMatchObject({ ok: true, people: after.length + PEOPLE });
	});
});

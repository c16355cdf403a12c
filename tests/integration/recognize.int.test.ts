/**
 * The whole server for real: PeerServer, recognizer peer over real WebRTC (@roamhq/wrtc),
 * embedding workers on tfjs, SQLite in a temporary DATA_DIR.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { connectTestPeer, type TestPeer } from '../helpers/node-peer.ts';
import { authHeaders, startTestServer, type TestServer } from '../helpers/server.ts';

type Recognized = { faces: Array<{ box: FaceBox; label: string; distance: number | null; personId: string | null }> };

let server: TestServer;
let peer: TestPeer;
const photo = readFileSync(samplePhotoPath(1));
let alice: FaceBox;
let stranger: FaceBox;
let aliceId: string;

async function post(path: string, body: Uint8Array | string, type: string, headers: Record<string, string> = {}) {
	const payload = typeof body === 'string' ? body : new Uint8Array(body);
	return fetch(`${server.url}${path}`, { method: 'POST', body: payload, headers: { 'content-type': type, ...authHeaders(), ...headers } });
}

beforeAll(async () => {
	server = await startTestServer();
	const res = await post('/api/recognize', photo, 'image/jpeg');
	expect(res.status).toBe(200);
	const { faces } = (await res.json()) as Recognized;
	expect(faces.length).toBeGreaterThanOrEqual(2);
	const bySize = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
	alice = bySize[0]!.box;
	stranger = bySize[1]!.box;
});

afterAll(async () => {
	peer?.close();
	await server?.stop();
});

describe('REST enrolment', () => {
	it('enrols a face from a photo holding one face', async () => {
		const created = await server.api('/api/people', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: 'alice' })
		});
		expect(created.status).toBe(201);
		aliceId = ((await created.json()) as { id: string }).id;
		const enrolPhoto = await cropFromPhoto(photo, alice, { margin: 0.35, quality: 92 });
		const res = await post(`/api/people/${aliceId}/faces`, enrolPhoto, 'image/jpeg');
		expect(res.status).toBe(201);
		expect(await res.json()).toHaveProperty('faceId');
		const people = (await (await server.api('/api/people')).json()) as unknown[];
		expect(people).toEqual([{ id: aliceId, name: 'alice', faces: 1, coverage: expect.objectContaining({ unknown: 0 }) }]);
	});

	it('refuses a photo with several faces, no face, a non-image and a wrong type', async () => {
		const several = await post(`/api/people/${aliceId}/faces`, photo, 'image/jpeg');
		expect(several.status).toBe(422);
		expect(await several.json()).toMatchObject({ code: 'several-faces' });

		const blank = await (
			await import('sharp')
		)
			.default({ create: { width: 200, height: 200, channels: 3, background: '#888' } })
			.png()
			.toBuffer();
		const none = await post(`/api/people/${aliceId}/faces`, blank, 'image/png');
		expect(none.status).toBe(422);
		expect(await none.json()).toMatchObject({ code: 'no-face' });

		const garbage = await post(`/api/people/${aliceId}/faces`, 'not an image at all', 'image/jpeg');
		expect(garbage.status).toBe(422);
		expect(await garbage.json()).toMatchObject({ code: 'bad-image' });

		const text = await post(`/api/people/${aliceId}/faces`, 'hello', 'text/plain');
		expect(text.status).toBe(415);

		const missing = await post('/api/people/nobody/faces', photo, 'image/jpeg');
		expect(missing.status).toBe(404);

		const huge = await post(`/api/people/${aliceId}/faces`, new Uint8Array(11 * 1024 * 1024), 'image/jpeg');
		expect(huge.status).toBe(413);
		expect(await huge.json()).toMatchObject({ code: 'too-large' });

		const noName = await server.api('/api/people', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: '   ' })
		});
		expect(noName.status).toBe(400);
		expect(await noName.json()).toMatchObject({ code: 'bad-request', error: 'name: name is empty' });
	});

	it('recognizes the enrolled face in the whole photo', async () => {
		const res = await post('/api/recognize', photo, 'image/jpeg');
		const { faces } = (await res.json()) as Recognized;
		const named = faces.filter((f) => f.label === 'alice');
		expect(named).toHaveLength(1);
		expect(Math.abs(named[0]!.box.x - alice.x)).toBeLessThan(alice.width / 4);
	});
});

describe('recognizer over a real WebRTC data channel', () => {
	beforeAll(async () => {
		peer = await connectTestPeer(server.url);
	});

	it('welcomes a hello', async () => {
		peer.send({ type: 'hello', client: 'test' });
		expect(await peer.next()).toMatchObject({ type: 'welcome', maxCropSidePx: 160 });
	});

	it('names a crop of the enrolled face taken differently from the enrolment photo', async () => {
		const crop = await cropFromPhoto(photo, alice, { margin: 0.2, maxSide: 112, quality: 60 });
		peer.send({ type: 'identify', requestId: 1, trackId: 11, width: 112, height: 112, crop });
		const reply = await peer.next();
		expect(reply).toMatchObject({ type: 'identity', requestId: 1, trackId: 11, label: 'alice', personId: aliceId });
		if (reply.type === 'identity') expect(reply.distance).toBeLessThan(0.5);
	});

	it('says unknown for another person', async () => {
		const crop = await cropFromPhoto(photo, stranger, { margin: 0.25, maxSide: 160, quality: 80, format: 'webp' });
		peer.send({ type: 'identify', requestId: 2, trackId: 12, width: 160, height: 160, crop });
		expect(await peer.next()).toMatchObject({ type: 'identity', requestId: 2, label: 'unknown', personId: null });
	});

	it('answers garbage with an error and keeps serving', async () => {
		peer.sendRaw(new Uint8Array([0, 1, 2, 3]).buffer);
		expect(await peer.next()).toMatchObject({ type: 'error', code: 'bad-message' });
		peer.sendRaw('a text message');
		expect(await peer.next()).toMatchObject({ type: 'error', code: 'bad-message' });
		const notImage = new TextEncoder().encode('definitely not a jpeg');
		peer.send({ type: 'identify', requestId: 3, trackId: 13, width: 10, height: 10, crop: notImage });
		expect(await peer.next()).toMatchObject({ type: 'error', requestId: 3, code: 'bad-image' });

		const crop = await cropFromPhoto(photo, alice, { margin: 0.25, maxSide: 128, quality: 75 });
		peer.send({ type: 'identify', requestId: 4, trackId: 11, width: 128, height: 128, crop });
		expect(await peer.next()).toMatchObject({ type: 'identity', requestId: 4, label: 'alice' });
	});

	it('survives a client whose offer names a serialization PeerJS does not have', async () => {
		// Unguarded, PeerJS would do `new serializers['no-such']` in its socket handler and the
		// exception would end the server process.
		const odd = await connectTestPeer(server.url, { serialization: 'no-such' });
		try {
			odd.sendRaw(new Uint8Array([9, 9, 9]).buffer);
			expect(await odd.next()).toMatchObject({ type: 'error', code: 'bad-message' });
		} finally {
			odd.close();
		}
		const res = await fetch(`${server.url}/healthz`);
		expect(res.status).toBe(200);
	});

	it('refuses a crop over the pixel limit', async () => {
		const crop = await cropFromPhoto(photo, alice, { margin: 0.25, maxSide: 300, quality: 75 });
		peer.send({ type: 'identify', requestId: 5, trackId: 11, width: 160, height: 160, crop });
		expect(await peer.next()).toMatchObject({ type: 'error', requestId: 5, code: 'too-large' });
	});

	it('is still healthy after all that, and counts what it answered', async () => {
		const res = await fetch(`${server.url}/healthz`);
		expect(await res.json()).toMatchObject({ ok: true, people: 1 });
		const metrics = await (await fetch(`${server.url}/metrics`)).text();
		expect(metrics).toMatch(/facertc_identify_total\{outcome="named"\} [1-9]/);
		expect(metrics).toMatch(/facertc_identify_total\{outcome="error"\} [1-9]/);
	});

	it('shuts down cleanly on SIGTERM', async () => {
		peer.close();
		expect(await server.stop()).toBe(0);
		expect(server.logs.join('')).toMatch(/SIGTERM, closing/);
	});
});

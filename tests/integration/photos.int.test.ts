/**
 * The photos people have (issue 9): tight face crops (avatars, 150 px headshots) enrol; a photo
 * with no findable face says what would help; a huge image says it is too large and what the
 * limit is. Fixtures are made here from face-api's sample photos and with sharp.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ADMIN = 'admin-secret';

let server: TestServer;
const call = async (method: string, path: string, body?: Uint8Array | object, type?: string) => {
	const raw = body instanceof Uint8Array;
	const res = await fetch(`${server.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': type ?? (raw ? 'image/jpeg' : 'application/json') } : {}) },
		body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body)
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const b64 = (bytes: Uint8Array) => `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`;

/** Tight crops: each face's detector box shrunk by `inset` a side, 150 px, as avatars are. */
async function tightCrops(photo: Buffer, boxes: FaceBox[], { inset, grey }: { inset: number; grey: boolean }): Promise<Buffer[]> {
	return Promise.all(
		boxes.map((b) => {
			let img = sharp(photo)
				.rotate()
				.extract({
					left: Math.round(b.x + b.width * inset),
					top: Math.round(b.y + b.height * inset),
					width: Math.round(b.width * (1 - 2 * inset)),
					height: Math.round(b.height * (1 - 2 * inset))
				})
				.resize(150, 150, { fit: 'fill' });
			if (grey) img = img.greyscale();
			return img.jpeg({ quality: 85 }).toBuffer();
		})
	);
}

const tight: Buffer[] = [];
let huge: Buffer;

beforeAll(async () => {
	server = await startTestServer({ env: { ADMIN_TOKEN: ADMIN, OPEN_RECOGNITION: '1', MAX_UPLOAD_MB: '8' } });
	for (const n of [3, 6]) {
		const photo = readFileSync(samplePhotoPath(n));
		const res = await call('POST', '/api/recognize', new Uint8Array(photo));
		if (!Array.isArray(res.body.faces)) throw new Error(`recognize on sample${n}: ${res.status} ${JSON.stringify(res.body)}`);
		const boxes = (res.body.faces as Array<{ box: FaceBox; score: number }>).filter((f) => f.score > 0.8).map((f) => f.box);
		tight.push(...(await tightCrops(photo, boxes.slice(0, 3), { inset: 0, grey: n === 6 })));
	}
	// A flat-colour 15000×15000 JPEG: 225 megapixels in ~1.3 MB.
	huge = await sharp({ create: { width: 15000, height: 15000, channels: 3, background: '#7a8a70' }, limitInputPixels: false })
		.jpeg({ quality: 50 })
		.toBuffer();
});
afterAll(async () => {
	await server?.stop();
});

describe('photos people have', () => {
	it('enrols tight 150 px face crops (colour and grey): the server pads them to find the face', async () => {
		expect(tight.length).toBeGreaterThanOrEqual(5);
		const results = [];
		for (const [i, crop] of tight.entries()) {
			results.push({ i, ...(await call('POST', '/api/people?force=near', { name: `Tight ${i}`, images: [b64(crop)] })) });
		}
		expect(results.filter((r) => r.status !== 201)).toEqual([]);
	});

	it('still recognises a tight crop of an enrolled face on /api/recognize', async () => {
		const res = await call('POST', '/api/recognize', new Uint8Array(tight[0]!));
		const faces = res.body.faces as Array<{ label: string }>;
		expect(faces).toHaveLength(1);
		expect(faces[0]!.label).toBe('Tight 0');
	});

	it('says what would help when no face can be found', async () => {
		const plain = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } })
			.jpeg()
			.toBuffer();
		const tiny = await sharp(tight[0]).resize(24, 24).jpeg().toBuffer();
		const person = await call('POST', '/api/people', { name: 'Nobody yet' });
		const cases = [
			await call('POST', '/api/people', { name: 'X', images: [b64(tight[1]!), b64(plain)] }),
			await call('POST', `/api/people/${String(person.body.id)}/faces`, new Uint8Array(plain)),
			await call('POST', '/api/people', { name: 'X', images: [b64(tiny)] })
		];
		expect(cases.map((c) => [c.status, c.body.code])).toEqual([
			[422, 'no-face'],
			[422, 'no-face'],
			[422, 'no-face']
		]);
		expect(cases[0]!.body).toMatchObject({ index: 1 });
		expect(cases[0]!.body.error).toMatch(/no face found in image 2: .*whole head.*light/);
		expect(cases[1]!.body.error).toMatch(/no face found in the image: .*whole head.*light/);
		expect(cases[2]!.body.error).toMatch(/only 24×24 pixels: send a larger photo/);
	});

	it('refuses a 15000×15000 JPEG as too large, naming its size and the limit', async () => {
		const person = await call('POST', '/api/people', { name: 'Huge' });
		const cases = [
			await call('POST', `/api/people/${String(person.body.id)}/faces`, new Uint8Array(huge)),
			await call('POST', '/api/people', { name: 'X', images: [b64(tight[0]!), b64(huge)] }),
			await call('POST', '/api/recognize', new Uint8Array(huge))
		];
		expect(cases.map((c) => [c.status, c.body.code])).toEqual([
			[413, 'too-large'],
			[413, 'too-large'],
			[413, 'too-large']
		]);
		expect(cases[1]!.body).toMatchObject({ index: 1 });
		for (const c of cases) expect(c.body.error).toMatch(/15000×15000 pixels \(225 megapixels\); the limit is 100 megapixels/);
		// The server keeps serving.
		expect((await call('GET', '/api/people')).status).toBe(200);
	});
});

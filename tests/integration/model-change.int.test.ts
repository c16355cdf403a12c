/**
 * A change of embedding model against the real server: a gallery written by another model is
 * opened; the face with a kept thumbnail is re-embedded at start and recognised again, the face
 * without one is listed for re-enrolment, and no vector of the old model is ever matched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteGallery } from '../../server/gallery/sqlite-gallery.ts';
import { makeThumbnail } from '../../server/http/enrol/thumbnail.ts';
import { samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const photo = readFileSync(samplePhotoPath(3));
type Face = { box: FaceBox; label: string; personId: string | null };
const recognize = async (server: TestServer) =>
	(
		(await (await server.api('/api/recognize', { method: 'POST', body: new Uint8Array(photo), headers: { 'content-type': 'image/jpeg' } })).json()) as {
			faces: Face[];
		}
	).faces;

let server: TestServer;
let dataDir: string;
let ann: FaceBox;

beforeAll(async () => {
	// The face's box and thumbnail, as an older server would have kept them.
	const first = await startTestServer();
	try {
		const faces = await recognize(first);
		ann = faces.sort((a, b) => b.box.width - a.box.width)[0]!.box;
	} finally {
		await first.stop();
	}
	const { width = 0, height = 0 } = await sharp(photo).metadata();
	const thumbnail = await makeThumbnail(photo, { width, height }, ann);

	dataDir = mkdtempSync(join(tmpdir(), 'facertc-model-change-'));
	const old = createSqliteGallery({ file: join(dataDir, 'gallery.db'), model: 'an-older-model', dim: 128, pollMs: 0 });
	await old.updateSettings({ keepThumbnails: true });
	const noise = () => Float32Array.from({ length: 128 }, (_, i) => Math.sin(i * 7.1) * 0.1);
	await old.enrolPerson('Ann', [{ embedding: noise(), thumbnail }]);
	await old.enrolPerson('Bo', [{ embedding: noise() }]);
	await old.close();
	server = await startTestServer({ dataDir });
});
afterAll(async () => {
	await server?.stop({ keepData: true });
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a gallery written by another embedding model', () => {
	it('re-embeds the face with a thumbnail and lists the person without one for re-enrolment', async () => {
		type Settings = { embeddingModel?: string; reEnrol?: Array<{ name: string; faces: number; models: string[] }> };
		let settings: Settings = {};
		// Re-embedding runs in the background after start: wait for its report.
		for (let tries = 0; tries < 600 && !settings.reEnrol?.length; tries++) {
			settings = (await (await server.api('/api/settings')).json()) as Settings;
			if (!settings.reEnrol?.length) await new Promise((r) => setTimeout(r, 100));
		}
		expect(settings.embeddingModel).toMatch(/face-api/);
		expect(settings.reEnrol).toEqual([expect.objectContaining({ name: 'Bo', faces: 1, models: ['an-older-model'] })]);
		// Without the admin token the names are not shown.
		const anonymous = (await (await fetch(`${server.url}/api/settings`)).json()) as Settings;
		expect(anonymous.reEnrol).toBeUndefined();
	});

	it('recognises the re-embedded face, and never matches the old vectors', async () => {
		const faces = await recognize(server);
		const named = faces.filter((f) => f.personId !== null);
		expect(named.map((f) => f.label)).toEqual(['Ann']);
		const match = named[0]!;
		expect(Math.abs(match.box.x - ann.x)).toBeLessThan(ann.width / 4);
	});
});

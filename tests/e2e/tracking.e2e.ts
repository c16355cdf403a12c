/**
 * One face slides across the fake camera and back (a ping-pong path, so the looping clip has no
 * jump): it must keep one track id and its name the whole way, on every frame the page renders.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScene, launchChromium } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { enrolPerson, findFaces } from '../helpers/gallery.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startFrameTags, TAGGED_FRAMES_SOURCE, taggedFrames, waitInPage } from '../helpers/frame-record.ts';
import { stampFrameTag } from '../helpers/frame-tag.ts';
import { composeFrame, writeTempClip } from '../helpers/y4m.ts';

const W = 640;
const H = 480;
const FPS = 8;
const STEPS = 24; // 3 s one way, 6 s a loop

let server: TestServer;
let browser: Browser;
let page: Page;
let clipDir: string | undefined;

beforeAll(async () => {
	server = await startTestServer();
	const photo = readFileSync(samplePhotoPath(1));
	const [face] = await findFaces(server.url, photo);
	if (!face) throw new Error('no face in sample1.jpg');
	await enrolPerson(server.url, 'alice', [await cropFromPhoto(photo, face, { margin: 0.35, quality: 92 })]);
	const still = await cropFromPhoto(photo, face, { margin: 0.5, quality: 95 });
	const width = 240;
	const travel = W - width - 20;
	const frames: Buffer[] = [];
	for (let i = 0; i < STEPS * 2; i++) {
		const phase = i < STEPS ? i / STEPS : 2 - i / STEPS;
		const rgb = await composeFrame(W, H, [{ image: still, left: 10 + phase * travel, top: 110, width }]);
		stampFrameTag(rgb, W, H, i);
		frames.push(rgb);
	}
	const { clip, dir } = writeTempClip('moving-face.y4m', { width: W, height: H, fps: FPS, frames });
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
	page = await browser.newPage({ viewport: { width: 900, height: 700 } });
});

afterAll(() => closeScene({ browser, server, clipDir }));

describe('tracking a moving face', () => {
	it('keeps one track id and the name while the face crosses the frame', async () => {
		await page.goto(`${server.url}/?record=frames`);
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		// Every frame the page renders over one full sweep and back (the clip's 48 frames, tagged).
		await startFrameTags(page);
		await waitInPage(page, `new Set(${TAGGED_FRAMES_SOURCE}.map((f) => f.tag).filter((t) => t !== null)).size >= ${STEPS * 2}`, 120_000);
		const seen = (await taggedFrames(page)).filter((f) => f.tag !== null);
		const ids = new Set(seen.flatMap((f) => f.faces.map((face) => face.id)));
		expect([...ids], seen.map((f) => `${f.tag}${f.cut ? ' cut' : ''}: ${f.faces.map((face) => face.id).join(',')}`).join(' | ')).toHaveLength(1);
		const present = seen.filter((f) => f.faces.length === 1);
		expect(present.length / seen.length).toBeGreaterThan(0.9);
		const shown = present.map((f) => (f.faces[0]?.state === 'known' ? f.faces[0].label : (f.faces[0]?.state ?? '')));
		expect(
			shown.filter((l) => l !== 'alice'),
			shown.join(' ')
		).toEqual([]);
	});
});

/**
 * A hard cut between two enrolled people, their faces in the same place: the live page must never
 * draw the first name over the second face (nor the second over the first when the clip loops).
 * Every video frame the page renders is checked (`?record=frames`, and each frame's index read
 * from the picture), at a phone viewport and a desktop one.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startFrameTags, TAGGED_FRAMES_SOURCE, taggedFrames, waitInPage, type TaggedFrame } from '../helpers/frame-record.ts';
import { stampFrameTag } from '../helpers/frame-tag.ts';
import { enrolPerson, findFaces } from '../helpers/gallery.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { writeTempClip } from '../helpers/y4m.ts';

const RESULTS = 'test-results';
const W = 640;
const H = 480;
const FPS = 10;
const SHOT_FRAMES = 25; // 2.5 s a person; the clip loops, so bob → alice is a cut too
/** Where both faces are in the frame, and how wide. */
const FACE_PX = 200;
const FACE_LEFT = 220;
const FACE_TOP = 110;

let server: TestServer;
let browser: Browser;
let clipDir: string | undefined;

/** Which person a clip frame shows. */
const personAt = (tag: number) => (tag % (2 * SHOT_FRAMES) < SHOT_FRAMES ? 'alice' : 'bob');

/**
 * A shot's frames: the photo itself, framed so the face is FACE_PX wide at the same place in
 * both shots (the whole picture changes at the cut, as in edited video), drifting a little.
 */
async function shot(photo: Buffer, face: FaceBox, first: number): Promise<Buffer[]> {
	const scale = FACE_PX / face.width;
	const { width = 0, height = 0 } = await sharp(photo).metadata();
	// Grey around the photo where the framing runs past its edges.
	const margin = Math.ceil(Math.max(W, H) / scale);
	const padded = await sharp(photo)
		.extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 60, g: 60, b: 60 } })
		.toBuffer();
	// Two steps: sharp would resize before extending in one pipeline.
	const scaled = await sharp(padded)
		.resize(Math.round((width + 2 * margin) * scale), Math.round((height + 2 * margin) * scale))
		.removeAlpha()
		.toBuffer();
	const frames: Buffer[] = [];
	for (let i = 0; i < SHOT_FRAMES; i++) {
		const left = Math.round((face.x + margin) * scale - FACE_LEFT - i);
		const top = Math.round((face.y + margin) * scale - FACE_TOP);
		const rgb = await sharp(scaled).extract({ left, top, width: W, height: H }).raw().toBuffer();
		stampFrameTag(rgb, W, H, first + i);
		frames.push(rgb);
	}
	return frames;
}

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer();
	const one = readFileSync(samplePhotoPath(1));
	const two = readFileSync(samplePhotoPath(2));
	const [aliceBox] = await findFaces(server.url, one);
	const [bobBox] = await findFaces(server.url, two);
	if (!aliceBox || !bobBox) throw new Error('no face in sample1.jpg or sample2.jpg');
	await enrolPerson(server.url, 'alice', [await cropFromPhoto(one, aliceBox, { margin: 0.35, quality: 92 })]);
	await enrolPerson(server.url, 'bob', [await cropFromPhoto(two, bobBox, { margin: 0.35, quality: 92 })]);
	const frames = [...(await shot(one, aliceBox, 0)), ...(await shot(two, bobBox, SHOT_FRAMES))];
	const { clip, dir } = writeTempClip('cut.y4m', { width: W, height: H, fps: FPS, frames });
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (clipDir) rmSync(clipDir, { recursive: true, force: true });
});

/** Frames (tagged) on which a name is drawn over the other person's face. */
function carriedOver(frames: readonly TaggedFrame[]): TaggedFrame[] {
	return frames.filter((f) => f.tag !== null && f.faces.some((face) => face.state === 'known' && face.label !== personAt(f.tag!)));
}

/** Counts of cuts the recording spans with both names seen: waits on this, never on a clock. */
const ENOUGH_SOURCE = `(() => {
	const frames = ${TAGGED_FRAMES_SOURCE}.filter((f) => f.tag !== null);
	const person = (tag) => (tag % ${2 * SHOT_FRAMES} < ${SHOT_FRAMES} ? 'alice' : 'bob');
	let cuts = 0;
	for (let i = 1; i < frames.length; i++) if (person(frames[i].tag) !== person(frames[i - 1].tag)) cuts++;
	const named = (who) => frames.some((f) => person(f.tag) === who && f.faces.some((x) => x.label === who && x.state === 'known'));
	return cuts >= 4 && named('alice') && named('bob');
})()`;

describe.each([
	{ name: 'phone', viewport: { width: 390, height: 844 } },
	{ name: 'desktop', viewport: { width: 1280, height: 800 } }
])('a cut between two enrolled people ($name)', ({ name, viewport }) => {
	it('never shows the first name over the second face, on any rendered frame', async () => {
		const page = await browser.newPage({ viewport });
		try {
			await page.goto(`${server.url}/?record=frames`);
			await page.waitForSelector('[data-ready="true"]', { timeout: 90_000 });
			await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
			await startFrameTags(page);
			await waitInPage(page, ENOUGH_SOURCE, 120_000);
			const frames = await taggedFrames(page);
			const tagged = frames.filter((f) => f.tag !== null);
			expect(tagged.length / frames.length).toBeGreaterThan(0.9);
			const wrong = carriedOver(tagged);
			expect(wrong.map((f) => `${f.tag}: ${f.faces.map((x) => x.label).join(',')}`)).toEqual([]);
			// Both people were named on their own shots (so the check above had something to check).
			for (const who of ['alice', 'bob']) {
				expect(tagged.some((f) => personAt(f.tag!) === who && f.faces.some((x) => x.state === 'known' && x.label === who))).toBe(true);
			}
			// The side panel agrees with the overlay: the name on screen now is the person on screen now.
			await page.waitForSelector('[data-track-id][data-label="bob"]', { timeout: 60_000 });
			await page.screenshot({ path: join(RESULTS, `cut-${name}-bob.png`) });
			await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
			await page.screenshot({ path: join(RESULTS, `cut-${name}-alice.png`) });
		} finally {
			await page.close();
		}
	});
});

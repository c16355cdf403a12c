/**
 * A hard cut between two enrolled people, their faces in the same place: the live page must never
 * draw the first name over the second face (nor the second over the first when the clip loops).
 * Every video frame the page renders is checked (`?record=frames`, and each frame's index read
 * from the picture), at a phone viewport and a desktop one. The same clip checks the live stage:
 * the camera picture fills it (no black band on a phone in portrait) and the boxes the overlay
 * draws sit on the faces as they appear on screen.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScene, launchChromium } from '../helpers/browser.ts';
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

afterAll(() => closeScene({ browser, server, clipDir }));

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

/** The known name's box colour (src/lib/overlay/draw.ts COLORS.known). */
const KNOWN_RGB = [0x22, 0xd3, 0xee] as const;

/** The stage, the video and canvas boxes (CSS px), their fit, the picture's size and its mirroring. */
const STAGE_SOURCE = `(() => {
	const rect = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
	const video = document.querySelector('.stage video');
	const canvas = document.querySelector('.stage canvas');
	return {
		stage: rect(document.querySelector('.stage')),
		video: rect(video),
		canvas: rect(canvas),
		fit: [getComputedStyle(video).objectFit, getComputedStyle(canvas).objectFit],
		picture: { width: video.videoWidth, height: video.videoHeight },
		canvasSize: { width: canvas.width, height: canvas.height },
		mirrored: getComputedStyle(video).transform !== 'none'
	};
})()`;
type Rect = { x: number; y: number; width: number; height: number };
type Stage = {
	stage: Rect;
	video: Rect;
	canvas: Rect;
	fit: string[];
	picture: { width: number; height: number };
	canvasSize: { width: number; height: number };
	mirrored: boolean;
};

/** Where a box of the picture (video px) shows on screen, for `object-fit: contain` in `element`. */
function onScreen(box: Rect, element: Rect, picture: { width: number; height: number }, mirrored: boolean): Rect {
	const scale = Math.min(element.width / picture.width, element.height / picture.height);
	const left = element.x + (element.width - picture.width * scale) / 2;
	const top = element.y + (element.height - picture.height * scale) / 2;
	const x = mirrored ? picture.width - box.x - box.width : box.x;
	return { x: left + x * scale, y: top + box.y * scale, width: box.width * scale, height: box.height * scale };
}

/**
 * Share of points along the rectangle's four edges that have a pixel of `rgb` within `band`
 * screen px across the edge: the drawn box's outline found where the rectangle says it is.
 */
function outlineFound(image: { data: Buffer; width: number; height: number; channels: number }, r: Rect, rgb: readonly number[], band: number): number {
	const near = (x: number, y: number) => {
		const xi = Math.round(x);
		const yi = Math.round(y);
		if (xi < 0 || yi < 0 || xi >= image.width || yi >= image.height) return false;
		const o = (yi * image.width + xi) * image.channels;
		return Math.abs(image.data[o]! - rgb[0]!) + Math.abs(image.data[o + 1]! - rgb[1]!) + Math.abs(image.data[o + 2]! - rgb[2]!) < 90;
	};
	const STEPS = 16;
	let found = 0;
	let total = 0;
	for (let k = 1; k < STEPS; k++) {
		const fx = r.x + (r.width * k) / STEPS;
		const fy = r.y + (r.height * k) / STEPS;
		const edges: Array<(d: number) => boolean> = [
			(d) => near(fx, r.y + d),
			(d) => near(fx, r.y + r.height + d),
			(d) => near(r.x + d, fy),
			(d) => near(r.x + r.width + d, fy)
		];
		for (const edge of edges) {
			total++;
			for (let d = -band; d <= band; d++) {
				if (edge(d)) {
					found++;
					break;
				}
			}
		}
	}
	return found / total;
}

describe.each([
	{ name: 'phone', viewport: { width: 390, height: 844 } },
	{ name: 'desktop', viewport: { width: 1280, height: 800 } }
])('the live stage ($name)', ({ name, viewport }) => {
	it('is filled by the camera picture, and the boxes drawn sit on the faces on screen', async () => {
		const page = await browser.newPage({ viewport });
		try {
			await page.goto(`${server.url}/?record=frames`);
			await page.waitForSelector('[data-ready="true"]', { timeout: 90_000 });
			await startFrameTags(page);
			// A named face drawn on a tagged frame: its outline is the known colour.
			await waitInPage(page, `${TAGGED_FRAMES_SOURCE}.some((f) => f.tag !== null && f.faces.some((x) => x.state === 'known'))`, 120_000);
			const stage = await page.evaluate<Stage>(STAGE_SOURCE);
			// One box and one fit for the picture and the overlay, which has the picture's pixel size.
			expect(stage.canvas).toEqual(stage.video);
			expect(stage.fit).toEqual(['contain', 'contain']);
			expect(stage.canvasSize).toEqual(stage.picture);
			// The picture fills the stage: no black band (before: 49 % of a phone's stage was black).
			const shown = onScreen({ x: 0, y: 0, ...stage.picture }, stage.video, stage.picture, false);
			expect((shown.width * shown.height) / (stage.stage.width * stage.stage.height)).toBeGreaterThan(0.9);

			// The boxes drawn on the last frames before the screenshot, and where the screenshot shows them.
			// The screenshot must show a named box: one taken while every frame drawn around it had one
			// (not across the clip's cut, where the new face shows … until its answer). A busy machine
			// may need a few tries; each waits on what was drawn, never on a clock.
			let png: Buffer | null = null;
			let frames: TaggedFrame[] = [];
			for (let attempt = 0; attempt < 20 && !png; attempt++) {
				const before = (await taggedFrames(page)).length;
				const shot = await page.screenshot({ path: join(RESULTS, `stage-${name}.png`) });
				const all = await taggedFrames(page);
				const around = all.slice(Math.max(0, before - 3), all.length);
				if (around.length > 0 && around.every((f) => f.faces.some((x) => x.state === 'known'))) {
					png = shot;
					frames = around;
				}
			}
			if (!png) throw new Error('20 screenshots, none taken while a named box was drawn on every frame around it');
			const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
			const image = { data, width: info.width, height: info.height, channels: info.channels };
			const boxes = frames.flatMap((f) => f.faces.filter((x) => x.state === 'known').map((x) => ({ tag: f.tag, box: x.box })));
			expect(boxes.length).toBeGreaterThan(0);
			// The box is on the face in the picture (its centre inside the face put there by the clip)...
			for (const { tag, box } of boxes.filter((b) => b.tag !== null)) {
				const cx = box.x + box.width / 2;
				const cy = box.y + box.height / 2;
				const faceLeft = FACE_LEFT + (tag! % SHOT_FRAMES);
				expect(cx).toBeGreaterThan(faceLeft);
				expect(cx).toBeLessThan(faceLeft + FACE_PX);
				expect(cy).toBeGreaterThan(FACE_TOP);
				expect(cy).toBeLessThan(FACE_TOP + FACE_PX);
			}
			// ...and drawn on screen where the video shows that place (a box only a few frames old: 6 px of slack).
			const found = boxes.map(({ box }) => onScreen(box, stage.video, stage.picture, stage.mirrored));
			expect(Math.max(...found.map((r) => outlineFound(image, r, KNOWN_RGB, 6)))).toBeGreaterThan(0.8);
			// The measure tells places apart: the same boxes a face's width off (as a cover fit or a
			// lost mirroring would put them) find little of the outline.
			const off = found.map((r) => ({ ...r, x: r.x + (r.width > 0 ? r.width : 40) }));
			expect(Math.max(...off.map((r) => outlineFound(image, r, KNOWN_RGB, 6)))).toBeLessThan(0.5);
		} finally {
			await page.close();
		}
	});
});

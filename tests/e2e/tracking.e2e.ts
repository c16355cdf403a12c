/**
 * One face slides across the fake camera and back (a ping-pong path, so the looping clip has no
 * jump): it must keep one track id and its name the whole way.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { enrolPerson, findFaces } from '../helpers/gallery.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
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
		frames.push(await composeFrame(W, H, [{ image: still, left: 10 + phase * travel, top: 110, width }]));
	}
	const { clip, dir } = writeTempClip('moving-face.y4m', { width: W, height: H, fps: FPS, frames });
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
	page = await browser.newPage({ viewport: { width: 900, height: 700 } });
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (clipDir) rmSync(clipDir, { recursive: true, force: true });
});

describe('tracking a moving face', () => {
	it('keeps one track id and the name while the face crosses the frame', async () => {
		await page.goto(server.url);
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		// Watch for one full sweep and back, sampling what the page lists.
		const seen = await page.evaluate(async (ms) => {
			const out: Array<{ ids: string[]; labels: string[] }> = [];
			const end = performance.now() + ms;
			while (performance.now() < end) {
				const items = [...document.querySelectorAll('[data-track-id]')];
				out.push({ ids: items.map((e) => e.getAttribute('data-track-id') ?? ''), labels: items.map((e) => e.getAttribute('data-label') ?? '') });
				await new Promise((r) => setTimeout(r, 100));
			}
			return out;
		}, ((STEPS * 2) / FPS) * 1000);
		expect(seen.length).toBeGreaterThan(30);
		const ids = new Set(seen.flatMap((s) => s.ids));
		expect([...ids], JSON.stringify(seen.map((s) => s.ids.join(",")))).toHaveLength(1);
		const present = seen.filter((s) => s.ids.length === 1);
		expect(present.length / seen.length).toBeGreaterThan(0.9);
		expect(present.every((s) => s.labels[0] === 'alice')).toBe(true);
	});
});

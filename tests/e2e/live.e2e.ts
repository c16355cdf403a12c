/**
 * The live page in real Chromium: fake camera clip (written here from the face-api sample photos)
 * → MediaPipe in the page → PeerJS data channel → the real recognizer → names in the DOM.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { twoFaceScene } from '../helpers/scenes.ts';
import { RECOGNIZE_TOKEN_KEY } from '../../src/lib/api.ts';

const RESULTS = 'test-results';

let server: TestServer;
let browser: Browser;
let page: Page;
const tempDirs: string[] = [];

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer();
	const { clip, dir } = await twoFaceScene(server.url);
	tempDirs.push(dir);
	browser = await launchChromium({ cameraFile: clip });
	page = await browser.newPage({ viewport: { width: 412, height: 860 } });
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('live page', () => {
	it('names the enrolled face and marks the other unknown', async () => {
		await page.goto(server.url);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id][data-label="unknown"]', { timeout: 60_000 });
		const alice = page.locator('[data-track-id][data-label="alice"]');
		await expect(alice.textContent()).resolves.toBe('alice');
		await expect(alice.getAttribute('data-state')).resolves.toBe('known');
		await expect(page.locator('[data-track-id][data-label="unknown"]').getAttribute('data-state')).resolves.toBe('unknown');
		await page.screenshot({ path: join(RESULTS, 'live-phone.png') });
	});

	it('sends its detector keypoints with the crops, and the server starts its landmark search from them', async () => {
		const metric = async (series: string) => {
			const text = await (await fetch(`${server.url}/metrics`)).text();
			return Number(
				text
					.split('\n')
					.find((l) => l.startsWith(`${series} `))
					?.split(' ')[1] ?? 0
			);
		};
		// Both faces were named by now (the test above), from this page's crops. (A face seen only by
		// the far-range pass has no keypoints: its crops count as "none", so those are not asserted.)
		const used = await metric('facertc_crops_described_total{keypoints="used"}');
		expect(used).toBeGreaterThanOrEqual(1);
		expect(await metric('facertc_crops_described_total{keypoints="unusable"}')).toBe(0);
		expect(await metric('facertc_landmark_passes_total{keypoints="used"}')).toBeGreaterThanOrEqual(used);
	});

	it('counts the bytes and crops it sent, far less than the video', async () => {
		const value = async (stat: string) => Number(await page.locator(`[data-stat="${stat}"]`).getAttribute('data-value'));
		await page.waitForFunction(() => Number(document.querySelector('[data-stat="crops-sent"]')?.getAttribute('data-value')) >= 2);
		const crops = await value('crops-sent');
		const up = await value('bytes-up');
		const down = await value('bytes-down');
		expect(crops).toBeGreaterThanOrEqual(2);
		expect(up).toBeGreaterThan(crops * 500);
		expect(up / crops).toBeLessThan(16_000);
		expect(down).toBeGreaterThan(0);
	});

	it('shows offline while the server is down, keeps boxing faces, and reconnects by itself', async () => {
		const { port, dataDir } = server;
		await server.stop({ keepData: true });
		await page.waitForSelector('[data-stat="link"][data-value="offline"]', { timeout: 30_000 });
		await page.waitForSelector('[data-track-id]', { timeout: 10_000 });
		const cropsBefore = Number(await page.locator('[data-stat="crops-sent"]').getAttribute('data-value'));

		server = await startTestServer({ port, dataDir });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		// Names keep coming from the new server: further crops are sent and answered.
		await page.waitForFunction((before) => Number(document.querySelector('[data-stat="crops-sent"]')?.getAttribute('data-value')) > before, cropsBefore, {
			timeout: 30_000
		});
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
	});
});

describe('live page before the recognizer answers', () => {
	it('lists each face as … (data-state="asking", no data-label), never as unknown', async () => {
		// A recognizer that refuses this browser (no token): faces are boxed, never answered.
		const guarded = await startTestServer({ env: { RECOGNIZE_TOKEN: 'sesame', OPEN_RECOGNITION: '0' } });
		const p = await browser.newPage({ viewport: { width: 390, height: 844 } });
		try {
			await p.goto(guarded.url);
			const face = p.locator('[data-track-id]').first();
			await face.waitFor({ timeout: 60_000 });
			await expect(face.getAttribute('data-state')).resolves.toBe('asking');
			await expect(face.getAttribute('data-label')).resolves.toBeNull();
			await expect(face.textContent()).resolves.toBe('…');
			await expect(p.locator('[data-track-id][data-label]').count()).resolves.toBe(0);
			await p.screenshot({ path: join(RESULTS, 'live-asking-phone.png') });
		} finally {
			await p.close();
			await guarded.stop();
		}
	});
});

describe('live page against a recognizer that wants a token', () => {
	it('says a token is needed, and where to set it', async () => {
		const guarded = await startTestServer({ env: { RECOGNIZE_TOKEN: 'sesame', OPEN_RECOGNITION: '0' } });
		const noCamera = await launchChromium();
		try {
			const p = await noCamera.newPage();
			await p.goto(guarded.url);
			const alert = p.locator('p.token[role="alert"]');
			await alert.waitFor({ timeout: 30_000 });
			await expect(alert.textContent()).resolves.toMatch(/recognition token/);
			await expect(p.locator('[data-stat="link"]').getAttribute('data-value')).resolves.toBe('offline');
			// With the token stored (as the People page stores it), the next reconnect attempt
			// sends it: the server's welcome clears the alert, without a reload.
			await p.evaluate(`localStorage.setItem(${JSON.stringify(RECOGNIZE_TOKEN_KEY)}, 'sesame')`);
			await alert.waitFor({ state: 'detached', timeout: 30_000 });
			await p.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 30_000 });
		} finally {
			await noCamera.close();
			await guarded.stop();
		}
	});
});

describe('live page without a camera', () => {
	it('says so instead of showing a blank screen', async () => {
		const noCamera = await launchChromium();
		try {
			const p = await noCamera.newPage();
			await p.goto(server.url);
			const alert = p.locator('[role="alert"]');
			await alert.waitFor({ timeout: 30_000 });
			await expect(alert.textContent()).resolves.toMatch(/camera/i);
		} finally {
			await noCamera.close();
		}
	});
});

/**
 * The live page on a recognizer overloaded by other clients (issue #10), in real Chromium: it
 * says the recognizer is busy (while staying connected), backs off, and names faces again by
 * itself once the load is gone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScene, launchChromium } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { findFaces } from '../helpers/gallery.ts';
import { connectTestPeer, type TestPeer } from '../helpers/node-peer.ts';
import { twoFaceScene } from '../helpers/scenes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let browser: Browser;
let clipDir: string | undefined;

/** While this file exists the one worker answers every job 600 ms late (tests/helpers/slow-worker.ts). */
const slowFile = join(mkdtempSync(join(tmpdir(), 'facertc-slow-')), 'slow');

beforeAll(async () => {
	// One worker, and room for the flood's channels and crops from this one address.
	server = await startTestServer({
		env: {
			EMBED_WORKERS: '1',
			MAX_CHANNELS_PER_ADDRESS: '12',
			CROP_RATE_PER_ADDRESS: '10000',
			TEST_HOOKS: '1',
			EMBED_WORKER_ENTRY: 'tests/helpers/slow-worker.ts',
			FACERTC_SLOW_FILE: slowFile
		}
	});
	const { clip, dir } = await twoFaceScene(server.url, 8);
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
});

afterAll(async () => {
	await closeScene({ browser, server, clipDir });
	rmSync(dirname(slowFile), { recursive: true, force: true });
});

/** `clients` channels each keeping `inFlight` crops in the recognizer until `stop()`. */
async function flood(url: string, clients: number, inFlight: number): Promise<{ stop(): Promise<void> }> {
	const photo = readFileSync(samplePhotoPath(2));
	const [box] = await findFaces(url, photo);
	const crop = new Uint8Array(await cropFromPhoto(photo, box!, { margin: 0.25, maxSide: 112, quality: 50, format: 'webp' }));
	const peers: TestPeer[] = [];
	for (let i = 0; i < clients; i++) peers.push(await connectTestPeer(url));
	let flooding = true;
	let requestId = 0;
	const loops = peers.flatMap((peer) =>
		Array.from({ length: inFlight }, async () => {
			while (flooding) {
				peer.send({ type: 'identify', requestId: ++requestId, trackId: 1, width: 112, height: 112, crop });
				await peer.next(60_000);
			}
		})
	);
	return {
		async stop() {
			flooding = false;
			await Promise.allSettled(loops);
			for (const peer of peers) peer.close();
		}
	};
}

/** Live crops the server has answered `overloaded`, for every reason (its /metrics). */
async function refusedLive(): Promise<number> {
	const metrics = await (await fetch(`${server.url}/metrics`)).text();
	return [...metrics.matchAll(/^facertc_overloaded_total\{priority="live",reason="[a-z-]+"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('a busy recognizer', () => {
	it('makes the live page say so while staying connected, then name faces again once it has room', async () => {
		const page = await browser.newPage({ viewport: { width: 412, height: 860 } });
		await page.goto(server.url);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-busy="false"]');

		// More crops in flight than the queue holds (64), on one worker made slower than a live crop's
		// deadline (400 ms): the page, served first as the client with the least service, still
		// finds a flood's job running on most crops it sends, too long to wait for. With the nets'
		// own speed (~15 ms a crop) a fast machine fits the page's crops in and it is never refused.
		const refusedBefore = await refusedLive();
		writeFileSync(slowFile, '');
		const load = await flood(server.url, 10, 8);
		try {
			// Busy, not gone: the channel stays up and the page says why names are slow. Read in the
			// same moment as the busy flag: it lasts 3 s after the last refusal, and reads one after
			// another could fall on either side of that on a slow machine.
			const busy = await page.waitForFunction(
				() => {
					const link = document.querySelector<HTMLElement>('[data-stat="link"]');
					return link?.dataset.busy === 'true' ? { value: link.dataset.value, text: link.textContent } : null;
				},
				undefined,
				{ timeout: 60_000 }
			);
			const shown = (await busy.jsonValue()) as { value?: string; text: string | null };
			expect(shown.value).toBe('connected');
			expect(shown.text).toMatch(/recognizer busy/);
			await page.screenshot({ path: 'test-results/live-busy.png' });
			expect(await refusedLive()).toBeGreaterThan(refusedBefore);
		} finally {
			rmSync(slowFile, { force: true });
			await load.stop();
		}
		await page.waitForSelector('[data-stat="link"][data-busy="false"]', { timeout: 60_000 });
		// Answered again: more bytes come down (a refresh of the names), and the names are there. (On a
		// loaded machine one worker may still turn away one of two crops sent at once: no check that
		// it stays calm.)
		const down = Number(await page.locator('[data-stat="bytes-down"]').getAttribute('data-value'));
		await page.waitForFunction((before) => Number(document.querySelector('[data-stat="bytes-down"]')?.getAttribute('data-value')) > before, down, {
			timeout: 60_000
		});
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		await page.close();
	});
});

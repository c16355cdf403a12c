/**
 * The installable, offline-capable app in real Chromium: manifest and icons, the install button
 * (also when the browser offers before the app has loaded, at both viewports), the service worker
 * taking control, an offline reload that still finds faces, reconnection when the network is back,
 * and the prompt that reloads into a newer build. Phone-sized viewport; screenshots in test-results/.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { twoFaceScene } from '../helpers/scenes.ts';

const RESULTS = 'test-results';
const PHONE = { viewport: { width: 412, height: 860 }, deviceScaleFactor: 2 };
const LIVE_PATH = /\/(api|peerjs)(\/|$)|\/healthz$|\/metrics$/;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let appBuild: string;
let buildVersion: string;
const tempDirs: string[] = [];

type Manifest = {
	name: string;
	short_name: string;
	start_url: string;
	scope: string;
	display: string;
	theme_color: string;
	background_color: string;
	icons: Array<{ src: string; sizes: string; type: string; purpose?: string }>;
};

/** Why a copy of build/ is not one finished build, or null when it is. */
function brokenBuild(dir: string, version: string): string | null {
	const sw = readFileSync(join(dir, 'service-worker.js'), 'utf8');
	if (!sw.includes(`"${version}"`)) return 'its worker belongs to another build';
	const list = /\[\{"revision"[^\]]*\]/.exec(sw)?.[0];
	if (!list || sw.includes('self.__WB_MANIFEST')) return 'its worker has no precache list';
	const local = [...list.matchAll(/"url":"([^"/][^"]*)"/g)].map((m) => m[1]!);
	const missing = local.filter((file) => !existsSync(join(dir, file)));
	return missing.length > 0 ? `it lacks ${missing.join(', ')}` : null;
}

/**
 * What `npm start` does (build unless build/ is finished and newer than the sources), then a copy
 * to serve: the app under test must not change if build/ is rebuilt meanwhile, as it may be in a
 * checkout others work in. A copy taken during such a rebuild is taken again.
 */
function snapshotBuild(): { dir: string; version: string } {
	let problem = '';
	for (let attempt = 0; attempt < 3; attempt++) {
		const built = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' });
		if (built.status !== 0) throw new Error('the web app did not build');
		const dir = mkdtempSync(join(tmpdir(), 'facertc-build-'));
		cpSync('build', dir, { recursive: true });
		const { version } = JSON.parse(readFileSync(join(dir, '_app/version.json'), 'utf8')) as { version: string };
		const reason = brokenBuild(dir, version);
		if (!reason) return { dir, version };
		problem = reason;
		rmSync(dir, { recursive: true, force: true });
	}
	throw new Error(`build/ is not a finished build: ${problem}`);
}

/** Waits until a service worker is active for the page; says what state it is in if none gets there. */
async function workerReady(p: Page): Promise<void> {
	const state = await p.evaluate(async () => {
		const ready = navigator.serviceWorker.ready.then(() => 'ready');
		const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 60_000));
		if ((await Promise.race([ready, late])) === 'ready') return 'ready';
		const r = await navigator.serviceWorker.getRegistration();
		return `no active worker: ${JSON.stringify({ installing: r?.installing?.state, waiting: r?.waiting?.state, active: r?.active?.state })}`;
	});
	expect(state).toBe('ready');
}

/** Every URL in the page's Cache Storage, by cache name. */
function cachedUrls(p: Page): Promise<Record<string, string[]>> {
	return p.evaluate(async () => {
		const out: Record<string, string[]> = {};
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
		}
		return out;
	});
}

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	// What `npm start` does: build unless build/ is finished and newer than the sources.
	({ dir: appBuild, version: buildVersion } = snapshotBuild());
	tempDirs.push(appBuild);
	server = await startTestServer({ buildDir: appBuild });
	const { clip, dir } = await twoFaceScene(server.url, 8);
	tempDirs.push(dir);
	browser = await launchChromium({ cameraFile: clip });
	context = await browser.newContext(PHONE);
	page = await context.newPage();
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('installable app', () => {
	it('serves a valid manifest whose icons load at their stated sizes', async () => {
		const res = await fetch(`${server.url}/manifest.webmanifest`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
		const manifest = (await res.json()) as Manifest;
		expect(manifest).toMatchObject({ short_name: 'FaceRTC', start_url: '/', scope: '/', display: 'standalone' });
		expect(manifest.name).toMatch(/FaceRTC/);
		expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
		expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

		const icons = [...manifest.icons, { src: '/icons/apple-touch-icon.png', sizes: '180x180', type: 'image/png', purpose: 'any' }];
		expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
		for (const icon of icons) {
			const image = await fetch(new URL(icon.src, server.url));
			expect(image.status, icon.src).toBe(200);
			expect(image.headers.get('content-type')).toBe(icon.type);
			const { width, height, format } = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
			expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
			expect(format).toBe('png');
		}
	});

	it('passes Chromium’s installability checks', async () => {
		// Chromium never installs from an incognito profile, which every Playwright context is: this
		// check gets a browser with a profile of its own.
		const profile = mkdtempSync(join(tmpdir(), 'facertc-profile-'));
		tempDirs.push(profile);
		const installer = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-dev-shm-usage',
				'--no-first-run',
				'--use-fake-ui-for-media-stream',
				'--use-fake-device-for-media-stream'
			],
			...PHONE
		});
		try {
			const tab = installer.pages()[0] ?? (await installer.newPage());
			await tab.goto(server.url);
			await workerReady(tab);
			const cdp = await installer.newCDPSession(tab);
			const { errors } = (await cdp.send('Page.getAppManifest')) as { errors: Array<{ message: string }> };
			expect(errors).toEqual([]);
			const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
			expect(installabilityErrors).toEqual([]);
		} finally {
			await installer.close();
		}
	});

	it('turns the browser’s install offer into an Install button', async () => {
		// Headless Chromium never makes the offer itself (it wants a person's engagement first), so
		// the test sends the event Chromium would, with a stand-in prompt() that records the call.
		await page.goto(server.url);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await expect(page.getByRole('button', { name: 'Install' }).count()).resolves.toBe(0);
		await page.evaluate(() => {
			const offer = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
				prompt: () => Promise.resolve(Object.assign(window, { facertcPrompted: true })).then(() => undefined),
				userChoice: Promise.resolve({ outcome: 'accepted' })
			});
			window.dispatchEvent(offer);
		});
		const install = page.getByRole('button', { name: 'Install' });
		await install.waitFor();
		await page.screenshot({ path: join(RESULTS, 'pwa-install-phone.png') });
		await install.click();
		await expect(page.evaluate(() => (window as { facertcPrompted?: boolean }).facertcPrompted)).resolves.toBe(true);
		await install.waitFor({ state: 'detached' });
	});

	it('keeps an install offer that comes before the app has loaded, at both viewports', async () => {
		// In 2 of 8 loads Chromium made its offer before the app listened, and it comes once a load:
		// here the app's scripts are held back until the offer has come, as on a slow phone.
		for (const [name, options] of [
			['phone', PHONE],
			['desktop', { viewport: { width: 1280, height: 800 } }]
		] as const) {
			const early = await browser.newContext({ ...options, serviceWorkers: 'block' });
			try {
				const tab = await early.newPage();
				let release: () => void = () => {};
				const released = new Promise<void>((resolve) => (release = resolve));
				await tab.route('**/_app/**', async (route) => {
					await released;
					await route.continue();
				});
				await tab.goto(server.url, { waitUntil: 'commit' });
				// Polled by timer: no animation frame comes while the held stylesheet blocks rendering.
				await tab.waitForFunction(() => '__facertcInstallOffer' in window, undefined, { polling: 100 });
				expect(await tab.locator('header').count()).toBe(0); // the app has not started
				await tab.evaluate(() => {
					const offer = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
						prompt: () => Promise.resolve(Object.assign(window, { facertcPrompted: true })).then(() => undefined),
						userChoice: Promise.resolve({ outcome: 'accepted' })
					});
					window.dispatchEvent(offer);
				});
				release();
				const install = tab.getByRole('button', { name: 'Install' });
				await install.waitFor({ timeout: 60_000 });
				await tab.screenshot({ path: join(RESULTS, `pwa-install-early-${name}.png`) });
				await install.click();
				await expect(tab.evaluate(() => (window as { facertcPrompted?: boolean }).facertcPrompted)).resolves.toBe(true);
				await install.waitFor({ state: 'detached' });
			} finally {
				await early.close();
			}
		}
	});

	it('is controlled by the service worker after load and reload, with the shell, WASM and model precached', async () => {
		await page.goto(server.url);
		await workerReady(page);
		await page.reload();
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
		expect(controller).toBe(`${server.url}/service-worker.js`);
		await page.waitForSelector(`[data-app-version="${buildVersion}"]`);

		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		const cached = Object.values(await cachedUrls(page)).flat();
		for (const path of [
			'/index.html',
			'/install-offer.js',
			'/vendor/mediapipe/wasm/vision_wasm_internal.wasm',
			'/vendor/mediapipe/wasm/vision_wasm_internal.js',
			'/models/blaze_face_short_range.tflite',
			'/models/blaze_face_full_range.tflite',
			'/manifest.webmanifest'
		]) {
			expect(cached, path).toContain(path);
		}
		// The app has by now fetched /api/config (and the link talked to /peerjs): none of it is kept.
		expect(cached.filter((path) => LIVE_PATH.test(path))).toEqual([]);
		expect(cached.some((path) => path.includes('nosimd'))).toBe(false);

		const sw = await fetch(`${server.url}/service-worker.js`);
		expect(sw.headers.get('cache-control')).toBe('no-cache');
	});
});

describe('offline', () => {
	it('reloads with no network into the shell, live face boxes and "recognizer offline"', async () => {
		await context.setOffline(true);
		await page.reload();
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-value="offline"]');
		await expect(page.locator('[data-stat="link"]').textContent()).resolves.toMatch(/recognizer offline/);
		await expect(page.locator('header nav a').count()).resolves.toBe(2);
		// Boxes are drawn: the overlay canvas holds non-transparent pixels.
		const painted = await page.evaluate(() => {
			const canvas = document.querySelector('canvas');
			const ctx = canvas?.getContext('2d');
			if (!canvas || !ctx || canvas.width === 0) return 0;
			const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
			let n = 0;
			for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
			return n;
		});
		expect(painted).toBeGreaterThan(100);
		// Answers that change are never served from a cache.
		const api = await page.evaluate(() =>
			fetch('/api/config').then(
				() => 'answered',
				() => 'failed'
			)
		);
		expect(api).toBe('failed');
		await page.screenshot({ path: join(RESULTS, 'pwa-offline-phone.png') });
	});

	it('reconnects when the network is back and names come back without a reload', async () => {
		await page.evaluate(() => Object.assign(window, { facertcSamePage: true }));
		await context.setOffline(false);
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		await expect(page.evaluate(() => (window as { facertcSamePage?: boolean }).facertcSamePage)).resolves.toBe(true);
		await page.screenshot({ path: join(RESULTS, 'pwa-online-phone.png') });
	});
});

describe('updates', () => {
	it('offers to reload into a newer build once its worker waits, and does', async () => {
		// A "deploy": the same build under a new version, served by a new server on the same origin.
		const nextBuild = mkdtempSync(join(tmpdir(), 'facertc-build-'));
		tempDirs.push(nextBuild);
		cpSync(appBuild, nextBuild, { recursive: true });
		const nextVersion = `${buildVersion}-next`;
		for (const file of ['service-worker.js', '_app/version.json']) {
			const text = readFileSync(join(nextBuild, file), 'utf8');
			expect(text.includes(`"${buildVersion}"`), file).toBe(true);
			writeFileSync(join(nextBuild, file), text.replaceAll(`"${buildVersion}"`, `"${nextVersion}"`));
		}
		const { port, dataDir } = server;
		await server.stop({ keepData: true });
		tempDirs.push(dataDir);
		server = await startTestServer({ port, dataDir, buildDir: nextBuild });

		await page.reload();
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		// Browsers look for a new worker on navigation; ask too, as the app does on coming back to the front.
		await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
		const prompt = page.locator('[data-pwa-update]');
		await prompt.waitFor({ timeout: 60_000 });
		await expect(prompt.textContent()).resolves.toMatch(/new version/i);
		// Still the old build until the user says so.
		await expect(page.locator('.shell').getAttribute('data-app-version')).resolves.toBe(buildVersion);
		await page.screenshot({ path: join(RESULTS, 'pwa-update-phone.png') });

		await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), prompt.getByRole('button', { name: 'Reload' }).click()]);
		await page.waitForSelector(`[data-app-version="${nextVersion}"]`, { timeout: 30_000 });
		await expect(page.locator('[data-pwa-update]').count()).resolves.toBe(0);
		const cacheNames = Object.keys(await cachedUrls(page));
		expect(cacheNames.filter((name) => name.startsWith('facertc-runtime-') && !name.endsWith(nextVersion))).toEqual([]);
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
	});
});

describe('over HTTPS', () => {
	// Its own timeout: a second server starting, and a fresh browser context's first detections.
	it('the live page connects to the recognizer through wss with the generated certificate', { timeout: 300_000 }, async () => {
		const secure = await startTestServer({ args: ['--https'], env: { EMBED_WORKERS: '1' } });
		try {
			expect(existsSync(join(secure.dataDir, 'tls/cert.pem'))).toBe(true);
			// As a phone user does on the certificate warning: proceed anyway.
			const phone = await browser.newContext({ ...PHONE, ignoreHTTPSErrors: true });
			const tab = await phone.newPage();
			await tab.goto(secure.url);
			expect(tab.url()).toMatch(/^https:/);
			await tab.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
			await tab.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
			// Nobody is enrolled on this server: an answered face is listed as unknown. (Before the
			// answer said whether the crop held a face, that was read as "no face" and the face hidden;
			// this test saw it only when the face was listed before its first answer came.)
			await tab.waitForSelector('[data-track-id][data-state="unknown"]', { timeout: 120_000 });
			await phone.close();
		} finally {
			await secure.stop();
		}
	});
});

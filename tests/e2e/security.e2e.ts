/**
 * Security as a user meets it, with the real build in real Chromium: the Content-Security-Policy
 * must not break the live page (MediaPipe's WASM, the PeerJS WebSocket and data channel), the
 * People page (thumbnails, the pairing QR code) or the service worker (its precache fetches), and
 * it must really be enforced (an injected inline script does not run); a live page refused for
 * lack of room says the server is busy and gets in by itself once there is room.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScene, launchChromium, storeTokens } from '../helpers/browser.ts';
import { connectTestPeer } from '../helpers/node-peer.ts';
import { twoFaceScene } from '../helpers/scenes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let browser: Browser;
let clipDir: string | undefined;

/** Records every CSP violation and console complaint about the policy, from before the first script. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
	const console: string[] = [];
	page.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) console.push(message.text());
	});
	await page.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as { __csp: string[] }).__csp = seen;
		document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	return async () => [...console, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))];
}

beforeAll(async () => {
	server = await startTestServer();
	const { clip, dir } = await twoFaceScene(server.url, 8);
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
});

afterAll(() => closeScene({ browser, server, clipDir }));

describe('security headers', () => {
	it('sends the policy and the other headers with the app and its service worker', async () => {
		for (const path of ['/', '/people', '/service-worker.js']) {
			const res = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
			const csp = res.headers.get('content-security-policy') ?? '';
			expect(csp, path).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
			expect(csp, path).toMatch(/frame-ancestors 'none'/);
			expect(csp, path).not.toMatch(/'unsafe-inline'/);
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			expect(res.headers.get('permissions-policy')).toMatch(/camera=\(self\)/);
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			await res.arrayBuffer();
		}
		// HTTP here: no HSTS (https.int.test.ts checks it over HTTPS).
		expect((await fetch(server.url)).headers.get('strict-transport-security')).toBeNull();
		const api = await fetch(`${server.url}/api/config`);
		expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
	});

	it('leaves the live page working: detector, signalling, names; and the service worker takes control', async () => {
		const page = await browser.newPage({ viewport: { width: 412, height: 860 } });
		const violations = await watchViolations(page);
		await page.goto(server.url);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await page.waitForSelector('[data-track-id][data-label="alice"]', { timeout: 60_000 });
		const worker = await page.evaluate(async () => {
			await navigator.serviceWorker.ready;
			const cached = await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).length));
			return {
				controlled: navigator.serviceWorker.controller !== null || (await navigator.serviceWorker.getRegistration())?.active?.state,
				cached: cached.reduce((a, b) => a + b, 0)
			};
		});
		expect(worker.controlled).toBeTruthy();
		expect(worker.cached).toBeGreaterThan(10);
		expect(await violations()).toEqual([]);

		// The policy is enforced: an injected inline script is blocked (and reported).
		const ran = await page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'window.__injected = true';
			document.body.append(script);
			return (window as unknown as { __injected?: boolean }).__injected === true;
		});
		expect(ran).toBe(false);
		await expect.poll(async () => (await violations()).some((v) => v.startsWith('script-src'))).toBe(true);

		// So is the style policy: an injected <style> (CSS can read attributes out through selectors) and
		// an injected style attribute are not applied; styles set through the CSSOM, as Svelte sets them, are.
		const applied = await page.evaluate(() => {
			const probe = document.createElement('div');
			document.body.append(probe);
			const style = document.createElement('style');
			style.textContent = '#csp-probe-a { padding-left: 7px; }';
			document.head.append(style);
			probe.id = 'csp-probe-a';
			const attribute = document.createElement('div');
			attribute.setAttribute('style', 'padding-left: 9px');
			document.body.append(attribute);
			const cssom = document.createElement('div');
			cssom.style.cssText = 'padding-left: 5px';
			document.body.append(cssom);
			const width = (el: Element) => getComputedStyle(el).paddingLeft;
			return { element: width(probe), attribute: width(attribute), cssom: width(cssom) };
		});
		expect(applied.element).not.toBe('7px');
		expect(applied.attribute).not.toBe('9px');
		expect(applied.cssom).toBe('5px');
		await expect.poll(async () => (await violations()).filter((v) => v.startsWith('style-src')).length).toBeGreaterThanOrEqual(2);
		await page.close();
	});

	it('leaves the People page working: gallery list and the pairing QR code', async () => {
		const context = await browser.newContext({ viewport: { width: 412, height: 860 } });
		await storeTokens(context);
		const page = await context.newPage();
		const violations = await watchViolations(page);
		await page.goto(`${server.url}/people`);
		await page.waitForSelector('[data-ready="true"]');
		await page.waitForSelector('[data-person-id][data-name="alice"]');
		await page.click('[data-pair-role="admin"]');
		const qr = page.locator('[data-pairing-code="admin"] img');
		await qr.waitFor();
		await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
		expect(await violations()).toEqual([]);
		await context.close();
	});
});

describe('a full server', () => {
	it('makes the live page say it is busy, then connect by itself when a channel frees up', async () => {
		const full = await startTestServer({ env: { MAX_CHANNELS: '1', EMBED_WORKERS: '1' } });
		const noCamera = await launchChromium();
		try {
			const holder = await connectTestPeer(full.url);
			const page = await noCamera.newPage();
			await page.goto(full.url);
			const link = page.locator('[data-stat="link"]');
			await expect.poll(() => link.textContent(), { timeout: 30_000 }).toMatch(/server busy/);
			expect(await link.getAttribute('data-value')).toBe('offline');
			holder.close();
			await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		} finally {
			await noCamera.close();
			await full.stop();
		}
	});
});

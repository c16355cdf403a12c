/**
 * The People page at both viewports (desktop 1280×800, phone 390×844 with touch) in real Chromium
 * against the real server: the live page's hint while nobody is enrolled; then, with a dozen people
 * (long and emoji names among them), scrolling by wheel and by touch keeps the header and leaves no
 * blank area; long names stay on one line; the offline state (first load and mid-session) and its
 * recovery without a reload; an undoable face delete; the duplicate prompt with both pictures;
 * finding a person by part of their name.
 * Screenshots in test-results/ (people-layout-*).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeScene, launchChromium, storeTokens } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { composeFrame, writeTempClip } from '../helpers/y4m.ts';

const RESULTS = 'test-results';
const TOKEN = 'layout-secret';
const LONG_NAME = 'Maximilian Alexander Christopher von Humboldt-Wedekind zu Lichte';
// No service worker: the offline checks stop the API with routes, which a worker would bypass.
const VIEWPORTS = [
	{ name: 'desktop', options: { viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' } },
	{ name: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, serviceWorkers: 'block' } }
] as const;

let server: TestServer;
let browser: Browser;
let clipDir: string | undefined;
let erinJpeg: Buffer;

const auth = { authorization: `Bearer ${TOKEN}` };
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(`${server.url}${path}`, {
		method,
		headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A page of `context` that already holds the admin token, as after pairing once. */
async function openPage(context: BrowserContext, path: string): Promise<Page> {
	await storeTokens(context, { admin: TOKEN });
	const page = await context.newPage();
	await page.goto(`${server.url}${path}`);
	return page;
}

/** Where things are once scrolled: the document itself must never scroll. */
function layoutState(page: Page) {
	return page.evaluate(() => {
		const header = document.querySelector('header')!.getBoundingClientRect();
		const scroller = document.querySelector<HTMLElement>('.page')!;
		const bottom = document.elementFromPoint(innerWidth / 2, innerHeight - 12);
		const top = document.elementFromPoint(12, header.height / 2);
		return {
			documentScrollTop: document.scrollingElement!.scrollTop,
			documentTaller: document.scrollingElement!.scrollHeight - innerHeight,
			documentWider: document.scrollingElement!.scrollWidth - innerWidth,
			headerTop: header.top,
			headerHit: Boolean(top?.closest('header')),
			pageScrollTop: scroller.scrollTop,
			atBottom: scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2,
			bottomHit: bottom ? (bottom.closest('.inner, .toast') ? 'content' : bottom.tagName.toLowerCase() + '.' + bottom.className) : 'nothing'
		};
	});
}

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer({ env: { ADMIN_TOKEN: TOKEN } });
	const photo6 = readFileSync(samplePhotoPath(6));
	const res = await fetch(`${server.url}/api/recognize`, { method: 'POST', body: new Uint8Array(photo6), headers: { 'content-type': 'image/jpeg' } });
	const boxes = ((await res.json()) as { faces: Array<{ box: FaceBox }> }).faces.map((f) => f.box).sort((a, b) => a.x - b.x);
	erinJpeg = await cropFromPhoto(photo6, boxes[3]!, { margin: 0.35, quality: 92 });
	const frames = [await composeFrame(640, 480, [{ image: erinJpeg, left: 200, top: 90, width: 240 }])];
	const written = writeTempClip('still.y4m', { width: 640, height: 480, fps: 5, frames });
	clipDir = written.dir;
	browser = await launchChromium({ cameraFile: written.clip });
});

afterAll(() => closeScene({ browser, server, clipDir }));

describe('an empty gallery', () => {
	it('makes the live page say to enrol people first, at both viewports', async () => {
		for (const { name, options } of VIEWPORTS) {
			const context = await browser.newContext(options);
			try {
				const page = await openPage(context, '/');
				await page.waitForSelector('[data-empty-gallery]', { timeout: 60_000 });
				await expect(page.locator('[data-empty-gallery]').textContent()).resolves.toMatch(/Nobody is enrolled yet.*enrol people first/);
				// As it says: the face is boxed and listed as unknown once answered, and stays so (an
				// answer with nobody to compare against once read as "no face here" and hid it).
				await page.waitForSelector('[data-track-id][data-state="unknown"]', { timeout: 60_000 });
				await page.waitForTimeout(2_000);
				await expect(page.locator('[data-track-id][data-state="unknown"]').count()).resolves.toBe(1);
				await page.screenshot({ path: join(RESULTS, `people-layout-live-empty-${name}.png`) });
			} finally {
				await context.close();
			}
		}
	});
});

describe.each(VIEWPORTS)('the People page on $name', ({ name, options }) => {
	let context: BrowserContext;
	let page: Page;
	const shot = (what: string) => page.screenshot({ path: join(RESULTS, `people-layout-${what}-${name}.png`) });

	beforeAll(async () => {
		// A dozen people (random embeddings: only the page is under test here) and Erin, a real face
		// with a kept thumbnail, for the delete and duplicate checks.
		const { model, dim } = (await call('GET', '/api/export')).body as { model: string; dim: number };
		const names = [
			'Ada Lovelace',
			'🦊 Fox Mulder',
			'👩‍👩‍👧 Family Account',
			'Émile Zola',
			'李 小龍',
			LONG_NAME,
			'Grace Hopper',
			'Alan Turing',
			'Hedy Lamarr',
			'Katherine Johnson',
			'Margaret Hamilton',
			'Radia Perlman'
		];
		let seed = name.length;
		const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
		const yaws = [0, 0.02, -0.04, 0.3, -0.3];
		const people = names.map((person, i) => ({
			name: person,
			faces: Array.from({ length: 1 + (i % 5) }, (_, j) => ({ embedding: Array.from({ length: dim }, random), yaw: yaws[j] }))
		}));
		expect((await call('POST', '/api/import?mode=replace', { format: 'facertc-gallery', version: 1, model, dim, people })).status).toBe(200);
		await call('PATCH', '/api/settings', { keepThumbnails: true });
		const erin = await call('POST', '/api/people', { name: 'Erin', images: [`data:image/jpeg;base64,${erinJpeg.toString('base64')}`] });
		expect(erin.status).toBe(201);
		context = await browser.newContext(options);
		page = await openPage(context, '/people');
		await page.waitForSelector('[data-ready="true"]');
		await page.waitForSelector('[data-people-count="13"]');
	});
	afterAll(async () => {
		await context?.close();
	});

	it('scrolls inside the page: the header stays and there is no blank area', async () => {
		const start = await layoutState(page);
		expect(start).toMatchObject({ documentScrollTop: 0, headerTop: 0, headerHit: true });
		expect(start.documentTaller).toBeLessThanOrEqual(0);
		await page.mouse.move(options.viewport.width / 2, options.viewport.height / 2);
		await page.mouse.wheel(0, 6000);
		await page.waitForFunction(() => {
			const s = document.querySelector<HTMLElement>('.page')!;
			return s.scrollTop + s.clientHeight >= s.scrollHeight - 2;
		});
		const end = await layoutState(page);
		expect(end).toMatchObject({ documentScrollTop: 0, headerTop: 0, headerHit: true, atBottom: true, bottomHit: 'content' });
		expect(end.documentTaller).toBeLessThanOrEqual(0);
		expect(end.pageScrollTop).toBeGreaterThan(200);
		await shot('scrolled');

		if (options.viewport.width < 500) {
			// A finger: swipes down to the top, then up again (each swipe flings on a little).
			const cdp = await context.newCDPSession(page);
			const swipe = async (dy: number) => {
				await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 195, y: 420 }] });
				for (let k = 1; k <= 10; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 195, y: 420 + (dy * k) / 10 }] });
				await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
			};
			const scrollTop = () => page.evaluate(() => document.querySelector<HTMLElement>('.page')!.scrollTop);
			for (let i = 0; i < 20 && (await scrollTop()) > 0; i++) await swipe(350);
			await page.waitForFunction(() => document.querySelector<HTMLElement>('.page')!.scrollTop === 0);
			expect(await layoutState(page)).toMatchObject({ documentScrollTop: 0, headerTop: 0, headerHit: true });
			await swipe(-350);
			await page.waitForFunction(() => document.querySelector<HTMLElement>('.page')!.scrollTop > 200);
			const touched = await layoutState(page);
			expect(touched).toMatchObject({ documentScrollTop: 0, headerTop: 0, headerHit: true, bottomHit: 'content' });
			expect(touched.documentTaller).toBeLessThanOrEqual(0);
			await shot('touch-scrolled');
		}
		await page.evaluate(() => document.querySelector('.page')!.scrollTo(0, 0));
	});

	it('keeps long names on one line and emoji initials whole', async () => {
		const long = page.locator(`[data-person-id][data-name="${LONG_NAME}"]`);
		await long.scrollIntoViewIfNeeded();
		const fit = await long.evaluate((li) => {
			const nameEl = li.querySelector<HTMLElement>('.name')!;
			return {
				cut: nameEl.scrollWidth > nameEl.clientWidth,
				oneLine: nameEl.getBoundingClientRect().height < 30,
				right: li.getBoundingClientRect().right,
				title: nameEl.title
			};
		});
		expect(fit.title).toBe(LONG_NAME);
		expect(fit.oneLine).toBe(true);
		expect(fit.right).toBeLessThanOrEqual(options.viewport.width);
		if (options.viewport.width < 500) expect(fit.cut).toBe(true);
		expect((await layoutState(page)).documentWider).toBeLessThanOrEqual(0);
		await expect(page.locator('[data-name="🦊 Fox Mulder"] .avatar').textContent()).resolves.toBe('🦊F');
		await expect(page.locator('[data-name="👩‍👩‍👧 Family Account"] .avatar').textContent()).resolves.toBe('👩‍👩‍👧F');
		await expect(page.locator('[data-name="Émile Zola"] .avatar').textContent()).resolves.toBe('ÉZ');
		// The disclosure button says what it does and whom.
		await page.getByRole('button', { name: `Edit ${LONG_NAME}`, exact: true }).click();
		await expect(page.getByRole('button', { name: `Close ${LONG_NAME}`, exact: true }).count()).resolves.toBe(1);
		await page.waitForSelector(`[data-name="${LONG_NAME}"] [data-face-id]`);
		// Renaming to a name already taken (the rule ignores case and spacing) is refused before sending.
		await long.locator('input[id^="name-"]').fill('ada   LOVELACE');
		await expect(long.locator('[data-name-problem]').textContent()).resolves.toBe(
			'“Ada Lovelace” is already enrolled: two people cannot share a name (case and spacing aside).'
		);
		expect(await long.getByRole('button', { name: 'Rename' }).isDisabled()).toBe(true);
		await expect(long.locator('[data-advice]').textContent()).resolves.toMatch(/\S/);
		await shot('long-names');
		await page.getByRole('button', { name: `Close ${LONG_NAME}`, exact: true }).click();
	});

	it('finds a person by part of their name, without accents, and says when nobody matches', async () => {
		const search = page.locator('[data-people-search]');
		const shownNames = () => page.locator('[data-person-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
		await search.fill('emile');
		await page.waitForSelector('[data-people-shown="1"]');
		expect(await shownNames()).toEqual(['Émile Zola']);
		await search.fill('HOP  grace');
		await page.waitForSelector('[data-people-shown="1"]');
		expect(await shownNames()).toEqual(['Grace Hopper']);
		expect((await layoutState(page)).documentWider).toBeLessThanOrEqual(0);
		await shot('search');
		await search.fill('nobody-by-this-name');
		await page.waitForSelector('[data-empty="no-match"]');
		await expect(page.locator('[data-empty="no-match"]').textContent()).resolves.toMatch(/Nobody’s name holds “nobody-by-this-name”/);
		await expect(page.locator('[data-people-count]').getAttribute('data-people-count')).resolves.toBe('13');
		await search.fill('');
		await page.waitForSelector('[data-person-id]:nth-child(13)');
		expect(await shownNames()).toHaveLength(13);
	});

	it('shows the offline state, not an empty gallery, and comes back by itself', async () => {
		// The server cannot be reached from the first load on.
		await page.route(/\/(api\/|healthz)/, (route) => route.abort('connectionrefused'));
		await page.reload();
		await page.waitForSelector('[data-offline="true"]');
		await expect(page.locator('[data-offline-notice]').textContent()).resolves.toMatch(/The server cannot be reached\..*reconnects by itself/);
		await expect(page.locator('[data-empty]').textContent()).resolves.toMatch(/Not loaded: the server cannot be reached/);
		const text = (await page.locator('.page').textContent()) ?? '';
		expect(text).not.toMatch(/0 people|Nobody enrolled/);
		expect(await page.getByRole('button', { name: 'Export gallery' }).isDisabled()).toBe(true);
		expect(await page.locator('input[data-import]').isDisabled()).toBe(true);
		await page.fill('#enrol-name', 'Ann');
		expect(await page.getByRole('button', { name: 'Use camera' }).isDisabled()).toBe(true);
		await shot('offline');
		// The server is back: the page notices without a reload.
		await page.unroute(/\/(api\/|healthz)/);
		await page.waitForSelector('[data-offline="false"][data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-people-count="13"]');
		expect(await page.getByRole('button', { name: 'Use camera' }).isDisabled()).toBe(false);
		await page.fill('#enrol-name', '');

		// Lost mid-session: the gallery stays on screen as last seen, changes wait.
		await page.route(/\/(api\/|healthz)/, (route) => route.abort('connectionrefused'));
		await page.getByRole('button', { name: 'Edit Ada Lovelace', exact: true }).click();
		await page.waitForSelector('[data-offline="true"]');
		await expect(page.locator('[data-offline-notice]').textContent()).resolves.toMatch(/as it was at .*safe on the server/);
		await expect(page.locator('[data-people-count]').textContent()).resolves.toMatch(/13\s+people,[^]*\(last seen\)/);
		await shot('offline-mid-session');
		await page.unroute(/\/(api\/|healthz)/);
		await page.waitForSelector('[data-offline="false"]', { timeout: 60_000 });
		await page.waitForSelector('[data-name="Ada Lovelace"] [data-face-id]');
		await page.getByRole('button', { name: 'Close Ada Lovelace', exact: true }).click();
	});

	it('deletes a face with Undo', async () => {
		const erin = page.locator('[data-person-id][data-name="Erin"]');
		await page.getByRole('button', { name: 'Edit Erin', exact: true }).click();
		await erin.locator('[data-face-id] img').waitFor();
		await page.getByRole('button', { name: 'Delete face 1 of Erin', exact: true }).click();
		// Focus in the offer holds its 8 s window, so a slow screenshot cannot run it out.
		await page.focus('[data-undo-toast] button');
		await page.waitForSelector('[data-name="Erin"][data-faces="0"]');
		await shot('undo');
		await page.locator('[data-undo-toast] button').click();
		await page.waitForSelector('[data-undo-toast]', { state: 'detached' });
		await page.waitForSelector('[data-name="Erin"][data-faces="1"] [data-face-id] img');
		const listed = (await call('GET', '/api/people')).body as Array<{ name: string; faces: number }>;
		expect(listed.find((p) => p.name === 'Erin')?.faces).toBe(1);
		await page.getByRole('button', { name: 'Close Erin', exact: true }).click();
	});

	it('shows both faces when a new one looks like somebody already enrolled', async () => {
		await page.evaluate(() => document.querySelector('.page')!.scrollTo(0, 0));
		await page.fill('#enrol-name', 'Erin Copy');
		await page.setInputFiles('input[name="photos"]', [{ name: 'erin-again.jpg', mimeType: 'image/jpeg', buffer: erinJpeg }]);
		await page.waitForSelector('[data-conflict="Erin"] [data-conflict-theirs="pictures"] img', { timeout: 60_000 });
		expect(await page.locator('[data-conflict] [data-conflict-new] img').count()).toBe(1);
		await page.locator('[data-conflict]').scrollIntoViewIfNeeded();
		await shot('conflict');
		await page.click('[data-conflict] button:text("Don\'t enrol")');
		await page.waitForSelector('[data-file-result="erin-again.jpg"][data-ok="false"]');
		await page.fill('#enrol-name', '');
	});
});

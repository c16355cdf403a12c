/**
 * The People page with a large gallery (250 people, imported with random embeddings: only the page
 * is under test), phone viewport, real Chromium against the real server: it draws the first rows
 * only, says how many of how many, draws more on request, and the search still finds a person
 * beyond the rows drawn; the list of unknown faces, read again every 15 s, comes back as a 304
 * while nothing changed. Screenshot in test-results/ (people-many-phone.png).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROWS_AT_ONCE } from '../../src/lib/enrol/people-search.ts';
import { closeScene, launchChromium, storeTokens } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const RESULTS = 'test-results';
const TOKEN = 'many-secret';
const PEOPLE = 250;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** HTTP status of every answer to the page's reads of the unknown faces (again every 15 s). */
const unknownsAnswers: number[] = [];

const rowsDrawn = () => page.locator('[data-person-id]').count();

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer({ env: { ADMIN_TOKEN: TOKEN } });
	const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
	const { model, dim } = (await (await fetch(`${server.url}/api/export`, { headers })).json()) as { model: string; dim: number };
	let seed = 7;
	const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
	const people = Array.from({ length: PEOPLE }, (_, i) => ({
		name: `Person ${String(i + 1).padStart(3, '0')}`,
		faces: [{ embedding: Array.from({ length: dim }, random) }]
	}));
	const res = await fetch(`${server.url}/api/import?mode=replace`, {
		method: 'POST',
		headers,
		body: JSON.stringify({ format: 'facertc-gallery', version: 1, model, dim, people })
	});
	expect(res.status).toBe(200);
	const remember = await fetch(`${server.url}/api/settings`, { method: 'PATCH', headers, body: JSON.stringify({ rememberUnknowns: true }) });
	expect(remember.status).toBe(200);
	browser = await launchChromium();
	context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, serviceWorkers: 'block' });
	await storeTokens(context, { admin: TOKEN });
	page = await context.newPage();
	page.on('response', (r) => {
		if (new URL(r.url()).pathname === '/api/unknowns') unknownsAnswers.push(r.status());
	});
	await page.goto(`${server.url}/people`);
	await page.waitForSelector(`[data-people-count="${PEOPLE}"]`);
});

afterAll(async () => {
	await context?.close();
	await closeScene({ browser, server });
});

describe('the People page with a large gallery', () => {
	it('draws the first rows, says how many are listed, and draws more on request', async () => {
		expect(await rowsDrawn()).toBe(ROWS_AT_ONCE);
		await expect(page.locator('[data-people-drawn]').textContent()).resolves.toBe(`${ROWS_AT_ONCE} of ${PEOPLE} listed.`);
		const more = page.locator('[data-people-more]');
		await expect(more.textContent()).resolves.toMatch(new RegExp(`Show ${ROWS_AT_ONCE} more`));
		await more.scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(RESULTS, 'people-many-phone.png') });
		await more.click();
		await page.waitForSelector(`[data-people-drawn="${2 * ROWS_AT_ONCE}"]`);
		expect(await rowsDrawn()).toBe(2 * ROWS_AT_ONCE);
		// The last rows: the button offers what is left, then goes.
		await expect(more.textContent()).resolves.toMatch(new RegExp(`Show ${PEOPLE - 2 * ROWS_AT_ONCE} more`));
		await more.click();
		await page.waitForFunction((n) => document.querySelectorAll('[data-person-id]').length === n, PEOPLE);
		await expect(page.locator('[data-people-more]').count()).resolves.toBe(0);
	});

	it('reads the unknown faces again as a 304 when nothing changed, not the whole list again', async () => {
		const deadline = Date.now() + 40_000;
		while (unknownsAnswers.length < 2 && Date.now() < deadline) await page.waitForTimeout(500);
		expect(unknownsAnswers.slice(0, 2)).toEqual([200, 304]);
	});

	it('finds a person beyond the rows drawn, and a new search starts from the first rows again', async () => {
		const search = page.locator('[data-people-search]');
		await search.fill('person 247');
		await page.waitForSelector('[data-people-shown="1"]');
		await expect(page.locator('[data-person-id]').getAttribute('data-name')).resolves.toBe('Person 247');
		await search.fill('person');
		await page.waitForSelector(`[data-people-shown="${PEOPLE}"]`);
		expect(await rowsDrawn()).toBe(ROWS_AT_ONCE);
		await expect(page.locator('[data-people-more]').count()).resolves.toBe(1);
	});
});

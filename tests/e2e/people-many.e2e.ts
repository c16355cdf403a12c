/**
 * The People page with a large gallery (250 people, imported with random embeddings: only the page
 * is under test), phone viewport, real Chromium against the real server: it asks for the first
 * page only (GET /api/people?limit=…, never everyone), says how many of how many, asks for the
 * next page on request, keeps the rows shown through a change; the search and the name fields'
 * suggestions ask the server while the gallery is not held whole, and search here once it is;
 * the list of unknown faces, read again every 15 s, comes back as a 304 while nothing changed.
 * Screenshot in test-results/ (people-many-phone.png).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROWS_AT_ONCE } from '../../src/lib/enrol/people-search.ts';
import { searchPeople } from '../../src/lib/protocol/people-page.ts';
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
/** The query of every request the page made for people (`GET /api/people…`). */
const peopleAsked: URLSearchParams[] = [];
const names = Array.from({ length: PEOPLE }, (_, i) => `Person ${String(i + 1).padStart(3, '0')}`);

const rowsDrawn = () => page.locator('[data-person-id]').count();

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer({ env: { ADMIN_TOKEN: TOKEN } });
	const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
	const { model, dim } = (await (await fetch(`${server.url}/api/export`, { headers })).json()) as { model: string; dim: number };
	let seed = 7;
	const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
	const people = names.map((name) => ({ name, faces: [{ embedding: Array.from({ length: dim }, random) }] }));
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
	page.on('request', (r) => {
		const url = new URL(r.url());
		if (url.pathname === '/api/people' && r.method() === 'GET') peopleAsked.push(url.searchParams);
	});
	await page.goto(`${server.url}/people`);
	await page.waitForSelector(`[data-people-count="${PEOPLE}"]`);
});

afterAll(async () => {
	await context?.close();
	await closeScene({ browser, server });
});

describe('the People page with a large gallery', () => {
	it('asks for the first page only, never everyone', async () => {
		expect(await rowsDrawn()).toBe(ROWS_AT_ONCE);
		expect(peopleAsked.length).toBeGreaterThan(0);
		expect(peopleAsked.map((q) => q.get('limit'))).toEqual(peopleAsked.map(() => String(ROWS_AT_ONCE)));
		await expect(page.locator('[data-people-count]').textContent()).resolves.toMatch(new RegExp(`${PEOPLE}\\s+people, ${PEOPLE}\\s+faces`));
	});

	it('asks the server to search, once typing pauses, and finds a person beyond the rows listed', async () => {
		const search = page.locator('[data-people-search]');
		const asked = peopleAsked.length;
		await search.pressSequentially('person 247', { delay: 20 });
		await page.waitForSelector('[data-people-shown="1"]');
		await expect(page.locator('[data-person-id]').getAttribute('data-name')).resolves.toBe('Person 247');
		// One request for what was typed once it paused, not one a key.
		expect(peopleAsked.slice(asked).map((q) => q.get('q'))).toEqual(['person 247']);
		await search.fill('person');
		await page.waitForSelector(`[data-people-shown="${PEOPLE}"]`);
		expect(await rowsDrawn()).toBe(ROWS_AT_ONCE);
		await search.fill('nobody-by-this-name');
		await page.waitForSelector('[data-empty="no-match"]');
		await search.fill('');
		await page.waitForFunction((n) => document.querySelectorAll('[data-person-id]').length === n, ROWS_AT_ONCE);
	});

	it('offers the names like the one typed, not everyone, and knows an enrolled one', async () => {
		await page.fill('#enrol-name', 'Person 24');
		const expected = searchPeople(
			names.map((name) => ({ name })),
			'Person 24'
		).map((p) => p.name);
		await page.waitForFunction((n) => document.querySelectorAll('#known-names option').length === n, expected.length);
		expect(await page.locator('#known-names option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual(expected);
		await page.fill('#enrol-name', 'person 247');
		await page.waitForSelector('[data-enrol-target="existing"]');
		await expect(page.locator('#enrol-note').textContent()).resolves.toMatch(/Adds faces to Person 247/);
		await page.fill('#enrol-name', '');
		await page.waitForFunction(() => document.querySelectorAll('#known-names option').length === 0);
	});

	it('says how many are listed, and asks for the next page on request', async () => {
		await expect(page.locator('[data-people-drawn]').textContent()).resolves.toBe(`${ROWS_AT_ONCE} of ${PEOPLE} listed.`);
		const more = page.locator('[data-people-more]');
		await expect(more.textContent()).resolves.toMatch(new RegExp(`Show ${ROWS_AT_ONCE} more`));
		await more.scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(RESULTS, 'people-many-phone.png') });
		const asked = peopleAsked.length;
		await more.click();
		await page.waitForSelector(`[data-people-drawn="${2 * ROWS_AT_ONCE}"]`);
		expect(await rowsDrawn()).toBe(2 * ROWS_AT_ONCE);
		// The next page by the cursor the server gave, not the first 200 again.
		expect(peopleAsked.slice(asked).map((q) => [q.get('limit'), q.has('after')])).toEqual([[String(ROWS_AT_ONCE), true]]);
	});

	it('keeps the rows shown through a change, and the counts right', async () => {
		const row = page.locator('[data-name="Person 150"]');
		await page.getByRole('button', { name: 'Edit Person 150', exact: true }).click();
		await row.locator('button:text("Delete Person 150")').click();
		await row.locator('button:text("Yes, delete")').click();
		await page.waitForSelector('[data-name="Person 150"]', { state: 'detached' });
		await page.waitForSelector(`[data-people-count="${PEOPLE - 1}"]`);
		await expect(page.locator('[data-people-count]').textContent()).resolves.toMatch(new RegExp(`${PEOPLE - 1}\\s+people, ${PEOPLE - 1}\\s+faces`));
		expect(await rowsDrawn()).toBe(2 * ROWS_AT_ONCE);
		await expect(page.locator('[data-people-drawn]').textContent()).resolves.toBe(`${2 * ROWS_AT_ONCE} of ${PEOPLE - 1} listed.`);
	});

	it('reads the unknown faces again as a 304 when nothing changed, not the whole list again', async () => {
		const deadline = Date.now() + 40_000;
		while (unknownsAnswers.length < 2 && Date.now() < deadline) await page.waitForTimeout(500);
		expect(unknownsAnswers.slice(0, 2)).toEqual([200, 304]);
	});

	it('once every page is listed, searches here as a small gallery does', async () => {
		const more = page.locator('[data-people-more]');
		await expect(more.textContent()).resolves.toMatch(new RegExp(`Show ${PEOPLE - 1 - 2 * ROWS_AT_ONCE} more`));
		await more.click();
		await page.waitForFunction((n) => document.querySelectorAll('[data-person-id]').length === n, PEOPLE - 1);
		await expect(page.locator('[data-people-more]').count()).resolves.toBe(0);
		const asked = peopleAsked.length;
		const search = page.locator('[data-people-search]');
		await search.fill('person 247');
		await page.waitForSelector('[data-people-shown="1"]');
		await search.fill('person');
		await page.waitForSelector(`[data-people-shown="${PEOPLE - 1}"]`);
		expect(await rowsDrawn()).toBe(ROWS_AT_ONCE);
		await expect(page.locator('[data-people-more]').count()).resolves.toBe(1);
		expect(peopleAsked.slice(asked).filter((q) => q.has('q'))).toEqual([]);
	});
});

/**
 * The People page in real Chromium against the real server: the admin token prompt, enrolment
 * from many photos (progress, one message per file), rename, delete a face, delete a person, the
 * guided camera capture on a fake camera clip (made here from a face-api sample photo), a
 * cancelled capture that stores nothing, the duplicate warning, thumbnails, export and import.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, storeTokens } from '../helpers/browser.ts';
import { cropFromPhoto, samplePhotoPath, type FaceBox } from '../helpers/faces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { composeFrame, writeTempClip } from '../helpers/y4m.ts';

const W = 640;
const H = 480;
const RESULTS = 'test-results';
const TOKEN = 'people-page-secret';

let server: TestServer;
let browser: Browser;
let page: Page;
let clipDir: string | undefined;
const files: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {};

type Person = { id: string; name: string; faces: number };
const people = async (): Promise<Person[]> => (await server.api('/api/people')).json() as Promise<Person[]>;

async function facesIn(photo: Buffer): Promise<FaceBox[]> {
	const res = await fetch(`${server.url}/api/recognize`, { method: 'POST', body: new Uint8Array(photo), headers: { 'content-type': 'image/jpeg' } });
	const { faces } = (await res.json()) as { faces: Array<{ box: FaceBox }> };
	return faces.map((f) => f.box).sort((a, b) => a.x - b.x);
}

const row = (name: string) => page.locator(`[data-person-id][data-name="${name}"]`);

async function waitForFaces(name: string, faces: number): Promise<void> {
	await page.waitForSelector(`[data-person-id][data-name="${name}"][data-faces="${faces}"]`, { timeout: 60_000 });
}

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	server = await startTestServer({ env: { ADMIN_TOKEN: TOKEN, MAX_UPLOAD_MB: '1' } });
	const photo3 = readFileSync(samplePhotoPath(3));
	const photo6 = readFileSync(samplePhotoPath(6));
	const [, camFace] = await facesIn(photo3);
	const [dana, , , erin] = await facesIn(photo6);
	if (!camFace || !dana || !erin) throw new Error('sample photos should hold these faces');
	const jpeg = (name: string, buffer: Buffer) => (files[name] = { name, mimeType: 'image/jpeg', buffer });
	jpeg('dana-1.jpg', await cropFromPhoto(photo6, dana, { margin: 0.35, quality: 92 }));
	jpeg('dana-2.jpg', await cropFromPhoto(photo6, dana, { margin: 0.5, maxSide: 300, quality: 85 }));
	jpeg('erin.jpg', await cropFromPhoto(photo6, erin, { margin: 0.35, quality: 92 }));
	jpeg('group.jpg', await sharp(photo6).resize({ width: 900 }).jpeg({ quality: 80 }).toBuffer());
	jpeg('broken.jpg', Buffer.from('this is not really a JPEG'));
	// Noise does not compress: well over the server's 1 MB.
	const noise = Buffer.from(Array.from({ length: 1200 * 1200 * 3 }, () => Math.floor(Math.random() * 256)));
	jpeg('huge.jpg', await sharp(noise, { raw: { width: 1200, height: 1200, channels: 3 } }).jpeg({ quality: 100 }).toBuffer());
	files['blank.png'] = {
		name: 'blank.png',
		mimeType: 'image/png',
		buffer: await sharp({ create: { width: 300, height: 300, channels: 3, background: '#778' } }).png().toBuffer()
	};
	files['notes.txt'] = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('no face here') };

	// The camera: one frontal face, drifting a little, like someone holding a phone.
	const face = await cropFromPhoto(photo3, camFace, { margin: 0.6, quality: 95 });
	const frames: Buffer[] = [];
	for (let i = 0; i < 12; i++) {
		frames.push(await composeFrame(W, H, [{ image: face, left: 170 + Math.round(6 * Math.sin(i / 2)), top: 70 + (i % 3), width: 300 }]));
	}
	const { clip, dir } = writeTempClip('one-face.y4m', { width: W, height: H, fps: 10, frames });
	clipDir = dir;
	browser = await launchChromium({ cameraFile: clip });
	page = await browser.newPage({ viewport: { width: 412, height: 860 } });
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (clipDir) rmSync(clipDir, { recursive: true, force: true });
});

describe('People page', () => {
	it('moved from /enrol, and asks once for the admin token', async () => {
		await page.goto(`${server.url}/enrol`);
		await page.waitForURL('**/people');
		await page.waitForSelector('[data-ready="true"]');
		await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe('People');
		await page.waitForSelector('[data-token-form="admin"]');
		await page.screenshot({ path: join(RESULTS, 'people-token-phone.png') });
		await page.fill('#admin-token', 'wrong');
		await page.click('[data-token-form="admin"] button[type="submit"]');
		await page.waitForSelector('text=The server refused that token.');
		await page.fill('#admin-token', TOKEN);
		await page.click('[data-token-form="admin"] button[type="submit"]');
		await page.waitForSelector('[data-token-form="admin"]', { state: 'detached' });
		await page.reload();
		await page.waitForSelector('[data-ready="true"]');
		expect(await page.locator('[data-token-form="admin"]').count()).toBe(0);
		await expect(page.locator('[data-thumbnails]').textContent()).resolves.toMatch(/only face embeddings/);
	});

	it('enrols from many photos with progress and a message for each photo that fails', async () => {
		await page.fill('#enrol-name', 'Dana');
		const order = ['blank.png', 'dana-1.jpg', 'notes.txt', 'group.jpg', 'huge.jpg', 'broken.jpg', 'dana-2.jpg'];
		await page.setInputFiles('input[name="photos"]', order.map((name) => files[name]!));
		await page.waitForSelector('[data-progress="photos"][data-total="7"]');
		await page.waitForSelector('[data-enrol-summary]', { timeout: 120_000 });
		const results = await page.$$eval('[data-file-result]', (items) =>
			items.map((li) => [li.getAttribute('data-file-result'), li.getAttribute('data-ok'), li.textContent?.replace(/\s+/g, ' ').trim()])
		);
		expect(results.map(([file, ok]) => [file, ok])).toEqual(order.map((file) => [file, String(file.startsWith('dana'))]));
		const message = (file: string) => results.find(([f]) => f === file)?.[2] ?? '';
		expect(message('blank.png')).toMatch(/no face found/);
		expect(message('notes.txt')).toMatch(/not an image/);
		expect(message('group.jpg')).toMatch(/\d faces found: use a photo of one person/);
		expect(message('huge.jpg')).toMatch(/too large/);
		expect(message('broken.jpg')).toMatch(/not an image the server can read/);
		expect(message('dana-2.jpg')).toMatch(/enrolled/);
		await expect(page.locator('[data-enrol-summary]').textContent()).resolves.toMatch(/Dana: 2 of 7 photos enrolled/);
		await waitForFaces('Dana', 2);
	});

	it('renames a person and deletes one of their faces', async () => {
		await page.click('button[aria-label="Edit Dana"]');
		await page.waitForSelector('[data-person-id][data-name="Dana"] [data-face-id]');
		expect(await row('Dana').locator('[data-face-id]').count()).toBe(2);
		await page.fill('input[id^="name-"]', 'Dana Scully');
		await page.click('[data-name="Dana"] button:text("Rename")');
		await waitForFaces('Dana Scully', 2);
		await page.screenshot({ path: join(RESULTS, 'people-edit-phone.png') });
		await page.click('button[aria-label="Delete face 1 of Dana Scully"]');
		await waitForFaces('Dana Scully', 1);
		expect(await row('Dana Scully').locator('[data-face-id]').count()).toBe(1);
		expect((await people()).find((p) => p.name === 'Dana Scully')?.faces).toBe(1);
		await page.click('button[aria-label="Edit Dana Scully"]');
	});

	it('enrols from the camera: five good pictures, then one upload', async () => {
		await page.fill('#enrol-name', 'Camille');
		await page.click('button:text("Use camera")');
		await page.waitForSelector('[data-capture="capturing"]', { timeout: 60_000 });
		await page.waitForSelector('[data-capture][data-captured="2"]', { timeout: 60_000 });
		await page.screenshot({ path: join(RESULTS, 'people-camera-phone.png') });
		await page.waitForSelector('[data-enrol-summary="ok"]', { timeout: 60_000 });
		await expect(page.locator('[data-enrol-summary]').textContent()).resolves.toMatch(/Camille: 5 camera pictures enrolled/);
		await waitForFaces('Camille', 5);
	});

	it('stores nothing when the capture is cancelled', async () => {
		const before = await people();
		const writes: string[] = [];
		const onRequest = (req: { method(): string; url(): string }) => {
			if (req.method() !== 'GET' && req.url().includes('/api/')) writes.push(`${req.method()} ${req.url()}`);
		};
		page.on('request', onRequest);
		await page.fill('#enrol-name', 'Nobody');
		await page.click('button:text("Use camera")');
		// Press Cancel in the frame where the first picture shows up: the next one is 400 ms away,
		// and a click from here could lose that race on a busy machine.
		await page.waitForFunction(
			() => {
				const capture = document.querySelector<HTMLElement>('[data-capture]');
				if (capture?.dataset.captured !== '1') return false;
				capture.querySelector<HTMLButtonElement>('button')?.click();
				return true;
			},
			undefined,
			{ timeout: 60_000 }
		);
		await page.waitForSelector('[data-enrol-summary="failed"]');
		await expect(page.locator('[data-enrol-summary]').textContent()).resolves.toMatch(/cancelled; nothing was stored/);
		expect(await page.locator('[data-capture]').count()).toBe(0);
		page.off('request', onRequest);
		expect(writes).toEqual([]);
		expect(await people()).toEqual(before);
	});

	it('warns when the new face looks like somebody already enrolled, and lets the user decide', async () => {
		const before = await people();
		await page.fill('#enrol-name', 'Someone else');
		await page.click('button:text("Use camera")');
		await page.waitForSelector('[data-conflict="Camille"]', { timeout: 60_000 });
		await page.screenshot({ path: join(RESULTS, 'people-conflict-phone.png') });
		await page.click('[data-conflict] button:text("Don\'t enrol")');
		await page.waitForSelector('[data-enrol-summary="failed"]');
		await expect(page.locator('[data-enrol-summary]').textContent()).resolves.toMatch(/look like Camille/);
		expect(await people()).toEqual(before);
	});

	it('asks before adding a photo that does not look like the person, and lets the user decide', async () => {
		await page.fill('#enrol-name', 'Dana Scully');
		await page.setInputFiles('input[name="photos"]', [files['erin.jpg']!]);
		await page.waitForSelector('[data-conflict="mismatch"]', { timeout: 60_000 });
		const prompt = ((await page.locator('[data-conflict]').textContent()) ?? '').replace(/\s+/g, ' ');
		expect(prompt).toMatch(/erin\.jpg and Dana Scully's one other face do not look like the same person/);
		await page.screenshot({ path: join(RESULTS, 'people-mismatch-phone.png') });
		await page.click('[data-conflict] button:text("Don\'t enrol")');
		await page.waitForSelector('[data-file-result="erin.jpg"][data-ok="false"]');
		await expect(page.locator('[data-file-result="erin.jpg"]').textContent()).resolves.toMatch(/skipped: does not look like Dana Scully's one other face/);
		expect((await people()).find((p) => p.name === 'Dana Scully')?.faces).toBe(1);
	});

	it('deletes a person after asking', async () => {
		await page.click('button[aria-label="Edit Camille"]');
		await page.click('[data-name="Camille"] button:text("Delete Camille")');
		await expect(row('Camille').locator('[role="alert"]').textContent()).resolves.toMatch(/Delete Camille and 5 faces\?/);
		await page.click('[data-name="Camille"] button:text("Yes, delete")');
		await page.waitForSelector('[data-name="Camille"]', { state: 'detached' });
		expect((await people()).map((p) => p.name)).toEqual(['Dana Scully']);
	});

	it('shows thumbnails only once the user keeps them', async () => {
		expect(await page.locator('.avatar img').count()).toBe(0);
		await page.check('[data-setting="keep-thumbnails"]');
		await page.waitForSelector('[data-thumbnails="kept"]');
		await page.fill('#enrol-name', 'Erin');
		await page.setInputFiles('input[name="photos"]', [files['erin.jpg']!]);
		await waitForFaces('Erin', 1);
		await page.waitForSelector('[data-name="Erin"] .avatar img');
		await page.click('button[aria-label="Edit Erin"]');
		await page.waitForSelector('[data-name="Erin"] [data-face-id] img');
		await page.locator('[data-name="Erin"]').scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(RESULTS, 'people-faces-phone.png') });
		await page.click('button[aria-label="Edit Erin"]');
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: join(RESULTS, 'people-phone.png') });
		await page.screenshot({ path: join(RESULTS, 'people-phone-full.png'), fullPage: true });
	});

	it('exports the gallery and imports it back; a bad file changes nothing', async () => {
		const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text("Export gallery")')]);
		const doc = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
			format: string;
			people: Array<{ name: string; faces: Array<{ thumbnail?: string }> }>;
		};
		expect(doc.format).toBe('facertc-gallery');
		expect(doc.people.map((p) => p.name).sort()).toEqual(['Dana Scully', 'Erin']);
		expect(doc.people.find((p) => p.name === 'Erin')?.faces[0]?.thumbnail).toBeDefined();

		const broken = { ...doc, people: [...doc.people, { name: 'Broken', faces: [{ embedding: [1, 2] }] }] };
		await page.setInputFiles('input[data-import]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
		await expect(page.locator('[data-import-choice] p').innerText()).resolves.toMatch(/broken\.json holds 3 people\. The gallery already has 2/);
		await page.click('[data-import-choice] button:text("Replace all 2")');
		await page.waitForSelector('[data-import-status="failed"]');
		await expect(page.locator('[data-import-status]').textContent()).resolves.toMatch(/broken\.json was not imported, nothing changed: people\.2\.faces\.0\.embedding/);
		expect(await people()).toHaveLength(2);

		const backup = { name: 'backup.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) };
		// Adding people named like people already here is refused: two labels could not be told apart.
		await page.setInputFiles('input[data-import]', backup);
		await page.click('[data-import-choice] button:text("Add to the gallery")');
		await page.waitForSelector('[data-import-status="failed"]');
		await expect(page.locator('[data-import-status]').textContent()).resolves.toMatch(/already enrolled/);
		expect(await people()).toHaveLength(2);
		const copies = { ...doc, people: doc.people.map((p) => ({ ...p, name: `${p.name} (copy)` })) };
		await page.setInputFiles('input[data-import]', { name: 'copies.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(copies)) });
		await page.click('[data-import-choice] button:text("Add to the gallery")');
		await page.waitForSelector('[data-import-status="ok"]');
		await expect(page.locator('[data-import-status]').textContent()).resolves.toMatch(/Imported 2 people from copies\.json\./);
		expect(await people()).toHaveLength(4);
		await page.waitForFunction(() => document.querySelectorAll('[data-person-id]').length === 4);

		await page.setInputFiles('input[data-import]', backup);
		await page.waitForSelector('[data-import-choice]');
		await page.evaluate(() => document.querySelector('.page')?.scrollTo(0, 1e6));
		await page.screenshot({ path: join(RESULTS, 'people-import-phone.png') });
		await page.click('[data-import-choice] button:text("Replace all 4")');
		await page.waitForFunction(() => /replacing 4 people/.test(document.querySelector('[data-import-status]')?.textContent ?? ''));
		expect((await people()).map((p) => p.name).sort()).toEqual(['Dana Scully', 'Erin']);
		await page.waitForFunction(() => document.querySelectorAll('[data-person-id]').length === 2);
		await page.evaluate(() => document.querySelector('.page')?.scrollTo(0, 1e6));
		await page.screenshot({ path: join(RESULTS, 'people-bottom-phone.png') });
	});
});

describe('pairing a phone for recognition', () => {
	let guarded: TestServer;

	beforeAll(async () => {
		guarded = await startTestServer({ env: { OPEN_RECOGNITION: '0', EMBED_WORKERS: '1' } });
	});
	afterAll(async () => {
		await guarded?.stop();
	});

	it('shows a one-time QR code on the People page; the phone opens it, is paired, and the live page connects', async () => {
		const admin = await browser.newContext({ viewport: { width: 412, height: 860 } });
		await storeTokens(admin, { admin: guarded.adminToken });
		const phone = await browser.newContext({ viewport: { width: 412, height: 860 } });
		try {
			const desk = await admin.newPage();
			await desk.goto(`${guarded.url}/people`);
			await desk.waitForSelector('[data-ready="true"]');
			expect(await desk.locator('[data-token-form="admin"]').count()).toBe(0);
			await desk.click('[data-pair-role="recognize"]');
			const qr = desk.locator('[data-pairing-code="recognize"] img');
			await qr.waitFor();
			expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
			await desk.screenshot({ path: join(RESULTS, 'people-pairing-phone.png') });
			const link = (await desk.locator('[data-pairing-link]').getAttribute('href'))!;
			expect(link).toMatch(/\/pair#code=[A-Za-z0-9_-]{22}$/);

			// The phone: a fresh browser with no token, opening what the QR code holds.
			const tab = await phone.newPage();
			await tab.goto(new URL(new URL(link).pathname + new URL(link).hash, guarded.url).href);
			await tab.waitForSelector('[data-pair-status="paired"]');
			expect(tab.url()).not.toContain('code=');
			expect(await tab.evaluate(() => [localStorage.getItem('facertc.recognizeToken') !== null, localStorage.getItem('facertc.adminToken')])).toEqual([true, null]);
			await tab.click('a:text("Open the live view")');
			await tab.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 30_000 });
			const peers = async () => /facertc_peers_connected (\d+)/.exec(await (await fetch(`${guarded.url}/metrics`)).text())?.[1];
			const deadline = Date.now() + 15_000;
			while ((await peers()) !== '1' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
			expect(await peers()).toBe('1');

			// The same link a second time pairs nothing.
			const again = await phone.newPage();
			await again.goto(new URL(new URL(link).pathname + new URL(link).hash, guarded.url).href);
			await again.waitForSelector('[data-pair-status="failed"]');
			await expect(again.locator('[role="alert"]').textContent()).resolves.toMatch(/used already, or expired/);
		} finally {
			await admin.close();
			await phone.close();
		}
	});
});

/**
 * The live page as built, in Chromium, on a 30 fps fake camera: what the detector costs per
 * detection there and what the pacer makes of it (detecting on 1 frame in N), with the video's
 * frame rate and the faces listed; on this CPU and throttled. Part of `npm run bench:detect`;
 * needs a build (`npm run build`; BENCH_DETECT_BUILD points at another one to compare).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { launchChromium } from '../tests/helpers/browser.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { DATA_DIR } from './data.ts';
import { FRAME_HEIGHT, FRAME_WIDTH } from './detect-scenes.ts';

const SAMPLE_S = Number(process.env.BENCH_DETECT_LIVE_SECONDS ?? 12);
const CAMERA_FPS = 30;

type Sample = { detectMs: number; every: number; fps: number; faces: number };

/** A group photo filling the frame, drifting a few pixels as a hand-held phone would; MJPEG, which Chromium plays at 30 fps. */
async function groupClip(dir: string, photo: string): Promise<string> {
	const meta = await sharp(photo).metadata();
	const fit = Math.min(FRAME_WIDTH / meta.width, FRAME_HEIGHT / meta.height);
	const width = Math.round(meta.width * fit);
	const height = Math.round(meta.height * fit);
	const image = await sharp(photo).rotate().resize(width, height).toBuffer();
	const frames: Buffer[] = [];
	for (let i = 0; i < 2 * CAMERA_FPS; i++) {
		const dx = Math.round(4 * Math.sin((2 * Math.PI * i) / (2 * CAMERA_FPS)));
		frames.push(
			await sharp({ create: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3, background: { r: 96, g: 110, b: 128 } } })
				.composite([{ input: image, left: Math.max(0, Math.round((FRAME_WIDTH - width) / 2) + dx), top: Math.round((FRAME_HEIGHT - height) / 2) }])
				.jpeg({ quality: 85 })
				.toBuffer()
		);
	}
	const file = join(dir, `${basename(photo, extname(photo))}.mjpeg`);
	writeFileSync(file, Buffer.concat(frames));
	return file;
}

async function sampleLivePage(url: string, cameraFile: string, throttle: number): Promise<Sample[]> {
	const browser = await launchChromium({ cameraFile });
	try {
		const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
		await page.goto(url);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		if (throttle > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: throttle });
		// The page's own once-a-second status (the panel's Detect and Video lines); the first seconds are warm-up.
		return await page.evaluate<Sample[]>(`(async (seconds) => {
			const read = (label) => [...document.querySelectorAll('dt')].find((dt) => dt.textContent.trim() === label)?.nextElementSibling?.textContent ?? '';
			await new Promise((r) => setTimeout(r, 4000));
			const out = [];
			for (let i = 0; i < seconds; i++) {
				await new Promise((r) => setTimeout(r, 1000));
				const detect = read('Detect');
				out.push({
					detectMs: Number(/([0-9.]+) ms/.exec(detect)?.[1] ?? NaN),
					every: Number(/1\\/([0-9]+)/.exec(detect)?.[1] ?? 1),
					fps: Number(/([0-9.]+) fps/.exec(read('Video'))?.[1] ?? NaN),
					faces: document.querySelectorAll('[data-track-id]').length
				});
			}
			return out;
		})(${SAMPLE_S})`);
	} finally {
		await browser.close();
	}
}

const median = (xs: number[]) => {
	const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
	return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

export async function printLiveLoop(throttles: number[]): Promise<void> {
	const buildDir = process.env.BENCH_DETECT_BUILD ?? join(process.cwd(), 'build');
	if (!existsSync(join(buildDir, 'index.html'))) {
		console.log(`\nLive page: no build at ${buildDir} (npm run build): not measured.`);
		return;
	}
	const dir = mkdtempSync(join(tmpdir(), 'facertc-detect-live-'));
	const server = await startTestServer({ buildDir });
	try {
		const clips = [
			{ name: 'dev clip: one face at a time, near', file: join(DATA_DIR, 'video', 'dev_faces_640x480_15fps.mjpeg') },
			{ name: 'group-1.jpg: 15 faces of 14-38 px', file: await groupClip(dir, join(DATA_DIR, 'faces-real', '_group', 'group-1.jpg')) },
			{ name: 'bbt4.jpg: 6 faces of 76-95 px', file: await groupClip(dir, join(DATA_DIR, 'faces', '_group', 'bbt4.jpg')) }
		];
		console.log(`\nLive page (${buildDir}), 30 fps camera, medians of ${SAMPLE_S} one-second status readings after 4 s of warm-up`);
		console.log(
			['clip'.padEnd(42), 'CPU'.padStart(5), 'detect ms'.padStart(11), 'detects 1/N'.padStart(13), 'video fps'.padStart(11), 'faces listed'.padStart(14)].join(
				''
			)
		);
		for (const clip of clips) {
			for (const throttle of throttles) {
				const samples = await sampleLivePage(server.url, clip.file, throttle);
				console.log(
					[
						clip.name.padEnd(42),
						(throttle > 1 ? `÷${throttle}` : '1').padStart(5),
						median(samples.map((s) => s.detectMs))
							.toFixed(0)
							.padStart(11),
						median(samples.map((s) => s.every))
							.toFixed(0)
							.padStart(13),
						median(samples.map((s) => s.fps))
							.toFixed(0)
							.padStart(11),
						median(samples.map((s) => s.faces))
							.toFixed(0)
							.padStart(14)
					].join('')
				);
			}
		}
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * `npm run bench:live`: the live page in Chromium on the dev camera clip (../shared/data/video),
 * against the real server, once as built (best-shot crops, adaptive detection) and once sending
 * every face on every frame — the "before". Prints, per run: share of frames showing the right
 * name, time from a face's appearance to its first correct name, crops per second per face, and
 * uplink/downlink against streaming every frame as a 640×480 JPEG (q 0.8).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { launchChromium } from '../tests/helpers/browser.ts';
import { enrolPerson } from '../tests/helpers/gallery.ts';
import { startTestServer, type TestServer } from '../tests/helpers/server.ts';
import { DATA_DIR, clipFrames, hasSharedData, i420ToRgb, labelledFaces, type ClipFrame } from './data.ts';

/** The dev clip in its two forms: the y4m at 8 fps, and the mjpeg with 15 fps content (Chromium plays it at 30). */
const CLIPS = [
	{ file: 'dev_faces_640x480_8fps.y4m', fps: 8, timelineKey: 'dev_faces_640x480_8fps.y4m' },
	{ file: 'dev_faces_640x480_15fps.mjpeg', fps: 15, timelineKey: 'dev_faces_640x480_15fps.mjpeg (rendered frames, before repeat)' }
] as const;
type Clip = (typeof CLIPS)[number];
const CLIP_SECONDS = 10;
const RUN_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 30);
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

type Sample = { t: number; labels: string[]; crops: number; up: number; down: number };

/** The clip's stills, padded so the server's full-image detector sees a whole head. */
async function padded(file: string): Promise<Buffer> {
	return sharp(file)
		.extend({ top: 75, bottom: 75, left: 75, right: 75, background: { r: 128, g: 128, b: 128 } })
		.jpeg({ quality: 92 })
		.toBuffer();
}

async function enrolAll(server: TestServer, timeline: ClipFrame[]): Promise<void> {
	const inClip = new Set(timeline.map((f) => f.identity).filter(Boolean));
	const stills = new Set(
		(JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as { segments: Array<{ sourceImage?: string }> }).segments
			.map((s) => s.sourceImage)
			.filter(Boolean)
			.map((s) => join(DATA_DIR, s!))
	);
	let enrolled = 0;
	const refused: string[] = [];
	for (const [name, files] of labelledFaces()) {
		const images = files.filter((f) => !stills.has(f));
		const [first, ...rest] = images;
		if (!first) continue;
		// One at a time: a photo the server finds no face in is reported, not fatal.
		const id = await enrolPerson(server.url, name, []);
		for (const file of [first, ...rest]) {
			const body = new Uint8Array(await padded(file));
			let res = await server.api(`/api/people/${id}/faces`, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' } });
			// The server limits enrolments per address: wait as it says, like any client.
			while (res.status === 429) {
				await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after') ?? 1) * 1000));
				res = await server.api(`/api/people/${id}/faces`, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' } });
			}
			if (res.status === 201) enrolled++;
			else refused.push(`${file.slice(DATA_DIR.length + 1)} (${res.status})`);
		}
	}
	console.log(`enrolled ${enrolled} photos of ${labelledFaces().size} people (the clip shows ${[...inClip].join(', ')}; its stills left out)`);
	if (refused.length) console.log(`refused: ${refused.join(', ')}`);
}

async function record(server: TestServer, clip: Clip, query: string): Promise<Sample[]> {
	const browser = await launchChromium({ cameraFile: join(DATA_DIR, 'video', clip.file) });
	try {
		const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
		await page.goto(`${server.url}/${query}`);
		await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		// A string, not a function: tsx's helpers (`__name`) do not exist in the page.
		return await page.evaluate<Sample[]>(`(async (seconds) => {
			const video = document.querySelector('video');
			const out = [];
			const end = performance.now() + seconds * 1000;
			while (performance.now() < end) {
				const value = {};
				for (const name of ['crops-sent', 'bytes-up', 'bytes-down']) {
					value[name] = Number(document.querySelector('[data-stat="' + name + '"]')?.getAttribute('data-value') ?? 0);
				}
				out.push({
					t: video.currentTime,
					labels: [...document.querySelectorAll('[data-track-id]')].map((e) => e.getAttribute('data-label') ?? ''),
					crops: value['crops-sent'],
					up: value['bytes-up'],
					down: value['bytes-down']
				});
				await new Promise((r) => setTimeout(r, 50));
			}
			return out;
		})(${RUN_SECONDS})`);
	} finally {
		await browser.close();
	}
}

function summarize(name: string, samples: Sample[], clip: Clip, frameJpegBytes: number): void {
	const { fps } = clip;
	const timeline = timelineOf(clip);
	const frameAt = (t: number) => timeline[Math.floor((((t % CLIP_SECONDS) + CLIP_SECONDS) % CLIP_SECONDS) * fps)] ?? null;
	// video.currentTime starts when playback does, not when the fake camera started the clip:
	// find the shift that best lines up "some face listed" with "a face in the clip".
	let offset = 0;
	let bestAgreement = -1;
	for (let shift = -1.5; shift <= 1.5; shift += 0.025) {
		const agreement = samples.filter((s) => (s.labels.length > 0) === Boolean(frameAt(s.t + shift)?.identity)).length;
		if (agreement > bestAgreement) [bestAgreement, offset] = [agreement, shift];
	}
	const at = (t: number) => frameAt(t + offset);
	let withFace = 0;
	let right = 0;
	let wrong = 0;
	let faceSeconds = 0;
	const firstCorrect: number[] = [];
	let segmentStart: { identity: string; t: number; named: boolean } | null = null;
	for (let i = 1; i < samples.length; i++) {
		const s = samples[i]!;
		const dt = s.t - samples[i - 1]!.t;
		const identity = at(s.t)?.identity ?? null;
		if (!identity) {
			segmentStart = null;
			continue;
		}
		withFace++;
		faceSeconds += Math.max(0, dt);
		if (s.labels.includes(identity)) right++;
		if (s.labels.some((l) => l !== identity && l !== 'unknown')) wrong++;
		if (!segmentStart || segmentStart.identity !== identity) segmentStart = { identity, t: s.t, named: false };
		if (!segmentStart.named && s.labels.includes(identity)) {
			segmentStart.named = true;
			firstCorrect.push(s.t - segmentStart.t);
		}
	}
	const first = samples[0]!;
	const last = samples.at(-1)!;
	const seconds = last.t - first.t;
	const crops = last.crops - first.crops;
	const upPerS = (last.up - first.up) / seconds;
	const downPerS = (last.down - first.down) / seconds;
	const streamPerS = frameJpegBytes * fps;
	const meanFirst = firstCorrect.reduce((a, b) => a + b, 0) / firstCorrect.length;
	console.log(`\n${name}`);
	console.log(`   right name shown on ${fmt((100 * right) / withFace)}% of frames with a face; a wrong name on ${fmt((100 * wrong) / withFace)}%`);
	console.log(`   first correct name ${fmt(meanFirst * 1000, 0)} ms after a face appears (mean of ${firstCorrect.length} appearances; clip aligned by presence, shift ${fmt(offset * 1000, 0)} ms, ±1 frame)`);
	console.log(`   crops sent: ${fmt(crops / faceSeconds, 2)} per second per face (clip ${fps} fps → every frame would be ${fps}); ${fmt((last.up - first.up) / crops / 1000, 2)} KB per crop on the wire`);
	console.log(`   uplink ${fmt(upPerS / 1000, 2)} KB/s vs ${fmt(streamPerS / 1000, 0)} KB/s streaming every ${fps} fps frame as JPEG q0.8: ${fmt(streamPerS / upPerS, 0)}× smaller`);
	console.log(`   downlink ${fmt(downPerS, 0)} B/s (${fmt(downPerS / (faceSeconds / seconds), 0)} B/s per visible face)`);
}

if (!hasSharedData()) {
	console.log(`bench:live: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}
function timelineOf(clip: Clip): ClipFrame[] {
	const all = JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as { frames: Record<string, ClipFrame[]> };
	return all.frames[clip.timelineKey] ?? [];
}

// Both clips show the same pictures: one frame's JPEG size, from the y4m, serves for both.
let jpegBytes = 0;
let sampled = 0;
for (const { frame, yuv, width, height } of clipFrames()) {
	if (frame.i % 8 !== 0) continue;
	jpegBytes += (await sharp(i420ToRgb(yuv, width, height), { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer()).byteLength;
	sampled++;
}
const frameJpegBytes = jpegBytes / sampled;
console.log(`FaceRTC live benchmark — ${new Date().toISOString()}; dev clip in ${join(DATA_DIR, 'video')}, ${RUN_SECONDS} s a run; a 640×480 frame as JPEG q0.8: ${fmt(frameJpegBytes / 1000)} KB`);
const server = await startTestServer();
try {
	await enrolAll(server, timelineOf(CLIPS[0]));
	for (const clip of CLIPS) {
		console.log(`\n== ${clip.file}`);
		summarize('after: best-shot crops, adaptive detection (as shipped)', await record(server, clip, ''), clip, frameJpegBytes);
		summarize('after, data saver on (?saver=1)', await record(server, clip, '?saver=1'), clip, frameJpegBytes);
		summarize('before: every face on every detection frame (?crops=every-frame&detectEvery=1)', await record(server, clip, '?crops=every-frame&detectEvery=1'), clip, frameJpegBytes);
	}
} finally {
	await server.stop();
}

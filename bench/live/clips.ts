/**
 * The clips bench:live plays, each with its truth and its gallery: the two hard clips built at
 * bench time (bench/clip/), and the older synthetic dev clip of ../shared/data/video.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { enrolPerson } from '../../tests/helpers/gallery.ts';
import { authHeaders } from '../../tests/helpers/server.ts';
import type { TruthFrame } from '../clip/camera.ts';
import { buildClip, CLIP_DIR } from '../clip/build.ts';
import { stampFrameTag } from '../../tests/helpers/frame-tag.ts';
import { createY4mWriter, readY4m } from '../../tests/helpers/y4m.ts';
import type { ClipScript } from '../clip/scripts.ts';
import { clipFrames, DATA_DIR, i420ToRgb, labelledFaces, type ClipFrame } from '../data.ts';

export type BenchClip = {
	name: string;
	file: string;
	fps: number;
	frames: TruthFrame[];
	/** Puts the clip's people in the server's gallery; returns a line saying what was enrolled. */
	enrol(serverUrl: string): Promise<string>;
};

/** Tight face crops need a border before the server's full-image detector sees a whole head. */
async function padded(file: string): Promise<Buffer> {
	return sharp(file)
		.extend({ top: 75, bottom: 75, left: 75, right: 75, background: { r: 128, g: 128, b: 128 } })
		.jpeg({ quality: 92 })
		.toBuffer();
}

/** Creates a person, waiting as the server says when its enrolment limit answers 429. */
async function createPerson(serverUrl: string, name: string): Promise<string> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await enrolPerson(serverUrl, name, []);
		} catch (err) {
			if (attempt >= 5 || !String(err).includes(': 429 ')) throw err;
			await new Promise((resolve) => setTimeout(resolve, 1500));
		}
	}
}

/** Enrols each photo on its own: one the server finds no face in is reported, not fatal. */
async function enrolPhotos(serverUrl: string, people: Record<string, string[]>, pad: boolean): Promise<string> {
	let enrolled = 0;
	const refused: string[] = [];
	for (const [name, files] of Object.entries(people)) {
		const id = await createPerson(serverUrl, name);
		for (const file of files) {
			const path = join(DATA_DIR, file);
			const body = pad ? await padded(path) : readFileSync(path);
			const post = () =>
				fetch(`${serverUrl}/api/people/${id}/faces`, {
					method: 'POST',
					body: new Uint8Array(body),
					headers: { 'content-type': 'image/jpeg', ...authHeaders() }
				});
			let res = await post();
			for (let attempt = 0; attempt < 5 && (res.status === 429 || res.status >= 503); attempt++) {
				// The server limits enrolments per address (wait as it says, like any client), and a
				// loaded machine may time an embedding out: try again before counting it refused.
				const waitS = res.status === 429 ? Number(res.headers.get('retry-after') ?? 1) : 0;
				await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
				res = await post();
			}
			if (res.status === 201) enrolled++;
			else refused.push(`${file} (${res.status})`);
		}
	}
	return `enrolled ${enrolled} photos of ${Object.keys(people).length} people${refused.length ? `; refused: ${refused.join(', ')}` : ''}`;
}

export async function builtClip(serverUrl: string, script: ClipScript): Promise<BenchClip> {
	const { file, timeline } = await buildClip(serverUrl, script);
	return {
		name: script.name,
		file,
		fps: timeline.fps,
		frames: timeline.frames,
		enrol: (url) => enrolPhotos(url, script.enrol, script.padEnrolment)
	};
}

/**
 * The dev clip with each frame's index stamped into its bottom rows (frame-tag.ts), written once
 * to CLIP_DIR: untagged, the page's frames could only be matched to the clip's by media time,
 * which put a frame either side of a cut often enough to count a name on the wrong face.
 */
function taggedDevClip(source: string): string {
	const file = join(CLIP_DIR, 'dev.y4m');
	const stamp = `${file}.source`;
	const { size, mtimeMs } = statSync(source);
	const key = `${size}:${mtimeMs}`;
	if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return file;
	mkdirSync(CLIP_DIR, { recursive: true });
	let writer: ReturnType<typeof createY4mWriter> | null = null;
	try {
		let index = 0;
		for (const { yuv, width, height } of clipFrames()) {
			writer ??= createY4mWriter(file, { width, height, fps: 8 });
			const rgb = i420ToRgb(yuv, width, height);
			stampFrameTag(rgb, width, height, index++);
			writer.write(rgb);
		}
	} finally {
		writer?.close();
	}
	writeFileSync(stamp, key);
	return file;
}

/** The synthetic dev clip (8 fps y4m): one tight still per segment, sliding and zooming. */
export function devClip(): BenchClip {
	const timeline = JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as {
		frames: Record<string, ClipFrame[]>;
		segments: Array<{ sourceImage?: string | null }>;
	};
	const entries = timeline.frames['dev_faces_640x480_8fps.y4m'] ?? [];
	let shot = 0;
	const frames: TruthFrame[] = entries.map((e, i) => {
		const cut = i === 0 || entries[i - 1]?.identity !== e.identity;
		if (cut && i > 0) shot++;
		const r = e.imageRect;
		const faces =
			e.identity && r
				? [{ identity: e.identity, name: e.identity, frontal: true, box: { x: r.x, y: r.y, width: r.w, height: r.h }, inside: insideShare(r, 640, 480) }]
				: [];
		return { i, t: e.t, shot, cut, faces };
	});
	const stills = new Set(
		timeline.segments
			.map((s) => s.sourceImage)
			.filter(Boolean)
			.map((s) => join(DATA_DIR, s!))
	);
	const people: Record<string, string[]> = {};
	for (const [name, files] of labelledFaces()) {
		const kept = files.filter((f) => !stills.has(f)).map((f) => f.slice(DATA_DIR.length + 1));
		if (kept.length) people[name] = kept;
	}
	return {
		name: 'dev',
		file: taggedDevClip(join(DATA_DIR, 'video', 'dev_faces_640x480_8fps.y4m')),
		fps: 8,
		frames,
		enrol: (url) => enrolPhotos(url, people, true)
	};
}

function insideShare(r: { x: number; y: number; w: number; h: number }, width: number, height: number): number {
	const ix = Math.max(0, Math.min(width, r.x + r.w) - Math.max(0, r.x));
	const iy = Math.max(0, Math.min(height, r.y + r.h) - Math.max(0, r.y));
	return (ix * iy) / (r.w * r.h);
}

/** Mean size of the clip's frames as 640×480 JPEG q0.8 (what streaming the video would send), bytes. */
export async function meanFrameJpegBytes(file: string, every = 8): Promise<number> {
	let total = 0;
	let count = 0;
	let i = 0;
	for (const { yuv, width, height } of readY4m(readFileSync(file))) {
		if (i++ % every !== 0) continue;
		const rgb = i420ToRgb(yuv, width, height);
		total += (
			await sharp(rgb, { raw: { width, height, channels: 3 } })
				.jpeg({ quality: 80 })
				.toBuffer()
		).byteLength;
		count++;
	}
	return total / count;
}

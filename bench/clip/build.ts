/**
 * Builds a hard dev clip (see scripts.ts) from the shared data into `bench/.clips/` (ignored by
 * git, never committed): `<name>.y4m` for Chromium's fake camera, every frame tagged with its
 * index (tests/helpers/frame-tag.ts), and `<name>.json`, its timeline: for every frame, the shot,
 * whether a cut starts there, and each face in the frame (identity, box, frontal, share inside).
 *
 * Face boxes in the photos come from the server's detector (`POST /api/recognize`), so a server
 * must be running; the people in them are named by the script. A clip already on disk made from
 * the same script and code is reused.
 *
 * Run alone: `npx tsx bench/clip/build.ts [tv|real]` (starts its own server).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { stampFrameTag } from '../../tests/helpers/frame-tag.ts';
import { findFaces } from '../../tests/helpers/gallery.ts';
import { createY4mWriter } from '../../tests/helpers/y4m.ts';
import { DATA_DIR } from '../data.ts';
import { renderShots, type Photo, type PhotoFace, type Shot, type TruthFrame } from './camera.ts';
import { CLIP_SCRIPTS, type ClipScript, type PhotoSpec } from './scripts.ts';

export const CLIP_DIR = join(process.cwd(), 'bench', '.clips');
export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 480;

export type ClipTimeline = {
	name: string;
	/** Hash of the script and of the code that renders it: a clip on disk with the same one is reused. */
	version: string;
	fps: number;
	width: number;
	height: number;
	note: string;
	enrol: Record<string, string[]>;
	shots: Array<{ note: string; seconds: number; firstFrame: number; frames: number }>;
	frames: TruthFrame[];
};

export type BuiltClip = { file: string; timeline: ClipTimeline };

const stem = (file: string) => file.replace(/^.*\//, '').replace(/\.[^.]+$/, '');

async function resolvePhoto(serverUrl: string, spec: PhotoSpec, cache: Map<string, Photo>): Promise<Photo> {
	const cached = cache.get(spec.file);
	if (cached) return cached;
	const path = join(DATA_DIR, spec.file);
	const bytes = readFileSync(path);
	const { width = 0, height = 0 } = await sharp(bytes).rotate().metadata();
	// A loaded machine may time a detection out: one more try before giving up.
	const boxes = await findFaces(serverUrl, bytes).catch(() => findFaces(serverUrl, bytes));
	const used = new Set<number>();
	const faces: PhotoFace[] = spec.people.map((person) => {
		const [x, y] = person.at;
		// The smallest detected box around the point: the person's own face, not a neighbour's.
		const index = boxes
			.map((b, i) => ({ b, i }))
			.filter(({ b }) => x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height)
			.sort((a, c) => a.b.width * a.b.height - c.b.width * c.b.height)[0]?.i;
		if (index === undefined) throw new Error(`${spec.file}: no face found at ${x},${y}`);
		used.add(index);
		const name = person.identity ?? `stranger:${stem(spec.file)}`;
		return { identity: person.identity, name, frontal: person.frontal ?? true, box: boxes[index]! };
	});
	boxes.forEach((box, i) => {
		if (!used.has(i)) faces.push({ identity: null, name: `extra:${stem(spec.file)}#${i}`, frontal: true, box });
	});
	const photo = { file: path, width, height, faces };
	cache.set(spec.file, photo);
	return photo;
}

/** What the clip depends on: its script and the code that renders it. */
function versionOf(script: ClipScript): string {
	const hash = createHash('sha256').update(JSON.stringify(script));
	for (const file of ['camera.ts', 'build.ts']) hash.update(readFileSync(fileURLToPath(new URL(file, import.meta.url))));
	return hash.digest('hex').slice(0, 16);
}

/** Renders `script` into CLIP_DIR, unless the clip there was made from the same script and code; returns its path and timeline. */
export async function buildClip(serverUrl: string, script: ClipScript): Promise<BuiltClip> {
	mkdirSync(CLIP_DIR, { recursive: true });
	const version = versionOf(script);
	const file = join(CLIP_DIR, `${script.name}.y4m`);
	const timelineFile = join(CLIP_DIR, `${script.name}.json`);
	if (existsSync(file) && existsSync(timelineFile)) {
		const kept = JSON.parse(readFileSync(timelineFile, 'utf8')) as ClipTimeline;
		if (kept.version === version) return { file, timeline: kept };
	}
	const cache = new Map<string, Photo>();
	const shots: Shot[] = [];
	for (const spec of script.shots) {
		const photos: Photo[] = [];
		for (const p of spec.photos) photos.push(await resolvePhoto(serverUrl, p, cache));
		const framing = (f: NonNullable<typeof spec.to>) => ({ photo: f.photo, face: f.person, size: f.size, ...(f.at ? { at: f.at } : {}) });
		shots.push({
			seconds: spec.seconds,
			photos,
			from: framing(spec.from),
			...(spec.to ? { to: framing(spec.to) } : {}),
			...(spec.shake ? { shake: spec.shake } : {}),
			note: spec.note
		});
	}
	const writer = createY4mWriter(file, { width: CLIP_WIDTH, height: CLIP_HEIGHT, fps: script.fps });
	const frames: TruthFrame[] = [];
	try {
		await renderShots(shots, { width: CLIP_WIDTH, height: CLIP_HEIGHT, fps: script.fps }, (rgb, truth) => {
			stampFrameTag(rgb, CLIP_WIDTH, CLIP_HEIGHT, truth.i);
			writer.write(rgb);
			frames.push(truth);
		});
	} finally {
		writer.close();
	}
	let firstFrame = 0;
	const timeline: ClipTimeline = {
		name: script.name,
		version,
		fps: script.fps,
		width: CLIP_WIDTH,
		height: CLIP_HEIGHT,
		note: script.note,
		enrol: script.enrol,
		shots: script.shots.map((s) => {
			const count = Math.round(s.seconds * script.fps);
			const entry = { note: s.note, seconds: s.seconds, firstFrame, frames: count };
			firstFrame += count;
			return entry;
		}),
		frames
	};
	writeFileSync(timelineFile, JSON.stringify(timeline));
	return { file, timeline };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { startTestServer } = await import('../../tests/helpers/server.ts');
	const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CLIP_SCRIPTS);
	const server = await startTestServer();
	try {
		for (const name of names) {
			const script = CLIP_SCRIPTS[name as keyof typeof CLIP_SCRIPTS];
			if (!script) throw new Error(`no clip ${name}: ${Object.keys(CLIP_SCRIPTS).join(', ')}`);
			const t0 = performance.now();
			const { file, timeline } = await buildClip(server.url, script);
			console.log(
				`${file}: ${timeline.frames.length} frames at ${timeline.fps} fps, ${timeline.shots.length} shots (${((performance.now() - t0) / 1000).toFixed(1)} s)`
			);
		}
	} finally {
		await server.stop();
	}
}

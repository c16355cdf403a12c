/**
 * Live-style crops with MediaPipe keypoints, for the alignment prototype (bench/align-hint.ts):
 * each image of ../shared/data (faces/ padded 50 % a side, as its README advises for a detector;
 * faces-real/ photos scaled to a 640 px camera frame) and face-api's demo photos goes through
 * BlazeFace in Chromium, and each face found is cut out as the live page cuts it (the protocol's
 * 25 % margin, 112 px WebP q0.5), its keypoints carried into the crop's pixels. Cached in
 * bench/results/ (not committed), keyed by the data and the crop settings.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { chooseCropSettings } from '../../src/lib/link/bandwidth.ts';
import { FACE_CROP_MARGIN, expandBox } from '../../src/lib/protocol/face-crop.ts';
import { samplePhotoPath } from '../../tests/helpers/faces.ts';
import { DATA_DIR } from '../data.ts';
import type { Point } from './keypoint-chip.ts';
import { startMediapipe, type MpFace } from './mediapipe.ts';

export type Sample = {
	/** Who: the same for photos of one person; strangers each have their own. */
	identity: string;
	/** Enrolled people have several photos; strangers one. */
	kind: 'person' | 'stranger';
	split: 'tune' | 'test';
	source: string;
	crop: Uint8Array;
	keypoints: Point[];
};

const SHIPPED = chooseCropSettings({ dataSaver: false, rttMs: 0, webp: true });
const CACHE = join('bench', 'results', `align-crops-${SHIPPED.maxSide}-${SHIPPED.quality}-v2.json`);
const CAMERA_SIDE = 640;

type Source = { identity: string; kind: Sample['kind']; split: Sample['split']; file: string; prepare: 'pad' | 'frame' | 'large'; all?: boolean };

/** Which images, and which half each belongs to: the people and strangers are split, never their photos. */
function sources(): Source[] {
	const out: Source[] = [];
	const faces = join(DATA_DIR, 'faces');
	const people = readdirSync(faces)
		.filter((n) => !n.startsWith('_') && existsSync(join(faces, n, '1.png')))
		.sort();
	people.forEach((name, i) => {
		for (const f of readdirSync(join(faces, name)).sort())
			out.push({ identity: `tv:${name}`, kind: 'person', split: i % 2 ? 'test' : 'tune', file: join(faces, name, f), prepare: 'pad' });
	});
	const tvStrangers = join(faces, '_strangers');
	if (existsSync(tvStrangers))
		readdirSync(tvStrangers)
			.sort()
			.forEach((f, i) =>
				out.push({ identity: `tv-stranger:${f}`, kind: 'stranger', split: i % 2 ? 'test' : 'tune', file: join(tvStrangers, f), prepare: 'pad' })
			);
	const real = join(DATA_DIR, 'faces-real');
	const realPeople: Array<[string, Sample['split']]> = [
		['emotions_a', 'tune'],
		['teen_a', 'test'],
		['vlado', 'test']
	];
	for (const [name, split] of realPeople) {
		const dir = join(real, name);
		if (existsSync(dir))
			for (const f of readdirSync(dir).sort()) out.push({ identity: `real:${name}`, kind: 'person', split, file: join(dir, f), prepare: 'frame' });
	}
	const realStrangers = join(real, '_strangers');
	if (existsSync(realStrangers))
		readdirSync(realStrangers)
			.sort()
			.forEach((f, i) =>
				out.push({ identity: `real-stranger:${f}`, kind: 'stranger', split: i % 2 ? 'test' : 'tune', file: join(realStrangers, f), prepare: 'frame' })
			);
	for (const n of [1, 2, 3, 4, 5, 6])
		out.push({ identity: `demo:${n}`, kind: 'stranger', split: n <= 3 ? 'tune' : 'test', file: samplePhotoPath(n), prepare: 'frame', all: true });
	// More faces for the fit only (it learns where the landmarks sit, not who is who): the group
	// shots of faces-real, but for the two with vlado (a test person) in them.
	const groups = join(real, '_group');
	if (existsSync(groups)) {
		for (const f of readdirSync(groups).sort()) {
			if (!/group-2|group-4/.test(f)) out.push({ identity: `group:${f}`, kind: 'stranger', split: 'tune', file: join(groups, f), prepare: 'large', all: true });
		}
	}
	return out;
}

async function prepare(file: string, how: Source['prepare']): Promise<{ png: Buffer; width: number; height: number }> {
	const image = sharp(readFileSync(file)).rotate();
	const side = how === 'large' ? 2 * CAMERA_SIDE : CAMERA_SIDE;
	const shaped =
		how === 'pad'
			? image.extend({ top: 75, bottom: 75, left: 75, right: 75, background: '#808080' })
			: image.resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
	const { data, info } = await shaped.png().toBuffer({ resolveWithObject: true });
	return { png: data, width: info.width, height: info.height };
}

/** The face as the live page crops it, and its keypoints in the crop's pixels. */
async function liveCrop(png: Buffer, frame: { width: number; height: number }, face: MpFace): Promise<{ crop: Uint8Array; keypoints: Point[] }> {
	const region = expandBox(face.box, FACE_CROP_MARGIN, frame);
	const scale = Math.min(1, SHIPPED.maxSide / Math.max(region.width, region.height));
	const width = Math.max(1, Math.round(region.width * scale));
	const height = Math.max(1, Math.round(region.height * scale));
	const crop = await sharp(png)
		.extract({ left: region.x, top: region.y, width: region.width, height: region.height })
		.resize(width, height, { fit: 'fill' })
		.webp({ quality: Math.round(SHIPPED.quality * 100) })
		.toBuffer();
	const keypoints = face.keypoints.map((k) => ({ x: ((k.x - region.x) * width) / region.width, y: ((k.y - region.y) * height) / region.height }));
	return { crop: new Uint8Array(crop), keypoints };
}

type Cached = Omit<Sample, 'crop'> & { crop: string };

export async function loadSamples(log: (line: string) => void): Promise<{ samples: Sample[]; missed: string[] }> {
	if (existsSync(CACHE)) {
		const cached = JSON.parse(readFileSync(CACHE, 'utf8')) as { samples: Cached[]; missed: string[] };
		log(`crops and keypoints: ${CACHE} (delete it to detect again)`);
		return { samples: cached.samples.map((s) => ({ ...s, crop: new Uint8Array(Buffer.from(s.crop, 'base64')) })), missed: cached.missed };
	}
	const mp = await startMediapipe();
	const samples: Sample[] = [];
	const missed: string[] = [];
	try {
		for (const src of sources()) {
			const { png, width, height } = await prepare(src.file, src.prepare);
			const faces = (await mp.detect(png)).sort((a, b) => b.score - a.score);
			if (faces.length === 0) {
				missed.push(basename(src.file));
				continue;
			}
			for (const [k, face] of (src.all ? faces : faces.slice(0, 1)).entries()) {
				if (face.keypoints.length !== 6) continue;
				const { crop, keypoints } = await liveCrop(png, { width, height }, face);
				const identity = src.all ? `${src.identity}:${k}` : src.identity;
				samples.push({ identity, kind: src.kind, split: src.split, source: `${basename(src.file)}${src.all ? `#${k}` : ''}`, crop, keypoints });
			}
		}
	} finally {
		await mp.close();
	}
	mkdirSync(join('bench', 'results'), { recursive: true });
	writeFileSync(CACHE, JSON.stringify({ samples: samples.map((s) => ({ ...s, crop: Buffer.from(s.crop).toString('base64') })), missed }));
	return { samples, missed };
}

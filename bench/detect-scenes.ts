/**
 * The frames `npm run bench:detect` shows the detectors, made from ../shared/data, each with the
 * faces it holds in frame pixels:
 * - rooms: every group photo filling a 640×480 camera frame (as the test did), and again at
 *   60 % of that size in the middle (a group further away);
 * - near: each identity's photo 1 (a tight 150 px face crop) padded by half a side and shown with
 *   the face 120 to 360 px wide (selfie distance; 360 is a face at arm's length filling the
 *   frame's height).
 * - clip: the dev camera clip (video/dev_faces_640x480_8fps.y4m, 8 fps), frame by frame: one
 *   face at a time at selfie distance, sliding and zooming, as a camera would show it.
 * Face boxes come from bench/detect-truth.json (rooms), are the crop itself (near), or the pasted
 * still's rectangle from the clip's timeline (clip; the stills are tight face crops).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { clipFrames, DATA_DIR, i420ToRgb, labelledFaces } from './data.ts';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

/** The group photos, relative to DATA_DIR. */
export const GROUP_PHOTOS = [
	'faces/_group/bbt1.jpg',
	'faces/_group/bbt2.jpg',
	'faces/_group/bbt3.jpg',
	'faces/_group/bbt4.jpg',
	'faces/_group/bbt5.jpg',
	'faces-real/_group/group-1.jpg',
	'faces-real/_group/group-2.jpg',
	'faces-real/_group/group-3.jpg',
	'faces-real/_group/group-4.jpg',
	'faces-real/_group/group-6.jpg',
	'faces-real/_group/solvay1927.jpg'
] as const;

export type Box = { x: number; y: number; width: number; height: number };
export type TruthFace = Box & { optional?: boolean };
/** `source`: the photo it was made from, relative to DATA_DIR. */
export type Scene = { name: string; kind: 'room' | 'near' | 'clip'; source: string; png: Buffer; faces: TruthFace[] };

type TruthFile = Record<string, { width: number; height: number; faces: TruthFace[] }>;

const BACKGROUND = { r: 96, g: 110, b: 128 };

/** `photo` scaled by `scale` × its contain-fit and centred in the frame; the faces moved alike. */
async function placed(photo: string | Buffer, size: { width: number; height: number }, faces: TruthFace[], scale: number) {
	const fit = Math.min(FRAME_WIDTH / size.width, FRAME_HEIGHT / size.height) * scale;
	const width = Math.round(size.width * fit);
	const height = Math.round(size.height * fit);
	const left = Math.round((FRAME_WIDTH - width) / 2);
	const top = Math.round((FRAME_HEIGHT - height) / 2);
	// A picture larger than the frame is cut to it (a face at arm's length).
	const cut = { left: Math.max(0, -left), top: Math.max(0, -top), width: Math.min(width, FRAME_WIDTH), height: Math.min(height, FRAME_HEIGHT) };
	const image = await sharp(photo).rotate().resize(width, height).extract(cut).toBuffer();
	const png = await sharp({ create: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3, background: BACKGROUND } })
		.composite([{ input: image, left: Math.max(0, left), top: Math.max(0, top) }])
		.png()
		.toBuffer();
	const moved = faces.map((f) => ({ ...f, x: left + f.x * fit, y: top + f.y * fit, width: f.width * fit, height: f.height * fit }));
	return { png, faces: moved };
}

export async function roomScenes(): Promise<Scene[]> {
	const truth = JSON.parse(readFileSync(new URL('./detect-truth.json', import.meta.url), 'utf8')) as TruthFile;
	const scenes: Scene[] = [];
	for (const file of GROUP_PHOTOS) {
		const t = truth[file];
		if (!t) throw new Error(`bench/detect-truth.json has no entry for ${file}`);
		const name = file.split('/').pop()!.replace('.jpg', '');
		// The Solvay photo's faces are ~15 px at full frame already: no further-away copy.
		for (const scale of file.includes('solvay') ? [1] : [1, 0.6]) {
			const { png, faces } = await placed(join(DATA_DIR, file), t, t.faces, scale);
			scenes.push({ name: scale === 1 ? name : `${name}@${scale}`, kind: 'room', source: file, png, faces });
		}
	}
	return scenes;
}

export async function nearScenes(): Promise<Scene[]> {
	const scenes: Scene[] = [];
	for (const [identity, files] of labelledFaces()) {
		const file = files[0];
		if (!file) continue;
		// 150 px crop + 75 px of grey a side: the face is the middle half of the picture.
		const padded = await sharp(file).extend({ top: 75, bottom: 75, left: 75, right: 75, background: BACKGROUND }).png().toBuffer();
		const face = { x: 75, y: 75, width: 150, height: 150 };
		for (const faceWidth of [120, 160, 200, 240, 360]) {
			const { png, faces } = await placed(padded, { width: 300, height: 300 }, [face], (faceWidth * 2) / FRAME_HEIGHT);
			scenes.push({ name: `${identity}@${faceWidth}px`, kind: 'near', source: relative(DATA_DIR, file), png, faces });
		}
	}
	return scenes;
}

/** The dev clip, in order. */
export async function clipScenes(): Promise<Scene[]> {
	const scenes: Scene[] = [];
	for (const { frame, yuv, width, height } of clipFrames()) {
		const png = await sharp(i420ToRgb(yuv, width, height), { raw: { width, height, channels: 3 } })
			.png()
			.toBuffer();
		const r = frame.imageRect;
		const faces = frame.identity && r ? [{ x: r.x, y: r.y, width: r.w, height: r.h }] : [];
		scenes.push({ name: `clip ${frame.i}`, kind: 'clip', source: 'video/dev_faces_640x480_8fps.y4m', png, faces });
	}
	return scenes;
}

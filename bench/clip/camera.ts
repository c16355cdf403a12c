/**
 * A virtual camera over still photos: each shot lays photos side by side in a "world", and the
 * camera frames one face and moves to another framing (pan and zoom), with hand shake and the
 * motion blur its own speed causes. Hard cuts are simply the next shot. Every frame comes with its
 * truth: where each face of the world is in the frame, and whose it is.
 */
import sharp from 'sharp';

export type FaceBox = { x: number; y: number; width: number; height: number };

/** A face in a photo: who (null: a stranger nobody enrols), and whether it looks roughly at the camera. */
export type PhotoFace = { identity: string | null; name: string; frontal: boolean; box: FaceBox };
export type Photo = { file: string; width: number; height: number; faces: PhotoFace[] };

/** A framing: face `face` of photo `photo` is `size` px wide, its centre at `at` (0..1 of the frame). */
export type Framing = { photo: number; face: number; size: number; at?: readonly [number, number] };

export type Shot = {
	seconds: number;
	/** Photos laid left to right, each scaled to the world's height. */
	photos: Photo[];
	from: Framing;
	to?: Framing;
	/** Hand shake, px of the output frame (peak). Default 0. */
	shake?: number;
	note: string;
};

export type TruthFace = { identity: string | null; name: string; frontal: boolean; box: FaceBox; inside: number };
export type TruthFrame = { i: number; t: number; shot: number; cut: boolean; faces: TruthFace[] };

const WORLD_HEIGHT = 1280;
const PAD = 1200;
const BACKGROUND = { r: 40, g: 44, b: 52 };

type World = { raw: Buffer; width: number; height: number; faces: TruthFace[] };

async function buildWorld(photos: Photo[]): Promise<World> {
	let x = PAD;
	const layers: sharp.OverlayOptions[] = [];
	const faces: TruthFace[] = [];
	for (const photo of photos) {
		const scale = WORLD_HEIGHT / photo.height;
		const width = Math.round(photo.width * scale);
		layers.push({ input: await sharp(photo.file).rotate().resize({ width, height: WORLD_HEIGHT, fit: 'fill' }).toBuffer(), left: x, top: PAD });
		for (const f of photo.faces) {
			faces.push({
				identity: f.identity,
				name: f.name,
				frontal: f.frontal,
				box: { x: x + f.box.x * scale, y: PAD + f.box.y * scale, width: f.box.width * scale, height: f.box.height * scale },
				inside: 1
			});
		}
		x += width;
	}
	const width = x + PAD;
	const height = WORLD_HEIGHT + 2 * PAD;
	const raw = await sharp({ create: { width, height, channels: 3, background: BACKGROUND } })
		.composite(layers)
		.removeAlpha()
		.raw()
		.toBuffer();
	return { raw, width, height, faces };
}

/** Index of face `face` of photo `photo` among the world's faces. */
function worldFaceIndex(photos: Photo[], framing: Framing): number {
	return photos.slice(0, framing.photo).reduce((n, p) => n + p.faces.length, 0) + framing.face;
}

type View = { cx: number; cy: number; width: number };

function viewOf(world: World, photos: Photo[], framing: Framing, frameW: number): View {
	const face = world.faces[worldFaceIndex(photos, framing)];
	if (!face) throw new Error(`no face ${framing.face} in photo ${framing.photo}`);
	const scale = framing.size / face.box.width;
	const [ax, ay] = framing.at ?? [0.5, 0.45];
	const width = frameW / scale;
	const height = (width * 3) / 4;
	return {
		cx: face.box.x + face.box.width / 2 + (0.5 - ax) * width,
		cy: face.box.y + face.box.height / 2 + (0.5 - ay) * height,
		width
	};
}

const smoothstep = (u: number) => u * u * (3 - 2 * u);

function lerpView(a: View, b: View, u: number): View {
	const s = smoothstep(Math.max(0, Math.min(1, u)));
	return { cx: a.cx + (b.cx - a.cx) * s, cy: a.cy + (b.cy - a.cy) * s, width: Math.exp(Math.log(a.width) + (Math.log(b.width) - Math.log(a.width)) * s) };
}

/** Deterministic shake: two sines per axis with fixed phases; peak ≈ `amplitude` output px. */
function shakeAt(t: number, amplitude: number, seed: number): [number, number] {
	const p = seed * 1.7;
	const x = Math.sin(2 * Math.PI * 3.1 * t + p) + 0.5 * Math.sin(2 * Math.PI * 7.3 * t + 2 * p);
	const y = Math.sin(2 * Math.PI * 2.3 * t + 3 * p) + 0.5 * Math.sin(2 * Math.PI * 6.1 * t + p);
	return [(x / 1.5) * amplitude, (y / 1.5) * amplitude];
}

/** A line kernel along (dx, dy): motion blur of `length` px. */
function motionKernel(dx: number, dy: number, length: number): sharp.Kernel {
	const size = Math.min(15, Math.max(3, 2 * Math.round(length / 2) + 1));
	const kernel = new Array<number>(size * size).fill(0);
	const norm = Math.hypot(dx, dy) || 1;
	const c = (size - 1) / 2;
	for (let s = -c; s <= c; s += 0.25) {
		const x = Math.round(c + (s * dx) / norm);
		const y = Math.round(c + (s * dy) / norm);
		kernel[y * size + x] = 1;
	}
	return { width: size, height: size, kernel };
}

export type RenderOptions = { width: number; height: number; fps: number };

/**
 * Renders the shots in order; calls `onFrame` with each frame's raw RGB and truth. Faces are in
 * the truth when any part of them is in the frame (`inside`: the share of the box that is).
 */
export async function renderShots(
	shots: readonly Shot[],
	{ width, height, fps }: RenderOptions,
	onFrame: (rgb: Buffer, truth: TruthFrame) => void | Promise<void>
): Promise<void> {
	let i = 0;
	for (const [s, shot] of shots.entries()) {
		const world = await buildWorld(shot.photos);
		const from = viewOf(world, shot.photos, shot.from, width);
		const to = viewOf(world, shot.photos, shot.to ?? shot.from, width);
		const count = Math.round(shot.seconds * fps);
		const viewAt = (k: number): View => {
			const view = lerpView(from, to, k / Math.max(1, count - 1));
			const [sx, sy] = shakeAt(k / fps, shot.shake ?? 0, s + 1);
			const scale = width / view.width;
			return { cx: view.cx + sx / scale, cy: view.cy + sy / scale, width: view.width };
		};
		for (let k = 0; k < count; k++, i++) {
			const view = viewAt(k);
			const next = viewAt(k + 1);
			const scale = width / view.width;
			const viewH = (view.width * height) / width;
			const left = Math.max(0, Math.min(world.width - view.width, view.cx - view.width / 2));
			const top = Math.max(0, Math.min(world.height - viewH, view.cy - viewH / 2));
			let image = sharp(world.raw, { raw: { width: world.width, height: world.height, channels: 3 } })
				.extract({ left: Math.round(left), top: Math.round(top), width: Math.round(view.width), height: Math.round(viewH) })
				.resize(width, height, { fit: 'fill' });
			// Blur over half a frame interval of the picture's own motion (the shutter is open that long).
			const dx = (view.cx - next.cx) * scale * 0.5;
			const dy = (view.cy - next.cy) * scale * 0.5;
			const length = Math.hypot(dx, dy);
			if (length >= 2) image = sharp(await image.raw().toBuffer(), { raw: { width, height, channels: 3 } }).convolve(motionKernel(dx, dy, length));
			const rgb = await image.removeAlpha().raw().toBuffer();
			const faces: TruthFace[] = [];
			for (const face of world.faces) {
				const box = { x: (face.box.x - left) * scale, y: (face.box.y - top) * scale, width: face.box.width * scale, height: face.box.height * scale };
				const ix = Math.max(0, Math.min(width, box.x + box.width) - Math.max(0, box.x));
				const iy = Math.max(0, Math.min(height, box.y + box.height) - Math.max(0, box.y));
				const inside = (ix * iy) / (box.width * box.height);
				if (inside > 0) faces.push({ ...face, box, inside });
			}
			await onFrame(rgb, { i, t: i / fps, shot: s, cut: k === 0, faces });
		}
	}
}

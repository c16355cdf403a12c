/**
 * `npm run bench:cuts`: the cut detector (src/lib/track/scene-cut.ts) on every frame of the clips:
 * its change measure at true cuts and within shots, for consecutive frames and for frames two
 * apart (a page under load skips frames), and what CUT_ABOVE makes of them. Then the face look
 * (appearance.ts `likeness`) of the true face boxes, jittered as a detector's are: the same face in
 * two frames in a row against two different faces in the same place across a cut, and what
 * SAME_FACE_ABOVE makes of them. The
 * thresholds are chosen on the `tv` clip; `real` and `dev` are reported, not tuned on.
 *
 * Thumbnails here are box averages of the frame's luma (the page draws the video into a 32×24
 * canvas with high-quality smoothing, a similar average). Needs the hard clips built
 * (`npx tsx bench/clip/build.ts`, or a run of `npm run bench:live`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { likeness, SAME_FACE_ABOVE, SIGNATURE_SIDE_PX, signatureOf } from '../src/lib/track/appearance.ts';
import { CUT_ABOVE, frameChange, THUMB_HEIGHT, THUMB_WIDTH } from '../src/lib/track/scene-cut.ts';
import type { TruthFrame } from './clip/camera.ts';
import { CLIP_DIR, type ClipTimeline } from './clip/build.ts';
import { DATA_DIR, hasSharedData } from './data.ts';
import { readY4m } from '../tests/helpers/y4m.ts';
import { devClip } from './live/clips.ts';

type Luma = { y: Buffer; width: number; height: number };

/** The luma plane of every frame of a y4m file. */
function lumaFrames(file: string): Luma[] {
	return [...readY4m(readFileSync(file))].map(({ yuv, width, height }) => ({ y: yuv.subarray(0, width * height), width, height }));
}

/** Box average of `box` (clipped to the frame) on a `w`×`h` grid. */
function boxAverage({ y, width, height }: Luma, box: { x: number; y: number; width: number; height: number }, w: number, h: number): Float32Array {
	const out = new Float32Array(w * h);
	for (let ty = 0; ty < h; ty++) {
		for (let tx = 0; tx < w; tx++) {
			let sum = 0;
			let n = 0;
			for (let py = Math.floor(box.y + (ty * box.height) / h); py < Math.floor(box.y + ((ty + 1) * box.height) / h); py++) {
				for (let px = Math.floor(box.x + (tx * box.width) / w); px < Math.floor(box.x + ((tx + 1) * box.width) / w); px++) {
					if (px < 0 || py < 0 || px >= width || py >= height) continue;
					sum += y[py * width + px]!;
					n++;
				}
			}
			out[ty * w + tx] = n ? sum / n : 0;
		}
	}
	return out;
}

/**
 * The box a detector might give for a true face box: moved by up to ±8 % of its size each way
 * and scaled by up to ±10 % (BlazeFace's frame-to-frame jitter is of this order: the page's own
 * looks in `npm run bench:live` spread alike). Seeded, so every run draws the same boxes.
 */
function jittered(seed: { value: number }) {
	const next = () => {
		seed.value = (Math.imul(seed.value, 1103515245) + 12345) >>> 0;
		return seed.value / 2 ** 32 - 0.5;
	};
	return (b: TruthFrame['faces'][number]['box']) => {
		const scale = 1 + 0.2 * next();
		const width = b.width * scale;
		const height = b.height * scale;
		return { x: b.x + (b.width - width) / 2 + 0.16 * next() * b.width, y: b.y + (b.height - height) / 2 + 0.16 * next() * b.height, width, height };
	};
}

/** The face look of each visible true face against its look one frame before, or another face's in its place before a cut. */
function reportLooks(name: string, frames: readonly TruthFrame[], luma: readonly Luma[]): void {
	const jitter = jittered({ value: 1 });
	const look = (i: number, box: TruthFrame['faces'][number]['box']) => signatureOf(boxAverage(luma[i]!, jitter(box), SIGNATURE_SIDE_PX, SIGNATURE_SIDE_PX));
	const same: number[] = [];
	const swapped: number[] = [];
	const visible = (f: TruthFrame['faces'][number]) => f.inside >= 0.8 && f.box.width >= 40;
	for (let i = 1; i < frames.length; i++) {
		const before = frames[i - 1]!;
		const now = frames[i]!;
		for (const face of now.faces.filter(visible)) {
			const b = look(i, face.box);
			if (before.shot === now.shot) {
				const was = before.faces.find((f) => f.name === face.name && visible(f));
				const a = was && look(i - 1, was.box);
				if (a && b) same.push(likeness(a, b));
				continue;
			}
			for (const other of before.faces) {
				if (other.name === face.name || Math.hypot(other.box.x - face.box.x, other.box.y - face.box.y) >= face.box.width) continue;
				const a = look(i - 1, other.box);
				if (a && b) swapped.push(likeness(a, b));
			}
		}
	}
	same.sort((a, b) => a - b);
	swapped.sort((a, b) => a - b);
	console.log(
		`  ${name}, face looks (likeness, detector-like boxes): the same face a frame later (${same.length}) p1 ${fmt(q(same, 0.01))}, p5 ${fmt(q(same, 0.05))}, min ${fmt(same[0] ?? NaN)}; another face in its place across a cut (${swapped.length}) ${swapped.map((x) => x.toFixed(2)).join(' ')}; at SAME_FACE_ABOVE ${SAME_FACE_ABOVE}: ${same.filter((x) => x < SAME_FACE_ABOVE).length} same faces taken for another, ${swapped.filter((x) => x >= SAME_FACE_ABOVE).length} others taken for the same`
	);
}

/** Box-averaged luma thumbnails of every frame of a y4m file. */
function thumbnails(file: string): Float32Array[] {
	return lumaFrames(file).map((luma) => boxAverage(luma, { x: 0, y: 0, width: luma.width, height: luma.height }, THUMB_WIDTH, THUMB_HEIGHT));
}

const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const fmt = (n: number) => n.toFixed(3);

function report(name: string, thumbs: Float32Array[], isCut: (i: number) => boolean): void {
	for (const gap of [1, 2]) {
		const within: number[] = [];
		const cuts: number[] = [];
		for (let i = gap; i < thumbs.length + gap; i++) {
			const cur = i % thumbs.length;
			const change = frameChange(thumbs[(i - gap) % thumbs.length]!, thumbs[cur]!);
			// With a gap of two, a cut lies between the frames when either of the skipped-to frames starts a shot.
			const cut = Array.from({ length: gap }, (_, k) => isCut((i - k) % thumbs.length)).some(Boolean);
			(cut ? cuts : within).push(change);
		}
		within.sort((a, b) => a - b);
		cuts.sort((a, b) => a - b);
		const falseCuts = within.filter((c) => c > CUT_ABOVE).length;
		const missed = cuts.filter((c) => c <= CUT_ABOVE).length;
		console.log(
			`  ${name}, frames ${gap} apart: within shots (${within.length}) median ${fmt(q(within, 0.5))}, p99 ${fmt(q(within, 0.99))}, max ${fmt(within.at(-1) ?? NaN)}; at cuts (${cuts.length}) min ${fmt(cuts[0] ?? NaN)}, median ${fmt(q(cuts, 0.5))}; at CUT_ABOVE ${CUT_ABOVE}: ${falseCuts} false cuts, ${missed} cuts missed`
		);
	}
}

if (!hasSharedData()) {
	console.log(`bench:cuts: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}
console.log(`Cut detector (1 − best shifted correlation of ${THUMB_WIDTH}×${THUMB_HEIGHT} thumbnails), CUT_ABOVE ${CUT_ABOVE}`);
for (const name of ['tv', 'real']) {
	const file = join(CLIP_DIR, `${name}.y4m`);
	if (!existsSync(file)) {
		console.log(`  ${name}: not built (npx tsx bench/clip/build.ts ${name})`);
		continue;
	}
	const timeline = JSON.parse(readFileSync(join(CLIP_DIR, `${name}.json`), 'utf8')) as ClipTimeline;
	report(`${name}${name === 'tv' ? ' (tuned on)' : ''}`, thumbnails(file), (i) => timeline.frames[i]?.cut ?? false);
	reportLooks(`${name}${name === 'tv' ? ' (tuned on)' : ''}`, timeline.frames, lumaFrames(file));
}
const dev = devClip();
report('dev', thumbnails(dev.file), (i) => dev.frames[i]?.shot !== dev.frames[(i + dev.frames.length - 1) % dev.frames.length]?.shot);
reportLooks('dev', dev.frames, lumaFrames(dev.file));

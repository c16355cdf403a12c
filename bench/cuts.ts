/**
 * `npm run bench:cuts`: the cut detector (src/lib/track/scene-cut.ts) on every frame of the clips:
 * its change measure at true cuts and within shots, for consecutive frames and for frames two
 * apart (a page under load skips frames), and what CUT_ABOVE makes of them. The threshold is
 * chosen on the `tv` clip; `real` and `dev` are reported, not tuned on.
 *
 * Thumbnails here are box averages of the frame's luma (the page draws the video into a 32×24
 * canvas with high-quality smoothing, a similar average). Needs the hard clips built
 * (`npx tsx bench/clip/build.ts`, or a run of `npm run bench:live`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUT_ABOVE, frameChange, THUMB_HEIGHT, THUMB_WIDTH } from '../src/lib/track/scene-cut.ts';
import { CLIP_DIR, type ClipTimeline } from './clip/build.ts';
import { DATA_DIR, hasSharedData } from './data.ts';

/** Box-averaged luma thumbnails of every frame of a y4m file. */
function thumbnails(file: string): Float32Array[] {
	const bytes = readFileSync(file);
	const headerEnd = bytes.indexOf(0x0a);
	const header = bytes.subarray(0, headerEnd).toString();
	const width = Number(/ W(\d+)/.exec(header)?.[1]);
	const height = Number(/ H(\d+)/.exec(header)?.[1]);
	const frameBytes = (width * height * 3) / 2;
	const out: Float32Array[] = [];
	let offset = headerEnd + 1;
	for (;;) {
		const lineEnd = bytes.indexOf(0x0a, offset);
		if (lineEnd < 0 || lineEnd + 1 + frameBytes > bytes.length) break;
		const y = bytes.subarray(lineEnd + 1, lineEnd + 1 + width * height);
		offset = lineEnd + 1 + frameBytes;
		const thumb = new Float32Array(THUMB_WIDTH * THUMB_HEIGHT);
		const cw = width / THUMB_WIDTH;
		const ch = height / THUMB_HEIGHT;
		for (let ty = 0; ty < THUMB_HEIGHT; ty++) {
			for (let tx = 0; tx < THUMB_WIDTH; tx++) {
				let sum = 0;
				let n = 0;
				for (let py = Math.floor(ty * ch); py < Math.floor((ty + 1) * ch); py++) {
					for (let px = Math.floor(tx * cw); px < Math.floor((tx + 1) * cw); px++) {
						sum += y[py * width + px]!;
						n++;
					}
				}
				thumb[ty * THUMB_WIDTH + tx] = sum / n;
			}
		}
		out.push(thumb);
	}
	return out;
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
}
const dev = JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as { frames: Record<string, Array<{ identity: string | null }>> };
const devFrames = dev.frames['dev_faces_640x480_8fps.y4m'] ?? [];
report('dev', thumbnails(join(DATA_DIR, 'video', 'dev_faces_640x480_8fps.y4m')), (i) => devFrames[i]?.identity !== devFrames[(i + devFrames.length - 1) % devFrames.length]?.identity);

/** The shared development data beside the checkout (`../shared/data`), when it is there. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readY4m } from '../tests/helpers/y4m.ts';

export const DATA_DIR = resolve(process.env.FACERTC_BENCH_DATA ?? join(process.cwd(), '..', 'shared', 'data'));

export function hasSharedData(): boolean {
	return existsSync(join(DATA_DIR, 'faces', 'manifest.json'));
}

/** identity → its photo paths (tight 150×150 face crops). */
export function labelledFaces(): Map<string, string[]> {
	const dir = join(DATA_DIR, 'faces');
	const out = new Map<string, string[]>();
	for (const name of readdirSync(dir).sort()) {
		if (name.startsWith('_') || !existsSync(join(dir, name, '1.png'))) continue;
		out.set(
			name,
			readdirSync(join(dir, name))
				.filter((f) => f.endsWith('.png'))
				.sort()
				.map((f) => join(dir, name, f))
		);
	}
	return out;
}

export function strangerFaces(): string[] {
	const dir = join(DATA_DIR, 'faces', '_strangers');
	return existsSync(dir)
		? readdirSync(dir)
				.sort()
				.map((f) => join(dir, f))
		: [];
}

export type ClipFrame = { i: number; t: number; identity: string | null; imageRect: { x: number; y: number; w: number; h: number } | null };

/** The 8 fps y4m clip as I420 frames with their timeline entries. */
export function* clipFrames(): Generator<{ frame: ClipFrame; yuv: Buffer; width: number; height: number }> {
	const timeline = JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as {
		frames: Record<string, ClipFrame[]>;
	};
	const entries = timeline.frames['dev_faces_640x480_8fps.y4m'] ?? [];
	const frames = readY4m(readFileSync(join(DATA_DIR, 'video', 'dev_faces_640x480_8fps.y4m')));
	for (const frame of entries) {
		const next = frames.next();
		if (next.done) return;
		yield { frame, ...next.value };
	}
}

/** I420 (full-range BT.601) → packed RGB. */
export function i420ToRgb(yuv: Buffer, width: number, height: number): Buffer {
	const out = Buffer.alloc(width * height * 3);
	const cw = width >> 1;
	const uBase = width * height;
	const vBase = uBase + cw * (height >> 1);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const Y = yuv[y * width + x]!;
			const c = (y >> 1) * cw + (x >> 1);
			const U = yuv[uBase + c]! - 128;
			const V = yuv[vBase + c]! - 128;
			const p = (y * width + x) * 3;
			out[p] = Math.max(0, Math.min(255, Y + 1.402 * V));
			out[p + 1] = Math.max(0, Math.min(255, Y - 0.344136 * U - 0.714136 * V));
			out[p + 2] = Math.max(0, Math.min(255, Y + 1.772 * U));
		}
	}
	return out;
}

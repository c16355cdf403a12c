/** Writes a fake-camera clip for Chromium (`--use-file-for-fake-video-capture`): YUV4MPEG2, 4:2:0. */
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export type Layer = { image: Buffer; left: number; top: number; width: number };

/** RGB → I420 (BT.601, full range as C420jpeg says). */
function toI420(rgb: Buffer, width: number, height: number): Buffer {
	const ySize = width * height;
	const cw = width >> 1;
	const ch = height >> 1;
	const out = Buffer.alloc(ySize + 2 * cw * ch);
	for (let i = 0; i < ySize; i++) {
		const r = rgb[i * 3]!;
		const g = rgb[i * 3 + 1]!;
		const b = rgb[i * 3 + 2]!;
		out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
	}
	for (let y = 0; y < ch; y++) {
		for (let x = 0; x < cw; x++) {
			let r = 0;
			let g = 0;
			let b = 0;
			for (const [dx, dy] of [
				[0, 0],
				[1, 0],
				[0, 1],
				[1, 1]
			] as const) {
				const p = ((y * 2 + dy) * width + x * 2 + dx) * 3;
				r += rgb[p]!;
				g += rgb[p + 1]!;
				b += rgb[p + 2]!;
			}
			r /= 4;
			g /= 4;
			b /= 4;
			const u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
			const v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
			out[ySize + y * cw + x] = Math.max(0, Math.min(255, Math.round(u)));
			out[ySize + cw * ch + y * cw + x] = Math.max(0, Math.min(255, Math.round(v)));
		}
	}
	return out;
}

/** One frame: `layers` pasted on a plain background, as raw RGB. */
export async function composeFrame(width: number, height: number, layers: readonly Layer[]): Promise<Buffer> {
	const inputs = await Promise.all(
		layers.map(async (l) => ({
			input: await sharp(l.image).resize({ width: l.width }).toBuffer(),
			left: Math.round(l.left),
			top: Math.round(l.top)
		}))
	);
	return sharp({ create: { width, height, channels: 3, background: { r: 96, g: 110, b: 128 } } })
		.composite(inputs)
		.removeAlpha()
		.raw()
		.toBuffer();
}

/** The frames of a y4m file's bytes, as I420 planes (views into `bytes`); a truncated last frame is left out. */
export function* readY4m(bytes: Buffer): Generator<{ yuv: Buffer; width: number; height: number }> {
	const headerEnd = bytes.indexOf(0x0a);
	const header = bytes.subarray(0, headerEnd).toString();
	const width = Number(/ W(\d+)/.exec(header)?.[1]);
	const height = Number(/ H(\d+)/.exec(header)?.[1]);
	const frameBytes = (width * height * 3) / 2;
	// Each frame is a `FRAME…` line, then the planes.
	for (let offset = headerEnd + 1; ;) {
		const start = bytes.indexOf(0x0a, offset) + 1;
		if (start === 0 || start + frameBytes > bytes.length) return;
		yield { yuv: bytes.subarray(start, start + frameBytes), width, height };
		offset = start + frameBytes;
	}
}

/** Writes a clip frame by frame (raw RGB, `width`×`height`), so long clips never sit in memory whole. */
export function createY4mWriter(file: string, { width, height, fps }: { width: number; height: number; fps: number }) {
	const fd = openSync(file, 'w');
	writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
	return {
		write(rgb: Buffer): void {
			writeSync(fd, 'FRAME\n');
			writeSync(fd, toI420(rgb, width, height));
		},
		close: () => closeSync(fd)
	};
}

/** Writes frames (raw RGB, `width`×`height`) at `fps` to `file`. Chromium loops the clip. */
export function writeY4m(file: string, { width, height, fps, frames }: { width: number; height: number; fps: number; frames: Iterable<Buffer> }): void {
	const writer = createY4mWriter(file, { width, height, fps });
	try {
		for (const rgb of frames) writer.write(rgb);
	} finally {
		writer.close();
	}
}

/** Writes the clip as `name` in a new temporary folder; returns its path and the folder (the caller removes it). */
export function writeTempClip(name: string, clip: Parameters<typeof writeY4m>[1]): { clip: string; dir: string } {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-cam-'));
	const file = join(dir, name);
	writeY4m(file, clip);
	return { clip: file, dir };
}

/**
 * Face fixtures made from the sample photos that ship with @vladmandic/face-api, so the suite
 * needs nothing outside the npm packages.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export type FaceBox = { x: number; y: number; width: number; height: number };

export function samplePhotoPath(n: number): string {
	return join(demoDir, `sample${n}.jpg`);
}

/** Cuts `box` grown by `margin` (share of the box per side) out of a photo, scaled to `maxSide`. */
export async function cropFromPhoto(
	photo: string | Buffer,
	box: FaceBox,
	{ margin, maxSide, quality = 85, format = 'jpeg' }: { margin: number; maxSide?: number; quality?: number; format?: 'jpeg' | 'webp' | 'png' }
): Promise<Buffer> {
	const image = sharp(photo).rotate();
	const { width = 0, height = 0 } = await image.metadata();
	const left = Math.max(0, Math.floor(box.x - box.width * margin));
	const top = Math.max(0, Math.floor(box.y - box.height * margin));
	const right = Math.min(width, Math.ceil(box.x + box.width * (1 + margin)));
	const bottom = Math.min(height, Math.ceil(box.y + box.height * (1 + margin)));
	let pipeline = image.extract({ left, top, width: right - left, height: bottom - top });
	if (maxSide) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
	return pipeline.toFormat(format, { quality }).toBuffer();
}

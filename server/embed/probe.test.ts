import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { samplePhotoPath } from '../../tests/helpers/faces.ts';
import { imageSize } from './probe.ts';

const photo = readFileSync(samplePhotoPath(1));
const sized = (width: number, height: number) => sharp(photo).resize(width, height, { fit: 'fill' });

describe('imageSize: reads the header as sharp does', () => {
	const cases: Array<[string, () => Promise<Buffer>]> = [
		['baseline JPEG', () => sized(112, 97).jpeg({ quality: 50 }).toBuffer()],
		['progressive JPEG with EXIF', () => sized(160, 120).withMetadata().jpeg({ progressive: true }).toBuffer()],
		['PNG', () => sized(96, 133).png().toBuffer()],
		['lossy WebP', () => sized(112, 111).webp({ quality: 50 }).toBuffer()],
		['lossless WebP', () => sized(77, 160).webp({ lossless: true }).toBuffer()],
		['WebP with alpha (VP8X)', () => sized(150, 140).ensureAlpha(0.5).webp({ quality: 60 }).toBuffer()],
		['a large photo', async () => photo]
	];
	it.each(cases)('%s', async (_name, make) => {
		const bytes = await make();
		const { width, height } = await sharp(bytes).metadata();
		expect(imageSize(new Uint8Array(bytes))).toEqual({ width, height });
	});
});

describe('imageSize: refuses what it cannot read, and never throws anything else', () => {
	it('refuses other formats and cut headers with bad-image', async () => {
		const gif = await sharp(photo).resize(32, 32).gif().toBuffer();
		const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
		const jpeg = await sized(112, 112).jpeg().toBuffer();
		for (const bytes of [gif, svg, new Uint8Array(0), jpeg.subarray(0, 40), new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2])]) {
			expect(() => imageSize(new Uint8Array(bytes))).toThrow(expect.objectContaining({ code: 'bad-image' }));
		}
	});

	it('survives corrupted headers (seeded)', async () => {
		let s = 7;
		const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
		const valid = await Promise.all([sized(112, 112).jpeg().toBuffer(), sized(112, 112).png().toBuffer(), sized(112, 112).webp().toBuffer()]);
		let read = 0;
		for (let i = 0; i < 3000; i++) {
			const bytes = new Uint8Array(valid[i % 3]!.subarray(0, 64 + Math.floor(next() * 600)));
			for (let e = 0; e < 3; e++) bytes[Math.floor(next() * Math.min(bytes.length, 200))] = Math.floor(next() * 256);
			try {
				const { width, height } = imageSize(bytes);
				expect(width).toBeGreaterThan(0);
				expect(height).toBeGreaterThan(0);
				read++;
			} catch (err) {
				expect(err).toMatchObject({ code: 'bad-image' });
			}
		}
		expect(read).toBeGreaterThan(0);
	});
});

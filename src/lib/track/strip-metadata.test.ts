import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { stripImageMetadata } from './strip-metadata.ts';

/** A small picture with detail, so the encoders have something to code. */
async function picture(channels: 3 | 4): Promise<sharp.Sharp> {
	const width = 64;
	const height = 48;
	const pixels = Buffer.alloc(width * height * channels);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = (y * width + x) * channels;
			pixels[i] = (x * 4) & 0xff;
			pixels[i + 1] = (y * 5) & 0xff;
			pixels[i + 2] = ((x ^ y) * 8) & 0xff;
			if (channels === 4) pixels[i + 3] = x < 32 ? 255 : 96;
		}
	}
	return sharp(pixels, { raw: { width, height, channels } });
}

const withProfile = (image: sharp.Sharp) => image.withIccProfile('srgb').withExif({ IFD0: { Copyright: 'somebody' } });
const pixelsOf = async (bytes: Uint8Array) => (await sharp(bytes).raw().toBuffer({ resolveWithObject: true })).data;
const metadataOf = (bytes: Uint8Array) => sharp(bytes).metadata();
const riffChunks = (bytes: Uint8Array) => {
	const ids: string[] = [];
	for (let at = 12; at + 8 <= bytes.length;) {
		const size = bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24);
		ids.push(Buffer.from(bytes.subarray(at, at + 4)).toString('latin1'));
		at += 8 + size + (size & 1);
	}
	return ids;
};

/** Corrupted crops per sample that are decoded before and after stripping (see the seeded test). */
const DECODE_CHECKS = 60;

describe('stripImageMetadata', () => {
	it('drops the colour profile and EXIF from a lossy WebP, leaving a simple WebP with the same pixels', async () => {
		const tagged = new Uint8Array(
			await withProfile(await picture(3))
				.webp({ quality: 70 })
				.toBuffer()
		);
		expect(riffChunks(tagged)).toEqual(expect.arrayContaining(['VP8X', 'ICCP', 'EXIF', 'VP8 ']));

		const lean = stripImageMetadata(tagged);
		expect(riffChunks(lean)).toEqual(['VP8 ']);
		expect(lean.byteLength).toBeLessThan(tagged.byteLength - 400);
		expect(new DataView(lean.buffer, lean.byteOffset).getUint32(4, true)).toBe(lean.byteLength - 8);
		const meta = await metadataOf(lean);
		expect({ icc: meta.icc, exif: meta.exif, width: meta.width, height: meta.height }).toEqual({ icc: undefined, exif: undefined, width: 64, height: 48 });
		expect(await pixelsOf(lean)).toEqual(await pixelsOf(tagged));
	});

	it('keeps VP8X and the alpha chunk of a WebP with transparency, with only the alpha flag set', async () => {
		const tagged = new Uint8Array(
			await withProfile(await picture(4))
				.webp({ quality: 70 })
				.toBuffer()
		);
		const lean = stripImageMetadata(tagged);
		expect(riffChunks(lean)).toEqual(['VP8X', 'ALPH', 'VP8 ']);
		expect(lean[20]).toBe(0x10);
		expect((await metadataOf(lean)).hasAlpha).toBe(true);
		expect(await pixelsOf(lean)).toEqual(await pixelsOf(tagged));
	});

	it('drops the profile from a lossless WebP too', async () => {
		const tagged = new Uint8Array(
			await withProfile(await picture(3))
				.webp({ lossless: true })
				.toBuffer()
		);
		const lean = stripImageMetadata(tagged);
		expect(riffChunks(lean)).toEqual(['VP8L']);
		expect(await pixelsOf(lean)).toEqual(await pixelsOf(tagged));
	});

	it('drops APP1 (EXIF) and APP2 (ICC) from a JPEG and keeps the picture', async () => {
		const tagged = new Uint8Array(
			await withProfile(await picture(3))
				.jpeg({ quality: 70 })
				.toBuffer()
		);
		const lean = stripImageMetadata(tagged);
		expect(lean.byteLength).toBeLessThan(tagged.byteLength - 400);
		const meta = await metadataOf(lean);
		expect({ icc: meta.icc, exif: meta.exif, format: meta.format }).toEqual({ icc: undefined, exif: undefined, format: 'jpeg' });
		expect(await pixelsOf(lean)).toEqual(await pixelsOf(tagged));
	});

	it('answers an image with nothing to drop, or bytes it does not know, untouched', async () => {
		const plainWebp = new Uint8Array(await (await picture(3)).webp({ quality: 70 }).toBuffer());
		const png = new Uint8Array(
			await withProfile(await picture(3))
				.png()
				.toBuffer()
		);
		const noise = new Uint8Array([1, 2, 3, 4, 5]);
		for (const bytes of [plainWebp, png, noise, new Uint8Array(0)]) expect(stripImageMetadata(bytes)).toBe(bytes);
	});

	it('keeps VP8X when a chunk it does not know would be left beside the bitstream', async () => {
		const tagged = new Uint8Array(
			await withProfile(await picture(3))
				.webp({ quality: 70 })
				.toBuffer()
		);
		// Rename the EXIF chunk to one the stripper does not know.
		const at = riffChunks(tagged).indexOf('EXIF');
		let offset = 12;
		for (let k = 0; k < at; k++) {
			const size = new DataView(tagged.buffer, tagged.byteOffset).getUint32(offset + 4, true);
			offset += 8 + size + (size & 1);
		}
		const odd = tagged.slice();
		odd.set([0x41, 0x42, 0x43, 0x44], offset); // 'ABCD'
		const lean = stripImageMetadata(odd);
		expect(riffChunks(lean)).toEqual(['VP8X', 'VP8 ', 'ABCD']);
		expect(lean[20]).toBe(0);
		expect(await pixelsOf(lean)).toEqual(await pixelsOf(tagged));
	});

	it('never throws on truncated or corrupted input, and never makes a readable crop unreadable (seeded)', async () => {
		const samples = [
			new Uint8Array(
				await withProfile(await picture(3))
					.webp({ quality: 70 })
					.toBuffer()
			),
			new Uint8Array(
				await withProfile(await picture(4))
					.webp({ quality: 70 })
					.toBuffer()
			),
			new Uint8Array(
				await withProfile(await picture(3))
					.jpeg({ quality: 70 })
					.toBuffer()
			)
		];
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		let changed = 0;
		let decoded = 0;
		for (const sample of samples) {
			let decodedHere = 0;
			for (let cut = 0; cut < sample.length; cut += 7) {
				const out = stripImageMetadata(sample.subarray(0, cut));
				expect(out.byteLength).toBeLessThanOrEqual(cut);
			}
			for (let round = 0; round < 300; round++) {
				const bad = sample.slice();
				for (let k = 0; k < 3; k++) bad[Math.floor(random() * Math.min(bad.length, 700))] = Math.floor(random() * 256);
				const out = stripImageMetadata(bad);
				expect(out.byteLength).toBeLessThanOrEqual(bad.byteLength);
				if (out === bad) continue;
				changed++;
				// A crop a decoder could read stays readable, at its size. (Its colours may differ: a
				// corrupted profile that the decoder applied is gone.) Decoding is the slow part: the
				// first DECODE_CHECKS changed crops of each sample are decoded, the rest only stripped.
				if (decodedHere >= DECODE_CHECKS) continue;
				decodedHere++;
				decoded++;
				const before = await sharp(bad)
					.raw()
					.toBuffer({ resolveWithObject: true })
					.catch(() => null);
				if (!before) continue;
				const after = await sharp(out).raw().toBuffer({ resolveWithObject: true });
				expect([after.info.width, after.info.height]).toEqual([before.info.width, before.info.height]);
			}
		}
		// Most corruptions hit the metadata, which is still recognised and dropped.
		expect(changed).toBeGreaterThan(0);
		expect(decoded).toBeGreaterThan(samples.length * 10);
	}, 60_000);
});

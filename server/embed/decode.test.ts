import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropFace, decodeImage, scaleBox } from './decode.ts';
import type { RgbImage } from './types.ts';

/** An image whose red channel is x, green is y and blue 50, as raw RGB. */
function gradient(width: number, height: number): RgbImage {
	const data = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) data.set([x, y, 50], (y * width + x) * 3);
	}
	return { data, width, height };
}

const png = (img: RgbImage) =>
	sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
		.png()
		.toBuffer();

describe('decodeImage', () => {
	it('decodes to raw RGB, exactly', async () => {
		const img = gradient(40, 30);
		const out = await decodeImage(await png(img));
		expect(out).toMatchObject({ width: 40, height: 30, sourceWidth: 40, sourceHeight: 30 });
		expect(out.data).toEqual(img.data);
	});

	it('drops alpha, flattening onto black', async () => {
		const rgba = await sharp({ create: { width: 8, height: 6, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } })
			.png()
			.toBuffer();
		const out = await decodeImage(rgba);
		expect(out.data.length).toBe(8 * 6 * 3);
		expect(Array.from(out.data.subarray(0, 3))).toEqual([100, 50, 25]);
	});

	it('expands greyscale to three channels', async () => {
		const grey = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#404040' } })
			.greyscale()
			.png()
			.toBuffer();
		const out = await decodeImage(grey);
		expect(out.data.length).toBe(75);
		expect(Array.from(out.data.subarray(0, 3))).toEqual([64, 64, 64]);
	});

	it('applies the EXIF orientation', async () => {
		// Stored 40×20, tagged "rotate 90° clockwise" (6): shown 20×40.
		const jpeg = await sharp(gradient(40, 20).data, { raw: { width: 40, height: 20, channels: 3 } })
			.jpeg()
			.withMetadata({ orientation: 6 })
			.toBuffer();
		const out = await decodeImage(jpeg, { maxSide: 10 });
		expect(out).toMatchObject({ width: 5, height: 10, sourceWidth: 20, sourceHeight: 40 });
	});

	it('downscales to maxSide but never upscales', async () => {
		const bytes = await png(gradient(200, 100));
		expect(await decodeImage(bytes, { maxSide: 50 })).toMatchObject({ width: 50, height: 25, sourceWidth: 200, sourceHeight: 100 });
		expect(await decodeImage(bytes, { maxSide: 500 })).toMatchObject({ width: 200, height: 100 });
	});

	it('rejects undecodable bytes with code bad-image', async () => {
		await expect(decodeImage(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toMatchObject({ code: 'bad-image' });
		await expect(decodeImage(new Uint8Array(0))).rejects.toMatchObject({ code: 'bad-image' });
		const truncated = (await png(gradient(64, 64))).subarray(0, 60);
		await expect(decodeImage(truncated)).rejects.toMatchObject({ code: 'bad-image' });
	});

	it('decodes JPEG and WebP too, and refuses every other format libvips reads from its header, whatever it claims', async () => {
		const raw = gradient(32, 32);
		const input = () => sharp(raw.data, { raw: { width: 32, height: 32, channels: 3 } });
		for (const bytes of [await input().jpeg().toBuffer(), await input().webp().toBuffer()]) {
			await expect(decodeImage(bytes)).resolves.toMatchObject({ width: 32, height: 32 });
		}
		// An SVG with a chain of blur filters over a large canvas: seconds of CPU per filter if rendered.
		const blurs = Array.from({ length: 50 }, (_, k) => `<feGaussianBlur in="${k ? `b${k - 1}` : 'SourceGraphic'}" stdDeviation="40" result="b${k}"/>`).join('');
		const svg = Buffer.from(
			`<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"><filter id="f">${blurs}</filter><rect width="9000" height="9000" fill="red" filter="url(#f)"/></svg>`
		);
		const gif = await input().gif().toBuffer();
		const tiff = await input().tiff().toBuffer();
		for (const [bytes, format] of [
			[svg, 'SVG'],
			[gif, 'GIF'],
			[tiff, 'TIFF']
		] as const) {
			// Named in the message: refused from the header, before a pixel was rendered.
			await expect(decodeImage(bytes)).rejects.toMatchObject({ code: 'bad-image', message: expect.stringContaining(format) });
		}
	});
});

describe('scaleBox', () => {
	it('maps a box back to source pixels, clipped', () => {
		expect(scaleBox({ x: 10, y: 20, width: 30, height: 40 }, 1.5, 1.5, 1920, 1280)).toEqual({ x: 15, y: 30, width: 45, height: 60 });
		expect(scaleBox({ x: 100, y: 50, width: 30, height: 40 }, 2, 2, 220, 150)).toEqual({ x: 200, y: 100, width: 20, height: 50 });
	});
});

describe('cropFace', () => {
	it('refuses a box outside the image', async () => {
		await expect(cropFace(gradient(200, 100), { x: 300, y: 10, width: 10, height: 10 }, { marginRatio: 0.1, maxSide: 160 })).rejects.toThrow(RangeError);
	});

	it('crops the box plus margin and keeps small crops at their size', async () => {
		const crop = await cropFace(gradient(200, 100), { x: 50, y: 20, width: 40, height: 40 }, { marginRatio: 0.25, maxSide: 160 });
		expect(crop).toMatchObject({ width: 60, height: 60 });
		expect(Array.from(crop.data.subarray(0, 3))).toEqual([40, 10, 50]);
		expect(crop.data.length).toBe(60 * 60 * 3);
	});

	it('downscales so the longest side is at most maxSide', async () => {
		const crop = await cropFace(gradient(250, 250), { x: 50, y: 20, width: 100, height: 200 }, { marginRatio: 0.25, maxSide: 80 });
		expect(Math.max(crop.width, crop.height)).toBe(80);
		expect(crop.data.length).toBe(crop.width * crop.height * 3);
	});
});

// Image decoding and face cropping with sharp: bytes in, raw 8-bit RGB out.
import sharp from 'sharp';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { expandBox } from '../../src/lib/protocol/face-crop.ts';
import type { FaceBox, RgbImage } from './types.ts';

export interface DecodeOptions {
	/** Downscale (never upscale) so that the longest side is at most this many pixels. */
	maxSide?: number;
}

export interface CropOptions {
	/** Grow the box by this fraction of its width (height) on each side before cropping. */
	marginRatio: number;
	/** Downscale (never upscale) so that the longest side of the crop is at most this. */
	maxSide: number;
}

/** A decoded image and the size of the source it came from (after EXIF orientation). */
export interface DecodedImage extends RgbImage {
	sourceWidth: number;
	sourceHeight: number;
}

/** Pixel limit for decoding (sharp's default is ~268 MP); a 50 MP phone photo still passes. */
export const MAX_INPUT_PIXELS = 100_000_000;

/**
 * The formats decoded: those the API accepts (IMAGE_TYPES). sharp's libvips reads many more (SVG,
 * GIF, TIFF, HEIF…), and a few KB of SVG filters can keep a thread busy for minutes, past the
 * worker's timeout (terminating a worker does not stop libvips' own threads): the bytes decide
 * the format, not the content type claimed, so anything else is refused from its header.
 */
const DECODED_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp']);
/** A backstop: no JPEG, PNG or WebP within the pixel limit takes this long to decode here (a 100 MP JPEG: ~3 s). */
const DECODE_TIMEOUT_S = 30;

/** The AppError for an image over MAX_INPUT_PIXELS: its size and the limit, in words a user can act on. */
export function tooManyPixels(width: number, height: number): AppError {
	const mp = (n: number) => `${Math.round(n / 1e5) / 10} megapixels`;
	const side = Math.floor(Math.sqrt(MAX_INPUT_PIXELS));
	return new AppError(
		'too-large',
		`the image is ${width}×${height} pixels (${mp(width * height)}); the limit is ${mp(MAX_INPUT_PIXELS)} ` +
			`(e.g. ${side}×${side}): scale it down and send it again`
	);
}

/**
 * Decodes JPEG, PNG or WebP bytes to RGB: applies the EXIF orientation, flattens alpha onto
 * black, optionally downscales so the longest side ≤ maxSide. Throws an AppError with
 * `code: 'too-large'` (and the limit in its message) when the image has over MAX_INPUT_PIXELS,
 * `code: 'bad-image'` when the bytes are not a decodable JPEG, PNG or WebP image.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
	if (bytes.byteLength === 0) throw new AppError('bad-image', 'empty image');
	// The header alone tells the size: refuse a huge image before decoding a pixel of it.
	const header = await sharp(bytes)
		.metadata()
		.catch(() => null);
	if (!header) throw new AppError('bad-image', 'not a decodable image');
	if (!DECODED_FORMATS.has(header.format)) {
		throw new AppError('bad-image', `not a JPEG, PNG or WebP image (the bytes are ${header.format.toUpperCase()})`);
	}
	if (header.width && header.height && header.width * header.height > MAX_INPUT_PIXELS) {
		throw tooManyPixels(header.width, header.height);
	}
	try {
		const input = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).timeout({ seconds: DECODE_TIMEOUT_S });
		// The orientation comes from the header read above: reading it again cost ~0.3 ms of a
		// live crop's ~2 ms decode (112 px WebP, ../shared/data faces, CPU time).
		let pipeline = input.rotate();
		const { maxSide } = options;
		if (maxSide !== undefined) {
			pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
		}
		const { data, info } = await pipeline
			.flatten({ background: { r: 0, g: 0, b: 0 } })
			.toColourspace('srgb')
			.removeAlpha()
			.raw()
			.toBuffer({ resolveWithObject: true });
		const image = toRgb(data, info.width, info.height, info.channels);
		const source = header.autoOrient ?? { width: info.width, height: info.height };
		return { ...image, sourceWidth: source.width, sourceHeight: source.height };
	} catch (err) {
		throw new AppError('bad-image', 'not a decodable image', { cause: err });
	}
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
	if (channels === 3) {
		// Own the memory when the Buffer is a view into a larger (possibly pooled) allocation.
		const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
		return { data: whole ? new Uint8Array(data.buffer) : new Uint8Array(data), width, height };
	}
	// sharp converts to sRGB above, so this is only a safety net: grey (+alpha) → RGB.
	const out = new Uint8Array(width * height * 3);
	for (let i = 0, j = 0; i < width * height; i++, j += channels) {
		const r = data[j]!;
		out[i * 3] = r;
		out[i * 3 + 1] = channels >= 3 ? data[j + 1]! : r;
		out[i * 3 + 2] = channels >= 3 ? data[j + 2]! : r;
	}
	return { data: out, width, height };
}

/** Maps a box from a downscaled image back to source pixels (factors sx, sy), rounded and clipped. */
export function scaleBox(box: FaceBox, sx: number, sy: number, width: number, height: number): FaceBox {
	const x0 = Math.min(width, Math.max(0, Math.round(box.x * sx)));
	const y0 = Math.min(height, Math.max(0, Math.round(box.y * sy)));
	const x1 = Math.min(width, Math.max(x0, Math.round((box.x + box.width) * sx)));
	const y1 = Math.min(height, Math.max(y0, Math.round((box.y + box.height) * sy)));
	return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Crops a face the way the browser does: the box grown by marginRatio per side, clipped to the
 * image, then downscaled so the longest side ≤ maxSide.
 */
export async function cropFace(image: RgbImage, box: FaceBox, options: CropOptions): Promise<RgbImage> {
	const region = expandBox(box, options.marginRatio, image);
	if (region.width < 1 || region.height < 1) throw new RangeError('face box lies outside the image');
	const { data, info } = await sharp(image.data, {
		raw: { width: image.width, height: image.height, channels: 3 }
	})
		.extract({ left: region.x, top: region.y, width: region.width, height: region.height })
		.resize({
			width: options.maxSide,
			height: options.maxSide,
			fit: 'inside',
			withoutEnlargement: true
		})
		.raw()
		.toBuffer({ resolveWithObject: true });
	return toRgb(data, info.width, info.height, info.channels);
}

/** The image with `pad` px of mid-grey added on every side (a frame for a face that fills the photo). */
export async function padImage(image: RgbImage, pad: number): Promise<RgbImage> {
	const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
		.extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 128, g: 128, b: 128 } })
		.raw()
		.toBuffer({ resolveWithObject: true });
	return toRgb(data, info.width, info.height, info.channels);
}

/**
 * An image's pixel size read from its header, in plain JavaScript: the recognizer checks every
 * crop on the main thread, so this decodes nothing and calls no native code (it was `sharp`'s
 * metadata, a libvips call per crop on the thread that also serves WebRTC). Only the formats the
 * protocol allows are recognised (JPEG, PNG, WebP); anything else is `bad-image`, so a client
 * cannot send the decoder another format (SVG, TIFF…). Pure; never reads past the bytes given.
 */
import { AppError } from '../../src/lib/protocol/errors.ts';

export type ImageSize = { width: number; height: number };

const badImage = (why: string) => new AppError('bad-image', `not a decodable image (${why})`);

function u16be(b: Uint8Array, i: number): number {
	return (b[i]! << 8) | b[i + 1]!;
}
function u16le(b: Uint8Array, i: number): number {
	return b[i]! | (b[i + 1]! << 8);
}
function u24le(b: Uint8Array, i: number): number {
	return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
}
function u32be(b: Uint8Array, i: number): number {
	return ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}
const ascii = (b: Uint8Array, i: number, text: string) => [...text].every((c, k) => b[i + k] === c.charCodeAt(0));

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic): not DHT C4, JPG C8, DAC CC. */
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegSize(b: Uint8Array): ImageSize {
	let i = 2;
	while (i + 3 < b.length) {
		if (b[i] !== 0xff) throw badImage('JPEG marker expected');
		let marker = b[i + 1]!;
		while (marker === 0xff && i + 2 < b.length) marker = b[++i + 1]!; // fill bytes
		// Markers without a length: TEM, RSTn, SOI, EOI.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
			i += 2;
			continue;
		}
		if (marker === 0xda) throw badImage('JPEG without a frame header');
		const length = u16be(b, i + 2);
		if (length < 2) throw badImage('bad JPEG segment');
		if (isStartOfFrame(marker)) {
			if (i + 9 > b.length) break;
			return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
		}
		i += 2 + length;
	}
	throw badImage('JPEG cut short');
}

function webpSize(b: Uint8Array): ImageSize {
	if (b.length < 30) throw badImage('WebP cut short');
	if (ascii(b, 12, 'VP8 ')) {
		if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw badImage('bad VP8 frame');
		return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
	}
	if (ascii(b, 12, 'VP8L')) {
		if (b[20] !== 0x2f) throw badImage('bad VP8L frame');
		const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
		return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (ascii(b, 12, 'VP8X')) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
	throw badImage('unknown WebP chunk');
}

/** The pixel size in a JPEG, PNG or WebP header; throws AppError `bad-image` for anything else. */
export function imageSize(bytes: Uint8Array): ImageSize {
	let size: ImageSize;
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) size = jpegSize(bytes);
	else if (bytes.length >= 24 && ascii(bytes, 0, '\x89PNG\r\n\x1a\n') && ascii(bytes, 12, 'IHDR')) {
		size = { width: u32be(bytes, 16), height: u32be(bytes, 20) };
	} else if (bytes.length >= 12 && ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) size = webpSize(bytes);
	else throw badImage('not JPEG, PNG or WebP');
	if (!(size.width > 0 && size.height > 0)) throw badImage('no size');
	return size;
}

/** `imageSize` as the recognizer's ImageProbe port. */
export async function probeImage(bytes: Uint8Array): Promise<ImageSize> {
	return imageSize(bytes);
}

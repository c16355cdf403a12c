/** The images of a JSON enrolment request: base64 text in, bytes out, or a coded error naming the image. */
import { IMAGE_TYPES } from '../../../src/lib/protocol/rest.ts';
import { DetailedError } from '../errors.ts';

/** Images one enrolment request may carry (a guided camera capture sends 5). */
export const MAX_IMAGES_PER_REQUEST = 20;

/** Bytes of one image given as base64 or a `data:image/…;base64,` URL; `index` counts from 0. */
export function decodeBase64Image(text: string, index: number, maxBytes: number): Uint8Array {
	const where = `image ${index + 1}`;
	const match = /^data:([^;,]*)(;base64)?,/.exec(text);
	if (match && !IMAGE_TYPES.includes(match[1] ?? '')) {
		throw new DetailedError('unsupported-media-type', `${where}: send JPEG, PNG or WebP`, { index });
	}
	if (match && !match[2]) throw new DetailedError('bad-image', `${where}: not base64`, { index });
	const body = (match ? text.slice(match[0].length) : text).replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new DetailedError('bad-image', `${where}: not base64`, { index });
	const bytes = new Uint8Array(Buffer.from(body, 'base64'));
	if (bytes.byteLength === 0) throw new DetailedError('bad-image', `${where}: empty`, { index });
	if (bytes.byteLength > maxBytes) {
		throw new DetailedError('too-large', `${where}: over ${Math.round(maxBytes / 1024 / 1024)} MB`, { index });
	}
	return bytes;
}

/**
 * Enrolment checks shared by the REST handlers: images in, faces to store out, or a coded error
 * that names the image at fault; the optional thumbnails; and the 409 answers for faces that look
 * like somebody else (see gallery/consistency.ts). Nothing here writes to the gallery.
 */
import type { Response } from 'express';
import sharp from 'sharp';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
import { IMAGE_TYPES } from '../../src/lib/protocol/rest.ts';
import type { PhotoAnalysis } from '../embed/types.ts';
import type { NewFace } from '../gallery/gallery.ts';
import type { Conflict, Mismatch } from '../gallery/consistency.ts';
import { sendError } from './errors.ts';

/** Images one enrolment request may carry (a guided camera capture sends 5). */
export const MAX_IMAGES_PER_REQUEST = 20;
/** Side of the square face thumbnail kept when the gallery keeps thumbnails, px. */
export const THUMBNAIL_SIDE_PX = 96;

/** An AppError with extra fields for the JSON body (`index` of the image, `near` person). */
export class DetailedError extends AppError {
	constructor(
		code: ErrorCode,
		message: string,
		readonly details: Record<string, unknown>
	) {
		super(code, message);
	}
}

/** Renders `{ error, code, ...details }` with the catalogue's status. */
export function sendDetailedError(res: Response, err: DetailedError): void {
	const json = res.json.bind(res);
	res.json = (body: object) => json({ ...body, ...err.details });
	sendError(res, err);
}

/** Bytes of one image given as base64 or a `data:image/…;base64,` URL. */
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

export type FaceFinder = {
	analyzePhoto(bytes: Uint8Array): Promise<PhotoAnalysis>;
	/** Also cut a thumbnail of each face (only when the gallery keeps them). */
	thumbnails: boolean;
};

/** A small square JPEG of the face, from the photo it was found in. */
export async function makeThumbnail(photo: Uint8Array, analysis: PhotoAnalysis, box: PhotoAnalysis['faces'][number]['box']): Promise<Uint8Array> {
	const side = Math.max(box.width, box.height) * 1.3;
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const left = Math.max(0, Math.floor(cx - side / 2));
	const top = Math.max(0, Math.floor(cy - side / 2));
	const width = Math.max(1, Math.min(analysis.width - left, Math.ceil(side)));
	const height = Math.max(1, Math.min(analysis.height - top, Math.ceil(side)));
	const jpeg = await sharp(photo)
		.rotate()
		.extract({ left, top, width, height })
		.resize({ width: THUMBNAIL_SIDE_PX, height: THUMBNAIL_SIDE_PX, fit: 'cover' })
		.jpeg({ quality: 70 })
		.toBuffer();
	return new Uint8Array(jpeg);
}

/** The one face of one image; an AppError (with `index` when given) otherwise. */
async function faceOf(bytes: Uint8Array, finder: FaceFinder, index?: number): Promise<NewFace> {
	const where = index === undefined ? 'the image' : `image ${index + 1}`;
	const fail = (code: ErrorCode, message: string) =>
		index === undefined ? new AppError(code, message) : new DetailedError(code, message, { index });
	let analysis: PhotoAnalysis;
	try {
		analysis = await finder.analyzePhoto(bytes);
	} catch (err) {
		const appError = AppError.from(err);
		throw appError.code === 'bad-image' ? fail('bad-image', `${where}: not a decodable image`) : appError;
	}
	const { faces } = analysis;
	if (faces.length === 0) throw fail('no-face', `no face found in ${where}`);
	if (faces.length > 1) throw fail('several-faces', `${faces.length} faces found in ${where}; send a photo of one face`);
	const face = faces[0];
	if (!face?.descriptor) throw fail('no-face', `the face in ${where} is too small or unclear to enrol`);
	const thumbnail = finder.thumbnails ? await makeThumbnail(bytes, analysis, face.box).catch(() => null) : null;
	return { embedding: face.descriptor, thumbnail, yaw: face.yaw ?? null };
}

/**
 * The face of every image, in order. Each must hold exactly one usable face; the first image
 * that does not (in image order) fails the whole set, and its `index` is in the error.
 */
export async function facesOf(images: readonly Uint8Array[], finder: FaceFinder, { single = false } = {}): Promise<NewFace[]> {
	const settled = await Promise.allSettled(images.map((bytes, i) => faceOf(bytes, finder, single ? undefined : i)));
	return settled.map((result) => {
		if (result.status === 'rejected') throw result.reason;
		return result.value;
	});
}

export function conflictError(conflict: Conflict): DetailedError {
	return new DetailedError(
		'conflict',
		`this face is very close to ${conflict.name} (distance ${conflict.distance.toFixed(2)}): a duplicate or a mislabel? Resend with ?force=near to enrol anyway`,
		{ near: conflict }
	);
}

/** `index` counts the images of this request; `person` is set when the faces join someone already enrolled. */
export function mismatchError(mismatch: Mismatch, person: { id: string; name: string } | null, imageCount: number): DetailedError {
	const what = imageCount > 1 ? `image ${mismatch.index + 1}` : 'this face';
	const distance = `(distance ${mismatch.distance.toFixed(2)})`;
	// With only two faces there is no telling which one is the stranger.
	const message =
		mismatch.others > 1
			? `${what} does not look like ${person ? `${person.name}'s other faces` : 'the other images'} ${distance}: somebody else?`
			: person && imageCount === 1
				? `this face and ${person.name}'s one other face do not look like the same person ${distance}: somebody else?`
				: `the two images do not look like the same person ${distance}: somebody else?`;
	return new DetailedError('conflict', `${message} Resend with ?force=mismatch to enrol anyway`, {
		mismatch: { ...mismatch, ...(person && { person }) },
		index: mismatch.index
	});
}

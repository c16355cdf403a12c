/**
 * The face of each enrolment image: photo bytes in, the one face to store out, or a coded error
 * that names the image at fault and says what would help. Nothing here writes to the gallery.
 */
import { AppError, type ErrorCode } from '../../../src/lib/protocol/errors.ts';
import type { PhotoAnalysis } from '../../embed/types.ts';
import type { NewFace } from '../../gallery/gallery.ts';
import { DetailedError } from '../errors.ts';
import { makeThumbnail } from './thumbnail.ts';

export type FaceFinder = {
	analyzePhoto(bytes: Uint8Array): Promise<PhotoAnalysis>;
	/** Also cut a thumbnail of each face (only when the gallery keeps them). */
	thumbnails: boolean;
};

/** A photo under this many pixels on its short side is too small to hold a face worth enrolling. */
export const MIN_PHOTO_SIDE_PX = 48;

/** What to say when no face was found in a `width`×`height` photo. */
export function noFaceAdvice(width: number, height: number): string {
	if (Math.min(width, height) < MIN_PHOTO_SIDE_PX) return `it is only ${width}×${height} pixels: send a larger photo of the face`;
	return 'send a photo that shows the whole head facing the camera, in good even light (a face cut off at the edges, in shadow or turned away is not found)';
}

/** The one face of one image; an AppError (a DetailedError with `index` when given) otherwise. */
async function faceOf(bytes: Uint8Array, finder: FaceFinder, index?: number): Promise<NewFace> {
	const where = index === undefined ? 'the image' : `image ${index + 1}`;
	const fail = (code: ErrorCode, message: string) => (index === undefined ? new AppError(code, message) : new DetailedError(code, message, { index }));
	let analysis: PhotoAnalysis;
	try {
		analysis = await finder.analyzePhoto(bytes);
	} catch (err) {
		const appError = AppError.from(err);
		if (appError.code === 'bad-image') throw fail('bad-image', `${where} is not a JPEG, PNG or WebP image the server can read`);
		if (appError.code === 'too-large') throw fail('too-large', `${where}: ${appError.message}`);
		throw appError;
	}
	const { faces } = analysis;
	if (faces.length === 0) throw fail('no-face', `no face found in ${where}: ${noFaceAdvice(analysis.width, analysis.height)}`);
	if (faces.length > 1) throw fail('several-faces', `${faces.length} faces found in ${where}; send a photo of one face`);
	const face = faces[0];
	if (!face?.descriptor) {
		const side = face ? Math.round(Math.max(face.box.width, face.box.height)) : 0;
		throw fail(
			'no-face',
			`the face in ${where} (${side} pixels wide) is too small or unclear to enrol: send a closer, sharper photo of the whole head in good light`
		);
	}
	const thumbnail = finder.thumbnails ? await makeThumbnail(bytes, analysis, face.box).catch(() => null) : null;
	return { embedding: face.descriptor, thumbnail, yaw: face.yaw ?? null };
}

/**
 * The face of every image, in order. Each must hold exactly one usable face; the first image
 * that does not (in image order) fails the whole set, and its `index` is in the error. With
 * `single`, the error names no index (the one-image route).
 */
export async function facesOf(images: readonly Uint8Array[], finder: FaceFinder, { single = false } = {}): Promise<NewFace[]> {
	const settled = await Promise.allSettled(images.map((bytes, i) => faceOf(bytes, finder, single ? undefined : i)));
	return settled.map((result) => {
		if (result.status === 'rejected') throw result.reason;
		return result.value;
	});
}

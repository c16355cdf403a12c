/** Cuts faces out of video frames with a margin, rates their sharpness, and encodes them small. */
import { fitWithin, type Box } from '../geometry.ts';
import { expandBox, FACE_CROP_MARGIN } from '../protocol/face-crop.ts';
import { MAX_CROP_SIDE_PX } from '../protocol/messages.ts';
import { SIGNATURE_SIDE_PX, signatureOf } from './appearance.ts';
import { laplacianVariance, toLuma } from './crop-quality.ts';
import { THUMB_HEIGHT, THUMB_WIDTH } from './scene-cut.ts';
import { stripImageMetadata } from './strip-metadata.ts';
import type { Point } from './tracker.ts';

export type CaptureOptions = {
	/** Margin added on each side, as a share of the face box. Default FACE_CROP_MARGIN. */
	margin?: number;
	/** Longest side of the crop, px; at most MAX_CROP_SIDE_PX. Default MAX_CROP_SIDE_PX. */
	maxSide?: number;
};

export type EncodeOptions = {
	/** Default 'image/jpeg'. WebP is ~35 % smaller where the browser encodes it. */
	type?: 'image/jpeg' | 'image/webp';
	/** 0..1. Default 0.8. */
	quality?: number;
};

/** `keypoints`: the detector's, in the crop's pixels, as the identify message carries them (the server starts its landmark search there). */
export type EncodedCrop = { bytes: Uint8Array; width: number; height: number; keypoints?: Array<[number, number]> };

/**
 * A face cut out of one video frame: the bitmap (the holder closes it), the frame region it came
 * from (video px), and the detector's keypoints of that frame in the bitmap's own pixels, so they
 * can travel with the crop to the server as an alignment hint.
 */
export type FaceShot = { bitmap: ImageBitmap; region: Box; keypoints: Point[] };

const SHARPNESS_SIDE_PX = 48;
let encodeCanvas: HTMLCanvasElement | null = null;
let probeCanvas: HTMLCanvasElement | null = null;
let signatureCanvas: HTMLCanvasElement | null = null;
let sceneCanvas: HTMLCanvasElement | null = null;

/** Whether this browser's canvas encodes WebP (Safari's does not, and falls back to PNG). */
export function canEncodeWebp(): boolean {
	const c = document.createElement('canvas');
	c.width = c.height = 1;
	return c.toDataURL('image/webp').startsWith('data:image/webp');
}

/** Grey pixels of `source` (region `box`, whole source when absent) scaled to `width`×`height`. */
export function readGrey(canvas: HTMLCanvasElement, source: CanvasImageSource, size: { width: number; height: number }, box?: Box): Float32Array | null {
	canvas.width = size.width;
	canvas.height = size.height;
	const ctx = canvas.getContext('2d', { willReadFrequently: true });
	if (!ctx) return null;
	if (box) ctx.drawImage(source, box.x, box.y, box.width, box.height, 0, 0, size.width, size.height);
	else ctx.drawImage(source, 0, 0, size.width, size.height);
	return toLuma(ctx.getImageData(0, 0, size.width, size.height).data, size.width, size.height);
}

/** The face's appearance signature in the current video frame (see appearance.ts). */
export function faceSignature(video: HTMLVideoElement, face: Box): Float32Array | null {
	signatureCanvas ??= document.createElement('canvas');
	const side = SIGNATURE_SIDE_PX;
	const grey = readGrey(signatureCanvas, video, { width: side, height: side }, face);
	return grey ? signatureOf(grey) : null;
}

/** The whole frame as a THUMB_WIDTH × THUMB_HEIGHT grey thumbnail, averaged (for cut detection, scene-cut.ts). */
export function sceneThumbnail(video: HTMLVideoElement): Float32Array | null {
	sceneCanvas ??= document.createElement('canvas');
	sceneCanvas.width = THUMB_WIDTH;
	sceneCanvas.height = THUMB_HEIGHT;
	const ctx = sceneCanvas.getContext('2d', { willReadFrequently: true });
	if (!ctx) return null;
	// 'high' averages over the area (mipmaps in Chromium); 'low' would sample a few pixels a cell.
	ctx.imageSmoothingQuality = 'high';
	ctx.drawImage(video, 0, 0, THUMB_WIDTH, THUMB_HEIGHT);
	return toLuma(ctx.getImageData(0, 0, THUMB_WIDTH, THUMB_HEIGHT).data, THUMB_WIDTH, THUMB_HEIGHT);
}

/** `points` (video px) in the pixels of a crop of `region` scaled to `size`. */
export function toCropPoints(points: readonly Point[], region: Box, size: { width: number; height: number }): Point[] {
	const sx = size.width / region.width;
	const sy = size.height / region.height;
	return points.map((p) => ({ x: (p.x - region.x) * sx, y: (p.y - region.y) * sy }));
}

/**
 * The face region of the current video frame with its margin, scaled down, and `keypoints` (video
 * px) in its pixels; null when too small.
 */
export async function captureFace(
	video: HTMLVideoElement,
	face: Box,
	options: CaptureOptions = {},
	keypoints: readonly Point[] = []
): Promise<FaceShot | null> {
	const frame = { width: video.videoWidth, height: video.videoHeight };
	const region = expandBox(face, options.margin ?? FACE_CROP_MARGIN, frame);
	if (region.width < 24 || region.height < 24) return null;
	const size = fitWithin(region.width, region.height, Math.min(options.maxSide ?? MAX_CROP_SIDE_PX, MAX_CROP_SIDE_PX));
	const bitmap = await createImageBitmap(video, region.x, region.y, region.width, region.height, {
		resizeWidth: size.width,
		resizeHeight: size.height,
		resizeQuality: 'high'
	});
	return { bitmap, region, keypoints: toCropPoints(keypoints, region, size) };
}

/** Laplacian variance of a small grey copy: higher is sharper. */
export function measureSharpness(bitmap: ImageBitmap): number {
	probeCanvas ??= document.createElement('canvas');
	const size = fitWithin(bitmap.width, bitmap.height, SHARPNESS_SIDE_PX);
	const grey = readGrey(probeCanvas, bitmap, size);
	return grey ? laplacianVariance(grey, size.width, size.height) : 0;
}

export async function encodeCrop(bitmap: ImageBitmap, options: EncodeOptions = {}): Promise<EncodedCrop | null> {
	encodeCanvas ??= document.createElement('canvas');
	encodeCanvas.width = bitmap.width;
	encodeCanvas.height = bitmap.height;
	const ctx = encodeCanvas.getContext('2d');
	if (!ctx) return null;
	ctx.drawImage(bitmap, 0, 0);
	// toBlob copies the bitmap synchronously, so the shared canvas can be reused at once.
	const blob = await new Promise<Blob | null>((resolve) => encodeCanvas?.toBlob(resolve, options.type ?? 'image/jpeg', options.quality ?? 0.8));
	if (!blob) return null;
	return { bytes: stripImageMetadata(new Uint8Array(await blob.arrayBuffer())), width: bitmap.width, height: bitmap.height };
}

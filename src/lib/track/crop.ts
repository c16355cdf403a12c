/** Cuts faces out of video frames with a margin, rates their sharpness, and encodes them small. */
import { expandBox, fitWithin, type Box } from '../geometry.ts';
import { MAX_CROP_SIDE_PX } from '../protocol/messages.ts';
import { laplacianVariance } from './crop-quality.ts';

export type CaptureOptions = {
	/** Margin added on each side, as a share of the face box. Default 0.25. */
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

export type EncodedCrop = { bytes: Uint8Array; width: number; height: number };

const SHARPNESS_SIDE_PX = 48;
let encodeCanvas: HTMLCanvasElement | null = null;
let probeCanvas: HTMLCanvasElement | null = null;

/** The face region of the current video frame, scaled down; null when too small. The caller closes it. */
export async function captureFace(video: HTMLVideoElement, face: Box, options: CaptureOptions = {}): Promise<ImageBitmap | null> {
	const frame = { width: video.videoWidth, height: video.videoHeight };
	const region = expandBox(face, options.margin ?? 0.25, frame);
	if (region.width < 24 || region.height < 24) return null;
	const size = fitWithin(region.width, region.height, Math.min(options.maxSide ?? MAX_CROP_SIDE_PX, MAX_CROP_SIDE_PX));
	return createImageBitmap(video, region.x, region.y, region.width, region.height, {
		resizeWidth: size.width,
		resizeHeight: size.height,
		resizeQuality: 'high'
	});
}

/** Laplacian variance of a small grey copy: higher is sharper. */
export function measureSharpness(bitmap: ImageBitmap): number {
	probeCanvas ??= document.createElement('canvas');
	const { width, height } = fitWithin(bitmap.width, bitmap.height, SHARPNESS_SIDE_PX);
	probeCanvas.width = width;
	probeCanvas.height = height;
	const ctx = probeCanvas.getContext('2d', { willReadFrequently: true });
	if (!ctx) return 0;
	ctx.drawImage(bitmap, 0, 0, width, height);
	const rgba = ctx.getImageData(0, 0, width, height).data;
	const grey = new Uint8Array(width * height);
	for (let i = 0; i < grey.length; i++) {
		grey[i] = (rgba[i * 4]! * 77 + rgba[i * 4 + 1]! * 150 + rgba[i * 4 + 2]! * 29) >> 8;
	}
	return laplacianVariance(grey, width, height);
}

export async function encodeCrop(bitmap: ImageBitmap, options: EncodeOptions = {}): Promise<EncodedCrop | null> {
	encodeCanvas ??= document.createElement('canvas');
	encodeCanvas.width = bitmap.width;
	encodeCanvas.height = bitmap.height;
	const ctx = encodeCanvas.getContext('2d');
	if (!ctx) return null;
	ctx.drawImage(bitmap, 0, 0);
	// toBlob copies the bitmap synchronously, so the shared canvas can be reused at once.
	const blob = await new Promise<Blob | null>((resolve) =>
		encodeCanvas?.toBlob(resolve, options.type ?? 'image/jpeg', options.quality ?? 0.8)
	);
	if (!blob) return null;
	return { bytes: new Uint8Array(await blob.arrayBuffer()), width: bitmap.width, height: bitmap.height };
}

/** Cuts a face out of a video frame with a margin and encodes it small, for the recognizer. */
import { expandBox, fitWithin, type Box } from '../geometry.ts';
import { MAX_CROP_SIDE_PX } from '../protocol/messages.ts';

export type CropOptions = {
	/** Margin added on each side, as a share of the face box. Default 0.25. */
	margin?: number;
	/** Longest side of the encoded crop, px. Default and maximum MAX_CROP_SIDE_PX. */
	maxSide?: number;
	/** Default 'image/jpeg' (WebP is smaller but some browsers can only decode it). */
	type?: 'image/jpeg' | 'image/webp';
	/** 0..1. Default 0.8. */
	quality?: number;
};

export type EncodedCrop = { bytes: Uint8Array; width: number; height: number };

let canvas: HTMLCanvasElement | null = null;

/** Returns null when the face is too small or off-frame. */
export async function cropFace(video: HTMLVideoElement, face: Box, options: CropOptions = {}): Promise<EncodedCrop | null> {
	const frame = { width: video.videoWidth, height: video.videoHeight };
	const region = expandBox(face, options.margin ?? 0.25, frame);
	if (region.width < 24 || region.height < 24) return null;
	const size = fitWithin(region.width, region.height, Math.min(options.maxSide ?? MAX_CROP_SIDE_PX, MAX_CROP_SIDE_PX));
	canvas ??= document.createElement('canvas');
	canvas.width = size.width;
	canvas.height = size.height;
	const ctx = canvas.getContext('2d');
	if (!ctx) return null;
	ctx.imageSmoothingQuality = 'high';
	ctx.drawImage(video, region.x, region.y, region.width, region.height, 0, 0, size.width, size.height);
	const blob = await new Promise<Blob | null>((resolve) =>
		canvas?.toBlob(resolve, options.type ?? 'image/jpeg', options.quality ?? 0.8)
	);
	if (!blob) return null;
	return { bytes: new Uint8Array(await blob.arrayBuffer()), ...size };
}

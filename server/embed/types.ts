// Plain data types shared by the embedding engine, its worker and its callers.
// Deliberately import-free so that importing them never loads tfjs.

/** A decoded image: 3 channels (R, G, B), row-major, `data.length === width * height * 3`. */
export interface RgbImage {
	data: Uint8Array;
	width: number;
	height: number;
}

/** An axis-aligned box in pixel coordinates of some image. */
export interface FaceBox {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface DetectedFace {
	box: FaceBox;
	/** Detector confidence in [0, 1]. */
	score: number;
}

/** Length of a face descriptor produced by the engine. */
export const DESCRIPTOR_LENGTH = 128;

/** One face found in a photo by analyzePhoto. */
export interface AnalyzedFace {
	/** Box in the ORIGINAL photo's pixel coordinates (after EXIF rotation, before any downscale). */
	box: FaceBox;
	score: number;
	/** Null when the face is too small or unclear to describe. */
	descriptor: Float32Array | null;
	/** Head turn measured on the landmarks (src/lib/protocol/pose.ts); null without a descriptor. */
	yaw?: number | null;
}

/** The result of analyzePhoto: every face found, best score first. */
export interface PhotoAnalysis {
	faces: AnalyzedFace[];
	/** Size of the original photo (after EXIF rotation). */
	width: number;
	height: number;
	/** Time spent in the worker, decode included. */
	ms: number;
}

/** The result of describeCrop. */
export interface CropDescription {
	descriptor: Float32Array | null;
	ms: number;
}

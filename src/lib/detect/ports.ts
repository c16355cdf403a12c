/**
 * What the live loop needs from the world, as small interfaces: the browser adapters live in
 * frame-loop.ts, and unit tests hand in fakes.
 */
import type { Box } from '../geometry.ts';
import type { LinkState } from '../link/peer-link.ts';
import type { ClientMessage, ServerMessage } from '../protocol/messages.ts';
import type { CaptureOptions, EncodedCrop, EncodeOptions } from '../track/crop.ts';
import type { Detection, Point } from '../track/tracker.ts';

export type Clock = { now(): number };

/** The part of PeerLink the loop uses. */
export interface LoopLink {
	readonly state: LinkState;
	/** Bytes waiting in the channel. */
	readonly backlogBytes: number;
	send(message: ClientMessage): boolean;
	on(event: 'message', fn: (message: ServerMessage) => void): () => void;
	on(event: 'state', fn: (state: LinkState) => void): () => void;
}

/** Finds faces in the current frame (the video is bound by the adapter). */
export type FrameDetector = { detect(timestampMs: number): Detection[] };

/**
 * Reads the current video frame's pixels: the only part of the loop that does. `Shot` is a face
 * cut out of one frame (an ImageBitmap in the browser); whoever holds one releases it.
 */
export interface FrameCapture<Shot> {
	/** The whole frame as a grey thumbnail for cut detection (scene-cut.ts); null when unreadable. */
	thumbnail(): Float32Array | null;
	/** The appearance signature of a face (appearance.ts); null when unreadable. */
	signature(box: Box): Float32Array | null;
	/** The face with its margin as a crop candidate, with `keypoints` carried along; null when too small. */
	capture(box: Box, options: CaptureOptions, keypoints: readonly Point[]): Promise<Shot | null>;
	sharpness(shot: Shot): number;
	encode(shot: Shot, options: EncodeOptions): Promise<EncodedCrop | null>;
	release(shot: Shot): void;
}

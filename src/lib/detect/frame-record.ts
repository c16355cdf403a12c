/**
 * What the page drew on each video frame, for tests and benchmarks that must know exactly which
 * frame showed which label (sampling the DOM on a timer misses frames and lags them). Off unless
 * the page is opened with `?record=frames`; then `window.__facertcFrames` holds the last
 * MAX_RECORDED_FRAMES frames.
 */
import type { Box } from '../geometry.ts';
import type { CropReason } from '../track/identity.ts';
import type { ChangeCue } from '../track/track-identities.ts';

/**
 * `score` and `frontal` (0..1, see crop-quality.ts) are the track's last detection's; `likeness`
 * how much its last look resembled the track's face (appearance.ts; SAME_FACE_ABOVE).
 */
export type RecordedFace = {
	id: number;
	label: string;
	state: 'known' | 'unknown' | 'asking';
	box: Box;
	score?: number;
	frontal?: number;
	likeness?: number;
};

/**
 * `mediaTime`: the frame's media time from requestVideoFrameCallback (seconds; null where the
 * browser has no such callback): a test's own callback on the same video gets the same value for
 * the same frame, and can read the frame's pixels there.
 */
export type RecordedFrame = {
	mediaTime: number | null;
	faces: RecordedFace[];
	cut?: boolean;
	probe?: unknown;
	/** Crops that went since the frame before, and why (see identity.ts CropReason). */
	crops?: RecordedCrop[];
};

/** `cue`: for a crop after a face change, what set the change off. */
export type RecordedCrop = { trackId: number; reason: CropReason; cue?: ChangeCue };

export const MAX_RECORDED_FRAMES = 10_000;

declare global {
	interface Window {
		__facertcFrames?: RecordedFrame[];
		__facertcFrameProbe?: (video: HTMLVideoElement) => unknown;
	}
}

/** A sink that appends to `window.__facertcFrames`, dropping the oldest beyond the bound. */
export function recordFramesOnWindow(target: Window = window): (frame: RecordedFrame) => void {
	const frames: RecordedFrame[] = (target.__facertcFrames = []);
	return (frame) => {
		frames.push(frame);
		if (frames.length > MAX_RECORDED_FRAMES) frames.splice(0, frames.length - MAX_RECORDED_FRAMES);
	};
}

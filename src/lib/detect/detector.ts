import type { Detection } from '../track/tracker.ts';

/** Finds faces in the current video frame. Implementations own their model's memory until `close`. */
export interface FaceDetector {
	/** Faces in `video` at `timestampMs` (monotonic, increasing between calls), in video pixels. */
	detect(video: HTMLVideoElement, timestampMs: number): Detection[];
	close(): void;
}

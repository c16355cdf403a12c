/**
 * MediaPipe's BlazeFace like `createMediapipeDetector`, but keeping the six keypoints (eyes,
 * nose, mouth, ears) that the enrolment quality checks use to judge head pose.
 */
import { FaceDetector as MpFaceDetector, FilesetResolver } from '@mediapipe/tasks-vision';
import { BLAZEFACE_MODEL_URL, MEDIAPIPE_WASM_URL } from '../detect/mediapipe-detector.ts';
import type { FaceObservation } from './quality.ts';

export interface KeypointDetector {
	/** Faces in `video` at `timestampMs` (increasing between calls), in video pixels. */
	detect(video: HTMLVideoElement, timestampMs: number): FaceObservation[];
	close(): void;
}

export async function createKeypointDetector({ minConfidence = 0.5 } = {}): Promise<KeypointDetector> {
	const fileset = await FilesetResolver.forVisionTasks(MEDIAPIPE_WASM_URL);
	const detector = await MpFaceDetector.createFromOptions(fileset, {
		baseOptions: { modelAssetPath: BLAZEFACE_MODEL_URL, delegate: 'CPU' },
		runningMode: 'VIDEO',
		minDetectionConfidence: minConfidence,
		minSuppressionThreshold: 0.3
	});
	return {
		detect(video, timestampMs) {
			const { videoWidth: w, videoHeight: h } = video;
			return detector.detectForVideo(video, timestampMs).detections.flatMap((d) => {
				const b = d.boundingBox;
				if (!b || b.width <= 0 || b.height <= 0) return [];
				return [
					{
						box: { x: b.originX, y: b.originY, width: b.width, height: b.height },
						score: d.categories[0]?.score ?? 0,
						keypoints: d.keypoints.map((k) => ({ x: k.x * w, y: k.y * h }))
					}
				];
			});
		},
		close: () => detector.close()
	};
}

/** MediaPipe Tasks FaceDetector (BlazeFace short range) behind the FaceDetector interface. */
import { FaceDetector as MpFaceDetector, FilesetResolver } from '@mediapipe/tasks-vision';
import type { FaceDetector } from './detector.ts';
import { silenceUsageLogging } from './mediapipe-quiet.ts';

/** Served by our own server from the package (never a CDN). */
export const MEDIAPIPE_WASM_URL = '/vendor/mediapipe/wasm';
export const BLAZEFACE_MODEL_URL = '/models/blaze_face_short_range.tflite';

export async function createMediapipeDetector({
	minConfidence = 0.5
}: { minConfidence?: number } = {}): Promise<FaceDetector> {
	const fileset = await FilesetResolver.forVisionTasks(MEDIAPIPE_WASM_URL);
	const detector = await MpFaceDetector.createFromOptions(fileset, {
		// CPU: the GPU delegate is unreliable across phones and ~10 ms/frame on CPU is plenty.
		baseOptions: { modelAssetPath: BLAZEFACE_MODEL_URL, delegate: 'CPU' },
		runningMode: 'VIDEO',
		minDetectionConfidence: minConfidence,
		minSuppressionThreshold: 0.3
	});
	silenceUsageLogging(detector);
	return {
		detect(video, timestampMs) {
			const result = detector.detectForVideo(video, timestampMs);
			const { videoWidth: w, videoHeight: h } = video;
			return result.detections.flatMap((d) => {
				const b = d.boundingBox;
				if (!b || b.width <= 0 || b.height <= 0) return [];
				return [
					{
						box: { x: b.originX, y: b.originY, width: b.width, height: b.height },
						score: d.categories[0]?.score ?? 0,
						// Normalized by the task; the tracker and quality checks work in video pixels.
						keypoints: d.keypoints.map((k) => ({ x: k.x * w, y: k.y * h }))
					}
				];
			});
		},
		close: () => detector.close()
	};
}

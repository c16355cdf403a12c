// Turns the raw BlazeFace full-range model of @mediapipe/face_detection into one MediaPipe Tasks'
// ObjectDetector runs (Tasks' FaceDetector cannot: its anchors, 896 at 128 px, are built in, and
// this model has 2304 at 192 px). Plain ESM, run by prepare-models.mjs during `npm ci`.
//
// 1. The box regressor's output channels are reordered from x, y, w, h (+ keypoints x, y) to the
//    y, x, h, w (+ y, x) the ObjectDetector decodes (tflite-graph.mjs): 16 rows of one
//    convolution's weights move, nothing else.
// 2. Metadata: RGB input normalized to [-1, 1]; outputs "location" (boxes) and "score"; and the
//    DETECTOR_METADATA the task reads its anchors and decoding from — the values of MediaPipe's own
//    face_detection_full_range.pbtxt (one 48×48 anchor layer, coordinates scaled by 192, sigmoid
//    scores, 6 keypoints).
import { BLAZEFACE_FULL_RANGE_ANCHORS, ssdAnchors } from './ssd-anchors.mjs';
import { addDetectorMetadata } from './tflite-detector-metadata.mjs';
import { swapRegressorAxes } from './tflite-graph.mjs';

const INPUT = BLAZEFACE_FULL_RANGE_ANCHORS.inputWidth;
const KEYPOINTS = 6;

/** @type {import('./tflite-detector-metadata.mjs').TensorsDecoding} */
export const FULL_RANGE_DECODING = Object.freeze({
	numClasses: 1,
	numBoxes: 2304,
	numCoords: 4 + 2 * KEYPOINTS,
	keypointCoordOffset: 4,
	numKeypoints: KEYPOINTS,
	numValuesPerKeypoint: 2,
	xScale: INPUT,
	yScale: INPUT,
	wScale: INPUT,
	hScale: INPUT,
	applyExponentialOnBoxSize: false,
	sigmoidScore: true
});

/**
 * @param {Uint8Array} rawModel face_detection_full_range.tflite as the package ships it
 * @returns {Uint8Array} the model for Tasks' ObjectDetector
 */
export function buildFullRangeModel(rawModel) {
	return addDetectorMetadata(swapRegressorAxes(rawModel, FULL_RANGE_DECODING.numCoords), {
		name: 'BlazeFace full-range',
		anchors: ssdAnchors(BLAZEFACE_FULL_RANGE_ANCHORS),
		decoding: FULL_RANGE_DECODING
	});
}

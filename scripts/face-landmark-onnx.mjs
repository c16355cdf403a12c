// face-api's FaceLandmark68Net (112 px in, 68 points out) as an ONNX graph from face-api's own
// weights. Mirrors node_modules/@vladmandic/face-api/src/faceFeatureExtractor/ and faceLandmarkNet/:
//   input [N, 3, 112, 112] float32, RGB 0-255, padded to a square and resized (server/embed/onnx/
//   net-input.ts) → minus the mean RGB, / 255 → four dense blocks (dense0 opens with a plain conv
//   3×3/2, the others with a separable one; each block: conv0 + relu, then three separable convs
//   whose outputs are summed densely, relu) → average pool 7/2 'valid' → fc [256, 136] + bias.
// Output: the net's raw 136 numbers (x, y interleaved, relative to the padded square); the
// caller maps them back to the region (face-api's postProcess).
import { graphBuilder, samePads } from './onnx-graph.mjs';
import { DataType } from './onnx-writer.mjs';
import { depthwiseToOnnx, hwioToOihw } from './tfjs-weights.mjs';
import { RECOGNITION_MEAN_RGB } from './face-recognition-onnx.mjs';

export const LANDMARK_INPUT_SIZE = 112;
export const LANDMARK_INPUT = 'faces';
export const LANDMARK_OUTPUT = 'landmarks';

/**
 * @param {Map<string, import('./tfjs-weights.mjs').Weight>} weights from readTfjsWeights
 * @returns {import('./onnx-writer.mjs').Model}
 */
export function faceLandmarkGraph(weights) {
	const { nodes, initializers, take, constant, node } = graphBuilder(weights, 'face_landmark_68_model');

	/** tfjs separableConv2d(x, depthwise, pointwise, stride, 'same') + bias. @param {string} x @param {number} side @param {string} prefix @param {number} stride */
	const separable = (x, side, prefix, stride) => {
		const depthwise = take(`${prefix}/depthwise_filter`);
		const pointwise = take(`${prefix}/pointwise_filter`);
		const [kh, kw, channels] = /** @type {[number, number, number, number]} */ (depthwise.shape);
		const cout = /** @type {number} */ (pointwise.shape[3]);
		const dw = constant(`${prefix}/depthwise`, [channels, 1, kh, kw], depthwiseToOnnx(depthwise));
		const d = node('Conv', [x, dw], { kernel_shape: [kh, kw], strides: [stride, stride], pads: samePads(side, kh, stride), group: channels });
		const pw = constant(`${prefix}/pointwise`, [cout, channels, 1, 1], hwioToOihw(pointwise));
		return node('Conv', [d, pw, constant(`${prefix}/bias`, [cout], take(`${prefix}/bias`).values)], { kernel_shape: [1, 1] });
	};

	/** face-api's denseBlock4 (scale down by 2). @param {string} x @param {number} side @param {string} prefix @param {boolean} first */
	const denseBlock = (x, side, prefix, first) => {
		let out1;
		if (first) {
			const filters = take(`${prefix}/conv0/filters`);
			const [kh, kw, cin, cout] = /** @type {[number, number, number, number]} */ (filters.shape);
			const w = constant(`${prefix}/conv0/W`, [cout, cin, kh, kw], hwioToOihw(filters));
			const b = constant(`${prefix}/conv0/B`, [cout], take(`${prefix}/conv0/bias`).values);
			out1 = node('Relu', [node('Conv', [x, w, b], { kernel_shape: [kh, kw], strides: [2, 2], pads: samePads(side, kh, 2) })]);
		} else {
			out1 = node('Relu', [separable(x, side, `${prefix}/conv0`, 2)]);
		}
		const half = Math.ceil(side / 2);
		const out2 = separable(out1, half, `${prefix}/conv1`, 1);
		const in3 = node('Relu', [node('Add', [out1, out2])]);
		const out3 = separable(in3, half, `${prefix}/conv2`, 1);
		// Summed in face-api's order: out1 + (out2 + out3), then out1 + (out2 + (out3 + out4)).
		const in4 = node('Relu', [node('Add', [out1, node('Add', [out2, out3])])]);
		const out4 = separable(in4, half, `${prefix}/conv3`, 1);
		return node('Relu', [node('Add', [out1, node('Add', [out2, node('Add', [out3, out4])])])]);
	};

	const mean = constant('mean_rgb', [1, 3, 1, 1], Float32Array.from(RECOGNITION_MEAN_RGB));
	const scale255 = constant('scale_255', [1], Float32Array.of(255));
	let x = node('Div', [node('Sub', [LANDMARK_INPUT, mean]), scale255]);
	let side = LANDMARK_INPUT_SIZE;
	for (const [i, prefix] of ['dense0', 'dense1', 'dense2', 'dense3'].entries()) {
		x = denseBlock(x, side, prefix, i === 0);
		side = Math.ceil(side / 2);
	}
	x = node('AveragePool', [x], { kernel_shape: [7, 7], strides: [2, 2] });
	x = node('Flatten', [x], { axis: 1 });
	const fc = take('fc/weights');
	const y = node('MatMul', [x, constant('fc/weights', fc.shape, fc.values)]);
	node('Add', [y, constant('fc/bias', [136], take('fc/bias').values)], undefined, LANDMARK_OUTPUT);

	return {
		name: 'face_landmark_68_net',
		producer: 'facertc scripts/face-landmark-onnx.mjs',
		opset: 17,
		nodes,
		initializers,
		inputs: [{ name: LANDMARK_INPUT, dataType: DataType.FLOAT, shape: ['batch', 3, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE] }],
		outputs: [{ name: LANDMARK_OUTPUT, dataType: DataType.FLOAT, shape: ['batch', 136] }]
	};
}

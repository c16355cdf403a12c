// face-api's FaceRecognitionNet (a ResNet-34-like net from dlib, 150 px in, 128 numbers out) as an
// ONNX graph built from face-api's own weights, so that onnxruntime's native CPU kernels can run it.
// Mirrors node_modules/@vladmandic/face-api/src/faceRecognitionNet/ op for op:
//   input [N, 3, 150, 150] float32, RGB 0-255, already resized to 150 px (face-api's toBatchTensor)
//   → minus the mean RGB, / 255 → conv 7×7/2 'valid' + scale + relu → max pool 3/2 'valid'
//   → residual blocks (conv 3×3 'same' + scale + relu, conv + scale, + input, relu); the '_down'
//     blocks: conv 3×3/2 'valid', and the input average-pooled 2/2, zero-padded to the block's
//     channels; when the pool is one row/column larger, the conv output gets a zero row/column at
//     the end → mean over rows and columns → × fc [256, 128].
// Each conv's bias and following scale layer (`x * w + b`) are folded into the conv's weights.
import { DataType } from './onnx-writer.mjs';
import { graphBuilder } from './onnx-graph.mjs';
import { hwioToOihw } from './tfjs-weights.mjs';

/** face-api's mean RGB for this net (FaceRecognitionNet.forwardInput). */
export const RECOGNITION_MEAN_RGB = [122.782, 117.001, 104.298];
export const RECOGNITION_INPUT_SIZE = 150;
export const RECOGNITION_INPUT = 'chips';
export const RECOGNITION_OUTPUT = 'descriptors';

/**
 * @param {Map<string, import('./tfjs-weights.mjs').Weight>} weights from readTfjsWeights
 * @returns {import('./onnx-writer.mjs').Model}
 */
export function faceRecognitionGraph(weights) {
	const { nodes, initializers, take, constant, int64s, node } = graphBuilder(weights, 'face_recognition_model');

	/** conv + bias + scale layer folded; 'same' (3×3, stride 1) or 'valid'. @param {string} x @param {string} prefix @param {{ stride: number, valid: boolean, relu: boolean }} how */
	const convLayer = (x, prefix, { stride, valid, relu }) => {
		const filters = take(`${prefix}/conv/filters`);
		const bias = take(`${prefix}/conv/bias`).values;
		const s = take(`${prefix}/scale/weights`).values;
		const b = take(`${prefix}/scale/biases`).values;
		const [kh, kw, cin, cout] = /** @type {[number, number, number, number]} */ (filters.shape);
		const folded = new Float32Array(cout);
		for (let o = 0; o < cout; o++) folded[o] = Math.fround(Math.fround(bias[o] * s[o]) + b[o]);
		const w = constant(`${prefix}/W`, [cout, cin, kh, kw], hwioToOihw(filters, s));
		const bb = constant(`${prefix}/B`, [cout], folded);
		// tfjs 'same' with stride 1 and an odd kernel pads (k - 1) / 2 on every side.
		const pad = valid ? 0 : (kh - 1) / 2;
		const y = node('Conv', [x, w, bb], { kernel_shape: [kh, kw], strides: [stride, stride], pads: [pad, pad, pad, pad] });
		return relu ? node('Relu', [y]) : y;
	};

	/** @param {string} x @param {string} prefix */
	const residual = (x, prefix) => {
		const a = convLayer(x, `${prefix}/conv1`, { stride: 1, valid: false, relu: true });
		const c = convLayer(a, `${prefix}/conv2`, { stride: 1, valid: false, relu: false });
		return node('Relu', [node('Add', [c, x])]);
	};

	/** @param {string} x @param {number} side input rows = columns @param {number} cin @param {string} prefix */
	const residualDown = (x, side, cin, prefix) => {
		const cout = /** @type {number} */ (take(`${prefix}/conv2/conv/filters`).shape[3]);
		const a = convLayer(x, `${prefix}/conv1`, { stride: 2, valid: true, relu: true });
		let c = convLayer(a, `${prefix}/conv2`, { stride: 1, valid: false, relu: false });
		const convSide = Math.floor((side - 3) / 2) + 1;
		const poolSide = Math.floor(side / 2);
		let pooled = node('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
		if (poolSide !== convSide) {
			const extra = poolSide - convSide;
			c = node('Pad', [c, int64s(`${prefix}/pad_hw`, [0, 0, 0, 0, 0, 0, extra, extra])]);
		}
		if (cout !== cin) pooled = node('Pad', [pooled, int64s(`${prefix}/pad_c`, [0, 0, 0, 0, 0, cout - cin, 0, 0])]);
		return { out: node('Relu', [node('Add', [pooled, c])]), side: poolSide, channels: cout };
	};

	const mean = constant('mean_rgb', [1, 3, 1, 1], Float32Array.from(RECOGNITION_MEAN_RGB));
	const scale255 = constant('scale_255', [1], Float32Array.of(255));
	let x = node('Div', [node('Sub', [RECOGNITION_INPUT, mean]), scale255]);
	x = convLayer(x, 'conv32_down', { stride: 2, valid: true, relu: true });
	x = node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
	let side = Math.floor((Math.floor((RECOGNITION_INPUT_SIZE - 7) / 2) + 1 - 3) / 2) + 1; // 35
	let channels = 32;
	const stages = [
		['conv32_1', 'conv32_2', 'conv32_3'],
		['conv64_down', 'conv64_1', 'conv64_2', 'conv64_3'],
		['conv128_down', 'conv128_1', 'conv128_2'],
		['conv256_down', 'conv256_1', 'conv256_2', 'conv256_down_out']
	];
	for (const stage of stages) {
		for (const prefix of stage) {
			if (prefix.includes('_down')) ({ out: x, side, channels } = residualDown(x, side, channels, prefix));
			else x = residual(x, prefix);
		}
	}
	const pooled = node('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
	const fc = take('fc');
	node('MatMul', [pooled, constant('fc', fc.shape, fc.values)], undefined, RECOGNITION_OUTPUT);

	return {
		name: 'face_recognition_net',
		producer: 'facertc scripts/face-recognition-onnx.mjs',
		opset: 17,
		nodes,
		initializers,
		inputs: [{ name: RECOGNITION_INPUT, dataType: DataType.FLOAT, shape: ['batch', 3, RECOGNITION_INPUT_SIZE, RECOGNITION_INPUT_SIZE] }],
		outputs: [{ name: RECOGNITION_OUTPUT, dataType: DataType.FLOAT, shape: ['batch', 128] }]
	};
}

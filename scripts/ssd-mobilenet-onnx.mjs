// face-api's SSD MobileNet v1 face detector (512 px in, 5118 anchor boxes out) as an ONNX graph
// from face-api's own weights. Mirrors node_modules/@vladmandic/face-api/src/ssdMobilenetv1/:
//   input [N, 3, 512, 512] float32, RGB 0-255, padded to a square at the bottom / right and
//   resized (server/embed/onnx/net-input.ts, face-api's toBatchTensor(512, false)) → / 127.5 - 1
//   → MobileNet v1: conv 3×3/2 + offset + clip(0, 6), then 13 pairs of depthwise 3×3 (stride 2
//   at pairs 2, 4, 6, 12) + batch norm + clip(0, 6) and pointwise 1×1 + offset + clip(0, 6)
//   → eight more conv + offset + clip layers (the prediction layer) → six box predictors
//   (conv 1×1 + bias, on pair 11's output and the 16, 8, 4, 2, 1 px maps), concatenated in
//   face-api's order (row, column, anchor) → boxes decoded against the anchors
//   (`Output/extra_dim`) and class 1's logit through a sigmoid (face-api's outputLayer).
// Every conv pads as TensorFlow's 'same' does: the odd pixel of a stride-2 conv at the bottom /
// right (samePads). The depthwise layers' batch norm is folded into their weights and bias.
// Outputs: `boxes` [N, 5118, 4] (top, left, bottom, right, relative to the padded square) and
// `scores` [N, 5118]; face-api's non-max suppression runs in TS (server/embed/onnx/ssd-output.ts).
import { graphBuilder, samePads } from './onnx-graph.mjs';
import { DataType } from './onnx-writer.mjs';
import { depthwiseToOnnx, hwioToOihw } from './tfjs-weights.mjs';

export const SSD_INPUT_SIZE = 512;
export const SSD_INPUT = 'images';
export const SSD_BOXES = 'boxes';
export const SSD_SCORES = 'scores';
/** face-api's batch-norm epsilon (mobileNetV1.ts), a float32. */
const BATCH_NORM_EPSILON = 0.0010000000474974513;
const DEPTHWISE_STRIDE_2 = [2, 4, 6, 12];

const f = Math.fround;

/**
 * @param {Map<string, import('./tfjs-weights.mjs').Weight>} weights from readTfjsWeights
 * @returns {import('./onnx-writer.mjs').Model}
 */
export function ssdMobilenetGraph(weights) {
	const { nodes, initializers, take, constant, int64s, node } = graphBuilder(weights, 'ssd_mobilenetv1_model');
	const zero = constant('zero', [], Float32Array.of(0));
	const six = constant('six', [], Float32Array.of(6));

	/** tfjs conv2d(x, filters, stride, 'same') + bias. @param {string} x @param {number} side @param {string} name @param {import('./tfjs-weights.mjs').Weight} filters @param {Float32Array} bias @param {number} stride */
	const conv = (x, side, name, filters, bias, stride) => {
		const [kh, kw, cin, cout] = /** @type {[number, number, number, number]} */ (filters.shape);
		const w = constant(`${name}/W`, [cout, cin, kh, kw], hwioToOihw(filters));
		const b = constant(`${name}/B`, [cout], bias);
		return node('Conv', [x, w, b], { kernel_shape: [kh, kw], strides: [stride, stride], pads: samePads(side, kh, stride) });
	};

	/** face-api's pointwiseConvLayer: conv 'same' + offset, clipped to 0..6. @param {string} x @param {number} side @param {string} prefix @param {number} stride */
	const pointwise = (x, side, prefix, stride) =>
		node('Clip', [conv(x, side, prefix, take(`${prefix}/weights`), take(`${prefix}/convolution_bn_offset`).values, stride), zero, six]);

	/** face-api's depthwiseConvLayer, the batch norm folded in. @param {string} x @param {number} side @param {string} prefix @param {number} stride */
	const depthwise = (x, side, prefix, stride) => {
		const filters = take(`${prefix}/depthwise_weights`);
		const gamma = take(`${prefix}/BatchNorm/gamma`).values;
		const beta = take(`${prefix}/BatchNorm/beta`).values;
		const mean = take(`${prefix}/BatchNorm/moving_mean`).values;
		const variance = take(`${prefix}/BatchNorm/moving_variance`).values;
		const [kh, kw, channels] = /** @type {[number, number, number, number]} */ (filters.shape);
		const scale = new Float32Array(channels);
		const bias = new Float32Array(channels);
		for (let c = 0; c < channels; c++) {
			const s = gamma[c] / Math.sqrt(variance[c] + BATCH_NORM_EPSILON);
			scale[c] = s;
			bias[c] = beta[c] - mean[c] * s;
		}
		const w = constant(`${prefix}/W`, [channels, 1, kh, kw], depthwiseToOnnx(filters, scale));
		const b = constant(`${prefix}/B`, [channels], bias);
		const y = node('Conv', [x, w, b], { kernel_shape: [kh, kw], strides: [stride, stride], pads: samePads(side, kh, stride), group: channels });
		return node('Clip', [y, zero, six]);
	};

	const boxShape = int64s('box_shape', [0, -1, 4]);
	const classShape = int64s('class_shape', [0, -1, 3]);
	/** face-api's boxPredictionLayer: [N, rows × columns × anchors, 4] and [.., 3], NHWC order. @param {string} x @param {number} side @param {number} i */
	const boxPredictor = (x, side, i) => {
		const prefix = `Prediction/BoxPredictor_${i}`;
		const encoding = conv(
			x,
			side,
			`${prefix}/BoxEncodingPredictor`,
			take(`${prefix}/BoxEncodingPredictor/weights`),
			take(`${prefix}/BoxEncodingPredictor/biases`).values,
			1
		);
		const classes = conv(x, side, `${prefix}/ClassPredictor`, take(`${prefix}/ClassPredictor/weights`), take(`${prefix}/ClassPredictor/biases`).values, 1);
		const nhwc = (/** @type {string} */ t) => node('Transpose', [t], { perm: [0, 2, 3, 1] });
		return { box: node('Reshape', [nhwc(encoding), boxShape]), cls: node('Reshape', [nhwc(classes), classShape]) };
	};

	let side = SSD_INPUT_SIZE;
	let x = node('Sub', [node('Div', [SSD_INPUT, constant('half_255', [], Float32Array.of(127.5))]), constant('one', [], Float32Array.of(1))]);
	x = pointwise(x, side, 'MobilenetV1/Conv2d_0_pointwise', 2);
	side = Math.ceil(side / 2);
	let conv11 = { x, side };
	for (let i = 1; i <= 13; i++) {
		const stride = DEPTHWISE_STRIDE_2.includes(i) ? 2 : 1;
		x = depthwise(x, side, `MobilenetV1/Conv2d_${i}_depthwise`, stride);
		side = Math.ceil(side / stride);
		x = pointwise(x, side, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
		if (i === 11) conv11 = { x, side };
	}
	/** @type {Array<{ x: string, side: number }>} */
	const maps = [conv11, { x, side }];
	let p = x;
	for (let i = 0; i <= 7; i++) {
		const stride = i % 2 === 1 ? 2 : 1;
		p = pointwise(p, side, `Prediction/Conv2d_${i}_pointwise`, stride);
		side = Math.ceil(side / stride);
		if (stride === 2) maps.push({ x: p, side });
	}
	const predictions = maps.map((m, i) => boxPredictor(m.x, m.side, i));
	const encodings = node(
		'Concat',
		predictions.map((q) => q.box),
		{ axis: 1 }
	);
	const classes = node(
		'Concat',
		predictions.map((q) => q.cls),
		{ axis: 1 }
	);

	// outputLayer's decodeBoxesLayer; the anchors' sizes and centres are constants, computed here
	// in float32 as tfjs computes them.
	const anchors = take('Output/extra_dim');
	const count = /** @type {number} */ (anchors.shape[1]);
	const sizeY = new Float32Array(count);
	const sizeX = new Float32Array(count);
	const centreY = new Float32Array(count);
	const centreX = new Float32Array(count);
	for (let a = 0; a < count; a++) {
		const [y0, x0, y1, x1] = anchors.values.subarray(a * 4, a * 4 + 4);
		sizeY[a] = f(/** @type {number} */ (y1) - /** @type {number} */ (y0));
		sizeX[a] = f(/** @type {number} */ (x1) - /** @type {number} */ (x0));
		centreY[a] = f(/** @type {number} */ (y0) + f(sizeY[a] / 2));
		centreX[a] = f(/** @type {number} */ (x0) + f(sizeX[a] / 2));
	}
	const column = (/** @type {string} */ name, /** @type {Float32Array} */ values) => constant(name, [count, 1], values);
	const part = (/** @type {number} */ k) => node('Gather', [encodings, int64s(`coordinate_${k}`, [k])], { axis: 2 });
	const [ty, tx, th, tw] = [0, 1, 2, 3].map(part);
	const two = constant('two', [], Float32Array.of(2));
	const five = constant('five', [], Float32Array.of(5));
	const ten = constant('ten', [], Float32Array.of(10));
	const halfSize = (/** @type {string} */ t, /** @type {string} */ size) => node('Div', [node('Mul', [node('Exp', [node('Div', [t, five])]), size]), two]);
	const centre = (/** @type {string} */ t, /** @type {string} */ size, /** @type {string} */ c) => node('Add', [node('Mul', [node('Div', [t, ten]), size]), c]);
	const sy = column('anchor_size_y', sizeY);
	const sx = column('anchor_size_x', sizeX);
	const hy = halfSize(th, sy);
	const hx = halfSize(tw, sx);
	const cy = centre(ty, sy, column('anchor_centre_y', centreY));
	const cx = centre(tx, sx, column('anchor_centre_x', centreX));
	node('Concat', [node('Sub', [cy, hy]), node('Sub', [cx, hx]), node('Add', [cy, hy]), node('Add', [cx, hx])], { axis: 2 }, SSD_BOXES);
	const logit = node('Gather', [classes, int64s('face_class', [1])], { axis: 2 });
	node('Reshape', [node('Sigmoid', [logit]), int64s('score_shape', [0, -1])], undefined, SSD_SCORES);

	return {
		name: 'ssd_mobilenetv1',
		producer: 'facertc scripts/ssd-mobilenet-onnx.mjs',
		opset: 17,
		nodes,
		initializers,
		inputs: [{ name: SSD_INPUT, dataType: DataType.FLOAT, shape: ['batch', 3, SSD_INPUT_SIZE, SSD_INPUT_SIZE] }],
		outputs: [
			{ name: SSD_BOXES, dataType: DataType.FLOAT, shape: ['batch', count, 4] },
			{ name: SSD_SCORES, dataType: DataType.FLOAT, shape: ['batch', count] }
		]
	};
}

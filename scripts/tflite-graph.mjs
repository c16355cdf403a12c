// Reads a TFLite model's graph (operators, tensors, constant buffers) and reorders the output
// channels of the convolution that produces an SSD model's box regressors. Plain ESM, no
// dependencies (runs during `npm ci`). Schema: tensorflow/lite/schema/schema.fbs.
import { FlatReader } from './tflite-flatbuffer.mjs';

const TFLITE_IDENTIFIER = 'TFL3';
const MODEL = { operatorCodes: 1, subgraphs: 2, buffers: 4 };
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, builtinCode: 3 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2 };
const BUFFER = { data: 0 };

const OP = { CONV_2D: 3, DEQUANTIZE: 6, RESHAPE: 22 };
/** TensorType → bytes per element, for the types a constant here may have. */
const ELEMENT_BYTES = new Map([
	[0, 4], // FLOAT32
	[1, 2] // FLOAT16
]);

/**
 * @typedef {{ index: number, name: string, shape: number[], type: number, buffer: number }} TensorInfo
 * @typedef {{ code: number, inputs: number[], outputs: number[] }} OperatorInfo
 */

/**
 * The first subgraph: tensors, operators (with builtin codes resolved) and where each constant
 * buffer's bytes are in `modelBytes`.
 * @param {Uint8Array} modelBytes
 */
export function readGraph(modelBytes) {
	const reader = new FlatReader(modelBytes, 'not a TFLite model');
	const model = reader.root(TFLITE_IDENTIFIER);
	// Builtin codes above 127 live in `builtin_code`; older files only fill the deprecated byte.
	const codes = reader.tables(model, MODEL.operatorCodes).map((pos) => {
		const t = reader.table(pos);
		return Math.max(reader.u8Field(t, OPERATOR_CODE.deprecatedBuiltinCode), reader.u32Field(t, OPERATOR_CODE.builtinCode));
	});
	const [subgraphPos] = reader.tables(model, MODEL.subgraphs);
	if (subgraphPos === undefined) return reader.fail('the model has no subgraph');
	const subgraph = reader.table(subgraphPos);
	/** @type {TensorInfo[]} */
	const tensors = reader.tables(subgraph, SUBGRAPH.tensors).map((pos, index) => {
		const t = reader.table(pos);
		return {
			index,
			name: reader.string(t, TENSOR.name) ?? '',
			shape: reader.numbers(t, TENSOR.shape, 'i32'),
			type: reader.u8Field(t, TENSOR.type),
			buffer: reader.u32Field(t, TENSOR.buffer)
		};
	});
	/** @type {OperatorInfo[]} */
	const operators = reader.tables(subgraph, SUBGRAPH.operators).map((pos) => {
		const t = reader.table(pos);
		const code = codes[reader.u32Field(t, OPERATOR.opcodeIndex)];
		if (code === undefined) return reader.fail('an operator refers to a missing operator code');
		return { code, inputs: reader.numbers(t, OPERATOR.inputs, 'i32'), outputs: reader.numbers(t, OPERATOR.outputs, 'i32') };
	});
	const buffers = reader.tables(model, MODEL.buffers);
	/** Offset and length of a buffer's data in `modelBytes`, or null when it has none. @param {number} index */
	const bufferData = (index) => {
		const pos = buffers[index];
		if (pos === undefined) return reader.fail(`buffer ${index} is missing`);
		const data = reader.bytesField(reader.table(pos), BUFFER.data);
		return data === undefined || data.length === 0 ? null : { offset: data.byteOffset - modelBytes.byteOffset, length: data.length };
	};
	return {
		tensors,
		operators,
		inputs: reader.numbers(subgraph, SUBGRAPH.inputs, 'i32'),
		outputs: reader.numbers(subgraph, SUBGRAPH.outputs, 'i32'),
		bufferData,
		/** @param {string} message @returns {never} */
		fail: (message) => reader.fail(message)
	};
}

/** @typedef {ReturnType<typeof readGraph>} Graph */

/** @param {Graph} graph @param {number} tensor */
function producerOf(graph, tensor) {
	return graph.operators.find((op) => op.outputs.includes(tensor));
}

/** The constant behind a weight input, looking through a DEQUANTIZE (float16 weights). @param {Graph} graph @param {number} tensor */
function constantBehind(graph, tensor) {
	const producer = producerOf(graph, tensor);
	const source = producer?.code === OP.DEQUANTIZE ? producer.inputs[0] : producer === undefined ? tensor : undefined;
	const info = source === undefined ? undefined : graph.tensors[source];
	const data = info && graph.bufferData(info.buffer);
	if (!info || !data) return graph.fail(`${graph.tensors[tensor]?.name ?? tensor} is not a constant`);
	const users = graph.operators.filter((op) => op.inputs.includes(info.index)).length;
	if (users !== 1) return graph.fail(`${info.name} is used by ${users} operators; reordering it would change them too`);
	return { info, data };
}

/**
 * Returns a copy of an SSD model whose box output (the first output, a RESHAPE of a CONV_2D) lists
 * each box's values in `order`: value i of the new output is value order[i] of the old one. Only
 * the convolution's constant kernel and bias rows move; nothing else in the file changes.
 * @param {Uint8Array} modelBytes
 * @param {number[]} order a permutation of 0..n-1, n = values per box
 */
export function reorderBoxOutputs(modelBytes, order) {
	const graph = readGraph(modelBytes);
	const output = graph.outputs[0];
	const reshape = output === undefined ? undefined : producerOf(graph, output);
	const conv = reshape?.code === OP.RESHAPE && reshape.inputs[0] !== undefined ? producerOf(graph, reshape.inputs[0]) : undefined;
	if (!conv || conv.code !== OP.CONV_2D || conv.inputs.length < 3) {
		return graph.fail('the first output is not a RESHAPE of a CONV_2D with a bias');
	}
	const channels = graph.tensors[/** @type {number} */ (conv.outputs[0])]?.shape.at(-1);
	const n = order.length;
	if (new Set(order).size !== n || order.some((v) => !Number.isInteger(v) || v < 0 || v >= n)) {
		throw new RangeError(`not a permutation of 0..${n - 1}: ${order.join(',')}`);
	}
	if (channels === undefined || channels % n !== 0) return graph.fail(`${channels} channels is not a multiple of ${n}`);
	const copy = modelBytes.slice();
	for (const input of [conv.inputs[1], conv.inputs[2]]) {
		const { info, data } = constantBehind(graph, /** @type {number} */ (input));
		const elementBytes = ELEMENT_BYTES.get(info.type);
		if (elementBytes === undefined) return graph.fail(`${info.name} has tensor type ${info.type}, not float32/float16`);
		if (info.shape[0] !== channels) return graph.fail(`${info.name} has ${info.shape[0]} output channels, expected ${channels}`);
		const rowBytes = data.length / channels;
		if (!Number.isInteger(rowBytes) || rowBytes % elementBytes !== 0)
			return graph.fail(`${info.name}: ${data.length} bytes do not split into ${channels} rows`);
		const rows = modelBytes.subarray(data.offset, data.offset + data.length);
		for (let channel = 0; channel < channels; channel++) {
			const base = channel - (channel % n);
			const from = base + /** @type {number} */ (order[channel % n]);
			copy.set(rows.subarray(from * rowBytes, (from + 1) * rowBytes), data.offset + channel * rowBytes);
		}
	}
	return copy;
}

/**
 * BlazeFace writes each box as x, y, w, h then keypoints as x, y; MediaPipe Tasks' ObjectDetector
 * decodes y, x, h, w and y, x. Swapping each pair makes the model speak the task's order.
 * @param {Uint8Array} modelBytes @param {number} valuesPerBox 4 + 2 × keypoints
 */
export function swapRegressorAxes(modelBytes, valuesPerBox) {
	if (valuesPerBox % 2 !== 0) throw new RangeError('values per box must be even (x, y pairs)');
	return reorderBoxOutputs(
		modelBytes,
		Array.from({ length: valuesPerBox }, (_, i) => i ^ 1)
	);
}

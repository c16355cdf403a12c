// A small builder for ONNX graphs made from tfjs weights (face-recognition-onnx.mjs,
// face-landmark-onnx.mjs): named weights in, nodes and initializers out, for writeOnnxModel.
import { DataType } from './onnx-writer.mjs';

/**
 * @param {Map<string, import('./tfjs-weights.mjs').Weight>} weights
 * @param {string} what the model's name, for errors
 */
export function graphBuilder(weights, what) {
	/** @type {import('./onnx-writer.mjs').Node[]} */
	const nodes = [];
	/** @type {import('./onnx-writer.mjs').Tensor[]} */
	const initializers = [];
	let counter = 0;
	return {
		nodes,
		initializers,
		/** A weight by its tfjs name; throws when missing. @param {string} name */
		take(name) {
			const w = weights.get(name);
			if (!w) throw new Error(`${what}: weight ${name} is missing`);
			return w;
		},
		/** A float32 initializer; returns its name. @param {string} name @param {number[]} dims @param {Float32Array} data */
		constant(name, dims, data) {
			initializers.push({ name, dataType: DataType.FLOAT, dims, data });
			return name;
		},
		/** A 1-d int64 initializer; returns its name. @param {string} name @param {number[]} values */
		int64s(name, values) {
			initializers.push({ name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
			return name;
		},
		/**
		 * Adds a node; returns its (single) output's name, `output` or a generated one.
		 * @param {string} op @param {string[]} inputs
		 * @param {Record<string, import('./onnx-writer.mjs').AttributeValue>} [attributes] @param {string} [output]
		 */
		node(op, inputs, attributes, output) {
			const out = output ?? `${op.toLowerCase()}_${counter++}`;
			nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
			return out;
		}
	};
}

/**
 * ONNX pads [top, left, bottom, right] for tfjs's 'same' padding of a square `side` input with a
 * `kernel` and `stride`: the total padding (out - 1) × stride + kernel - side, the odd pixel at the
 * end (bottom / right), as TensorFlow does.
 * @param {number} side @param {number} kernel @param {number} stride
 */
export function samePads(side, kernel, stride) {
	const out = Math.ceil(side / stride);
	const total = Math.max(0, (out - 1) * stride + kernel - side);
	const begin = Math.floor(total / 2);
	return [begin, begin, total - begin, total - begin];
}

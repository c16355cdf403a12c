// Writes ONNX models (protobuf ModelProto) by hand, for the model tools in scripts/.
//
// Why by hand: model preparation runs during `npm ci`, before any TS tooling, and what it needs of
// protobuf is small: varints, fixed32, length-delimited fields. Field numbers are onnx.proto's
// (github.com/onnx/onnx/blob/main/onnx/onnx.proto); repeated scalars are written unpacked, which
// every protobuf parser accepts for onnx.proto's proto2 fields.

/** ONNX TensorProto.DataType values used here. */
export const DataType = Object.freeze({ FLOAT: 1, INT64: 7 });
const AttributeType = Object.freeze({ FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 });

class ProtoWriter {
	constructor() {
		/** @type {Uint8Array[]} */
		this.parts = [];
		this.length = 0;
	}
	/** @param {Uint8Array} bytes */
	push(bytes) {
		this.parts.push(bytes);
		this.length += bytes.length;
	}
	/** @param {number | bigint} value a non-negative integer, or a negative one (as int64, 10 bytes) */
	varint(value) {
		let v = BigInt.asUintN(64, BigInt(value));
		const out = [];
		do {
			const byte = Number(v & 0x7fn);
			v >>= 7n;
			out.push(v ? byte | 0x80 : byte);
		} while (v);
		this.push(Uint8Array.from(out));
	}
	/** @param {number} field @param {number} wire */
	tag(field, wire) {
		this.varint((field << 3) | wire);
	}
	/** @param {number} field @param {number | bigint} value */
	int(field, value) {
		this.tag(field, 0);
		this.varint(value);
	}
	/** @param {number} field @param {number} value */
	float(field, value) {
		this.tag(field, 5);
		const b = new Uint8Array(4);
		new DataView(b.buffer).setFloat32(0, value, true);
		this.push(b);
	}
	/** @param {number} field @param {Uint8Array} bytes */
	bytes(field, bytes) {
		this.tag(field, 2);
		this.varint(bytes.length);
		this.push(bytes);
	}
	/** @param {number} field @param {string} text */
	string(field, text) {
		this.bytes(field, new TextEncoder().encode(text));
	}
	/** @param {number} field @param {(w: ProtoWriter) => void} fill */
	message(field, fill) {
		const inner = new ProtoWriter();
		fill(inner);
		this.bytes(field, inner.finish());
	}
	finish() {
		const out = new Uint8Array(this.length);
		let at = 0;
		for (const part of this.parts) {
			out.set(part, at);
			at += part.length;
		}
		return out;
	}
}

/**
 * @typedef {{ name: string, dataType: number, dims: number[], data: Float32Array | BigInt64Array }} Tensor
 * @typedef {number | string | number[] | { floats: number[] }} AttributeValue
 *   a number is an INT (or FLOAT when not an integer; wrap in `{ floats }` to force floats),
 *   a string is a STRING, an array of integers is INTS
 * @typedef {{ op: string, inputs: string[], outputs: string[], name?: string,
 *   attributes?: Record<string, AttributeValue> }} Node
 * @typedef {{ name: string, dataType: number, shape: Array<number | string> }} ValueInfo
 *   shape: a number is a fixed dimension, a string a named free one (e.g. 'batch')
 * @typedef {{ name: string, nodes: Node[], initializers: Tensor[], inputs: ValueInfo[],
 *   outputs: ValueInfo[], opset: number, producer: string, docString?: string }} Model
 */

/** @param {ProtoWriter} w @param {Tensor} t */
function writeTensor(w, t) {
	const count = t.dims.reduce((a, b) => a * b, 1);
	if (t.data.length !== count) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(',')}]`);
	for (const d of t.dims) w.int(1, d);
	w.int(2, t.dataType);
	w.string(8, t.name);
	// raw_data is little-endian; typed arrays are in the host's order, little-endian on x64 and arm64.
	w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

/** @param {ProtoWriter} w @param {string} name @param {AttributeValue} value */
function writeAttribute(w, name, value) {
	w.string(1, name);
	if (typeof value === 'string') {
		w.string(4, value);
		w.int(20, AttributeType.STRING);
	} else if (typeof value === 'number' && Number.isInteger(value)) {
		w.int(3, value);
		w.int(20, AttributeType.INT);
	} else if (typeof value === 'number') {
		w.float(2, value);
		w.int(20, AttributeType.FLOAT);
	} else if (Array.isArray(value)) {
		for (const v of value) w.int(8, v);
		w.int(20, AttributeType.INTS);
	} else {
		for (const v of value.floats) w.float(7, v);
		w.int(20, AttributeType.FLOATS);
	}
}

/** @param {ProtoWriter} w @param {ValueInfo} info */
function writeValueInfo(w, info) {
	w.string(1, info.name);
	w.message(2, (type) =>
		type.message(1, (tensor) => {
			tensor.int(1, info.dataType);
			tensor.message(2, (shape) => {
				for (const d of info.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
			});
		})
	);
}

/** The serialized ModelProto (IR version 8) of `model`. @param {Model} model */
export function writeOnnxModel(model) {
	const w = new ProtoWriter();
	w.int(1, 8); // ir_version 8: opsets up to 18
	w.string(2, model.producer);
	w.message(7, (g) => {
		model.nodes.forEach((node, i) =>
			g.message(1, (n) => {
				for (const input of node.inputs) n.string(1, input);
				for (const output of node.outputs) n.string(2, output);
				n.string(3, node.name ?? `${node.op}_${i}`);
				n.string(4, node.op);
				for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
			})
		);
		g.string(2, model.name);
		for (const t of model.initializers) g.message(5, (tw) => writeTensor(tw, t));
		if (model.docString) g.string(10, model.docString);
		for (const input of model.inputs) g.message(11, (v) => writeValueInfo(v, input));
		for (const output of model.outputs) g.message(12, (v) => writeValueInfo(v, output));
	});
	w.message(8, (o) => {
		o.string(1, '');
		o.int(2, model.opset);
	});
	return w.finish();
}

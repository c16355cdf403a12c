// Adds TFLite Support metadata (an "M001" ModelMetadata flatbuffer) to a .tflite model, by hand.
//
// Why: MediaPipe Tasks refuses float32 image models without NormalizationOptions metadata, and
// the only BlazeFace short-range model in node_modules is the raw one from the legacy
// @mediapipe/face_detection package. This runs during `npm ci`, before any TS tooling and
// without the `flatbuffers` package, so the flatbuffer reading/writing is done with DataView.
//
// Technique: flatbuffer offsets (uoffset_t) only point forward, so a new root Model table plus a
// new `buffers` and `metadata` vector are written in a header IN FRONT of the untouched original
// bytes, pointing forward into them for everything else. The header is padded to a multiple of 16
// so the original bytes (and the 16-byte aligned tensor data in them) keep their alignment.
//
// Schemas: tensorflow/lite/schema/schema.fbs (file_identifier "TFL3") and
// tensorflow_lite_support/metadata/metadata_schema.fbs (file_identifier "M001").

const TFLITE_IDENTIFIER = 'TFL3';
const METADATA_IDENTIFIER = 'M001';
const METADATA_ENTRY_NAME = 'TFLITE_METADATA';
// The newest metadata schema feature written here (ImageProperties, NormalizationOptions) is 1.0.0;
// MediaPipe rejects buffers whose min_parser_version is above its own parser version.
const MIN_PARSER_VERSION = '1.0.0';
const HEADER_ALIGNMENT = 16;

/** Field slots (declaration order; a union takes two: `_type`, then the value). */
const MODEL = {
	version: 0,
	operatorCodes: 1,
	subgraphs: 2,
	description: 3,
	buffers: 4,
	metadataBuffer: 5,
	metadata: 6,
	signatureDefs: 7
};
const METADATA = { name: 0, buffer: 1 };
const BUFFER = { data: 0 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2 };
const TENSOR = { shape: 0, type: 1, name: 3 };
const MODEL_METADATA = { name: 0, subgraphMetadata: 3, minParserVersion: 7 };
const SUBGRAPH_METADATA = { inputTensorMetadata: 2 };
const TENSOR_METADATA = { name: 0, content: 3, processUnits: 4 };
const CONTENT = { propertiesType: 0, properties: 1 };
const IMAGE_PROPERTIES = { colorSpace: 0 };
const PROCESS_UNIT = { optionsType: 0, options: 1 };
const NORMALIZATION_OPTIONS = { mean: 0, std: 1 };

const CONTENT_PROPERTIES_IMAGE = 2;
const PROCESS_UNIT_NORMALIZATION = 1;
export const COLOR_SPACE_RGB = 1;

// ---------------------------------------------------------------------------------------------
// Reading

/** A bounds-checked view of one flatbuffer; every read throws a descriptive Error if out of range. */
class FlatReader {
	/** @param {Uint8Array} bytes @param {string} what */
	constructor(bytes, what) {
		if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array`);
		this.bytes = bytes;
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		this.what = what;
	}

	/** @param {string} message @returns {never} */
	fail(message) {
		throw new Error(`${this.what}: ${message}`);
	}

	/** @param {number} pos @param {number} size */
	check(pos, size) {
		if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.length) {
			this.fail(`offset ${pos} (+${size}) is out of range (${this.bytes.length} bytes); not a valid flatbuffer`);
		}
	}

	/** @param {number} pos */
	u8(pos) {
		this.check(pos, 1);
		return this.view.getUint8(pos);
	}
	/** @param {number} pos */
	u16(pos) {
		this.check(pos, 2);
		return this.view.getUint16(pos, true);
	}
	/** @param {number} pos */
	u32(pos) {
		this.check(pos, 4);
		return this.view.getUint32(pos, true);
	}
	/** @param {number} pos */
	i32(pos) {
		this.check(pos, 4);
		return this.view.getInt32(pos, true);
	}
	/** @param {number} pos */
	f32(pos) {
		this.check(pos, 4);
		return this.view.getFloat32(pos, true);
	}

	/** Follows the uoffset stored at `pos`. @param {number} pos */
	deref(pos) {
		const target = pos + this.u32(pos);
		this.check(target, 4);
		return target;
	}

	/** @param {string} identifier @returns {Table} */
	root(identifier) {
		if (this.bytes.length < 8) this.fail(`too short (${this.bytes.length} bytes) to be a flatbuffer`);
		const found = ascii(this.bytes.subarray(4, 8));
		if (found !== identifier) this.fail(`file identifier is ${JSON.stringify(found)}, expected "${identifier}"`);
		return this.table(this.deref(0));
	}

	/** @param {number} pos @returns {Table} */
	table(pos) {
		const vtable = pos - this.i32(pos);
		const vtableSize = this.u16(vtable);
		if (vtableSize < 4 || vtableSize % 2 !== 0) this.fail(`bad vtable size ${vtableSize} at ${vtable}`);
		this.check(vtable, vtableSize);
		return { pos, vtable, slotCount: (vtableSize - 4) / 2 };
	}

	/** Absolute position of a field's value, or 0 when absent. @param {Table} table @param {number} slot */
	field(table, slot) {
		if (slot >= table.slotCount) return 0;
		const offset = this.u16(table.vtable + 4 + 2 * slot);
		return offset === 0 ? 0 : table.pos + offset;
	}

	/** Target of an offset field, or 0 when absent. @param {Table} table @param {number} slot */
	ref(table, slot) {
		const pos = this.field(table, slot);
		return pos === 0 ? 0 : this.deref(pos);
	}

	/** @param {number} pos position of the length prefix @param {number} elementSize */
	vector(pos, elementSize) {
		const length = this.u32(pos);
		this.check(pos + 4, length * elementSize);
		return { start: pos + 4, length };
	}

	/** Positions of a [Table] vector's tables; [] when absent. @param {Table} table @param {number} slot */
	tables(table, slot) {
		const pos = this.ref(table, slot);
		if (pos === 0) return [];
		const { start, length } = this.vector(pos, 4);
		return Array.from({ length }, (_, i) => this.deref(start + 4 * i));
	}

	/** @param {Table} table @param {number} slot @param {'i32' | 'f32'} type @returns {number[]} */
	numbers(table, slot, type) {
		const pos = this.ref(table, slot);
		if (pos === 0) return [];
		const { start, length } = this.vector(pos, 4);
		return Array.from({ length }, (_, i) => this[type](start + 4 * i));
	}

	/** @param {Table} table @param {number} slot */
	bytesField(table, slot) {
		const pos = this.ref(table, slot);
		if (pos === 0) return undefined;
		const { start, length } = this.vector(pos, 1);
		return this.bytes.subarray(start, start + length);
	}

	/** @param {Table} table @param {number} slot */
	string(table, slot) {
		const bytes = this.bytesField(table, slot);
		return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	u8Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.u8(pos);
	}

	/** @param {Table} table @param {number} slot @param {number} fallback */
	u32Field(table, slot, fallback = 0) {
		const pos = this.field(table, slot);
		return pos === 0 ? fallback : this.u32(pos);
	}
}

/** @typedef {{ pos: number, vtable: number, slotCount: number }} Table */

/** @param {Uint8Array} bytes */
function ascii(bytes) {
	return String.fromCharCode(...bytes);
}

/** @param {Uint8Array} modelBytes */
function openModel(modelBytes) {
	const reader = new FlatReader(modelBytes, 'not a TFLite model');
	return { reader, model: reader.root(TFLITE_IDENTIFIER) };
}

/**
 * Lists `Model.metadata` entries and returns the TFLITE_METADATA buffer's bytes, if any.
 * @param {Uint8Array} modelBytes
 * @returns {{ entries: Array<{ name: string, buffer: number }>, bufferCount: number, tfliteMetadata?: Uint8Array }}
 */
export function readModelMetadata(modelBytes) {
	const { reader, model } = openModel(modelBytes);
	const buffers = reader.tables(model, MODEL.buffers);
	const entries = reader.tables(model, MODEL.metadata).map((pos) => {
		const entry = reader.table(pos);
		return { name: reader.string(entry, METADATA.name) ?? '', buffer: reader.u32Field(entry, METADATA.buffer) };
	});
	const result = { entries, bufferCount: buffers.length };
	const metadataEntry = entries.find((e) => e.name === METADATA_ENTRY_NAME);
	if (metadataEntry === undefined) return result;
	const bufferPos = buffers[metadataEntry.buffer];
	if (bufferPos === undefined) {
		return reader.fail(`${METADATA_ENTRY_NAME} points to missing buffer ${metadataEntry.buffer}`);
	}
	return { ...result, tfliteMetadata: reader.bytesField(reader.table(bufferPos), BUFFER.data) };
}

/**
 * @typedef {{ name: string, shape: number[], type: number }} TensorInfo
 * @typedef {{ inputs: TensorInfo[], outputs: TensorInfo[] }} SubgraphInfo
 * @typedef {{ version: number, operatorCodeCount: number, subgraphs: SubgraphInfo[] }} ModelStructure
 */

/**
 * The parts of the graph a consumer looks at first; handy to check the model survived rewriting.
 * @param {Uint8Array} modelBytes
 * @returns {ModelStructure}
 */
export function readModelStructure(modelBytes) {
	const { reader, model } = openModel(modelBytes);
	const subgraphs = reader.tables(model, MODEL.subgraphs).map((pos) => {
		const subgraph = reader.table(pos);
		const tensors = reader.tables(subgraph, SUBGRAPH.tensors);
		/** @param {number} index */
		const tensorInfo = (index) => {
			const tensorPos = tensors[index];
			if (tensorPos === undefined) return reader.fail(`tensor index ${index} is out of range`);
			const tensor = reader.table(tensorPos);
			return {
				name: reader.string(tensor, TENSOR.name) ?? '',
				shape: reader.numbers(tensor, TENSOR.shape, 'i32'),
				type: reader.u8Field(tensor, TENSOR.type)
			};
		};
		return {
			inputs: reader.numbers(subgraph, SUBGRAPH.inputs, 'i32').map(tensorInfo),
			outputs: reader.numbers(subgraph, SUBGRAPH.outputs, 'i32').map(tensorInfo)
		};
	});
	return {
		version: reader.u32Field(model, MODEL.version),
		operatorCodeCount: reader.tables(model, MODEL.operatorCodes).length,
		subgraphs
	};
}

/**
 * Reads what MediaPipe Tasks reads from the first input tensor's metadata: color space and
 * normalization. Returns null when the metadata does not describe an image input.
 * @param {Uint8Array} metaBytes an M001 ModelMetadata flatbuffer
 * @returns {{ colorSpace: number, mean: number[], std: number[] } | null}
 */
export function parseImageInputMetadata(metaBytes) {
	const reader = new FlatReader(metaBytes, 'not a TFLite metadata (M001) buffer');
	const metadata = reader.root(METADATA_IDENTIFIER);
	const [subgraphPos] = reader.tables(metadata, MODEL_METADATA.subgraphMetadata);
	if (subgraphPos === undefined) return null;
	const [inputPos] = reader.tables(reader.table(subgraphPos), SUBGRAPH_METADATA.inputTensorMetadata);
	if (inputPos === undefined) return null;
	const input = reader.table(inputPos);
	const colorSpace = readImageColorSpace(reader, input);
	if (colorSpace === null) return null;
	return { colorSpace, ...readNormalization(reader, input) };
}

/** @param {FlatReader} reader @param {Table} tensorMetadata */
function readImageColorSpace(reader, tensorMetadata) {
	const contentPos = reader.ref(tensorMetadata, TENSOR_METADATA.content);
	if (contentPos === 0) return null;
	const content = reader.table(contentPos);
	if (reader.u8Field(content, CONTENT.propertiesType) !== CONTENT_PROPERTIES_IMAGE) return null;
	const propertiesPos = reader.ref(content, CONTENT.properties);
	return propertiesPos === 0 ? null : reader.u8Field(reader.table(propertiesPos), IMAGE_PROPERTIES.colorSpace);
}

/** @param {FlatReader} reader @param {Table} tensorMetadata */
function readNormalization(reader, tensorMetadata) {
	for (const unitPos of reader.tables(tensorMetadata, TENSOR_METADATA.processUnits)) {
		const unit = reader.table(unitPos);
		if (reader.u8Field(unit, PROCESS_UNIT.optionsType) !== PROCESS_UNIT_NORMALIZATION) continue;
		const optionsPos = reader.ref(unit, PROCESS_UNIT.options);
		if (optionsPos === 0) break;
		const options = reader.table(optionsPos);
		return {
			mean: reader.numbers(options, NORMALIZATION_OPTIONS.mean, 'f32'),
			std: reader.numbers(options, NORMALIZATION_OPTIONS.std, 'f32')
		};
	}
	return { mean: [], std: [] };
}

// ---------------------------------------------------------------------------------------------
// Writing
//
// Objects are described as plain nodes and serialized parent-first, so every offset points
// forward, as flatbuffers requires. `external(pos)` refers to a position in the original model,
// which ends up after the header; those offsets are resolved once the header size is known.

/**
 * @typedef {{ kind: 'table', fields: Array<Field | undefined> }
 *   | { kind: 'refs', items: Node[] }
 *   | { kind: 'numbers', type: 'u32' | 'f32', values: number[] }
 *   | { kind: 'bytes', bytes: Uint8Array, align: number }
 *   | { kind: 'external', pos: number }} Node
 * @typedef {{ type: 'u8', value: number } | { type: 'u32', value: number } | { type: 'ref', node: Node }} Field
 */

/** @param {Array<Field | undefined>} fields @returns {Node} */
const table = (fields) => ({ kind: 'table', fields });
/** @param {Node[]} items @returns {Node} */
const refs = (items) => ({ kind: 'refs', items });
/** @param {number[]} values @returns {Node} */
const floats = (values) => ({ kind: 'numbers', type: 'f32', values });
/** @param {number} pos @returns {Node} */
const external = (pos) => ({ kind: 'external', pos });
/** Strings are byte vectors with a NUL terminator that is not counted. @param {string} text @returns {Node} */
const string = (text) => ({ kind: 'bytes', bytes: new TextEncoder().encode(text), align: 4 });
/** @param {number} value @returns {Field} */
const u8 = (value) => ({ type: 'u8', value });
/** @param {number} value @returns {Field} */
const u32 = (value) => ({ type: 'u32', value });
/** @param {Node} node @returns {Field} */
const ref = (node) => ({ type: 'ref', node });
/** @param {Node | undefined} node @returns {Field | undefined} */
const optionalRef = (node) => (node === undefined ? undefined : ref(node));

class ForwardBuilder {
	constructor() {
		this.bytes = new Uint8Array(256);
		this.length = 0;
		/** @type {Array<{ at: number, pos: number }>} offsets into the original model */
		this.externals = [];
	}

	/** @param {number} size */
	grow(size) {
		const needed = this.length + size;
		if (needed > this.bytes.length) {
			const bigger = new Uint8Array(Math.max(needed, this.bytes.length * 2));
			bigger.set(this.bytes.subarray(0, this.length));
			this.bytes = bigger;
		}
		const pos = this.length;
		this.length = needed;
		return pos;
	}

	get view() {
		return new DataView(this.bytes.buffer);
	}

	/** Pads with zeros until `length + extra` is a multiple of `alignment`. @param {number} alignment */
	align(alignment, extra = 0) {
		const padding = (alignment - ((this.length + extra) % alignment)) % alignment;
		this.grow(padding);
	}

	/** Writes a flatbuffer whose root is `node`. @param {Node} node @param {string} identifier */
	writeRoot(node, identifier) {
		const at = this.grow(8);
		this.bytes.set(new TextEncoder().encode(identifier), 4);
		this.writeRef(at, node);
	}

	/** Writes `node` after everything so far and stores the offset to it at `at`. @param {number} at @param {Node} node */
	writeRef(at, node) {
		if (node.kind === 'external') {
			this.externals.push({ at, pos: node.pos });
			return;
		}
		const pos = this.write(node);
		this.view.setUint32(at, pos - at, true);
	}

	/** @param {Node} node @returns {number} */
	write(node) {
		switch (node.kind) {
			case 'table':
				return this.writeTable(node.fields);
			case 'refs':
				return this.writeRefs(node.items);
			case 'numbers':
				return this.writeNumbers(node.type, node.values);
			case 'bytes':
				return this.writeBytes(node.bytes, node.align);
			default:
				throw new Error(`cannot write a ${node.kind} node`);
		}
	}

	/** The vtable goes right before its table (a positive soffset). @param {Array<Field | undefined>} fields */
	writeTable(fields) {
		this.align(2);
		const vtable = this.grow(4 + 2 * fields.length);
		this.align(4);
		const tablePos = this.grow(4);
		this.view.setInt32(tablePos, tablePos - vtable, true);
		/** @type {Array<{ at: number, node: Node }>} */
		const children = [];
		fields.forEach((field, slot) => {
			if (field === undefined) return;
			const at = this.writeField(field, children);
			this.view.setUint16(vtable + 4 + 2 * slot, at - tablePos, true);
		});
		this.view.setUint16(vtable, 4 + 2 * fields.length, true);
		this.view.setUint16(vtable + 2, this.length - tablePos, true);
		for (const { at, node } of children) this.writeRef(at, node);
		return tablePos;
	}

	/** @param {Field} field @param {Array<{ at: number, node: Node }>} children */
	writeField(field, children) {
		if (field.type === 'u8') {
			const at = this.grow(1);
			this.view.setUint8(at, field.value);
			return at;
		}
		this.align(4);
		const at = this.grow(4);
		if (field.type === 'u32') this.view.setUint32(at, field.value, true);
		else children.push({ at, node: field.node });
		return at;
	}

	/** @param {Node[]} items */
	writeRefs(items) {
		this.align(4);
		const pos = this.grow(4 + 4 * items.length);
		this.view.setUint32(pos, items.length, true);
		items.forEach((item, i) => this.writeRef(pos + 4 + 4 * i, item));
		return pos;
	}

	/** @param {'u32' | 'f32'} type @param {number[]} values */
	writeNumbers(type, values) {
		this.align(4);
		const pos = this.grow(4 + 4 * values.length);
		this.view.setUint32(pos, values.length, true);
		values.forEach((value, i) => {
			if (type === 'f32') this.view.setFloat32(pos + 4 + 4 * i, value, true);
			else this.view.setUint32(pos + 4 + 4 * i, value, true);
		});
		return pos;
	}

	/**
	 * The data (after the length prefix) is aligned to `alignment`.
	 * @param {Uint8Array} bytes @param {number} alignment
	 */
	writeBytes(bytes, alignment) {
		this.align(Math.max(alignment, 4), 4);
		const pos = this.grow(4 + bytes.length + 1);
		this.view.setUint32(pos, bytes.length, true);
		this.bytes.set(bytes, pos + 4);
		return pos;
	}

	/**
	 * Pads to `alignment` and resolves offsets into whatever gets appended after these bytes.
	 * @param {number} alignment
	 */
	finish(alignment) {
		this.align(alignment);
		for (const { at, pos } of this.externals) this.view.setUint32(at, this.length + pos - at, true);
		return this.bytes.slice(0, this.length);
	}
}

/**
 * @param {{ mean: number, std: number, name?: string }} opts
 * @returns {Uint8Array}
 */
function buildImageInputMetadata({ mean, std, name }) {
	const normalization = table([ref(floats([mean])), ref(floats([std]))]);
	const imageProperties = table([u8(COLOR_SPACE_RGB)]);
	const inputTensor = table([
		ref(string('image')),
		undefined,
		undefined,
		ref(table([u8(CONTENT_PROPERTIES_IMAGE), ref(imageProperties)])),
		ref(refs([table([u8(PROCESS_UNIT_NORMALIZATION), ref(normalization)])]))
	]);
	const subgraph = table([undefined, undefined, ref(refs([inputTensor]))]);
	const modelMetadata = table([
		optionalRef(name === undefined ? undefined : string(name)),
		undefined,
		undefined,
		ref(refs([subgraph])),
		undefined,
		undefined,
		undefined,
		ref(string(MIN_PARSER_VERSION))
	]);
	const builder = new ForwardBuilder();
	builder.writeRoot(modelMetadata, METADATA_IDENTIFIER);
	return builder.finish(4);
}

/**
 * The new root Model: scalar/offset fields copied from the original (offsets pointing into it),
 * with `buffers` and `metadata` replaced by vectors that reuse the original entries and append
 * the metadata buffer and its TFLITE_METADATA entry.
 * @param {FlatReader} reader @param {Table} model @param {Uint8Array} metadataBytes
 */
function buildModelHeader(reader, model, metadataBytes) {
	if (model.slotCount > MODEL.signatureDefs + 1) {
		reader.fail(`Model has ${model.slotCount} fields; this tool only knows the first ${MODEL.signatureDefs + 1}`);
	}
	const buffers = reader.tables(model, MODEL.buffers);
	if (buffers.length === 0) reader.fail('Model has no buffers (not even the empty sentinel)');
	const keptEntries = reader.tables(model, MODEL.metadata).filter((pos) => {
		return reader.string(reader.table(pos), METADATA.name) !== METADATA_ENTRY_NAME;
	});
	/** @param {number} slot */
	const original = (slot) => {
		const pos = reader.ref(model, slot);
		return pos === 0 ? undefined : ref(external(pos));
	};
	const versionPos = reader.field(model, MODEL.version);
	const metadataBuffer = table([ref({ kind: 'bytes', bytes: metadataBytes, align: 16 })]);
	const metadataEntry = table([ref(string(METADATA_ENTRY_NAME)), u32(buffers.length)]);
	const root = table([
		versionPos === 0 ? undefined : u32(reader.u32(versionPos)),
		original(MODEL.operatorCodes),
		original(MODEL.subgraphs),
		original(MODEL.description),
		ref(refs([...buffers.map(external), metadataBuffer])),
		original(MODEL.metadataBuffer),
		ref(refs([...keptEntries.map(external), metadataEntry])),
		original(MODEL.signatureDefs)
	]);
	const builder = new ForwardBuilder();
	builder.writeRoot(root, TFLITE_IDENTIFIER);
	return builder.finish(HEADER_ALIGNMENT);
}

/**
 * Returns a copy of a TFLite model with image-input metadata (RGB, (x - mean) / std) that
 * MediaPipe Tasks needs to preprocess images for a float32 input tensor. An existing
 * TFLITE_METADATA entry is replaced; other `Model.metadata` entries are kept.
 * @param {Uint8Array} modelBytes
 * @param {{ mean?: number, std?: number, name?: string }} [opts] `name` is the ModelMetadata name
 * @returns {Uint8Array}
 */
export function addImageInputMetadata(modelBytes, opts = {}) {
	const { reader, model } = openModel(modelBytes);
	const { mean = 127.5, std = 127.5, name } = opts;
	if (!(std > 0) || !Number.isFinite(mean)) throw new RangeError(`invalid normalization mean=${mean} std=${std}`);
	const header = buildModelHeader(reader, model, buildImageInputMetadata({ mean, std, name }));
	const output = new Uint8Array(header.length + modelBytes.length);
	output.set(header, 0);
	output.set(modelBytes, header.length);
	return output;
}

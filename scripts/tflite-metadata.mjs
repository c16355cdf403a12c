// Adds TFLite Support metadata (an "M001" ModelMetadata flatbuffer) to a .tflite model, by hand.
//
// Why: MediaPipe Tasks refuses float32 image models without NormalizationOptions metadata, and
// the only BlazeFace short-range model in node_modules is the raw one from the legacy
// @mediapipe/face_detection package. This runs during `npm ci`, before any TS tooling and
// without the `flatbuffers` package, so the flatbuffers are read and written by hand
// (tflite-flatbuffer.mjs).
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
// SubGraphMetadata.custom_metadata arrived in 1.5.0, the version MediaPipe Tasks' parser reads.
const CUSTOM_METADATA_PARSER_VERSION = '1.5.0';
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
const CONTENT_PROPERTIES_BOUNDING_BOX = 3;
const BOUNDING_BOX_BOUNDARIES = 1;
const COORDINATE_RATIO = 0;
const PROCESS_UNIT_NORMALIZATION = 1;
export const COLOR_SPACE_RGB = 1;

import { FlatReader, byteVector, ForwardBuilder, external, floats, optionalRef, ref, refs, string, table, u32, u8 } from './tflite-flatbuffer.mjs';

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

/** @param {{ mean: number, std: number }} normalization */
function imageInputTensor({ mean, std }) {
	const normalization = table([ref(floats([mean])), ref(floats([std]))]);
	const imageProperties = table([u8(COLOR_SPACE_RGB)]);
	return table([
		ref(string('image')),
		undefined,
		undefined,
		ref(table([u8(CONTENT_PROPERTIES_IMAGE), ref(imageProperties)])),
		ref(refs([table([u8(PROCESS_UNIT_NORMALIZATION), ref(normalization)])]))
	]);
}

/**
 * @typedef {{ name: string, boundingBox?: boolean }} OutputTensorSpec `boundingBox`: the tensor holds
 *   boxes (BoundingBoxProperties BOUNDARIES in RATIO coordinates, what Tasks' detectors check for).
 * @typedef {{ name: string, data: Uint8Array }} CustomMetadataSpec
 * @typedef {{ name?: string, mean: number, std: number, outputs?: OutputTensorSpec[],
 *   custom?: CustomMetadataSpec[] }} MetadataSpec
 */

/** @param {OutputTensorSpec} spec */
function outputTensor({ name, boundingBox }) {
	const properties = table([undefined, u8(BOUNDING_BOX_BOUNDARIES), u8(COORDINATE_RATIO)]);
	const content = boundingBox ? ref(table([u8(CONTENT_PROPERTIES_BOUNDING_BOX), ref(properties)])) : undefined;
	return table([ref(string(name)), undefined, undefined, content]);
}

/** @param {MetadataSpec} spec @returns {Uint8Array} an M001 ModelMetadata flatbuffer */
function buildModelMetadata({ name, mean, std, outputs, custom }) {
	const subgraph = table([
		undefined,
		undefined,
		ref(refs([imageInputTensor({ mean, std })])),
		optionalRef(outputs && refs(outputs.map(outputTensor))),
		undefined,
		undefined,
		undefined,
		undefined,
		undefined,
		optionalRef(custom && refs(custom.map((c) => table([ref(string(c.name)), ref(byteVector(c.data, 16))]))))
	]);
	const modelMetadata = table([
		optionalRef(name === undefined ? undefined : string(name)),
		undefined,
		undefined,
		ref(refs([subgraph])),
		undefined,
		undefined,
		undefined,
		ref(string(custom ? CUSTOM_METADATA_PARSER_VERSION : MIN_PARSER_VERSION))
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
	const metadataBuffer = table([ref(byteVector(metadataBytes, 16))]);
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
 * Returns a copy of a TFLite model carrying `spec` as its TFLITE_METADATA: an RGB image input
 * normalized as (x - mean) / std, and optionally output tensor metadata and custom metadata. An
 * existing TFLITE_METADATA entry is replaced; other `Model.metadata` entries are kept.
 * @param {Uint8Array} modelBytes
 * @param {MetadataSpec} spec
 * @returns {Uint8Array}
 */
export function addModelMetadata(modelBytes, spec) {
	const { reader, model } = openModel(modelBytes);
	const { mean, std } = spec;
	if (!(std > 0) || !Number.isFinite(mean)) throw new RangeError(`invalid normalization mean=${mean} std=${std}`);
	const header = buildModelHeader(reader, model, buildModelMetadata(spec));
	const output = new Uint8Array(header.length + modelBytes.length);
	output.set(header, 0);
	output.set(modelBytes, header.length);
	return output;
}

/**
 * Returns a copy of a TFLite model with image-input metadata (RGB, (x - mean) / std) that
 * MediaPipe Tasks needs to preprocess images for a float32 input tensor.
 * @param {Uint8Array} modelBytes
 * @param {{ mean?: number, std?: number, name?: string }} [opts] `name` is the ModelMetadata name
 * @returns {Uint8Array}
 */
export function addImageInputMetadata(modelBytes, opts = {}) {
	const { mean = 127.5, std = 127.5, name } = opts;
	return addModelMetadata(modelBytes, name === undefined ? { mean, std } : { mean, std, name });
}

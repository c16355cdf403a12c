// Metadata that lets MediaPipe Tasks' ObjectDetector run an SSD model that has no post-processing
// op in its graph (BlazeFace full range, for one): the "DETECTOR_METADATA" custom metadata
// (an ObjectDetectorOptions flatbuffer, file_identifier "V001", schema
// mediapipe/tasks/metadata/object_detector_metadata_schema.fbs) with the anchors and the
// decoding parameters, plus the output tensor metadata the task checks ("location" with
// bounding-box properties, "score").
//
// Trap: for such models Tasks decodes boxes as y, x, h, w (and keypoints as y, x), whatever the
// model outputs; BlazeFace outputs x, y, w, h. Run the model through `swapRegressorAxes`
// (tflite-graph.mjs) first, or every box comes out transposed.
import { FlatReader, ForwardBuilder, bool, f32, i32, ref, refs, string, table } from './tflite-flatbuffer.mjs';
import { addModelMetadata, readModelMetadata } from './tflite-metadata.mjs';

const DETECTOR_IDENTIFIER = 'V001';
export const DETECTOR_METADATA_NAME = 'DETECTOR_METADATA';
const DETECTOR_PARSER_VERSION = '1.0.0';
/** Output tensor names Tasks looks the two tensors up by. */
export const LOCATION_TENSOR = 'location';
export const SCORE_TENSOR = 'score';

/**
 * @typedef {{ numClasses: number, numBoxes: number, numCoords: number, keypointCoordOffset: number,
 *   numKeypoints: number, numValuesPerKeypoint: number, xScale: number, yScale: number, wScale: number,
 *   hScale: number, applyExponentialOnBoxSize: boolean, sigmoidScore: boolean }} TensorsDecoding
 * @typedef {import('./ssd-anchors.mjs').Anchor} Anchor
 */

/**
 * @param {{ anchors: Anchor[], decoding: TensorsDecoding }} options
 * @returns {Uint8Array} a V001 ObjectDetectorOptions flatbuffer
 */
export function buildObjectDetectorOptions({ anchors, decoding }) {
	if (anchors.length !== decoding.numBoxes) {
		throw new RangeError(`${anchors.length} anchors for ${decoding.numBoxes} boxes`);
	}
	if (decoding.numCoords !== 4 + decoding.numKeypoints * decoding.numValuesPerKeypoint) {
		throw new RangeError('numCoords must be 4 + numKeypoints × numValuesPerKeypoint');
	}
	const fixedAnchors = anchors.map((a) => table([f32(a.x), f32(a.y), f32(a.width), f32(a.height)]));
	const ssdAnchorsOptions = table([ref(table([ref(refs(fixedAnchors))]))]);
	const d = decoding;
	const tensorsDecoding = table([
		i32(d.numClasses),
		i32(d.numBoxes),
		i32(d.numCoords),
		i32(d.keypointCoordOffset),
		i32(d.numKeypoints),
		i32(d.numValuesPerKeypoint),
		f32(d.xScale),
		f32(d.yScale),
		f32(d.wScale),
		f32(d.hScale),
		bool(d.applyExponentialOnBoxSize),
		bool(d.sigmoidScore)
	]);
	const root = table([ref(string(DETECTOR_PARSER_VERSION)), ref(ssdAnchorsOptions), ref(tensorsDecoding)]);
	const builder = new ForwardBuilder();
	builder.writeRoot(root, DETECTOR_IDENTIFIER);
	return builder.finish(4);
}

/**
 * Returns a copy of an SSD model (two outputs: boxes, then scores) with the metadata Tasks'
 * ObjectDetector needs to run it: image input normalization, output tensor metadata and the
 * DETECTOR_METADATA custom metadata.
 * @param {Uint8Array} modelBytes
 * @param {{ name?: string, mean?: number, std?: number, anchors: Anchor[], decoding: TensorsDecoding }} options
 */
export function addDetectorMetadata(modelBytes, { name, mean = 127.5, std = 127.5, anchors, decoding }) {
	const spec = {
		mean,
		std,
		outputs: [{ name: LOCATION_TENSOR, boundingBox: true }, { name: SCORE_TENSOR }],
		custom: [{ name: DETECTOR_METADATA_NAME, data: buildObjectDetectorOptions({ anchors, decoding }) }]
	};
	return addModelMetadata(modelBytes, name === undefined ? spec : { ...spec, name });
}

// Reading back (for checks at install and in tests).
const MODEL_METADATA = { subgraphMetadata: 3, minParserVersion: 7 };
const SUBGRAPH_METADATA = { outputTensorMetadata: 3, customMetadata: 9 };
const TENSOR_METADATA = { name: 0 };
const CUSTOM_METADATA = { name: 0, data: 1 };
const OPTIONS = { minParserVersion: 0, ssdAnchorsOptions: 1, tensorsDecodingOptions: 2 };
const DECODING_FIELDS = /** @type {const} */ ([
	['numClasses', 'i32'],
	['numBoxes', 'i32'],
	['numCoords', 'i32'],
	['keypointCoordOffset', 'i32'],
	['numKeypoints', 'i32'],
	['numValuesPerKeypoint', 'i32'],
	['xScale', 'f32'],
	['yScale', 'f32'],
	['wScale', 'f32'],
	['hScale', 'f32'],
	['applyExponentialOnBoxSize', 'bool'],
	['sigmoidScore', 'bool']
]);

/**
 * What Tasks' ObjectDetector will read from a model prepared by addDetectorMetadata: the output
 * tensor names, the metadata parser version, the anchors and the decoding. Throws when the model
 * has no DETECTOR_METADATA.
 * @param {Uint8Array} modelBytes
 */
export function readDetectorMetadata(modelBytes) {
	const { tfliteMetadata } = readModelMetadata(modelBytes);
	if (tfliteMetadata === undefined) throw new Error('the model has no TFLITE_METADATA');
	const meta = new FlatReader(tfliteMetadata, 'not a TFLite metadata (M001) buffer');
	const root = meta.root('M001');
	const [subgraphPos] = meta.tables(root, MODEL_METADATA.subgraphMetadata);
	if (subgraphPos === undefined) return meta.fail('no subgraph metadata');
	const subgraph = meta.table(subgraphPos);
	const outputs = meta.tables(subgraph, SUBGRAPH_METADATA.outputTensorMetadata).map((pos) => meta.string(meta.table(pos), TENSOR_METADATA.name) ?? '');
	const custom = meta.tables(subgraph, SUBGRAPH_METADATA.customMetadata).map((pos) => meta.table(pos));
	const entry = custom.find((t) => meta.string(t, CUSTOM_METADATA.name) === DETECTOR_METADATA_NAME);
	const data = entry && meta.bytesField(entry, CUSTOM_METADATA.data);
	if (!data) return meta.fail(`no ${DETECTOR_METADATA_NAME} custom metadata`);
	const options = new FlatReader(data, `not an ObjectDetectorOptions (${DETECTOR_IDENTIFIER}) buffer`);
	const optionsRoot = options.root(DETECTOR_IDENTIFIER);
	const ssd = options.ref(optionsRoot, OPTIONS.ssdAnchorsOptions);
	const schema = ssd === 0 ? 0 : options.ref(options.table(ssd), 0);
	const anchors =
		schema === 0
			? []
			: options.tables(options.table(schema), 0).map((pos) => {
					const a = options.table(pos);
					return { x: options.f32Field(a, 0), y: options.f32Field(a, 1), width: options.f32Field(a, 2), height: options.f32Field(a, 3) };
				});
	const decodingPos = options.ref(optionsRoot, OPTIONS.tensorsDecodingOptions);
	if (decodingPos === 0) return options.fail('no tensors_decoding_options');
	const decodingTable = options.table(decodingPos);
	/** @type {Record<string, number | boolean>} */
	const decoding = {};
	DECODING_FIELDS.forEach(([name, type], slot) => {
		if (type === 'f32') decoding[name] = options.f32Field(decodingTable, slot);
		else if (type === 'i32') decoding[name] = options.i32Field(decodingTable, slot);
		else decoding[name] = options.u8Field(decodingTable, slot) !== 0;
	});
	return {
		outputs,
		minParserVersion: meta.string(root, MODEL_METADATA.minParserVersion),
		anchors,
		decoding: /** @type {TensorsDecoding} */ (/** @type {unknown} */ (decoding))
	};
}

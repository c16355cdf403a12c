import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFullRangeModel, FULL_RANGE_DECODING } from './blazeface-full-range.mjs';
import { BLAZEFACE_FULL_RANGE_ANCHORS, ssdAnchors } from './ssd-anchors.mjs';
import { addDetectorMetadata, buildObjectDetectorOptions, readDetectorMetadata } from './tflite-detector-metadata.mjs';
import { parseImageInputMetadata, readModelMetadata, readModelStructure } from './tflite-metadata.mjs';

const require = createRequire(import.meta.url);
const faceDetection = dirname(require.resolve('@mediapipe/face_detection/package.json'));
const raw = new Uint8Array(readFileSync(join(faceDetection, 'face_detection_full_range.tflite')));
const anchors = ssdAnchors(BLAZEFACE_FULL_RANGE_ANCHORS);

describe('buildFullRangeModel', () => {
	const model = buildFullRangeModel(raw);

	it('carries the anchors and decoding Tasks’ ObjectDetector reads, and output names it looks up', () => {
		const meta = readDetectorMetadata(model);
		expect(meta.outputs).toEqual(['location', 'score']);
		// custom_metadata needs a 1.5.0 parser, which Tasks has.
		expect(meta.minParserVersion).toBe('1.5.0');
		expect(meta.decoding).toEqual(FULL_RANGE_DECODING);
		expect(meta.anchors).toHaveLength(2304);
		// Stored as float32: equal to the computed anchors to float precision.
		const worst = Math.max(...meta.anchors.map((a, i) => Math.max(Math.abs(a.x - anchors[i]!.x), Math.abs(a.y - anchors[i]!.y))));
		expect(worst).toBeLessThan(1e-6);
		expect(meta.anchors.every((a) => a.width === 1 && a.height === 1)).toBe(true);
	});

	it('describes an RGB input normalized to [-1, 1] and keeps the graph reachable', () => {
		const { tfliteMetadata } = readModelMetadata(model);
		expect(parseImageInputMetadata(tfliteMetadata!)).toEqual({ colorSpace: 1, mean: [127.5], std: [127.5] });
		expect(readModelStructure(model).subgraphs).toEqual(readModelStructure(raw).subgraphs);
	});

	it('keeps the original bytes 16-byte aligned after the new header', () => {
		expect((model.length - raw.length) % 16).toBe(0);
	});
});

describe('buildObjectDetectorOptions', () => {
	it('refuses anchors that do not match the boxes, and keypoints that do not add up', () => {
		expect(() => buildObjectDetectorOptions({ anchors: anchors.slice(1), decoding: FULL_RANGE_DECODING })).toThrow(/2303 anchors for 2304/);
		expect(() => buildObjectDetectorOptions({ anchors, decoding: { ...FULL_RANGE_DECODING, numCoords: 14 } })).toThrow(/numCoords/);
	});
});

describe('readDetectorMetadata', () => {
	it('says so when a model has no detector metadata', () => {
		expect(() => readDetectorMetadata(raw)).toThrow(/no TFLITE_METADATA/);
		const shortModel = new Uint8Array(readFileSync(join(faceDetection, 'face_detection_short_range.tflite')));
		const tiny = ssdAnchors({
			inputWidth: 8,
			inputHeight: 8,
			minScale: 0.1,
			maxScale: 0.5,
			strides: [8],
			fixedAnchorSize: true,
			interpolatedScaleAspectRatio: 0
		});
		const withMeta = addDetectorMetadata(shortModel, { anchors: tiny, decoding: { ...FULL_RANGE_DECODING, numBoxes: 1 } });
		expect(readDetectorMetadata(withMeta).anchors).toEqual([{ x: 0.5, y: 0.5, width: 1, height: 1 }]);
	});
});

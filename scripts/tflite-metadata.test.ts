import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLOR_SPACE_RGB, addImageInputMetadata, parseImageInputMetadata, readModelMetadata, readModelStructure } from './tflite-metadata.mjs';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const readBytes = (path: string) => new Uint8Array(readFileSync(path));

const faceDetection = packageDir('@mediapipe/face_detection');
const rawShortRange = readBytes(join(faceDetection, 'face_detection_short_range.tflite'));
// The sparse full-range model is the one that already carries a Model.metadata entry.
const rawWithMetadata = readBytes(join(faceDetection, 'face_detection_full_range_sparse.tflite'));
const jpeg = readBytes(join(packageDir('@vladmandic/face-api'), 'demo/sample1.jpg'));

const output = addImageInputMetadata(rawShortRange);

function ascii(bytes: Uint8Array) {
	return String.fromCharCode(...bytes);
}

function metadataBytes(model: Uint8Array) {
	const { tfliteMetadata } = readModelMetadata(model);
	if (tfliteMetadata === undefined) throw new Error('no TFLITE_METADATA in model');
	return tfliteMetadata;
}

/** Deterministic, so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number) {
	const bytes = new Uint8Array(length);
	let state = seed;
	for (let i = 0; i < length; i++) {
		state = (Math.imul(state, 1103515245) + 12345) >>> 0;
		bytes[i] = state >>> 24;
	}
	return bytes;
}

describe('addImageInputMetadata on the raw BlazeFace short-range model', () => {
	it('writes a root offset and the TFL3 identifier', () => {
		const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
		expect(ascii(output.subarray(4, 8))).toBe('TFL3');
		const root = view.getUint32(0, true);
		expect(root).toBeGreaterThanOrEqual(8);
		expect(root).toBeLessThan(output.length - rawShortRange.length);
	});

	it('prepends a header that is a multiple of 16 bytes and leaves the original bytes intact', () => {
		const headerLength = output.length - rawShortRange.length;
		expect(headerLength).toBeGreaterThan(0);
		expect(headerLength % 16).toBe(0);
		// Buffer.equals: toEqual on ~230k elements takes a second.
		expect(Buffer.from(output.subarray(headerLength)).equals(rawShortRange)).toBe(true);
	});

	it('keeps all original buffers and appends the metadata buffer', () => {
		const before = readModelMetadata(rawShortRange);
		const after = readModelMetadata(output);
		expect(after.bufferCount).toBe(before.bufferCount + 1);
		expect(after.entries).toEqual([{ name: 'TFLITE_METADATA', buffer: before.bufferCount }]);
	});

	it('stores an M001 buffer describing an RGB input normalized with mean 127.5 / std 127.5', () => {
		const meta = metadataBytes(output);
		expect(ascii(meta.subarray(4, 8))).toBe('M001');
		expect(parseImageInputMetadata(meta)).toEqual({ colorSpace: COLOR_SPACE_RGB, mean: [127.5], std: [127.5] });
	});

	it('leaves subgraphs and operator codes reachable from the new root', () => {
		const structure = readModelStructure(output);
		expect(structure.subgraphs).toHaveLength(1);
		expect(structure.subgraphs[0]?.inputs.map((t) => t.shape)).toEqual([[1, 128, 128, 3]]);
		expect(structure.operatorCodeCount).toBeGreaterThan(0);
		expect(structure).toEqual(readModelStructure(rawShortRange));
	});

	it('honours custom normalization and model name', () => {
		const meta = metadataBytes(addImageInputMetadata(rawShortRange, { mean: 0, std: 255, name: 'test' }));
		expect(parseImageInputMetadata(meta)).toEqual({ colorSpace: COLOR_SPACE_RGB, mean: [0], std: [255] });
		expect(new TextDecoder().decode(meta)).toContain('test');
	});

	it('rejects a non-positive std', () => {
		expect(() => addImageInputMetadata(rawShortRange, { std: 0 })).toThrow(/std/);
	});
});

describe('existing Model.metadata entries', () => {
	it('are kept, with TFLITE_METADATA appended', () => {
		const before = readModelMetadata(rawWithMetadata);
		expect(before.entries.map((e) => e.name)).toEqual(['min_runtime_version']);
		const after = readModelMetadata(addImageInputMetadata(rawWithMetadata));
		expect(after.entries).toEqual([...before.entries, { name: 'TFLITE_METADATA', buffer: before.bufferCount }]);
	});

	it('replace an earlier TFLITE_METADATA entry instead of duplicating it', () => {
		const twice = addImageInputMetadata(output, { mean: 1, std: 2 });
		const { entries, bufferCount } = readModelMetadata(twice);
		expect(entries).toEqual([{ name: 'TFLITE_METADATA', buffer: bufferCount - 1 }]);
		expect(parseImageInputMetadata(metadataBytes(twice))).toMatchObject({ mean: [1], std: [2] });
	});
});

describe('bytes that are not a TFLite model', () => {
	it.each([
		['empty', new Uint8Array(0)],
		['random bytes', pseudoRandomBytes(4096, 42)],
		['a JPEG', jpeg]
	])('%s: throws', (_label, bytes) => {
		expect(() => addImageInputMetadata(bytes)).toThrow(/not a TFLite model/);
		expect(() => readModelMetadata(bytes)).toThrow(/not a TFLite model/);
	});

	it('a root offset pointing outside the file: throws', () => {
		const bytes = new Uint8Array([0xf0, 0xff, 0, 0, ...new TextEncoder().encode('TFL3')]);
		expect(() => addImageInputMetadata(bytes)).toThrow(/out of range/);
	});

	it('a truncated model: throws', () => {
		expect(() => addImageInputMetadata(rawShortRange.subarray(0, 2000))).toThrow(/out of range/);
	});

	it('parseImageInputMetadata on a model instead of metadata: throws', () => {
		expect(() => parseImageInputMetadata(rawShortRange)).toThrow(/M001/);
	});
});

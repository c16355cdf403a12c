import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGraph, reorderBoxOutputs, swapRegressorAxes } from './tflite-graph.mjs';

const require = createRequire(import.meta.url);
const faceDetection = dirname(require.resolve('@mediapipe/face_detection/package.json'));
const fullRange = new Uint8Array(readFileSync(join(faceDetection, 'face_detection_full_range.tflite')));
const shortRange = new Uint8Array(readFileSync(join(faceDetection, 'face_detection_short_range.tflite')));

/** The regressor's constant kernel and bias, as the graph walk finds them (behind DEQUANTIZE). */
function regressorConstants(model: Uint8Array) {
	const graph = readGraph(model);
	const byName = (name: string) => {
		const t = graph.tensors.find((x) => x.name === name);
		if (!t) throw new Error(`no tensor ${name}`);
		const data = graph.bufferData(t.buffer)!;
		return { tensor: t, bytes: model.subarray(data.offset, data.offset + data.length) };
	};
	return { kernel: byName('regressor_face_4/Kernel'), bias: byName('regressor_face_4/Bias') };
}

describe('readGraph', () => {
	it('reads the full-range model: one input, box and score outputs, float16 weights behind DEQUANTIZE', () => {
		const graph = readGraph(fullRange);
		expect(graph.inputs.map((i) => graph.tensors[i]!.shape)).toEqual([[1, 192, 192, 3]]);
		expect(graph.outputs.map((i) => graph.tensors[i]!.shape)).toEqual([
			[1, 2304, 16],
			[1, 2304, 1]
		]);
		const { kernel, bias } = regressorConstants(fullRange);
		expect(kernel.tensor).toMatchObject({ shape: [16, 1, 1, 48], type: 1 });
		expect(bias.tensor).toMatchObject({ shape: [16], type: 1 });
		expect(kernel.bytes.length).toBe(16 * 48 * 2);
	});
});

describe('swapRegressorAxes', () => {
	const swapped = swapRegressorAxes(fullRange, 16);

	it('moves kernel and bias rows pairwise (x↔y, w↔h, each keypoint x↔y) and changes no other byte', () => {
		const before = regressorConstants(fullRange);
		const after = regressorConstants(swapped);
		const rowBytes = 48 * 2;
		for (let row = 0; row < 16; row++) {
			const from = row ^ 1;
			expect(
				Buffer.from(after.kernel.bytes.subarray(row * rowBytes, (row + 1) * rowBytes)).equals(
					before.kernel.bytes.subarray(from * rowBytes, (from + 1) * rowBytes)
				),
				`row ${row}`
			).toBe(true);
			expect(Buffer.from(after.bias.bytes.subarray(row * 2, row * 2 + 2)).equals(before.bias.bytes.subarray(from * 2, from * 2 + 2))).toBe(true);
		}
		const changed = new Set<number>();
		for (let i = 0; i < fullRange.length; i++) if (fullRange[i] !== swapped[i]) changed.add(i);
		const inside = (i: number, part: { bytes: Uint8Array }) =>
			i >= part.bytes.byteOffset - fullRange.byteOffset && i < part.bytes.byteOffset - fullRange.byteOffset + part.bytes.length;
		expect(changed.size).toBeGreaterThan(1000);
		expect([...changed].every((i) => inside(i, before.kernel) || inside(i, before.bias))).toBe(true);
		expect(swapped.length).toBe(fullRange.length);
	});

	it('is undone by doing it again, and leaves its input alone', () => {
		expect(Buffer.from(swapRegressorAxes(swapped, 16)).equals(fullRange)).toBe(true);
		expect(Buffer.from(swapped).equals(fullRange)).toBe(false);
	});

	it('refuses what it does not understand', () => {
		// The short-range model concatenates two regressor layers: not one convolution to reorder.
		expect(() => swapRegressorAxes(shortRange, 16)).toThrow(/RESHAPE of a CONV_2D/);
		expect(() => swapRegressorAxes(fullRange, 15)).toThrow(RangeError);
		expect(() => reorderBoxOutputs(fullRange, [0, 0, 1, 2])).toThrow(/permutation/);
		expect(() => reorderBoxOutputs(fullRange, [0, 1, 2])).toThrow(/multiple of 3/);
		expect(() => readGraph(new Uint8Array(64))).toThrow(/not a TFLite model/);
	});
});

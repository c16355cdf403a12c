// The hand-written ONNX writer, read back by onnxruntime itself: a tiny graph with every attribute
// kind the model tools use (ints, a negative int, floats, a string) and both initializer types.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Ort from 'onnxruntime-node';
import { samePads } from './onnx-graph.mjs';
import { DataType, writeOnnxModel } from './onnx-writer.mjs';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;

describe('writeOnnxModel', () => {
	it('writes a model onnxruntime loads and runs as written', async () => {
		const bytes = writeOnnxModel({
			name: 'tiny',
			producer: 'test',
			opset: 17,
			nodes: [
				// y = Pad(x + bias) by one zero column on the right, then Transpose and Flatten.
				{ op: 'Add', inputs: ['x', 'bias'], outputs: ['sum'] },
				{ op: 'Pad', inputs: ['sum', 'pads'], outputs: ['padded'], attributes: { mode: 'constant' } },
				{ op: 'Transpose', inputs: ['padded'], outputs: ['t'], attributes: { perm: [1, 0] } },
				{ op: 'Flatten', inputs: ['t'], outputs: ['flat'], attributes: { axis: -1 } },
				{ op: 'LeakyRelu', inputs: ['flat'], outputs: ['y'], attributes: { alpha: 0.5 } }
			],
			initializers: [
				{ name: 'bias', dataType: DataType.FLOAT, dims: [1, 2], data: Float32Array.of(10, -20) },
				{ name: 'pads', dataType: DataType.INT64, dims: [4], data: BigInt64Array.of(0n, 0n, 0n, 1n) }
			],
			inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: ['batch', 2] }],
			outputs: [{ name: 'y', dataType: DataType.FLOAT, shape: [3, 'batch'] }]
		});
		const session = await ort.InferenceSession.create(bytes);
		const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]) });
		expect(out.y!.dims).toEqual([3, 2]);
		expect(Array.from(out.y!.data as Float32Array)).toEqual([11, 13, -9, -8, 0, 0]);
		await session.release();
	});

	it('refuses a tensor whose data does not fill its dims', () => {
		const model = {
			name: 'bad',
			producer: 'test',
			opset: 17,
			nodes: [],
			initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [2, 2], data: new Float32Array(3) }],
			inputs: [],
			outputs: []
		};
		expect(() => writeOnnxModel(model)).toThrow(/tensor w: 3 values for dims \[2,2\]/);
	});
});

describe('samePads', () => {
	it("pads as TensorFlow's 'same' does: the odd pixel at the end", () => {
		expect(samePads(112, 3, 2)).toEqual([0, 0, 1, 1]);
		expect(samePads(7, 3, 2)).toEqual([1, 1, 1, 1]);
		expect(samePads(28, 3, 1)).toEqual([1, 1, 1, 1]);
	});
});

// The wasm Concat kernel replacement against a plain JavaScript concatenation, on the tfjs
// runtime the face engine uses (face-api's wasm build).
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmConcat } from './wasm-concat.ts';

let tf: typeof TfTypes;

beforeAll(async () => {
	const require = createRequire(import.meta.url);
	const faceApiFile = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'dist/face-api.node-wasm.js');
	const fromFaceApi = createRequire(faceApiFile);
	const wasm = fromFaceApi('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string, usePlatformFetch?: boolean): void };
	tf = (fromFaceApi(faceApiFile) as { tf: typeof TfTypes }).tf;
	wasm.setWasmPaths(path.dirname(fromFaceApi.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep, false);
	expect(await tf.setBackend('wasm')).toBe(true);
	await tf.ready();
	installWasmConcat(tf);
	installWasmConcat(tf); // twice is once
});

/** Row-major concatenation along `axis`, by hand. */
function byHand(parts: Array<{ shape: number[]; values: number[] }>, axis: number): number[] {
	const outer = parts[0]!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
	const out: number[] = [];
	for (let b = 0; b < outer; b++) {
		for (const { shape, values } of parts) {
			const run = shape.slice(axis).reduce((a, c) => a * c, 1);
			out.push(...values.slice(b * run, (b + 1) * run));
		}
	}
	return out;
}

/** Rounded, and never -0 (an int32 tensor has no -0). */
const toInt = (v: number) => Math.round(v) + 0;
const part = (shape: number[], seed: number) => ({
	shape,
	values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7 + seed * 13) % 97) - 40.5)
});

describe('installWasmConcat', () => {
	it('is the kernel in force on the wasm backend', () => {
		expect(tf.getBackend()).toBe('wasm');
		expect((tf.getKernel('Concat', 'wasm') as { fastConcat?: boolean }).fastConcat).toBe(true);
	});

	it.each([
		{
			name: 'channels of an image (normalize’s mean image)',
			shapes: [
				[2, 5, 6, 1],
				[2, 5, 6, 1],
				[2, 5, 6, 1]
			],
			axis: 3
		},
		{
			name: 'channel padding',
			shapes: [
				[1, 4, 4, 3],
				[1, 4, 4, 5]
			],
			axis: 3
		},
		{
			name: 'a row',
			shapes: [
				[2, 3, 4, 2],
				[2, 1, 4, 2]
			],
			axis: 1
		},
		{
			name: 'long runs (copied with set)',
			shapes: [
				[3, 2, 70],
				[3, 1, 70]
			],
			axis: 1
		},
		{
			name: 'a negative axis',
			shapes: [
				[2, 3],
				[2, 4]
			],
			axis: -1
		},
		{
			name: 'the first axis (the original kernel)',
			shapes: [
				[2, 3],
				[1, 3]
			],
			axis: 0
		}
	])('concatenates $name exactly', ({ shapes, axis }) => {
		const parts = shapes.map((shape, i) => part(shape, i));
		for (const dtype of ['float32', 'int32'] as const) {
			const tensors = parts.map((p) => tf.tensor(dtype === 'int32' ? p.values.map(toInt) : p.values, p.shape, dtype));
			const out = tf.concat(tensors, axis);
			const rank = shapes[0]!.length;
			const expected = byHand(
				parts.map((p) => ({ shape: p.shape, values: dtype === 'int32' ? p.values.map(toInt) : p.values })),
				(axis + rank) % rank
			);
			expect(out.dtype).toBe(dtype);
			expect(Array.from(out.dataSync())).toEqual(expected);
			tf.dispose([out, ...tensors]);
		}
	});
});

/**
 * A faster Concat kernel for tfjs's wasm backend (issue #10: per-face waste found with
 * `node --cpu-prof` on bench:batch). tfjs-backend-wasm 4.22 concatenates in JavaScript, one
 * `subarray` + `set` per input per outer index: along the channel axis of an image that is one
 * pair of calls per pixel. face-api's `normalize` builds its mean image that way for every net
 * input (3 × 150 × 150 channels concatenated along axis 3 for a descriptor, 3 × 112 × 112 for a
 * landmark pass), and the recognition net pads channels the same way: ~12 % of a worker's busy
 * time in the profile. This kernel copies short runs with a plain loop instead (no allocation)
 * and long runs with `set`; the output is the same bytes. Strings, empty tensors and
 * single-run concatenations go to the original kernel.
 */
import type * as TfTypes from '@tensorflow/tfjs';

type Tf = typeof TfTypes;
type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type TypedArray = Float32Array | Int32Array | Uint8Array;
type WasmBackend = {
	makeOutput(shape: number[], dtype: string): TensorInfo;
	typedArrayFromHeap(t: TensorInfo): TypedArray;
};
type ConcatArgs = { inputs: TensorInfo[]; backend: WasmBackend; attrs: { axis: number | number[] } };

/** Runs shorter than this are copied element by element; longer ones with `TypedArray.set`. */
const LOOP_COPY_MAX = 64;

/** Replaces the wasm backend's Concat kernel (once per thread; a no-op when already done or on another backend). */
export function installWasmConcat(tf: Tf): void {
	const original = tf.getKernel('Concat', 'wasm') as (TfTypes.KernelConfig & { fastConcat?: true }) | undefined;
	if (!original || original.fastConcat) return;
	const fallback = original.kernelFunc as unknown as (args: ConcatArgs) => TensorInfo;

	function concat(args: ConcatArgs): TensorInfo {
		const { inputs, backend, attrs } = args;
		const first = inputs[0];
		if (!first || inputs.length < 2 || first.dtype === 'string') return fallback(args);
		const axis = tf.util.parseAxisParam(attrs.axis, first.shape)[0]!;
		if (inputs.some((t) => tf.util.sizeFromShape(t.shape) === 0)) return fallback(args);
		const outer = tf.util.sizeFromShape(first.shape.slice(0, axis));
		if (outer === 1) return fallback(args); // one `set` per input already
		tf.backend_util.assertParamsConsistent(
			inputs.map((t) => t.shape),
			axis
		);
		const out = backend.makeOutput(
			tf.backend_util.computeOutShape(
				inputs.map((t) => t.shape),
				axis
			),
			first.dtype
		);
		// Views after makeOutput: it may grow the wasm heap, which detaches older views.
		const from = inputs.map((t) => backend.typedArrayFromHeap(t));
		const to = backend.typedArrayFromHeap(out);
		const runs = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
		let o = 0;
		for (let b = 0; b < outer; b++) {
			for (let i = 0; i < from.length; i++) {
				const src = from[i]!;
				const run = runs[i]!;
				const start = b * run;
				if (run < LOOP_COPY_MAX) {
					for (let k = 0; k < run; k++) to[o + k] = src[start + k]!;
				} else {
					to.set(src.subarray(start, start + run), o);
				}
				o += run;
			}
		}
		return out;
	}

	tf.unregisterKernel('Concat', 'wasm');
	tf.registerKernel({ ...original, kernelFunc: concat as unknown as TfTypes.KernelFunc, fastConcat: true } as TfTypes.KernelConfig);
}

// Reads a tfjs weights manifest (`*-weights_manifest.json` + its shards) into float32 arrays, the
// way tfjs's io.decodeWeights does: uint8/uint16-quantized entries become `q * scale + min`
// rounded to float32, float32 entries are copied; int32 entries (the shape constants of SSD's
// exported graph, which face-api never reads) are kept as rounded numbers. Used to rebuild face-api's networks as ONNX.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * @typedef {{ name: string, shape: number[], dtype: string,
 *   quantization?: { dtype: 'uint8' | 'uint16', scale: number, min: number } }} ManifestEntry
 * @typedef {{ shape: number[], values: Float32Array }} Weight
 */

/**
 * @param {string} manifestFile
 * @returns {Promise<Map<string, Weight>>}
 */
export async function readTfjsWeights(manifestFile) {
	/** @type {Array<{ paths: string[], weights: ManifestEntry[] }>} */
	const groups = JSON.parse(await readFile(manifestFile, 'utf8'));
	/** @type {Map<string, Weight>} */
	const weights = new Map();
	for (const group of groups) {
		const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(manifestFile), p))));
		const bytes = Buffer.concat(shards);
		let at = 0;
		for (const entry of group.weights) {
			const count = entry.shape.reduce((a, b) => a * b, 1);
			if (entry.dtype !== 'float32' && entry.dtype !== 'int32') throw new Error(`${manifestFile}: ${entry.name} has dtype ${entry.dtype}, expected float32`);
			const q = entry.quantization;
			const size = q ? (q.dtype === 'uint8' ? 1 : q.dtype === 'uint16' ? 2 : 0) : 4;
			if (!size) throw new Error(`${manifestFile}: ${entry.name} has unsupported quantization ${q?.dtype}`);
			if (at + count * size > bytes.length) throw new Error(`${manifestFile}: shards end inside ${entry.name}`);
			const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * size);
			const values = new Float32Array(count);
			for (let i = 0; i < count; i++) {
				if (!q) values[i] = entry.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
				else values[i] = (size === 1 ? view.getUint8(i) : view.getUint16(i * 2, true)) * q.scale + q.min;
				if (entry.dtype === 'int32') values[i] = Math.round(values[i]);
			}
			weights.set(entry.name, { shape: entry.shape, values });
			at += count * size;
		}
		if (at !== bytes.length) throw new Error(`${manifestFile}: ${bytes.length - at} bytes left after the last weight`);
	}
	return weights;
}

/**
 * A tfjs conv filter [kh, kw, in, out] (HWIO) as ONNX's [out, in, kh, kw] (OIHW), each output
 * channel multiplied by `scale[o]` when given (a folded batch-norm / scale layer), in float32.
 * @param {Weight} filter @param {Float32Array} [scale]
 */
export function hwioToOihw(filter, scale) {
	const [kh, kw, cin, cout] = /** @type {[number, number, number, number]} */ (filter.shape);
	const out = new Float32Array(filter.values.length);
	for (let y = 0; y < kh; y++)
		for (let x = 0; x < kw; x++)
			for (let i = 0; i < cin; i++)
				for (let o = 0; o < cout; o++) {
					const v = filter.values[((y * kw + x) * cin + i) * cout + o];
					out[((o * cin + i) * kh + y) * kw + x] = scale ? Math.fround(v * scale[o]) : v;
				}
	return out;
}

/**
 * A tfjs depthwise filter [kh, kw, C, 1] as ONNX's grouped-conv weight [C, 1, kh, kw], each
 * channel multiplied by `scale[c]` when given (a folded batch norm), in float32.
 * @param {Weight} filter @param {Float32Array} [scale]
 */
export function depthwiseToOnnx(filter, scale) {
	const [kh, kw, channels] = /** @type {[number, number, number, number]} */ (filter.shape);
	const out = new Float32Array(filter.values.length);
	for (let y = 0; y < kh; y++)
		for (let x = 0; x < kw; x++)
			for (let c = 0; c < channels; c++) {
				const v = filter.values[(y * kw + x) * channels + c];
				out[(c * kh + y) * kw + x] = scale ? Math.fround(v * scale[c]) : v;
			}
	return out;
}

// A face-api net's input, as face-api builds it (NetInput.toBatchTensor(size, true)): the image
// region padded to a square with zeros split around it (round(diff / 2) after, the rest before;
// SSD's toBatchTensor(size, false): all after, at the bottom / right), then resized by tfjs's
// resizeBilinear without corner alignment or half-pixel centres (the source point of output row
// r is r × side / size). Mean subtraction and / 255 (SSD: / 127.5 - 1) run in the graphs.
// Output: planar RGB (NCHW), float32 0-255, written into `out` at `offset` so that a batch fills
// one buffer. Pure; mirrors tfjs's float32 arithmetic step by step (descriptors agree to ~3e-7).
import type { FaceBox, RgbImage } from '../types.ts';

/** FaceRecognitionNet's input side (px) and the 68-landmark net's. */
export const RECOGNITION_SIZE = 150;
export const LANDMARK_SIZE = 112;

/** Floats one image takes in a net's input of `size` px. */
export const inputFloats = (size: number) => 3 * size * size;

const f = Math.fround;

export interface NetInputOptions {
	/** The net's input side (px). */
	size: number;
	/** A whole-pixel box inside `image` (clipBox's output); the whole image when absent. */
	region?: FaceBox;
	/** Where to write (default: a new buffer for one image), from `offset` floats in. */
	out?: Float32Array;
	offset?: number;
	/** Where the padding goes: split around the region ('centre', default) or all after it ('end', SSD's). */
	padding?: 'centre' | 'end';
}

/** Writes the 3 × size × size input of `image` (or its `region`) into `out`; returns `out`. */
export function netInput(
	image: RgbImage,
	{ size, region, out = new Float32Array(inputFloats(size)), offset = 0, padding = 'centre' }: NetInputOptions
): Float32Array {
	const { width: W, height: H, data } = image;
	if (data.length !== W * H * 3 || W < 1 || H < 1) throw new RangeError(`bad image ${W}x${H}`);
	const { x: rx, y: ry, width, height } = region ?? { x: 0, y: 0, width: W, height: H };
	if (
		!Number.isInteger(rx) ||
		!Number.isInteger(ry) ||
		!Number.isInteger(width) ||
		!Number.isInteger(height) ||
		rx < 0 ||
		ry < 0 ||
		width < 1 ||
		height < 1 ||
		rx + width > W ||
		ry + height > H
	) {
		throw new RangeError(`region ${rx},${ry} ${width}x${height} is not whole pixels inside ${W}x${H}`);
	}
	if (offset < 0 || offset + inputFloats(size) > out.length) throw new RangeError('output buffer too small');
	const side = Math.max(width, height);
	const diff = side - Math.min(width, height);
	const before = padding === 'end' ? 0 : diff - Math.round(diff / 2);
	const padX = width < height ? before : 0;
	const padY = height < width ? before : 0;
	// A padded square's row and column as byte offsets into `data` (-1 in the padding), and its pixel.
	const column = (x: number) => (x - padX < 0 || x - padX >= width ? -1 : (rx + x - padX) * 3);
	const row = (y: number) => (y - padY < 0 || y - padY >= height ? -1 : (ry + y - padY) * W * 3);
	const tap = (rowAt: number, colAt: number, c: number): number => (rowAt < 0 || colAt < 0 ? 0 : data[rowAt + colAt + c]!);
	const plane = size * size;
	if (side === size) {
		for (let y = 0; y < size; y++)
			for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) out[offset + c * plane + y * size + x] = tap(row(y), column(x), c);
		return out;
	}
	const ratio = f(side / size);
	// Each output column's two source columns and weight, worked out once rather than for every
	// row and channel.
	const left = new Int32Array(size);
	const right = new Int32Array(size);
	const weightX = new Float32Array(size);
	for (let q = 0; q < size; q++) {
		const sx = f(ratio * q);
		const x0 = Math.floor(sx);
		left[q] = column(x0);
		right[q] = column(Math.min(side - 1, Math.ceil(sx)));
		weightX[q] = f(sx - x0);
	}
	for (let r = 0; r < size; r++) {
		const sy = f(ratio * r);
		const y0 = Math.floor(sy);
		const upper = row(y0);
		const lower = row(Math.min(side - 1, Math.ceil(sy)));
		const fy = f(sy - y0);
		for (let q = 0; q < size; q++) {
			const x0 = left[q]!;
			const x1 = right[q]!;
			const fx = weightX[q]!;
			for (let c = 0; c < 3; c++) {
				const tl = tap(upper, x0, c);
				const tr = tap(upper, x1, c);
				const bl = tap(lower, x0, c);
				const br = tap(lower, x1, c);
				const top = f(tl + f(f(tr - tl) * fx));
				const bottom = f(bl + f(f(br - bl) * fx));
				out[offset + c * plane + r * size + q] = f(top + f(f(bottom - top) * fy));
			}
		}
	}
	return out;
}

// The recognition net's input, as face-api builds it (NetInput.toBatchTensor(150, true)): the chip
// padded to a square with zeros split around it (chips from alignedChip are square already), then
// resized to 150 px by tfjs's resizeBilinear without corner alignment or half-pixel centres (the
// source point of output row r is r × inHeight / 150). The mean subtraction and / 255 run in the
// graph. Output: planar RGB (NCHW), float32 0-255, written into `out` at `offset` so that a
// batch fills one buffer. Pure; mirrors tfjs's float32 arithmetic step by step.
import type { RgbImage } from '../types.ts';

export const RECOGNITION_SIZE = 150;
/** Floats one chip takes in the net's input. */
export const RECOGNITION_INPUT_FLOATS = 3 * RECOGNITION_SIZE * RECOGNITION_SIZE;

const f = Math.fround;

/** Writes the 3 × 150 × 150 input of `chip` into `out` from `offset` (floats); returns `out`. */
export function recognitionInput(chip: RgbImage, out = new Float32Array(RECOGNITION_INPUT_FLOATS), offset = 0): Float32Array {
	const { width, height, data } = chip;
	if (data.length !== width * height * 3 || width < 1 || height < 1) throw new RangeError(`bad chip ${width}x${height}`);
	if (offset < 0 || offset + RECOGNITION_INPUT_FLOATS > out.length) throw new RangeError('output buffer too small');
	// padToSquare(centre): the minor side gets round(diff / 2) zeros after and the rest before.
	const side = Math.max(width, height);
	const diff = side - Math.min(width, height);
	const before = diff - Math.round(diff / 2);
	const padX = width < height ? before : 0;
	const padY = height < width ? before : 0;
	const at = (y: number, x: number, c: number): number => {
		const sx = x - padX;
		const sy = y - padY;
		return sx < 0 || sy < 0 || sx >= width || sy >= height ? 0 : data[(sy * width + sx) * 3 + c]!;
	};
	const plane = RECOGNITION_SIZE * RECOGNITION_SIZE;
	if (side === RECOGNITION_SIZE) {
		for (let y = 0; y < side; y++)
			for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) out[offset + c * plane + y * side + x] = at(y, x, c);
		return out;
	}
	const ratio = f(side / RECOGNITION_SIZE);
	for (let r = 0; r < RECOGNITION_SIZE; r++) {
		const sy = f(ratio * r);
		const y0 = Math.floor(sy);
		const y1 = Math.min(side - 1, Math.ceil(sy));
		const fy = f(sy - y0);
		for (let q = 0; q < RECOGNITION_SIZE; q++) {
			const sx = f(ratio * q);
			const x0 = Math.floor(sx);
			const x1 = Math.min(side - 1, Math.ceil(sx));
			const fx = f(sx - x0);
			for (let c = 0; c < 3; c++) {
				const tl = at(y0, x0, c);
				const tr = at(y0, x1, c);
				const bl = at(y1, x0, c);
				const br = at(y1, x1, c);
				const top = f(tl + f(f(tr - tl) * fx));
				const bottom = f(bl + f(f(br - bl) * fx));
				out[offset + c * plane + r * RECOGNITION_SIZE + q] = f(top + f(f(bottom - top) * fy));
			}
		}
	}
	return out;
}

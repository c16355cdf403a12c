// The nets' input layout; that it matches face-api's toBatchTensor number for number is checked on
// real faces, through the descriptors, in scripts/face-api-onnx.test.ts.
import { describe, expect, it } from 'vitest';
import { inputFloats, netInput } from './net-input.ts';

const image = (width: number, height: number) => ({ width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => i % 251) });

describe('netInput', () => {
	it('writes planar RGB unchanged when no resize is needed', () => {
		const img = image(2, 2);
		expect(Array.from(netInput(img, { size: 2 }))).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
	});

	it('pads the short side with zeros, the larger half after (face-api padToSquare, centred)', () => {
		// 1 wide, 4 tall: 3 columns of padding, 1 before and 2 after.
		const img = { width: 1, height: 4, data: Uint8Array.from({ length: 12 }, () => 200) };
		const red = Array.from(netInput(img, { size: 4 }).subarray(0, 16));
		expect(red).toEqual([0, 200, 0, 0, 0, 200, 0, 0, 0, 200, 0, 0, 0, 200, 0, 0]);
	});

	it('pads at the end instead for SSD (face-api toBatchTensor(size, false))', () => {
		const img = { width: 1, height: 4, data: Uint8Array.from({ length: 12 }, () => 200) };
		const red = Array.from(netInput(img, { size: 4, padding: 'end' }).subarray(0, 16));
		expect(red).toEqual([200, 0, 0, 0, 200, 0, 0, 0, 200, 0, 0, 0, 200, 0, 0, 0]);
		const wide = { width: 4, height: 1, data: Uint8Array.from({ length: 12 }, () => 100) };
		const rows = Array.from(netInput(wide, { size: 4, padding: 'end' }).subarray(0, 16));
		expect(rows).toEqual([100, 100, 100, 100, ...Array<number>(12).fill(0)]);
	});

	it('reads a region in place and fills a batch buffer at an offset', () => {
		const img = image(4, 4);
		const out = new Float32Array(2 * inputFloats(2));
		netInput(img, { size: 2, region: { x: 2, y: 2, width: 2, height: 2 }, out, offset: inputFloats(2) });
		expect(Array.from(out.subarray(0, inputFloats(2))).every((v) => v === 0)).toBe(true);
		expect(out[inputFloats(2)]).toBe(img.data[(2 * 4 + 2) * 3]);
	});

	it('refuses regions outside the image or between pixels, and short buffers', () => {
		const img = image(4, 4);
		expect(() => netInput(img, { size: 2, region: { x: 3, y: 0, width: 2, height: 2 } })).toThrow(RangeError);
		expect(() => netInput(img, { size: 2, region: { x: 0.5, y: 0, width: 2, height: 2 } })).toThrow(RangeError);
		expect(() => netInput(img, { size: 2, out: new Float32Array(5) })).toThrow(RangeError);
	});
});

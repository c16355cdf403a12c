/**
 * A frame's index written into the picture itself, so a test can tell exactly which frame of a
 * fake-camera clip the page is showing (Chromium loops the clip from wherever it starts, and the
 * video element's times say nothing about the clip's frames).
 *
 * The tag is a strip of TAG_CELLS black or white cells along the bottom TAG_HEIGHT_PX rows: a
 * white start cell, 16 bits of the index (most significant first), a parity cell and a black end
 * cell. Cells are 32 px wide and 8 px high, large enough to survive 4:2:0 chroma and scaling.
 */
export const TAG_HEIGHT_PX = 8;
const BITS = 16;
const TAG_CELLS = BITS + 3;

/** Writes frame `index` (0..65535) into the bottom rows of an RGB frame, in place. */
export function stampFrameTag(rgb: Buffer, width: number, height: number, index: number): void {
	const cells = [1, ...Array.from({ length: BITS }, (_, b) => (index >> (BITS - 1 - b)) & 1)];
	cells.push(
		cells.slice(1).reduce((a, b) => a ^ b, 0),
		0
	);
	const cellWidth = Math.floor(width / TAG_CELLS);
	for (let y = height - TAG_HEIGHT_PX; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const cell = Math.floor(x / cellWidth);
			const value = cell < TAG_CELLS ? (cells[cell] ? 255 : 0) : 0;
			const p = (y * width + x) * 3;
			rgb[p] = rgb[p + 1] = rgb[p + 2] = value;
		}
	}
}

/**
 * Page-side reader, as the source of a function `(video) => index | null`: draws the strip to a
 * canvas and reads each cell's centre. Null when the strip is not a valid tag. A string, so it
 * runs in the page whatever the test runner's transpiler adds to functions.
 */
export const READ_FRAME_TAG_SOURCE = `(() => {
	const canvas = document.createElement('canvas');
	const ctx = canvas.getContext('2d', { willReadFrequently: true });
	return (video) => {
		const w = video.videoWidth, h = video.videoHeight;
		if (!w || !h) return null;
		canvas.width = w;
		canvas.height = ${TAG_HEIGHT_PX};
		ctx.drawImage(video, 0, h - ${TAG_HEIGHT_PX}, w, ${TAG_HEIGHT_PX}, 0, 0, w, ${TAG_HEIGHT_PX});
		const row = ctx.getImageData(0, ${TAG_HEIGHT_PX / 2}, w, 1).data;
		const cellWidth = Math.floor(w / ${TAG_CELLS});
		const bit = (cell) => (row[(cell * cellWidth + (cellWidth >> 1)) * 4] > 127 ? 1 : 0);
		if (bit(0) !== 1 || bit(${TAG_CELLS - 1}) !== 0) return null;
		let index = 0, parity = 0;
		for (let b = 1; b <= ${BITS}; b++) { const v = bit(b); index = (index << 1) | v; parity ^= v; }
		return parity === bit(${BITS + 1}) ? index : null;
	};
})()`;

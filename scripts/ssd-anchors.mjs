// SSD anchors as MediaPipe's SsdAnchorsCalculator makes them (calculators/tflite/
// ssd_anchors_calculator.cc), for writing a detector's anchors into its model metadata.
// Pure; no dependencies.

/**
 * @typedef {{
 *   inputWidth: number, inputHeight: number, minScale: number, maxScale: number,
 *   strides: number[], aspectRatios?: number[], anchorOffsetX?: number, anchorOffsetY?: number,
 *   interpolatedScaleAspectRatio?: number, reduceBoxesInLowestLayer?: boolean, fixedAnchorSize?: boolean
 * }} SsdAnchorOptions `strides` has one entry per layer (`num_layers` = its length).
 * @typedef {{ x: number, y: number, width: number, height: number }} Anchor Normalized to 0..1.
 */

/** BlazeFace short range (MediaPipe's face_detection_short_range.pbtxt): 896 anchors. */
export const BLAZEFACE_SHORT_RANGE_ANCHORS = Object.freeze({
	inputWidth: 128,
	inputHeight: 128,
	minScale: 0.1484375,
	maxScale: 0.75,
	strides: [8, 16, 16, 16],
	aspectRatios: [1],
	interpolatedScaleAspectRatio: 1,
	fixedAnchorSize: true
});

/** BlazeFace full range (face_detection_full_range.pbtxt): one 48×48 layer, 2304 anchors. */
export const BLAZEFACE_FULL_RANGE_ANCHORS = Object.freeze({
	inputWidth: 192,
	inputHeight: 192,
	minScale: 0.1484375,
	maxScale: 0.75,
	strides: [4],
	aspectRatios: [1],
	interpolatedScaleAspectRatio: 0,
	fixedAnchorSize: true
});

/** @param {number} min @param {number} max @param {number} index @param {number} count */
function scaleOf(min, max, index, count) {
	return count === 1 ? (min + max) / 2 : min + ((max - min) * index) / (count - 1);
}

/**
 * Anchors in the order the model's outputs list them: layer by layer, then row by row, then
 * column by column, then the anchors of one cell.
 * @param {SsdAnchorOptions} options
 * @returns {Anchor[]}
 */
export function ssdAnchors(options) {
	const {
		inputWidth,
		inputHeight,
		minScale,
		maxScale,
		strides,
		aspectRatios = [1],
		anchorOffsetX = 0.5,
		anchorOffsetY = 0.5,
		interpolatedScaleAspectRatio = 1,
		reduceBoxesInLowestLayer = false,
		fixedAnchorSize = false
	} = options;
	if (!(inputWidth > 0 && inputHeight > 0) || strides.length === 0 || strides.some((s) => !(s > 0))) {
		throw new RangeError('ssdAnchors: input size and every stride must be positive, with at least one stride');
	}
	/** @type {Anchor[]} */
	const anchors = [];
	let layer = 0;
	while (layer < strides.length) {
		/** @type {Array<{ scale: number, ratio: number }>} */
		const shapes = [];
		// Consecutive layers with the same stride share one feature map.
		let last = layer;
		while (last < strides.length && strides[last] === strides[layer]) {
			const scale = scaleOf(minScale, maxScale, last, strides.length);
			if (last === 0 && reduceBoxesInLowestLayer) {
				shapes.push({ scale: 0.1, ratio: 1 }, { scale, ratio: 2 }, { scale, ratio: 0.5 });
			} else {
				for (const ratio of aspectRatios) shapes.push({ scale, ratio });
				if (interpolatedScaleAspectRatio > 0) {
					const next = last === strides.length - 1 ? 1 : scaleOf(minScale, maxScale, last + 1, strides.length);
					shapes.push({ scale: Math.sqrt(scale * next), ratio: interpolatedScaleAspectRatio });
				}
			}
			last++;
		}
		const stride = /** @type {number} */ (strides[layer]);
		const rows = Math.ceil(inputHeight / stride);
		const columns = Math.ceil(inputWidth / stride);
		for (let row = 0; row < rows; row++) {
			for (let column = 0; column < columns; column++) {
				for (const { scale, ratio } of shapes) {
					anchors.push({
						x: (column + anchorOffsetX) / columns,
						y: (row + anchorOffsetY) / rows,
						width: fixedAnchorSize ? 1 : scale * Math.sqrt(ratio),
						height: fixedAnchorSize ? 1 : scale / Math.sqrt(ratio)
					});
				}
			}
		}
		layer = last;
	}
	return anchors;
}

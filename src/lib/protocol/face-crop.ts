/**
 * How a face crop is framed. The browser frames live crops this way and the server frames
 * enrolment crops from uploaded photos the same way, so gallery and live embeddings come from one
 * path: change the framing here and both sides follow. (How large a crop is scaled differs by
 * purpose: see chooseCropSettings in src/lib/link/bandwidth.ts and ENROL_CROP on the server.)
 * Pure: no DOM, no Node.
 */

/** Axis-aligned box in image pixels. */
export type Box = { x: number; y: number; width: number; height: number };

/** Margin added on every side of the detector's face box, as a share of the box's size. */
export const FACE_CROP_MARGIN = 0.25;

/**
 * The box grown by `ratio` of its size on every side, rounded outwards and clamped to a
 * `width`×`height` frame; empty (zero width or height) when the box lies outside it.
 */
export function expandBox(box: Box, ratio: number, frame: { width: number; height: number }): Box {
	const x = Math.max(0, Math.floor(box.x - box.width * ratio));
	const y = Math.max(0, Math.floor(box.y - box.height * ratio));
	const right = Math.min(frame.width, Math.ceil(box.x + box.width * (1 + ratio)));
	const bottom = Math.min(frame.height, Math.ceil(box.y + box.height * (1 + ratio)));
	return { x: Math.min(x, frame.width), y: Math.min(y, frame.height), width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

/** Keypoints already in crop pixels as the identify message carries them: 0.1 px, exactly `count` finite ones, else undefined. */
export function wireKeypoints(points: ReadonlyArray<{ x: number; y: number }>, count = 6): Array<[number, number]> | undefined {
	if (points.length !== count) return undefined;
	const out = points.map((k): [number, number] => [Math.round(k.x * 10) / 10, Math.round(k.y * 10) / 10]);
	return out.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) ? out : undefined;
}

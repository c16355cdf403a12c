// The embedding pipelines, composed from the face engine's stages (face-engine.ts). worker.ts runs
// them on request; bench/accuracy.ts runs them (and the variants it compares) in-process.
//
//  live crop (describeCropImage): a browser crop (25 % margin, 112 px) → engine.describeCrop.
//  photo (analyzeImage): SSD on the photo; a photo too tight for SSD (an avatar, a 150 px
//    headshot) is padded and tried again; then each face is described with ENROL_PATH.
//
// ENROL_PATH 'crop' cuts the face out framed like a browser crop (25 % margin, 160 px) and runs
// the live path on that, so gallery and live vectors come from one pipeline; 'photo' takes the
// landmarks and the chip from the decoded photo itself (≤1280 px), starting from the SSD box.
// Measured by `npm run bench:accuracy` section Q: see ENROL_PATH below for the figures.
import { FACE_CROP_MARGIN } from '../../src/lib/protocol/face-crop.ts';
import { MAX_CROP_SIDE_PX } from '../../src/lib/protocol/messages.ts';
import { cropFace, decodeImage, padImage } from './decode.ts';
import { alignedChip } from './aligned-chip.ts';
import type { CropInput, FaceEngine } from './face-engine.ts';
import { MAX_LANDMARK_PASSES, type FoundLandmarks } from './landmark-search.ts';
import { KEYPOINT_TRUST_SHIFT, keypointStartBox } from './keypoint-start.ts';
import { yawFromLandmarks } from './pose.ts';
import type { AnalyzedFace, FaceBox, RgbImage } from './types.ts';

/** Crops are ≤160 px a side; allow a little more before downscaling. */
export const CROP_DECODE_MAX_SIDE = 256;
/** Photos are detected (and, with ENROL_PATH 'photo', described) on at most this many pixels a side. */
export const PHOTO_DECODE_MAX_SIDE = 1280;

/** Enrolment crops are framed like the browser's (FACE_CROP_MARGIN), at the protocol's largest side. */
export const ENROL_CROP = { marginRatio: FACE_CROP_MARGIN, maxSide: MAX_CROP_SIDE_PX } as const;

export type EnrolPath = 'crop' | 'photo';

/**
 * How a photo's faces are described. bench:accuracy section Q (../shared/data faces + faces-real,
 * one photo enrolled per person, shipped threshold, 10 identity-disjoint splits' test halves;
 * named % from photos / from live crops, faces-real | faces):
 *   crop  65.5 / 47.1 | 81.3 / 75.0     photo 70.3 / 43.1 | 80.0 / 74.0
 *   face-api's own path (one landmark pass on the SSD box, upright chip): 62.9 / 40.1 | 80.9 / 74.6
 * 'photo' names more photos of the high-resolution set but fewer live crops (its vectors sit
 * further from the live path's), and face-api's stock path does worse than either here; the
 * 91 % → 97 % one-photo gap reported on celebrity photos (issue 13) does not reproduce on this
 * data, so enrolment keeps the live path.
 */
export const ENROL_PATH: EnrolPath = 'crop';

/**
 * Padding (fraction of the photo's side, each side) tried in turn when SSD finds no face in a
 * photo: a face that fills the frame (an avatar, a tight headshot) is too big for SSD's anchors.
 * Tried on the tight 150 px crops of ../shared/data/faces (bench:accuracy section T).
 */
export const RETRY_PADDING = [0.5, 1] as const;

/** The faces of a photo as found: boxes in `image` pixels, and whether padding was needed. */
export type FoundFaces = { boxes: Array<{ box: FaceBox; score: number }>; padded: number };

/** SSD on the photo; when it finds nothing, on the photo padded by RETRY_PADDING in turn. */
export async function findFaces(engine: FaceEngine, image: RgbImage): Promise<FoundFaces> {
	const direct = await engine.detectFaces(image);
	if (direct.length > 0) return { boxes: direct, padded: 0 };
	for (const ratio of RETRY_PADDING) {
		const pad = Math.round(Math.max(image.width, image.height) * ratio);
		const found = await engine.detectFaces(await padImage(image, pad));
		if (found.length === 0) continue;
		const boxes = found.flatMap(({ box, score }) => {
			const inside = unpad(box, pad, image);
			return inside ? [{ box: inside, score }] : [];
		});
		if (boxes.length > 0) return { boxes, padded: ratio };
	}
	return { boxes: [], padded: 0 };
}

/** A box found in the padded image, back in the original's pixels (clipped); null if outside. */
function unpad(box: FaceBox, pad: number, image: RgbImage): FaceBox | null {
	const x0 = Math.max(0, box.x - pad);
	const y0 = Math.max(0, box.y - pad);
	const x1 = Math.min(image.width, box.x + box.width - pad);
	const y1 = Math.min(image.height, box.y + box.height - pad);
	// Most of the face must lie inside the photo: the padding holds no face of its own.
	if (x1 - x0 < box.width * 0.5 || y1 - y0 < box.height * 0.5) return null;
	return { x: Math.round(x0), y: Math.round(y0), width: Math.round(x1 - x0), height: Math.round(y1 - y0) };
}

/**
 * A live crop made ready for the engine (describeCrop / describeCrops): decoded (≤ CROP_DECODE_MAX_SIDE),
 * with the landmark net's first box placed from the browser's keypoints when they place one
 * (keypoint-start.ts), and a `found` to count its landmark passes in. `keypoints` says which.
 */
export async function prepareCrop(
	bytes: Uint8Array,
	keypoints?: ReadonlyArray<readonly [number, number]>
): Promise<{ input: CropInput & { found: FoundLandmarks }; keypoints: 'used' | 'unusable' | 'none' }> {
	const image = await decodeImage(bytes, { maxSide: CROP_DECODE_MAX_SIDE });
	// Keypoints are in the crop's pixels as sent; decoding may have scaled it down.
	const sx = image.width / image.sourceWidth;
	const sy = image.height / image.sourceHeight;
	const start = keypointStartBox(keypoints?.map(([x, y]) => [x * sx, y * sy] as const));
	const input = { image, found: {}, ...(start ? { hint: { start, trustShift: KEYPOINT_TRUST_SHIFT } } : {}) };
	return { input, keypoints: start ? 'used' : keypoints ? 'unusable' : 'none' };
}

/** Describes the face a crop holds: the face engine's describeCrop, or another embedder's (embedders/). */
export type CropDescriber = (crop: RgbImage) => Promise<Float32Array | null>;

/** The descriptor of the face in `box` of a photo, by `path` ('photo' is face-api's own chip; another embedder's `describe` takes the crop). */
export async function describeFaceInPhoto(
	engine: FaceEngine,
	image: RgbImage,
	box: FaceBox,
	path: EnrolPath = ENROL_PATH,
	describe?: CropDescriber
): Promise<Float32Array | null> {
	return (await describeWithPose(engine, image, box, path, describe)).descriptor;
}

/**
 * The descriptor of the face in `box` of a photo, by `path`, and its head pose measured on the
 * landmarks the chip was aligned on (server/embed/pose.ts; null without landmarks).
 */
async function describeWithPose(
	engine: FaceEngine,
	image: RgbImage,
	box: FaceBox,
	path: EnrolPath,
	describe?: CropDescriber
): Promise<{ descriptor: Float32Array | null; yaw: number | null }> {
	if (describe) {
		// Another embedder: its descriptor of the enrolment crop; the pose from face-api's landmarks on it.
		const crop = await cropFace(image, box, ENROL_CROP);
		const descriptor = await describe(crop);
		const landmarks = descriptor && (await engine.findLandmarks(crop, { x: 0, y: 0, width: crop.width, height: crop.height }));
		return { descriptor, yaw: landmarks ? yawFromLandmarks(landmarks) : null };
	}
	if (path === 'crop') {
		const found: FoundLandmarks = {};
		const descriptor = await engine.describeCrop(await cropFace(image, box, ENROL_CROP), found);
		return { descriptor, yaw: found.landmarks ? yawFromLandmarks(found.landmarks) : null };
	}
	const landmarks = await engine.findLandmarks(image, box, MAX_LANDMARK_PASSES);
	const chip = landmarks && alignedChip(image, landmarks);
	return { descriptor: chip && (await engine.describeChip(chip)), yaw: landmarks ? yawFromLandmarks(landmarks) : null };
}

/** Every face in a decoded photo with its descriptor (null when too small or unclear) and pose, best first. */
export async function analyzeImage(engine: FaceEngine, image: RgbImage, path: EnrolPath = ENROL_PATH, describe?: CropDescriber): Promise<AnalyzedFace[]> {
	const { boxes } = await findFaces(engine, image);
	const faces: AnalyzedFace[] = [];
	for (const { box, score } of boxes) faces.push({ box, score, ...(await describeWithPose(engine, image, box, path, describe)) });
	return faces;
}

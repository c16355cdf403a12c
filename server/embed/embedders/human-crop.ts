// How vladmandic/human (3.3.6, the version `@vladmandic/human` ships) frames a face for its
// description models, in plain arithmetic so that it can be tested without tfjs:
//
//   BlazeFace (models/blazeface.json, 256×256 input, the whole image resized to it, pixels
//   scaled to [-1, 1]) → 896 anchors → box = anchor-relative centre and size, six keypoints
//   (eyes, nose, mouth, ears) → box scaled back to image pixels, grown ×1.4 about its centre
//   (config.face.detector.scale) and made square on its larger side (facemeshutil squarifyBox)
//   → cut and resized to 192×192 (facemesh's input; tf.image.cropAndResize, pixels / 255)
//   → each description model resizes that to its own input (faceres 224, ×255 back to 0-255;
//   mobilefacenet and mobileface 112, left in 0-1).
//
// Human's default config does not rotate the face (detector.rotation false); with rotation on it
// turns the image about the box centre by the angle of the mouth → nose keypoints when that
// exceeds 0.2 rad. Both are offered (`angle`), the bench measures which is better.
import type { FaceBox, RgbImage } from '../types.ts';

/** BlazeFace's input side (px) and the anchors it predicts from (Human's generateAnchors). */
export const BLAZEFACE_SIZE = 256;
/** Human's config.face.detector.scale: the detector box is grown this much before cropping. */
export const HUMAN_BOX_SCALE = 1.4;
/** The side of Human's face tensor (facemesh's input), before each model resizes it. */
export const HUMAN_FACE_SIZE = 192;

export type Pt = { x: number; y: number };

/** One BlazeFace detection in image pixels. Keypoints: right eye, left eye, nose, mouth, right ear, left ear (subject's). */
export type BlazeFaceDetection = { box: FaceBox; keypoints: Pt[]; score: number };

/** Anchor centres, in 256-px input units: 16×16 cells × 2 anchors, then 8×8 × 6 (Human's generateAnchors). */
export function blazeFaceAnchors(size = BLAZEFACE_SIZE): Float32Array {
	const spec = [
		{ stride: size / 16, count: 2 },
		{ stride: size / 8, count: 6 }
	];
	const out: number[] = [];
	for (const { stride, count } of spec) {
		const cells = Math.floor((size + stride - 1) / stride);
		for (let gy = 0; gy < cells; gy++) {
			for (let gx = 0; gx < cells; gx++) {
				for (let n = 0; n < count; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
			}
		}
	}
	return Float32Array.from(out);
}

/**
 * Decodes one row of BlazeFace's raw output (17 numbers: logit, centre offset x/y, width,
 * height, 6 keypoints x/y, all in input units and relative to the anchor) into image pixels.
 */
export function decodeBlazeFaceRow(row: ArrayLike<number>, anchor: Pt, scale: { x: number; y: number }): BlazeFaceDetection {
	const cx = (row[1] as number) + anchor.x;
	const cy = (row[2] as number) + anchor.y;
	const w = row[3] as number;
	const h = row[4] as number;
	const keypoints: Pt[] = [];
	for (let k = 0; k < 6; k++) {
		keypoints.push({ x: ((row[5 + 2 * k] as number) + anchor.x) * scale.x, y: ((row[6 + 2 * k] as number) + anchor.y) * scale.y });
	}
	return {
		box: { x: (cx - w / 2) * scale.x, y: (cy - h / 2) * scale.y, width: w * scale.x, height: h * scale.y },
		keypoints,
		score: 1 / (1 + Math.exp(-(row[0] as number)))
	};
}

/** Human's crop box: the detector box grown by `scale` about its centre, then squared on its larger side (whole pixels). */
export function humanFaceBox(box: FaceBox, scale = HUMAN_BOX_SCALE): FaceBox {
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const half = (Math.max(box.width, box.height) * scale) / 2;
	const x = Math.round(cx - half);
	const y = Math.round(cy - half);
	return { x, y, width: Math.round(cx + half) - x, height: Math.round(cy + half) - y };
}

/** Human's rotation: the angle (radians) of the mouth → nose keypoints from vertical, or 0 under 0.2 rad. */
export function humanRotation(keypoints: readonly Pt[]): number {
	const mouth = keypoints[3];
	const nose = keypoints[2];
	if (!mouth || !nose) return 0;
	const raw = Math.PI / 2 - Math.atan2(-(nose.y - mouth.y), nose.x - mouth.x);
	const angle = raw - 2 * Math.PI * Math.floor((raw + Math.PI) / (2 * Math.PI));
	return Math.abs(angle) > 0.2 ? angle : 0;
}

/** The angle (radians) that levels the eyes (keypoints 0 and 1, taken left to right in the image). */
export function eyeAngle(keypoints: readonly Pt[]): number {
	const [a, b] = keypoints;
	if (!a || !b) return 0;
	const [l, r] = a.x <= b.x ? [a, b] : [b, a];
	return Math.atan2(r.y - l.y, r.x - l.x);
}

/**
 * `box` of `image`, turned by `angle` (radians, about the box centre: the result shows the face
 * as if the image had been rotated by -angle), resampled bilinearly to size × size, as float RGB
 * in 0-1 (black outside the image). Sample positions follow tf.image.cropAndResize (corners
 * aligned), as Human's cutAndResize does.
 */
export function cutFace(image: RgbImage, box: FaceBox, size = HUMAN_FACE_SIZE, angle = 0): Float32Array {
	const { width: W, height: H, data } = image;
	const out = new Float32Array(size * size * 3);
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	const cos = Math.cos(angle);
	const sin = Math.sin(angle);
	const stepX = size > 1 ? (box.width * (W - 1)) / W / (size - 1) : 0;
	const stepY = size > 1 ? (box.height * (H - 1)) / H / (size - 1) : 0;
	const x0 = (box.x * (W - 1)) / W;
	const y0 = (box.y * (H - 1)) / H;
	const ccx = (cx * (W - 1)) / W;
	const ccy = (cy * (H - 1)) / H;
	const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : (data[(y * W + x) * 3 + c] as number));
	for (let v = 0; v < size; v++) {
		for (let u = 0; u < size; u++) {
			// Upright sample position, then turned about the box centre.
			const qx = x0 + u * stepX - ccx;
			const qy = y0 + v * stepY - ccy;
			const px = ccx + qx * cos - qy * sin;
			const py = ccy + qx * sin + qy * cos;
			const xa = Math.floor(px);
			const ya = Math.floor(py);
			const fx = px - xa;
			const fy = py - ya;
			const o = (v * size + u) * 3;
			for (let c = 0; c < 3; c++) {
				const top = at(xa, ya, c) + (at(xa + 1, ya, c) - at(xa, ya, c)) * fx;
				const bottom = at(xa, ya + 1, c) + (at(xa + 1, ya + 1, c) - at(xa, ya + 1, c)) * fx;
				out[o + c] = (top + (bottom - top) * fy) / 255;
			}
		}
	}
	return out;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: FaceBox, b: FaceBox): number {
	const x0 = Math.max(a.x, b.x);
	const y0 = Math.max(a.y, b.y);
	const x1 = Math.min(a.x + a.width, b.x + b.width);
	const y1 = Math.min(a.y + a.height, b.y + b.height);
	const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
	const union = a.width * a.height + b.width * b.height - inter;
	return union > 0 ? inter / union : 0;
}

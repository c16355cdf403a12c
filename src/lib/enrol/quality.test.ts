import { describe, expect, it } from 'vitest';
import { GUIDE, QUALITY, headPose, judgeGeometry, judgePixels, type FaceObservation, type Point } from './quality.ts';
import { laplacianVariance, toLuma } from '../track/crop-quality.ts';
import { capturePlan } from './guided-capture.ts';

const FRAME = { width: 640, height: 480 };
// The person's right eye, left eye, nose tip, mouth: a frontal face in a 160 px box at (240, 160).
const FRONTAL: Point[] = [
	{ x: 290, y: 220 },
	{ x: 350, y: 220 },
	{ x: 320, y: 250 },
	{ x: 320, y: 285 }
];

function rotate(points: Point[], deg: number, about: Point): Point[] {
	const a = (deg * Math.PI) / 180;
	return points.map((p) => ({
		x: about.x + (p.x - about.x) * Math.cos(a) - (p.y - about.y) * Math.sin(a),
		y: about.y + (p.x - about.x) * Math.sin(a) + (p.y - about.y) * Math.cos(a)
	}));
}

const face = (over: Partial<FaceObservation> = {}): FaceObservation => ({
	box: { x: 240, y: 160, width: 160, height: 160 },
	score: 0.9,
	keypoints: FRONTAL,
	...over
});

/** A width×height luma image: vertical stripes `period` px wide, optionally box-blurred `blur` times. */
function stripes(width: number, height: number, period: number, { blur = 0, level = 128, contrast = 100 } = {}) {
	let img = new Float32Array(width * height).map((_, i) => level + (Math.floor((i % width) / period) % 2 ? contrast : -contrast) / 2);
	for (let pass = 0; pass < blur; pass++) {
		const next = new Float32Array(img);
		for (let i = 1; i < img.length - 1; i++) next[i] = ((img[i - 1] ?? 0) + (img[i] ?? 0) + (img[i + 1] ?? 0)) / 3;
		img = next;
	}
	return img;
}

describe('head pose from keypoints', () => {
	it('reads a frontal face as frontal, and the same in a mirrored video', () => {
		const pose = headPose(FRONTAL);
		expect(pose?.yaw).toBeCloseTo(0);
		expect(pose?.rollDeg).toBeCloseTo(0);
		expect(pose?.pitch).toBeGreaterThan(0.4);
		expect(pose?.pitch).toBeLessThan(0.5);
		const mirrored = headPose(FRONTAL.map((p) => ({ x: FRAME.width - p.x, y: p.y })));
		expect(mirrored?.yaw).toBeCloseTo(0);
		expect(mirrored?.rollDeg).toBeCloseTo(0);
	});

	it('tells a tilted head from a turned one', () => {
		const tilted = headPose(rotate(FRONTAL, 15, { x: 320, y: 240 }));
		expect(tilted?.rollDeg).toBeCloseTo(15);
		expect(Math.abs(tilted?.yaw ?? 1)).toBeLessThan(0.01);
		const turned = headPose(FRONTAL.map((p, i) => (i === 2 ? { x: p.x + 25, y: p.y } : p)));
		expect(turned?.yaw).toBeCloseTo(25 / 60);
	});

	it('gives nothing without keypoints', () => {
		expect(headPose([])).toBeNull();
	});
});

describe('geometry checks', () => {
	it('wants exactly one face, large, inside the frame and frontal', () => {
		expect(judgeGeometry([], FRAME)).toMatchObject({ ok: false, issue: 'no-face' });
		expect(judgeGeometry([face(), face()], FRAME)).toMatchObject({ ok: false, issue: 'several-faces' });
		expect(judgeGeometry([face({ box: { x: 300, y: 200, width: 60, height: 60 } })], FRAME)).toMatchObject({
			issue: 'too-small',
			hint: 'Come closer'
		});
		expect(judgeGeometry([face({ box: { x: 560, y: 160, width: 160, height: 160 } })], FRAME)).toMatchObject({ issue: 'off-frame' });
		// Each way off frontal says the way back: the nose to the picture's right is a turn to their own left.
		const turned = FRONTAL.map((p, i) => (i === 2 ? { x: p.x + 10, y: p.y } : p));
		expect(judgeGeometry([face({ keypoints: turned })], FRAME)).toMatchObject({
			issue: 'not-frontal',
			hint: 'Turn a little to your right, to face the camera'
		});
		const turnedOther = FRONTAL.map((p, i) => (i === 2 ? { x: p.x - 10, y: p.y } : p));
		expect(judgeGeometry([face({ keypoints: turnedOther })], FRAME)).toMatchObject({ hint: 'Turn a little to your left, to face the camera' });
		const nodding = FRONTAL.map((p, i) => (i === 2 ? { x: p.x, y: 282 } : p));
		expect(judgeGeometry([face({ keypoints: nodding })], FRAME)).toMatchObject({ issue: 'not-frontal', hint: 'Raise your chin a little' });
		const chinUp = FRONTAL.map((p, i) => (i === 2 ? { x: p.x, y: FRONTAL[0]!.y + 1 } : p));
		expect(judgeGeometry([face({ keypoints: chinUp })], FRAME)).toMatchObject({ issue: 'not-frontal', hint: 'Lower your chin a little' });
		// The mouth up at the eye line: no pitch to measure, and the chin is up.
		const mouthUp = FRONTAL.map((p, i) => (i === 3 ? { x: p.x, y: FRONTAL[0]!.y - 2 } : p));
		expect(judgeGeometry([face({ keypoints: mouthUp })], FRAME)).toMatchObject({ issue: 'not-frontal', hint: 'Lower your chin a little' });
		expect(judgeGeometry([face({ keypoints: rotate(FRONTAL, 30, { x: 320, y: 240 }) })], FRAME)).toMatchObject({
			issue: 'not-frontal',
			hint: 'Hold your head level'
		});
		expect(judgeGeometry([face({ keypoints: rotate(FRONTAL, 10, { x: 320, y: 240 }) })], FRAME).ok).toBe(true);
		expect(judgeGeometry([face({ keypoints: [] })], FRAME).ok).toBe(true);
	});

	it('takes a face only inside the guide oval, and not too close', () => {
		// The face of face() is centred at (320, 240): the middle of the frame.
		expect(judgeGeometry([face()], FRAME, { guide: GUIDE }).ok).toBe(true);
		// Still in the frame, but its centre is off the oval's middle: the oval must not go green.
		const aside = face({ box: { x: 420, y: 160, width: 160, height: 160 }, keypoints: FRONTAL.map((p) => ({ x: p.x + 180, y: p.y })) });
		expect(judgeGeometry([aside], FRAME).ok).toBe(true);
		expect(judgeGeometry([aside], FRAME, { guide: GUIDE })).toMatchObject({ ok: false, issue: 'outside-guide', hint: 'Move your face into the oval' });
		const high = face({ box: { x: 240, y: 40, width: 160, height: 160 }, keypoints: FRONTAL.map((p) => ({ x: p.x, y: p.y - 120 })) });
		expect(judgeGeometry([high], FRAME, { guide: GUIDE })).toMatchObject({ issue: 'outside-guide' });
		const big = face({ box: { x: 70, y: 0, width: 500, height: 480 } });
		expect(judgeGeometry([big], FRAME, { guide: GUIDE })).toMatchObject({ issue: 'too-close', hint: 'Move back a little' });
	});

	it('asks for a slight turn each way when wanted, and checks it happened', () => {
		// The nose moved to the picture's right: the person turned to their own left.
		const turned = (shift: number) => face({ keypoints: FRONTAL.map((p, i) => (i === 2 ? { x: p.x + shift, y: p.y } : p)) });
		const eyes = 60;
		expect(judgeGeometry([turned(0)], FRAME, { want: 'left' })).toMatchObject({ issue: 'turn-left', hint: 'Turn your head slightly to your left' });
		expect(judgeGeometry([turned(-0.25 * eyes)], FRAME, { want: 'left' })).toMatchObject({ issue: 'turn-left' });
		expect(judgeGeometry([turned(0.25 * eyes)], FRAME, { want: 'left' })).toMatchObject({ ok: true, yaw: expect.closeTo(0.25, 6) });
		expect(judgeGeometry([turned(0.7 * eyes)], FRAME, { want: 'left' })).toMatchObject({ issue: 'turn-less' });
		expect(judgeGeometry([turned(-0.25 * eyes)], FRAME, { want: 'right' }).ok).toBe(true);
		expect(judgeGeometry([turned(0.05 * eyes)], FRAME, { want: 'right' })).toMatchObject({
			issue: 'turn-right',
			hint: 'Turn your head slightly to your right'
		});
		// A turn counts as turned for the stored pose too (one measure for both sides).
		expect(judgeGeometry([turned(QUALITY.turnYaw[0] * eyes)], FRAME, { want: 'left' }).ok).toBe(true);
		expect(judgeGeometry([turned(QUALITY.turnYaw[0] * eyes)], FRAME)).toMatchObject({ issue: 'not-frontal' });
		// The detector sees the camera's own pixels, never the mirrored preview: a mirrored picture
		// of a left turn is a right turn.
		const mirrored = turned(0.25 * eyes).keypoints!.map((p) => ({ x: FRAME.width - p.x, y: p.y }));
		expect(judgeGeometry([face({ keypoints: mirrored })], FRAME, { want: 'left' }).ok).toBe(false);
		expect(judgeGeometry([face({ keypoints: mirrored })], FRAME, { want: 'right' }).ok).toBe(true);
	});
});

describe('pixel checks', () => {
	it('measures sharp edges far above blurred ones and a flat image as zero', () => {
		const sharp = laplacianVariance(stripes(112, 112, 4), 112, 112);
		const soft = laplacianVariance(stripes(112, 112, 4, { blur: 6 }), 112, 112);
		expect(laplacianVariance(new Float32Array(112 * 112).fill(90), 112, 112)).toBe(0);
		expect(sharp).toBeGreaterThan(10 * soft);
	});

	it('turns RGBA into luma', () => {
		expect(Array.from(toLuma([255, 255, 255, 255, 0, 0, 0, 255], 2, 1)).map(Math.round)).toEqual([255, 0]);
	});

	it('refuses dark and blurry faces with a hint', () => {
		expect(judgePixels(stripes(112, 112, 4, { level: 20, contrast: 20 }), 112, 112)).toMatchObject({ ok: false, issue: 'too-dark' });
		const blurry = judgePixels(stripes(112, 112, 16, { blur: 20, contrast: 10 }), 112, 112);
		expect(blurry).toMatchObject({ ok: false, issue: 'blurry', hint: 'Hold still' });
		expect(blurry.sharpness).toBeLessThan(QUALITY.minSharpness);
		expect(judgePixels(stripes(112, 112, 4), 112, 112).ok).toBe(true);
	});
});

describe('capture plan', () => {
	it('asks for frontal pictures first, then one slight turn each way', () => {
		expect(capturePlan(5)).toEqual(['frontal', 'frontal', 'frontal', 'left', 'right']);
		expect(capturePlan(7)).toEqual(['frontal', 'frontal', 'frontal', 'frontal', 'frontal', 'left', 'right']);
		expect(capturePlan(3)).toEqual(['frontal', 'frontal', 'frontal']);
	});
});

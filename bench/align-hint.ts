/**
 * `npm run bench:align`: prototype of issue #10.1's big lever, measured before the engine is
 * touched. The browser's MediaPipe keypoints (eyes, nose, mouth, ears) travel with each crop; can
 * the server place the face from them instead of running the 68-landmark net 3–4 times?
 *
 *   engine  today's live path (server/embed/face-engine.ts): landmarks from the whole crop,
 *           re-run on their own box until it settles, chip, descriptor
 *   kp+1    one landmark pass started from the box the keypoints predict, chip, descriptor
 *   kp+2    the same with two passes
 *   kp      no landmark pass: the chip's square predicted from the keypoints (keypoint-chip.ts)
 *   1 pass  one landmark pass from the whole crop (face-api's stock path), for reference
 *   tiny    face-api's small landmark net (face_landmark_68_tiny) instead of the full one
 *
 * The keypoints → box fit is made on one half of the people and strangers (never splitting a
 * person's photos) and applied to the other, both ways round: every crop's figures come from a
 * fit that never saw it or its person. Accuracy as the server would use it: the
 * gallery holds today's (engine) vectors, each person's mean over their other photos; every
 * variant's vector of a live crop is matched against it at MATCH_THRESHOLD. Cost: CPU ms a face
 * on this thread, variants interleaved crop by crop. Needs ../shared/data (says so and stops
 * without it) and Chromium (for MediaPipe).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as FaceApiTypes from '@vladmandic/face-api';
import type * as TfTypes from '@tensorflow/tfjs';
import { decodeImage } from '../server/embed/decode.ts';
import { alignedChip } from '../server/embed/aligned-chip.ts';
import { loadFaceEngine } from '../server/embed/face-engine.ts';
import { alignBox, boxShift, clipBox, MIN_FACE_SIDE, type Pt } from '../server/embed/face-geometry.ts';
import { LANDMARK_CONVERGENCE, MAX_LANDMARK_PASSES } from '../server/embed/landmark-search.ts';
import type { FaceBox, RgbImage } from '../server/embed/types.ts';
/** As the worker decodes crops (server/embed/worker.ts, which cannot be imported outside a worker). */
const CROP_DECODE_MAX_SIDE = 256;
import { DATA_DIR, hasSharedData } from './data.ts';
import { loadSamples, type Sample } from './align/dataset.ts';
import { fitSquares, keypointChip, landmarkSquare, predictSquare, squareBox } from './align/keypoint-chip.ts';
import { percentile } from './load/stats.ts';

const THRESHOLD = Number(process.env.MATCH_THRESHOLD ?? 0.55);
if (!hasSharedData()) {
	console.log(`bench:align needs the labelled faces of ${DATA_DIR} (absent): nothing measured`);
	process.exit(0);
}

const require = createRequire(import.meta.url);
const FACE_API_DIR = dirname(require.resolve('@vladmandic/face-api/package.json'));
const MODEL_DIR = join('models', 'face-api');

// The engine sets up tfjs (wasm) once per thread; the bench reuses that runtime for its own nets.
const engine = await loadFaceEngine({ modelDir: MODEL_DIR, backend: 'wasm' });
const faceapi = createRequire(join(FACE_API_DIR, 'dist', 'face-api.node-wasm.js'))(join(FACE_API_DIR, 'dist', 'face-api.node-wasm.js')) as typeof FaceApiTypes;
const tf = faceapi.tf as unknown as typeof TfTypes;
const landmarkNet = new faceapi.FaceLandmark68Net();
await landmarkNet.loadFromDisk(MODEL_DIR);
// face-api's small landmark net (~80 KB of weights; in the package, not in models/).
const tinyNet = new faceapi.FaceLandmark68TinyNet();
await tinyNet.loadFromDisk(join(FACE_API_DIR, 'model'));
type LandmarkNet = typeof landmarkNet | typeof tinyNet;
const recognitionNet = new faceapi.FaceRecognitionNet();
await recognitionNet.loadFromDisk(MODEL_DIR);
const forFaceApi = (t: TfTypes.Tensor3D) => t as unknown as FaceApiTypes.tf.Tensor3D;

type Described = { descriptor: Float32Array | null; landmarks: Pt[] | null; passes: number };

/** The engine's stages, as face-engine.ts runs them (a copy: its stages are not exported on main yet). */
async function landmarksIn(input: TfTypes.Tensor3D, box: FaceBox, net: LandmarkNet): Promise<Pt[]> {
	const region = tf.slice(input, [box.y, box.x, 0], [box.height, box.width, 3]);
	try {
		const lm = (await net.detectLandmarks(forFaceApi(region))) as FaceApiTypes.FaceLandmarks68;
		return lm.positions.map((p) => ({ x: p.x + box.x, y: p.y + box.y }));
	} finally {
		region.dispose();
	}
}

/**
 * As the engine refines (at least two passes), or with `trustStart` (a start box from the
 * keypoints, already about where the landmarks' box will be) stopping after the first pass when
 * its box moved less than `trustStart` of its size.
 */
async function refine(
	input: TfTypes.Tensor3D,
	start: FaceBox,
	maxPasses: number,
	net: LandmarkNet = landmarkNet,
	trustStart?: number
): Promise<{ landmarks: Pt[] | null; passes: number }> {
	const [height, width] = input.shape;
	let box = clipBox(start, width, height);
	if (!box) return { landmarks: null, passes: 0 };
	let landmarks = await landmarksIn(input, box, net);
	let passes = 1;
	for (let pass = 1; pass < maxPasses; pass++) {
		const next = clipBox(alignBox(landmarks), width, height);
		if (!next || Math.min(next.width, next.height) < MIN_FACE_SIDE) return { landmarks: null, passes };
		if (pass > 1 && boxShift(box, next) < LANDMARK_CONVERGENCE) break;
		if (pass === 1 && trustStart !== undefined && boxShift(box, next) < trustStart) break;
		box = next;
		landmarks = await landmarksIn(input, box, net);
		passes++;
	}
	return { landmarks, passes };
}

async function describeChip(chip: RgbImage | null): Promise<Float32Array | null> {
	if (!chip) return null;
	const t = tf.tensor3d(chip.data, [chip.height, chip.width, 3], 'int32');
	try {
		const d = (await recognitionNet.computeFaceDescriptor(forFaceApi(t))) as Float32Array;
		return d.every(Number.isFinite) ? new Float32Array(d) : null;
	} finally {
		t.dispose();
	}
}

async function withInput<T>(image: RgbImage, run: (input: TfTypes.Tensor3D) => Promise<T>): Promise<T> {
	const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
	try {
		return await run(input);
	} finally {
		input.dispose();
	}
}

const wholeCrop = (image: RgbImage, inset = 0): FaceBox => ({
	x: image.width * inset,
	y: image.height * inset,
	width: image.width * (1 - 2 * inset),
	height: image.height * (1 - 2 * inset)
});

async function engineWay(image: RgbImage, net: LandmarkNet = landmarkNet): Promise<Described> {
	return withInput(image, async (input) => {
		let passes = 0;
		for (const inset of [0, 0.2]) {
			const r = await refine(input, wholeCrop(image, inset), MAX_LANDMARK_PASSES, net);
			passes += r.passes;
			const chip = r.landmarks && alignedChip(image, r.landmarks);
			if (chip) return { descriptor: await describeChip(chip), landmarks: r.landmarks, passes };
		}
		return { descriptor: null, landmarks: null, passes };
	});
}

async function fromBox(image: RgbImage, start: FaceBox, maxPasses: number, net: LandmarkNet = landmarkNet, trustStart?: number): Promise<Described> {
	return withInput(image, async (input) => {
		const r = await refine(input, start, maxPasses, net, trustStart);
		const chip = r.landmarks && alignedChip(image, r.landmarks);
		return { descriptor: await describeChip(chip), landmarks: r.landmarks, passes: r.passes };
	});
}

const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
const cpuMs = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
};

console.log(`FaceRTC alignment prototype — ${new Date().toISOString()}; tfjs backend ${engine.backend}; data ${DATA_DIR}`);
const { samples, missed } = await loadSamples((line) => console.log(line));
const images = await Promise.all(samples.map((s) => decodeImage(s.crop, { maxSide: CROP_DECODE_MAX_SIDE })));
console.log(
	`${samples.length} live crops with keypoints (${samples.filter((s) => s.split === 'tune').length} tuning, ${samples.filter((s) => s.split === 'test').length} test); BlazeFace found no face in ${missed.length}: ${missed.join(', ') || '–'}`
);

// 1. Today's path on every crop: its landmarks are what the fit aims at; its vectors make the gallery.
const engineOut: Described[] = [];
for (const image of images) engineOut.push(await engineWay(image));
const check = await engine.describeCrop(images[0]!);
console.log(
	`sanity: this copy of the engine's path vs the engine itself on one crop: distance ${check && engineOut[0]!.descriptor ? distance(check, engineOut[0]!.descriptor).toFixed(4) : 'n/a'}`
);

const halves = ['tune', 'test'] as const;
const fits = Object.fromEntries(
	halves.map((half) => {
		const other = samples.flatMap((s, i) =>
			s.split !== half && engineOut[i]!.landmarks ? [{ keypoints: s.keypoints, square: landmarkSquare(s.keypoints, engineOut[i]!.landmarks) }] : []
		);
		return [half, { plain: fitSquares(other), ears: fitSquares(other, true), n: other.length }];
	})
) as Record<(typeof halves)[number], { plain: ReturnType<typeof fitSquares>; ears: ReturnType<typeof fitSquares>; n: number }>;
console.log(`fits: ${halves.map((h) => `for the ${h} half on ${fits[h].n} crops of the other`).join('; ')}`);

// 2. The variants on every crop (with the fit of the other half), interleaved crop by crop.
type Variant = { name: string; run: (image: RgbImage, s: Sample) => Promise<Described> };
const boxOf = (s: Sample, ears = false) => predictSquare(ears ? fits[s.split].ears : fits[s.split].plain, s.keypoints);
const kpStart = (s: Sample) => squareBox(s.keypoints, boxOf(s));
const variants: Variant[] = [
	{ name: 'engine (today)', run: (image) => engineWay(image) },
	{ name: 'kp + 1 landmark pass', run: (image, s) => fromBox(image, kpStart(s), 1) },
	{ name: 'kp + 2 landmark passes', run: (image, s) => fromBox(image, kpStart(s), 2) },
	{ name: 'kp + 1, 2nd if moved > 3 %', run: (image, s) => fromBox(image, kpStart(s), MAX_LANDMARK_PASSES, landmarkNet, 0.03) },
	{ name: 'kp + 1, 2nd if moved > 6 %', run: (image, s) => fromBox(image, kpStart(s), MAX_LANDMARK_PASSES, landmarkNet, 0.06) },
	{
		name: 'kp only, no landmarks',
		run: async (image, s) => ({ descriptor: await describeChip(keypointChip(image, s.keypoints, boxOf(s))), landmarks: null, passes: 0 })
	},
	{ name: '1 pass from the whole crop', run: (image) => fromBox(image, wholeCrop(image), 1) },
	{ name: 'kp (+ ears) + 1 pass', run: (image, s) => fromBox(image, squareBox(s.keypoints, boxOf(s, true)), 1) },
	{ name: 'tiny net, kp + 2 passes', run: (image, s) => fromBox(image, kpStart(s), 2, tinyNet) }
];
// Group faces only feed the fit: the variants run on the rest.
const test = samples.flatMap((s, i) => (s.identity.startsWith('group:') ? [] : [i]));
const out = variants.map(() => new Map<number, Described>());
const cost = variants.map(() => new Map<number, number>());
for (const [k, i] of test.entries()) {
	for (let j = 0; j < variants.length; j++) {
		const v = (j + k) % variants.length;
		const c0 = cpuMs();
		const result = await variants[v]!.run(images[i]!, samples[i]!);
		cost[v]!.set(i, cpuMs() - c0);
		out[v]!.set(i, result);
	}
}

// 3. Figures. Gallery: each person's mean engine vector over their other photos.
const people = [...new Set(samples.filter((s) => s.kind === 'person').map((s) => s.identity))];
function galleryWithout(probe: number): Array<{ identity: string; mean: Float32Array }> {
	return people.flatMap((identity) => {
		const vecs = test.filter((i) => i !== probe && samples[i]!.identity === identity && engineOut[i]!.descriptor).map((i) => engineOut[i]!.descriptor!);
		if (vecs.length === 0) return [];
		const mean = new Float32Array(vecs[0]!.length);
		for (const v of vecs) v.forEach((x, d) => (mean[d]! += x / vecs.length));
		return [{ identity, mean }];
	});
}

function table(subset: number[], title: string): void {
	console.log(
		`\n${title}: ${subset.length} crops, ${new Set(subset.filter((i) => samples[i]!.kind === 'person').map((i) => samples[i]!.identity)).size} people with several photos, ${subset.filter((i) => samples[i]!.kind === 'stranger').length} strangers; threshold ${THRESHOLD}`
	);
	console.log(
		'variant                       CPU ms/face  passes  no face  vs engine (same crop)  named right  named wrong  unknown  strangers named  genuine < t  impostor < t'
	);
	for (const [v, variant] of variants.entries()) {
		const results = out[v]!;
		let right = 0;
		let wrong = 0;
		let unknown = 0;
		let probes = 0;
		let strangersNamed = 0;
		let strangers = 0;
		const sameCrop: number[] = [];
		let nulls = 0;
		let cpu = 0;
		let passes = 0;
		for (const i of subset) {
			cpu += cost[v]!.get(i)!;
			passes += results.get(i)!.passes;
			const d = results.get(i)!.descriptor;
			if (!d) {
				nulls++;
				continue;
			}
			const ref = engineOut[i]!.descriptor;
			if (ref) sameCrop.push(distance(d, ref));
			const best = galleryWithout(i)
				.map((g) => ({ identity: g.identity, d: distance(d, g.mean) }))
				.sort((a, b) => a.d - b.d)[0];
			const named = best && best.d < THRESHOLD ? best.identity : null;
			if (samples[i]!.kind === 'person') {
				probes++;
				if (named === samples[i]!.identity) right++;
				else if (named) wrong++;
				else unknown++;
			} else {
				strangers++;
				if (named) strangersNamed++;
			}
		}
		// Live against live, this variant on both sides.
		let genuine = 0;
		let genuineUnder = 0;
		let impostor = 0;
		let impostorUnder = 0;
		for (const [a, i] of subset.entries()) {
			for (const j of subset.slice(a + 1)) {
				const di = results.get(i)!.descriptor;
				const dj = results.get(j)!.descriptor;
				if (!di || !dj) continue;
				const under = distance(di, dj) < THRESHOLD;
				if (samples[i]!.identity === samples[j]!.identity) {
					genuine++;
					if (under) genuineUnder++;
				} else {
					impostor++;
					if (under) impostorUnder++;
				}
			}
		}
		const pctOf = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;
		console.log(
			`${variant.name.padEnd(30)}${(cpu / subset.length).toFixed(1).padStart(11)}  ${(passes / subset.length).toFixed(2).padStart(6)}  ${String(nulls).padStart(7)}  ${`mean ${(sameCrop.reduce((a, b) => a + b, 0) / Math.max(1, sameCrop.length)).toFixed(3)} p95 ${percentile(sameCrop, 95).toFixed(3)}`.padStart(21)}  ${pctOf(right, probes).padStart(11)}  ${pctOf(wrong, probes).padStart(11)}  ${pctOf(unknown, probes).padStart(7)}  ${`${strangersNamed}/${strangers}`.padStart(15)}  ${pctOf(genuineUnder, genuine).padStart(11)}  ${pctOf(impostorUnder, impostor).padStart(12)}`
		);
	}
}
table(test, 'Every crop, with the fit of the other half');
table(
	test.filter((i) => samples[i]!.split === 'test'),
	'The test half alone (the fit from the tuning half, as shipped)'
);
const shipped = fits.test.plain;
console.log(
	`\nthe tuning half's fit (1, nose x, nose y, mouth x, mouth y → landmark box in eye distances): cx ${shipped.cx.map((w) => w.toFixed(4)).join(', ')}; cy ${shipped.cy.map((w) => w.toFixed(4)).join(', ')}; w ${shipped.w.map((w) => w.toFixed(4)).join(', ')}; h ${shipped.h.map((w) => w.toFixed(4)).join(', ')}`
);
engine.dispose();

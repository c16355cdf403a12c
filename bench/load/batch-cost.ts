/**
 * `npm run bench:batch` (issue #10 item 1): what a live crop costs an embed worker when several are
 * described together (face-engine.ts describeCrops), at batch sizes BENCH_BATCH_SIZES (1,2,4,8).
 * In-process, one thread, the server's own engine and crop preparation, crops as bench:load sends
 * them (bench/load/crops.ts, with BlazeFace's keypoints).
 *
 * Per batch size, CPU ms per face of: the whole describe (landmark passes in step + one descriptor
 * inference), the descriptor net alone on the same chips, and so the landmark passes; the
 * largest difference from the crop described alone (max abs over the 128 numbers, and whether
 * the landmark passes and null answers agree). Sizes are run interleaved, BENCH_ROUNDS (3) times,
 * the median kept; the load average is printed with each round (a shared machine).
 *
 * Then the pool at saturation: a real embed pool (BENCH_WORKERS, default 2 worker threads) kept
 * BENCH_IN_FLIGHT (16) crops deep as live crops of 4 clients, EMBED_BATCH 1 and the default
 * interleaved, BENCH_ROUNDS times: faces/s and the CPU of this process (the workers included) per
 * face, the embedding path alone (no WebRTC, no refusals: bench:load's CPU per answered face also
 * pays for the crops it refuses).
 *
 * The batch size (pool.ts EMBED_BATCH_DEFAULT) is chosen on face-api's demo crops ("tuning"); the
 * labelled faces of ../shared/data ("held out") only report.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadFaceEngine, type CropInput, type FaceEngine } from '../../server/embed/face-engine.ts';
import { cropSearch, type FoundLandmarks } from '../../server/embed/landmark-search.ts';
import { prepareCrop } from '../../server/embed/pipeline.ts';
import { createEmbedPool, EMBED_BATCH_DEFAULT } from '../../server/embed/pool.ts';
import type { RgbImage } from '../../server/embed/types.ts';
import { loadCrops, type Crop } from './crops.ts';

const SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,2,4,8').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const load = () => loadavg()[0]!.toFixed(2);
/** CPU time of this process, ms: steadier than the wall clock on a shared machine (the engine runs on this thread). */
const cpuMs = () => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function groups<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** The chip describeCrop would describe: cropSearch driven one landmark pass at a time. */
async function chipOf(engine: FaceEngine, input: CropInput): Promise<RgbImage | null> {
	const steps = cropSearch(input.image, {}, input.hint);
	let step = steps.next();
	while (!step.done) step = steps.next((await engine.findLandmarks(input.image, step.value, 1))!);
	return step.value;
}

type Prepared = { input: CropInput; chip: RgbImage | null };

async function measureSet(engine: FaceEngine, name: string, crops: readonly Crop[]): Promise<void> {
	const t0 = performance.now();
	const prepared: Prepared[] = [];
	for (const crop of crops) {
		const { input } = await prepareCrop(crop.bytes, crop.keypoints);
		prepared.push({ input: { image: input.image, ...(input.hint ? { hint: input.hint } : {}) }, chip: null });
	}
	const decodeMs = (performance.now() - t0) / crops.length;
	for (const p of prepared) p.chip = await chipOf(engine, p.input);
	const chips = prepared.flatMap((p) => (p.chip ? [p.chip] : []));
	// The reference: each crop alone, as before batching.
	const alone: Array<{ descriptor: Float32Array | null; passes: number }> = [];
	for (const { input } of prepared) {
		const found = {};
		alone.push({ descriptor: await engine.describeCrop(input.image, found, input.hint), passes: (found as { passes?: number }).passes ?? 0 });
	}
	const meanPasses = alone.reduce((a, r) => a + r.passes, 0) / alone.length;
	console.log(
		`\n${name}: ${crops.length} crops (${chips.length} described), decode ${decodeMs.toFixed(1)} ms a crop (sharp, incl. keypoint box), ${meanPasses.toFixed(2)} landmark passes a crop`
	);

	const times: Record<number, { whole: number[]; descriptor: number[] }> = {};
	const diffs: Record<number, { maxAbs: number; passes: number; nulls: number }> = {};
	for (const size of SIZES) {
		times[size] = { whole: [], descriptor: [] };
		diffs[size] = { maxAbs: 0, passes: 0, nulls: 0 };
	}
	for (let round = 0; round < ROUNDS; round++) {
		const before = load();
		for (const size of SIZES) {
			let t = cpuMs();
			const items: Array<{ i: number; input: CropInput & { found: FoundLandmarks } }> = prepared.map((p, i) => ({ i, input: { ...p.input, found: {} } }));
			for (const group of groups(items, size)) {
				const descriptors = await engine.describeCrops(group.map((g) => g.input));
				group.forEach((g, k) => {
					const ref = alone[g.i]!;
					const got = descriptors[k]!;
					const d = diffs[size]!;
					if ((got === null) !== (ref.descriptor === null)) d.nulls++;
					if ((g.input.found.passes ?? 0) !== ref.passes) d.passes++;
					if (got && ref.descriptor) for (let j = 0; j < got.length; j++) d.maxAbs = Math.max(d.maxAbs, Math.abs(got[j]! - ref.descriptor[j]!));
				});
			}
			times[size]!.whole.push((cpuMs() - t) / prepared.length);
			t = cpuMs();
			for (const group of groups(chips, size)) await engine.describeChips(group);
			times[size]!.descriptor.push((cpuMs() - t) / chips.length);
		}
		console.log(`  round ${round + 1}: load average ${before} → ${load()}`);
	}
	console.log('  batch | CPU ms a crop: whole | descriptor (a chip) | landmark passes | vs alone: max abs diff, passes differ, null differs');
	for (const size of SIZES) {
		const whole = median(times[size]!.whole);
		const descriptor = median(times[size]!.descriptor);
		const landmarks = whole - (descriptor * chips.length) / prepared.length;
		const d = diffs[size]!;
		console.log(
			`  ${String(size).padStart(5)} | ${whole.toFixed(1).padStart(16)} | ${descriptor.toFixed(1).padStart(19)} | ${landmarks.toFixed(1).padStart(15)} | ${d.maxAbs.toExponential(1)}, ${d.passes}, ${d.nulls}`
		);
	}
}

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const POOL_SECONDS = Number(process.env.BENCH_POOL_SECONDS ?? 20);

/** Faces/s and CPU ms a face of a pool kept IN_FLIGHT crops deep for POOL_SECONDS. */
async function saturate(crops: readonly Crop[], batch: number): Promise<{ perSecond: number; cpuPerFace: number; batches: number }> {
	const sizes: number[] = [];
	const pool = createEmbedPool({ size: WORKERS, batch, modelDir: join('models', 'face-api'), observer: { jobDone: (j) => sizes.push(j.batch) } });
	try {
		await pool.ready();
		let done = 0;
		let next = 0;
		const c0 = cpuMs();
		const t0 = performance.now();
		const end = t0 + POOL_SECONDS * 1000;
		async function lane(client: string): Promise<void> {
			while (performance.now() < end) {
				const crop = crops[next++ % crops.length]!;
				await pool.describeCrop(crop.bytes, { priority: 'live', client, ...(crop.keypoints ? { keypoints: crop.keypoints } : {}) });
				done++;
			}
		}
		await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => lane(`c${i % 4}-${i}`)));
		const seconds = (performance.now() - t0) / 1000;
		return { perSecond: done / seconds, cpuPerFace: (cpuMs() - c0) / done, batches: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length) };
	} finally {
		await pool.close();
	}
}

async function main(): Promise<void> {
	console.log(
		`bench:batch: load average ${loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}; sizes ${SIZES.join(', ')}; ${ROUNDS} rounds`
	);
	const { crops, source } = await loadCrops();
	console.log(`crops: ${source}`);
	const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
	console.log(`backend ${engine.backend}, one thread`);
	try {
		await measureSet(
			engine,
			'tuning (face-api demo crops)',
			crops.filter((c) => c.from === 'demo')
		);
		const held = crops.filter((c) => c.from === 'labelled');
		if (held.length > 0) await measureSet(engine, 'held out (labelled faces of ../shared/data)', held);
		else console.log('\nheld out: ../shared/data absent, nothing to report on');
	} finally {
		engine.dispose();
	}
	console.log(`\npool at saturation: ${WORKERS} workers, ${IN_FLIGHT} live crops in flight (4 clients), ${POOL_SECONDS} s a run, all crops`);
	for (let round = 0; round < ROUNDS; round++) {
		for (const batch of [1, EMBED_BATCH_DEFAULT]) {
			const before = load();
			const r = await saturate(crops, batch);
			console.log(
				`  EMBED_BATCH ${batch}: ${r.perSecond.toFixed(1)} faces/s, ${r.cpuPerFace.toFixed(1)} CPU ms a face (workers included), mean batch ${r.batches.toFixed(2)}; load average ${before} → ${load()}`
			);
		}
	}
}

await main();

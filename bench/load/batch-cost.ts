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
 * The batch size (pool.ts EMBED_BATCH_DEFAULT) is chosen on face-api's demo crops ("tuning"); the
 * labelled faces of ../shared/data ("held out") only report.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cropSearch, loadFaceEngine, type CropInput, type FaceEngine } from '../../server/embed/face-engine.ts';
import { prepareCrop } from '../../server/embed/pipeline.ts';
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
			const items = prepared.map((p, i) => ({ i, input: { ...p.input, found: {} as { passes?: number } } }));
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

async function main(): Promise<void> {
	console.log(`bench:batch: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; sizes ${SIZES.join(', ')}; ${ROUNDS} rounds`);
	const { crops, source } = await loadCrops();
	console.log(`crops: ${source}`);
	const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
	console.log(`backend ${engine.backend}, one thread`);
	try {
		await measureSet(engine, 'tuning (face-api demo crops)', crops.filter((c) => c.from === 'demo'));
		const held = crops.filter((c) => c.from === 'labelled');
		if (held.length > 0) await measureSet(engine, 'held out (labelled faces of ../shared/data)', held);
		else console.log('\nheld out: ../shared/data absent, nothing to report on');
	} finally {
		engine.dispose();
	}
}

await main();

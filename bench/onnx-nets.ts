/**
 * `npm run bench:onnx`: face-api's FaceRecognitionNet on tfjs-wasm (as the server runs it) against
 * the same weights as an ONNX graph on onnxruntime-node (one intra-op thread, like one pool worker
 * per core), same process, same chips:
 *  1. equality: max |Δ| over the 128 numbers, per chip and overall (must be ≪ the 0.04 match margin);
 *  2. cost per face, interleaved rounds (tfjs, ort batch 1, ort batch 4), CPU ms and wall ms.
 * Chips: the faces SSD finds on face-api's demo photos, aligned as the server does (findLandmarks →
 * alignedChip), plus the shared data's tight crops when present (FACERTC_BENCH_DATA).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../server/embed/decode.ts';
import { alignedChip, loadFaceEngine, PACKAGE_MODEL_DIR, type FaceEngine } from '../server/embed/face-engine.ts';
import { loadOnnxNets } from '../server/embed/onnx/onnx-nets.ts';
import type { RgbImage } from '../server/embed/types.ts';
import { hasSharedData, labelledFaces } from './data.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const load = () =>
	loadavg()
		.map((x) => x.toFixed(2))
		.join(' ');

async function chipsOf(engine: FaceEngine): Promise<RgbImage[]> {
	const chips: RgbImage[] = [];
	for (let i = 1; i <= 6; i++) {
		const image = await decodeImage(readFileSync(join(PACKAGE_MODEL_DIR, '..', 'demo', `sample${i}.jpg`)), { maxSide: 1280 });
		for (const face of await engine.detectFaces(image)) {
			const landmarks = await engine.findLandmarks(image, face.box);
			const chip = landmarks && alignedChip(image, landmarks);
			if (chip) chips.push(chip);
		}
	}
	if (hasSharedData()) {
		for (const paths of labelledFaces().values()) {
			for (const p of paths.slice(0, 2)) {
				const image = await decodeImage(readFileSync(p), { maxSide: 256 });
				const landmarks = await engine.findLandmarks(image, { x: 0, y: 0, width: image.width, height: image.height });
				const chip = landmarks && alignedChip(image, landmarks);
				if (chip) chips.push(chip);
			}
		}
	}
	return chips;
}

const engine = await loadFaceEngine({ modelDir: join('models', 'face-api'), backend: 'wasm' });
const nets = await loadOnnxNets({ modelDir: 'models', threads: 1 });
const chips = await chipsOf(engine);
console.log(`bench:onnx — ${new Date().toISOString()}; ${chips.length} chips (demo photos${hasSharedData() ? ' + shared faces' : ''}); load ${load()}`);

let worst = 0;
let sumSq = 0;
const reference: Float32Array[] = [];
for (const chip of chips) {
	const a = (await engine.describeChip(chip))!;
	const [b] = await nets.describeChips([chip]);
	reference.push(a);
	let chipWorst = 0;
	for (let i = 0; i < a.length; i++) chipWorst = Math.max(chipWorst, Math.abs(a[i]! - b![i]!));
	worst = Math.max(worst, chipWorst);
	sumSq += chipWorst ** 2;
}
console.log(`equality: max |Δ| ${worst.toExponential(2)} over ${chips.length} chips × 128 (rms of per-chip max ${Math.sqrt(sumSq / chips.length).toExponential(2)})`);
const batch4 = await nets.describeChips(chips.slice(0, 4));
const batchWorst = Math.max(...batch4.flatMap((d, k) => Array.from(d, (v, i) => Math.abs(v - reference[k]![i]!))));
console.log(`equality, batch of 4: max |Δ| ${batchWorst.toExponential(2)}`);

type Way = { name: string; run: () => Promise<unknown> };
const ways: Way[] = [
	{ name: 'tfjs-wasm describeChip', run: async () => { for (const c of chips) await engine.describeChip(c); } },
	{ name: 'ort batch 1', run: async () => { for (const c of chips) await nets.describeChips([c]); } },
	{
		name: 'ort batch 4',
		run: async () => {
			for (let i = 0; i < chips.length; i += 4) await nets.describeChips(chips.slice(i, i + 4));
		}
	}
];
const totals = new Map(ways.map((w) => [w.name, { cpu: 0, wall: 0, n: 0 }]));
for (const w of ways) await w.run(); // warm-up
for (let round = 0; round < ROUNDS; round++) {
	for (const w of ways) {
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		await w.run();
		const wall = performance.now() - t0;
		const cpu = process.cpuUsage(cpu0);
		const t = totals.get(w.name)!;
		t.cpu += (cpu.user + cpu.system) / 1000;
		t.wall += wall;
		t.n += chips.length;
		console.log(`  round ${round + 1} ${w.name.padEnd(24)} ${(wall / chips.length).toFixed(2)} ms wall/face, ${((cpu.user + cpu.system) / 1000 / chips.length).toFixed(2)} ms CPU/face; load ${load()}`);
	}
}
const base = totals.get(ways[0]!.name)!;
for (const w of ways) {
	const t = totals.get(w.name)!;
	console.log(
		`${w.name.padEnd(24)} ${(t.wall / t.n).toFixed(2)} ms wall, ${(t.cpu / t.n).toFixed(2)} ms CPU a face; ×${(base.cpu / t.cpu).toFixed(2)} CPU vs tfjs`
	);
}
console.log(`load ${load()}`);
engine.dispose();
await nets.dispose();

/**
 * `npm run bench:onnx`: face-api's FaceRecognitionNet on tfjs-wasm (as the server runs it) against
 * the same weights as an ONNX graph on onnxruntime-node (one intra-op thread, like one pool worker
 * per core), same process, same chips:
 *  1. equality: max |Δ| over the 128 numbers, per chip and overall (must be ≪ the 0.04 match margin);
 *     The same for FaceLandmark68Net (one pass, max |Δ| in pixels), and for the whole live path
 *     (engine.describeCrop on 112 px JPEG crops, 25 % margin: landmark passes, alignment, descriptor);
 *  2. cost per face, interleaved rounds (tfjs, ort batch 1, ort batch 4; landmarks; describeCrop),
 *     CPU ms and wall ms;
 *  3. SSD MobileNet v1 on whole photos (the first three demo photos at full size, 1920 px wide, and
 *     as the server decodes them, ≤ 1280 px): the same faces (max |Δ| of box px and score), then
 *     engine.detectFaces on tfjs-wasm against onnxruntime, interleaved rounds, median CPU and wall
 *     ms a photo, and how much of ort's goes to the 512 px input (net-input.ts, in JS).
 * Chips: the faces SSD finds on face-api's demo photos, aligned as the server does (findLandmarks →
 * alignedChip), plus the shared data's tight crops when present (FACERTC_BENCH_DATA).
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { cropFromPhoto } from '../tests/helpers/faces.ts';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../server/embed/decode.ts';
import { alignedChip } from '../server/embed/aligned-chip.ts';
import { loadFaceEngine, type FaceEngine } from '../server/embed/face-engine.ts';
import { clipBox } from '../server/embed/face-geometry.ts';
import { PACKAGE_MODEL_DIR } from '../server/embed/tfjs-runtime.ts';
import { loadOnnxNets } from '../server/embed/onnx/onnx-nets.ts';
import { netInput } from '../server/embed/onnx/net-input.ts';
import { SSD_SIZE } from '../server/embed/onnx/ssd-output.ts';
import type { FaceBox, RgbImage } from '../server/embed/types.ts';
import { hasSharedData, labelledFaces } from './data.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const load = () =>
	loadavg()
		.map((x) => x.toFixed(2))
		.join(' ');

type Region = { image: RgbImage; box: FaceBox };
const regions: Region[] = [];

/** The aligned chips, and the regions the landmark net ran on first (SSD box; a tight crop's whole). */
async function chipsOf(engine: FaceEngine): Promise<RgbImage[]> {
	const chips: RgbImage[] = [];
	for (let i = 1; i <= 6; i++) {
		const image = await decodeImage(readFileSync(join(PACKAGE_MODEL_DIR, '..', 'demo', `sample${i}.jpg`)), { maxSide: 1280 });
		for (const face of await engine.detectFaces(image)) {
			regions.push({ image, box: face.box });
			const landmarks = await engine.findLandmarks(image, face.box);
			const chip = landmarks && alignedChip(image, landmarks);
			if (chip) chips.push(chip);
		}
	}
	if (hasSharedData()) {
		for (const paths of labelledFaces().values()) {
			for (const p of paths.slice(0, 2)) {
				const image = await decodeImage(readFileSync(p), { maxSide: 256 });
				const box = { x: 0, y: 0, width: image.width, height: image.height };
				regions.push({ image, box });
				const landmarks = await engine.findLandmarks(image, box);
				const chip = landmarks && alignedChip(image, landmarks);
				if (chip) chips.push(chip);
			}
		}
	}
	return chips;
}

const engine = await loadFaceEngine({ modelDir: join('models', 'face-api'), backend: 'wasm', nets: 'tfjs' });
const onnxEngine = await loadFaceEngine({ modelDir: join('models', 'face-api'), backend: 'wasm', nets: 'onnx' });
const nets = await loadOnnxNets({ dir: join('models', 'face-api'), threads: 1 });
const chips = await chipsOf(engine);
const crops: RgbImage[] = [];
for (const { image, box } of regions) {
	if (image.width <= 256) continue; // the shared faces are crops already
	const bytes = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
		.png()
		.toBuffer()
		.then((png) => cropFromPhoto(png, box, { margin: 0.25, maxSide: 112 }));
	crops.push(await decodeImage(bytes, { maxSide: 256 }));
}
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
console.log(
	`equality: max |Δ| ${worst.toExponential(2)} over ${chips.length} chips × 128 (rms of per-chip max ${Math.sqrt(sumSq / chips.length).toExponential(2)})`
);
const batch4 = await nets.describeChips(chips.slice(0, 4));
const batchWorst = Math.max(...batch4.flatMap((d, k) => Array.from(d, (v, i) => Math.abs(v - reference[k]![i]!))));
console.log(`equality, batch of 4: max |Δ| ${batchWorst.toExponential(2)}`);

let landmarkWorst = 0;
for (const { image, box } of regions) {
	const a = (await engine.findLandmarks(image, box, 1))!;
	const [b] = await nets.findLandmarks(image, [clipBox(box, image.width, image.height)!]);
	for (let i = 0; i < 68; i++) landmarkWorst = Math.max(landmarkWorst, Math.abs(a[i]!.x - b![i]!.x), Math.abs(a[i]!.y - b![i]!.y));
}
console.log(`landmarks, one pass: max |Δ| ${landmarkWorst.toExponential(2)} px over ${regions.length} regions × 68 points`);

let cropWorst = 0;
let cropsApart = 0;
for (const crop of crops) {
	const a = await engine.describeCrop(crop);
	const b = await onnxEngine.describeCrop(crop);
	if (!a || !b) {
		if (a !== b) cropsApart++;
		continue;
	}
	const d = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
	cropWorst = Math.max(cropWorst, d);
	if (d > 1e-4) cropsApart++;
}
console.log(
	`describeCrop (whole live path): max |Δ| ${cropWorst.toExponential(2)} over ${crops.length} crops; ${cropsApart} crops over 1e-4 or described by one only`
);

type Way = { name: string; run: () => Promise<unknown> };
const ways: Way[] = [
	{
		name: 'tfjs-wasm describeChip',
		run: async () => {
			for (const c of chips) await engine.describeChip(c);
		}
	},
	{
		name: 'ort batch 1',
		run: async () => {
			for (const c of chips) await nets.describeChips([c]);
		}
	},
	{
		name: 'ort batch 4',
		run: async () => {
			for (let i = 0; i < chips.length; i += 4) await nets.describeChips(chips.slice(i, i + 4));
		}
	}
];
const byImage = new Map<RgbImage, FaceBox[]>();
for (const { image, box } of regions) byImage.set(image, [...(byImage.get(image) ?? []), clipBox(box, image.width, image.height)!]);
ways.push(
	{
		name: 'tfjs-wasm landmarks',
		run: async () => {
			for (const r of regions) await engine.findLandmarks(r.image, r.box, 1);
		}
	},
	{
		name: 'ort landmarks batch 1',
		run: async () => {
			for (const r of regions) await nets.findLandmarks(r.image, [clipBox(r.box, r.image.width, r.image.height)!]);
		}
	},
	{
		name: 'ort landmarks per photo',
		run: async () => {
			for (const [image, boxes] of byImage) await nets.findLandmarks(image, boxes);
		}
	}
);
ways.push(
	{
		name: 'tfjs-wasm describeCrop',
		run: async () => {
			for (const c of crops) await engine.describeCrop(c);
		}
	},
	{
		name: 'ort describeCrop',
		run: async () => {
			for (const c of crops) await onnxEngine.describeCrop(c);
		}
	}
);
const count = (w: Way) => (w.name.includes('landmarks') ? regions.length : w.name.includes('Crop') ? crops.length : chips.length);
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
		t.n += count(w);
		console.log(
			`  round ${round + 1} ${w.name.padEnd(24)} ${(wall / count(w)).toFixed(2)} ms wall/face, ${((cpu.user + cpu.system) / 1000 / count(w)).toFixed(2)} ms CPU/face; load ${load()}`
		);
	}
}
for (const w of ways) {
	const t = totals.get(w.name)!;
	const base = totals.get(ways[w.name.includes('landmarks') ? 3 : w.name.includes('Crop') ? 6 : 0]!.name)!;
	console.log(
		`${w.name.padEnd(24)} ${(t.wall / t.n).toFixed(2)} ms wall, ${(t.cpu / t.n).toFixed(2)} ms CPU a face; ×${(base.cpu / base.n / (t.cpu / t.n)).toFixed(2)} CPU vs tfjs`
	);
}
console.log(`load ${load()}`);

const SSD_ROUNDS = Number(process.env.SSD_ROUNDS ?? 7);
const median = (xs: number[]) => {
	const sorted = [...xs].sort((x, y) => x - y);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
for (const maxSide of [1920, 1280]) {
	const photos: RgbImage[] = [];
	for (let i = 1; i <= 3; i++) photos.push(await decodeImage(readFileSync(join(PACKAGE_MODEL_DIR, '..', 'demo', `sample${i}.jpg`)), { maxSide }));
	let boxWorst = 0;
	let scoreWorst = 0;
	const counts: string[] = [];
	for (const image of photos) {
		const a = await engine.detectFaces(image);
		const b = await onnxEngine.detectFaces(image);
		const raw = await nets.detectFaces(image, { minConfidence: 0.5, maxResults: 50 });
		counts.push(`${a.length}/${b.length}`);
		for (const [i, face] of a.entries()) {
			const other = b[i];
			if (!other) continue;
			boxWorst = Math.max(boxWorst, ...(['x', 'y', 'width', 'height'] as const).map((k) => Math.abs(face.box[k] - other.box[k])));
			scoreWorst = Math.max(scoreWorst, Math.abs(face.score - other.score));
		}
		if (raw.length !== b.length) counts.push('(raw differs)');
	}
	const sizes = photos.map((p) => `${p.width}×${p.height}`).join(', ');
	console.log(`SSD ${sizes}: faces tfjs/ort ${counts.join(' ')}; whole-px boxes max |Δ| ${boxWorst} px, scores max |Δ| ${scoreWorst.toExponential(2)}`);
	const ssdWays: Way[] = [
		{
			name: 'tfjs-wasm detectFaces',
			run: async () => {
				for (const p of photos) await engine.detectFaces(p);
			}
		},
		{
			name: 'ort detectFaces',
			run: async () => {
				for (const p of photos) await onnxEngine.detectFaces(p);
			}
		},
		{ name: 'ort input only (JS)', run: () => Promise.resolve(photos.map((p) => netInput(p, { size: SSD_SIZE, padding: 'end' }))) }
	];
	const samples = new Map(ssdWays.map((w) => [w.name, { cpu: [] as number[], wall: [] as number[] }]));
	for (const w of ssdWays) await w.run(); // warm-up
	for (let round = 0; round < SSD_ROUNDS; round++) {
		for (const w of ssdWays) {
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			await w.run();
			const wall = performance.now() - t0;
			const cpu = process.cpuUsage(cpu0);
			samples.get(w.name)!.cpu.push((cpu.user + cpu.system) / 1000 / photos.length);
			samples.get(w.name)!.wall.push(wall / photos.length);
		}
	}
	const base = samples.get(ssdWays[0]!.name)!;
	for (const w of ssdWays) {
		const { cpu, wall } = samples.get(w.name)!;
		console.log(
			`  ${w.name.padEnd(24)} median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU a photo (${SSD_ROUNDS} rounds × ${photos.length} photos, wall ${Math.min(...wall).toFixed(1)}–${Math.max(...wall).toFixed(1)}); ×${(median(base.cpu) / median(cpu)).toFixed(2)} CPU vs tfjs`
		);
	}
	console.log(`  load ${load()}`);
}
engine.dispose();
onnxEngine.dispose();
await nets.dispose();

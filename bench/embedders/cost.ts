/**
 * Cost per face of each embedder on this machine, interleaved round by round on the same live
 * crops (so load from other processes hits every contender alike): the whole crop path (what a
 * worker does with a decoded crop) and its parts. Medians with p10–p90.
 */
import { readFileSync } from 'node:fs';
import { alignedChip } from '../../server/embed/aligned-chip.ts';
import type { FaceEngine } from '../../server/embed/face-engine.ts';
import { decodeImage } from '../../server/embed/decode.ts';
import { PHOTO_DECODE_MAX_SIDE } from '../../server/embed/pipeline.ts';
import type { HumanFace } from '../../server/embed/embedders/human-face.ts';
import type { RgbImage } from '../../server/embed/types.ts';
import { liveCrop, photoOf } from '../accuracy/embed.ts';
import type { OnnxDescriber } from './onnx.ts';
import type { Boxed } from './vectors.ts';

const ROUNDS = Number(process.env.COST_ROUNDS ?? 15);

export async function measureCosts({
	engine,
	human,
	onnx,
	faces
}: {
	engine: FaceEngine;
	human: HumanFace[];
	onnx: OnnxDescriber | null;
	faces: readonly Boxed[];
}): Promise<string> {
	// Five live crops of faces-real identity photos (whole colour photos, like a camera's).
	const crops: RgbImage[] = [];
	for (const f of faces.filter((x) => x.source === 'faces-real' && x.kind === 'identity').slice(0, 5)) {
		const { path, tight } = photoOf(f);
		crops.push(await liveCrop(await decodeImage(readFileSync(path), { maxSide: PHOTO_DECODE_MAX_SIDE }), f.box, tight));
	}
	const chips: RgbImage[] = [];
	for (const c of crops) {
		const lm = await engine.findLandmarks(c, { x: 0, y: 0, width: c.width, height: c.height }, 4);
		const chip = lm && alignedChip(c, lm);
		if (chip) chips.push(chip);
	}
	const contenders: Array<[string, (k: number) => Promise<unknown>]> = [
		['face-api whole path (landmarks ≤4 passes, chip, FaceRecognitionNet)', (k) => engine.describeCrop(crops[k % crops.length]!)],
		['face-api FaceRecognitionNet alone', (k) => engine.describeChip(chips[k % chips.length]!)]
	];
	for (const h of human) {
		contenders.push([`human ${h.describer} whole path (BlazeFace, cut, model)`, (k) => h.describeCrop(crops[k % crops.length]!)]);
	}
	if (human[0]) contenders.push(['human BlazeFace alone', (k) => human[0]!.detect(crops[k % crops.length]!, 5)]);
	if (onnx) {
		contenders.push([`onnx fr_feature whole path on ${onnx.runtime} (landmarks ≤4 passes, warp, model)`, (k) => onnx.describeCrop(crops[k % crops.length]!)]);
		for (const r of onnx.runtimes) contenders.push([`onnx fr_feature alone on ${r.runtime}`, () => r.runOnce()]);
	}
	const times = contenders.map(() => [] as number[]);
	for (const [, run] of contenders) await run(0); // warm-up: first runs compile kernels
	for (let k = 0; k < ROUNDS * crops.length; k++) {
		for (let c = 0; c < contenders.length; c++) {
			const t = performance.now();
			await contenders[c]![1](k);
			times[c]!.push(performance.now() - t);
		}
	}
	const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
	const base = q(times[0]!, 0.5);
	const lines = contenders.map(([name], c) => {
		const m = q(times[c]!, 0.5);
		return `   ${name.padEnd(78)} ${m.toFixed(0).padStart(5)} ms (${q(times[c]!, 0.1).toFixed(0)}–${q(times[c]!, 0.9).toFixed(0)})  ×${(m / base).toFixed(2)}`;
	});
	return `Cost per face, one thread, ${ROUNDS * crops.length} interleaved rounds on ${crops.length} live crops (median, p10–p90; ratio to face-api's whole path; shared 2-core machine):\n${lines.join('\n')}`;
}

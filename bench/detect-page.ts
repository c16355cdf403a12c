/**
 * The browser half of `npm run bench:detect` (bundled by bench/detect.ts with esbuild): the
 * shipped detector passes, alone and combined into the strategies being compared, and the shipped
 * ranged detector (`auto`), run on frames the Node half serves. Exposes `window.detectBench`.
 */
import { createFullRangePass, createShortRangePass, type DetectorPass, type Frame } from '../src/lib/detect/mediapipe-passes.ts';
import { mergeDetections } from '../src/lib/detect/merge.ts';
import { createRangePlanner, type Range } from '../src/lib/detect/range-planner.ts';
import { createRangedDetector, farRegions } from '../src/lib/detect/ranged-detector.ts';
import { squareTiles, type Region } from '../src/lib/detect/regions.ts';
import type { Detection } from '../src/lib/track/tracker.ts';

type Strategy = (frame: Frame, timestampMs: number) => Detection[];
type Box = { x: number; y: number; width: number; height: number; score: number };

/** `boxes`: per timed call (the first, untimed call's boxes for the fixed strategies). */
export type RunResult = { boxes: Box[][]; ms: number[]; ranges: Range[] };

declare global {
	interface Window {
		detectBench: {
			init(minConfidence?: number): Promise<string[]>;
			run(strategy: string, url: string, repeats: number): Promise<RunResult>;
			timePasses(url: string, repeats: number): Promise<Record<string, number[]>>;
			runSequence(strategy: string, urls: string[], frameMs: number): Promise<RunResult>;
		};
	}
}

/** Frames the `auto` detector sees of one scene: 2 s of a 30 fps camera held still. */
export const AUTO_FRAMES = 60;
const FRAME_MS = 33;

let short: DetectorPass;
let full: DetectorPass;
let strategies: Record<string, Strategy> = {};
let passes: Record<string, Strategy> = {};
let clockMs = 0;

const toBoxes = (found: Detection[]): Box[] => found.map((d) => ({ ...d.box, score: d.score }));

function fixedStrategies(): Record<string, Strategy> {
	const over =
		(pass: DetectorPass, regions: (f: Frame) => Region[]): Strategy =>
		(frame, t) =>
			mergeDetections(regions(frame).map((r) => pass.detect(frame, r, t)));
	const shortWhole: Strategy = (frame, t) => mergeDetections([short.detect(frame, null, t)]);
	const fullWhole: Strategy = (frame, t) => mergeDetections([full.detect(frame, null, t)]);
	const full2 = over(full, (f) => farRegions(f.width, f.height));
	return {
		'short (today)': shortWhole,
		'full (room)': fullWhole,
		'full 2 tiles': full2,
		'full 2x2 tiles': over(full, (f) => squareTiles(f.width, f.height, { size: 360, minOverlap: 80 })),
		'short 3x2 tiles+whole': (frame, t) =>
			mergeDetections([shortWhole(frame, t), over(short, (f) => squareTiles(f.width, f.height, { size: 240, minOverlap: 40 }))(frame, t)])
	};
}

async function loadFrame(url: string): Promise<Frame> {
	const bitmap = await createImageBitmap(await (await fetch(url)).blob());
	// A canvas, as a video frame would be drawn: the passes read it like the <video>.
	const canvas = document.createElement('canvas');
	canvas.width = bitmap.width;
	canvas.height = bitmap.height;
	canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
	bitmap.close();
	return { image: canvas, width: canvas.width, height: canvas.height };
}

function runAuto(frame: Frame): RunResult {
	// A fresh planner per scene: the camera has just been pointed at it.
	const detector = createRangedDetector({ short, full, planner: createRangePlanner() });
	const out: RunResult = { boxes: [], ms: [], ranges: [] };
	for (let i = 0; i < AUTO_FRAMES; i++) {
		const t0 = performance.now();
		const found = detector.detectFrame(frame, (clockMs += FRAME_MS));
		out.ms.push(performance.now() - t0);
		out.boxes.push(toBoxes(found));
		out.ranges.push(detector.lastRange!);
	}
	return out;
}

window.detectBench = {
	async init(minConfidence = 0.5) {
		[short, full] = await Promise.all([createShortRangePass({ minConfidence }), createFullRangePass({ minConfidence })]);
		strategies = fixedStrategies();
		const tile = (f: Frame): Region => ({ x: 0, y: 0, size: Math.min(f.width, f.height) });
		passes = {
			'short whole': (f, t) => short.detect(f, null, t),
			'short tile': (f, t) => short.detect(f, tile(f), t),
			'full whole': (f, t) => full.detect(f, null, t),
			'full tile': (f, t) => full.detect(f, tile(f), t)
		};
		return [...Object.keys(strategies), 'auto'];
	},
	async run(name, url, repeats) {
		const frame = await loadFrame(url);
		if (name === 'auto') return runAuto(frame);
		const strategy = strategies[name];
		if (!strategy) throw new Error(`no strategy ${name}`);
		const found = strategy(frame, (clockMs += FRAME_MS));
		const ms: number[] = [];
		for (let i = 0; i < repeats; i++) {
			const t0 = performance.now();
			strategy(frame, (clockMs += FRAME_MS));
			ms.push(performance.now() - t0);
		}
		return { boxes: [toBoxes(found)], ms, ranges: [] };
	},
	async runSequence(name, urls, frameMs) {
		// A video: the frames in order, one call each, `frameMs` apart (a fresh planner for `auto`).
		const frames = await Promise.all(urls.map(loadFrame));
		const ranged = name === 'auto' ? createRangedDetector({ short, full, planner: createRangePlanner() }) : null;
		const detect: Strategy | undefined = ranged ? (f, t) => ranged.detectFrame(f, t) : strategies[name];
		if (!detect) throw new Error(`no strategy ${name}`);
		const out: RunResult = { boxes: [], ms: [], ranges: [] };
		for (const frame of frames) {
			const t0 = performance.now();
			const found = detect(frame, (clockMs += frameMs));
			out.ms.push(performance.now() - t0);
			out.boxes.push(toBoxes(found));
			if (ranged) out.ranges.push(ranged.lastRange!);
		}
		return out;
	},
	async timePasses(url, repeats) {
		const frame = await loadFrame(url);
		const ms: Record<string, number[]> = Object.fromEntries(Object.keys(passes).map((k) => [k, []]));
		for (const pass of Object.values(passes)) pass(frame, (clockMs += FRAME_MS));
		// Interleaved, so a busy moment of the shared machine hits every pass alike.
		for (let i = 0; i < repeats; i++) {
			for (const [name, pass] of Object.entries(passes)) {
				const t0 = performance.now();
				pass(frame, (clockMs += FRAME_MS));
				ms[name]!.push(performance.now() - t0);
			}
		}
		return ms;
	}
};

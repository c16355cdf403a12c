import { describe, expect, it } from 'vitest';
import type { Detection } from '../track/tracker.ts';
import type { DetectorPass, Frame } from './mediapipe-passes.ts';
import { createRangePlanner } from './range-planner.ts';
import { createRangedDetector } from './ranged-detector.ts';
import type { Region } from './regions.ts';

/** A pass that records what it was asked and answers with `found(region)`. */
function fakePass(found: (region: Region | null) => Detection[]) {
	const calls: Array<Region | null> = [];
	let closed = false;
	const pass: DetectorPass = {
		detect: (_frame, region) => {
			calls.push(region);
			return found(region);
		},
		close: () => {
			closed = true;
		}
	};
	return { pass, calls, closed: () => closed };
}

const frame: Frame = { image: {} as HTMLCanvasElement, width: 640, height: 480 };
const face = (x: number, size: number, score = 0.9): Detection => ({ box: { x, y: 100, width: size, height: size }, score });

describe('createRangedDetector', () => {
	it('runs full range on one of two overlapping squares a frame for far, taking turns', () => {
		const full = fakePass((region) => (region && region.x === 0 ? [face(100, 30, 0.6), face(101, 31, 0.5)] : [face(600, 25, 0.7)]));
		const detector = createRangedDetector({ short: null, full: full.pass, planner: createRangePlanner({ finest: 'far', coarsest: 'far' }) });
		// Two detections of one face in one square are merged, the better kept.
		expect(detector.detectFrame(frame, 0)).toEqual([face(100, 30, 0.6)]);
		expect(detector.lastRange).toBe('far');
		expect(full.calls).toEqual([{ x: 0, y: 0, size: 480 }]);
		detector.detectFrame(frame, 33);
		expect(full.calls.at(-1)).toEqual({ x: 160, y: 0, size: 480 });
		detector.detectFrame(frame, 66);
		expect(full.calls.at(-1)).toEqual({ x: 0, y: 0, size: 480 });
	});

	it('keeps, on a far frame, what the other square found where this one does not look', () => {
		// Left square: a face at the left edge (only it covers) and one in the middle (both cover).
		const left = [face(40, 30, 0.8), face(300, 30, 0.8)];
		const right = [face(302, 30, 0.7), face(600, 25, 0.7)];
		const full = fakePass((region) => (region?.x === 0 ? left : right));
		const detector = createRangedDetector({ short: null, full: full.pass, planner: createRangePlanner({ finest: 'far', coarsest: 'far' }) });
		expect(detector.detectFrame(frame, 0)).toEqual(left);
		// Right square: its own two, plus the left-edge face from the frame before (not the middle one twice).
		expect(detector.detectFrame(frame, 33)).toEqual([face(40, 30, 0.8), face(302, 30, 0.7), face(600, 25, 0.7)]);
		expect(detector.detectFrame(frame, 66)).toEqual([face(40, 30, 0.8), face(300, 30, 0.8), face(600, 25, 0.7)]);
		// A frame of another size (the other camera) carries nothing over.
		expect(detector.detectFrame({ ...frame, width: 480, height: 640 }, 99)).toEqual(left);
	});

	it('carries nothing from a far frame into a far frame after another range', () => {
		let range: 'far' | 'room' = 'far';
		const planner = {
			next: () => range,
			found: () => {},
			get range() {
				return range;
			}
		} as unknown as ReturnType<typeof createRangePlanner>;
		const full = fakePass((region) => (region === null ? [] : region.x === 0 ? [face(40, 30)] : [face(600, 25)]));
		const detector = createRangedDetector({ short: null, full: full.pass, planner });
		detector.detectFrame(frame, 0);
		range = 'room';
		expect(detector.detectFrame(frame, 33)).toEqual([]);
		range = 'far';
		expect(detector.detectFrame(frame, 66)).toEqual([face(600, 25)]);
	});

	it('runs short range on the whole frame for a near face, once the planner has stepped down', () => {
		const short = fakePass(() => [face(200, 240)]);
		const full = fakePass(() => [face(200, 250)]);
		const detector = createRangedDetector({ short: short.pass, full: full.pass, planner: createRangePlanner() });
		const ranges = [0, 1, 2, 3].map((i) => (detector.detectFrame(frame, i * 33), detector.lastRange));
		expect(ranges).toEqual(['far', 'room', 'near', 'near']);
		expect(short.calls).toEqual([null, null]);
		// far: one square; room: the whole frame (the pass letterboxes it).
		expect(full.calls).toEqual([{ x: 0, y: 0, size: 480 }, null]);
	});

	it('reads the size of a <video>, finds nothing in a frame with none, and closes both passes', () => {
		const short = fakePass(() => [face(1, 1)]);
		const full = fakePass(() => [face(1, 1)]);
		const detector = createRangedDetector({ short: short.pass, full: full.pass, planner: createRangePlanner() });
		expect(detector.detect({ videoWidth: 0, videoHeight: 0 } as HTMLVideoElement, 0)).toEqual([]);
		expect(full.calls).toEqual([]);
		expect(detector.detect({ videoWidth: 480, videoHeight: 640 } as HTMLVideoElement, 1)).toHaveLength(1);
		expect(detector.detect({ videoWidth: 480, videoHeight: 640 } as HTMLVideoElement, 34)).toHaveLength(1);
		// Portrait: the squares are top and bottom.
		expect(full.calls).toEqual([
			{ x: 0, y: 0, size: 480 },
			{ x: 0, y: 160, size: 480 }
		]);
		detector.close();
		expect(short.closed() && full.closed()).toBe(true);
	});

	it('says which model is missing rather than failing obscurely', () => {
		const detector = createRangedDetector({ short: null, full: null, planner: createRangePlanner({ finest: 'near', coarsest: 'near' }) });
		expect(() => detector.detectFrame(frame, 0)).toThrow(/near range is not loaded/);
	});
});

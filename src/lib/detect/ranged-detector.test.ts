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
	it('runs full range on two overlapping squares for far, and merges the face both squares saw', () => {
		// A face in the middle (x 300) lies in both squares: the left one sees it with a lower score.
		const full = fakePass((region) => (region && region.x === 0 ? [face(300, 30, 0.6)] : [face(301, 30, 0.8), face(600, 25, 0.7)]));
		const detector = createRangedDetector({ short: null, full: full.pass, planner: createRangePlanner({ finest: 'far', coarsest: 'far' }) });
		const found = detector.detectFrame(frame, 0);
		expect(full.calls).toEqual([
			{ x: 0, y: 0, size: 480 },
			{ x: 160, y: 0, size: 480 }
		]);
		expect(found).toEqual([face(301, 30, 0.8), face(600, 25, 0.7)]);
		expect(detector.lastRange).toBe('far');
	});

	it('runs short range on the whole frame for a near face, once the planner has stepped down', () => {
		const short = fakePass(() => [face(200, 240)]);
		const full = fakePass(() => [face(200, 250)]);
		const detector = createRangedDetector({ short: short.pass, full: full.pass, planner: createRangePlanner() });
		const ranges = [0, 1, 2, 3].map((i) => (detector.detectFrame(frame, i * 33), detector.lastRange));
		expect(ranges).toEqual(['far', 'room', 'near', 'near']);
		expect(short.calls).toEqual([null, null]);
		// far: two squares; room: the whole frame (the pass letterboxes it).
		expect(full.calls).toEqual([{ x: 0, y: 0, size: 480 }, { x: 160, y: 0, size: 480 }, null]);
	});

	it('reads the size of a <video>, finds nothing in a frame with none, and closes both passes', () => {
		const short = fakePass(() => [face(1, 1)]);
		const full = fakePass(() => [face(1, 1)]);
		const detector = createRangedDetector({ short: short.pass, full: full.pass, planner: createRangePlanner() });
		expect(detector.detect({ videoWidth: 0, videoHeight: 0 } as HTMLVideoElement, 0)).toEqual([]);
		expect(full.calls).toEqual([]);
		expect(detector.detect({ videoWidth: 480, videoHeight: 640 } as HTMLVideoElement, 1)).toHaveLength(1);
		expect(full.calls).toEqual([{ x: 0, y: 0, size: 480 }, { x: 0, y: 160, size: 480 }]);
		detector.close();
		expect(short.closed() && full.closed()).toBe(true);
	});

	it('says which model is missing rather than failing obscurely', () => {
		const detector = createRangedDetector({ short: null, full: null, planner: createRangePlanner({ finest: 'near', coarsest: 'near' }) });
		expect(() => detector.detectFrame(frame, 0)).toThrow(/near range is not loaded/);
	});
});

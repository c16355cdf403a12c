/**
 * Chooses, frame by frame, how far the detector looks. Pure: time and what each frame's pass found
 * go in, the range for the next frame comes out.
 *
 * Ranges, cheapest first (cost per 640×480 frame measured by `npm run bench:detect`):
 * - `near`: BlazeFace short range on the whole frame (faces from ~1/4 of the frame's width);
 * - `room`: BlazeFace full range on the whole frame (faces down to ~30 px of 640; ~1.7× near);
 * - `far`:  full range on two overlapping squares of the frame (faces down to ~20 px; ~2× room).
 *
 * Rules:
 * 1. Every `discoverEveryMs` a coarser range makes way for one `far` frame, which finds every face
 *    the others would; so a face too small for the current range is found within that time.
 * 2. A finer range that finds a face the previous, coarser frame did not have (too small for it)
 *    is held for `holdMs`; so is `far` while a face under `farBelow` is in view, and `room` while
 *    any face is under `nearFrom` (or none is in view: an empty room may hold small faces).
 * 3. When the holds run out the range steps down one level, and every coarser frame after a finer
 *    one is a probe: if it lost a face the finer frame had, the next finer range is held at once,
 *    `probeHoldFactor` times longer. So a face only a finer range sees is missed for one frame
 *    every few seconds (the tracker bridges that), and the cheapest range that keeps every face
 *    is the one that runs.
 */
import type { Box } from '../geometry.ts';
import { overlapOfSmaller } from './merge.ts';

export const RANGES = ['near', 'room', 'far'] as const;
export type Range = (typeof RANGES)[number];

export type RangePlannerOptions = {
	/** Longest time between two `far` frames, ms. Default 1000. */
	discoverEveryMs?: number;
	/** How long a range is kept once it was needed, ms. Default 1500. */
	holdMs?: number;
	/** Multiplier of `holdMs` after a probe lost a face. Default 4. */
	probeHoldFactor?: number;
	/**
	 * Face width, as a share of the frame's longer side, under which `far` is needed. Default 0.07
	 * (45 px of 640): on the faces-real/ group photos the `room` pass found every face from 45 px
	 * and missed some under it (`npm run bench:detect`).
	 */
	farBelow?: number;
	/**
	 * Face width, same unit, under which the short-range model is not even tried. Default 0.09
	 * (58 px of 640): on the faces-real/ group photos it found none of the 12 faces under 60 px and
	 * 5 of 7 from 60 to 90 px; from there on the probes (rule 3) decide.
	 */
	nearFrom?: number;
	/** The finest range ever used (e.g. `near` for enrolment). Default `far`. */
	finest?: Range;
	/** The coarsest range ever used. Default `near`. */
	coarsest?: Range;
};

type Seen = { level: number; boxes: readonly Box[] };

/** Boxes of `a` with no counterpart in `b`. */
function unmatched(a: readonly Box[], b: readonly Box[]): number {
	return a.filter((x) => !b.some((y) => overlapOfSmaller(x, y) > 0.2)).length;
}

export function createRangePlanner({
	discoverEveryMs = 1000,
	holdMs = 1500,
	probeHoldFactor = 4,
	farBelow = 0.07,
	nearFrom = 0.09,
	finest = 'far',
	coarsest = 'near'
}: RangePlannerOptions = {}) {
	const top = RANGES.indexOf(finest);
	const bottom = RANGES.indexOf(coarsest);
	if (top < bottom) throw new RangeError('createRangePlanner: finest must not be coarser than coarsest');
	/** Per level: held until this time, ms. */
	const holdUntil = RANGES.map(() => -Infinity);
	let level = top;
	let lastDiscoveryMs = -Infinity;
	let previous: Seen | null = null;

	const hold = (l: number, untilMs: number) => {
		const clamped = Math.min(top, Math.max(bottom, l));
		holdUntil[clamped] = Math.max(holdUntil[clamped]!, untilMs);
	};

	return {
		/** The range to run on the frame at `nowMs`. */
		next(nowMs: number): Range {
			if (level < top && nowMs - lastDiscoveryMs >= discoverEveryMs) {
				lastDiscoveryMs = nowMs;
				return RANGES[top]!;
			}
			return RANGES[level]!;
		},

		/** What the `range` pass found on the frame at `nowMs` (boxes in pixels of a frame whose longer side is `frameSide`). */
		found(nowMs: number, range: Range, boxes: readonly Box[], frameSide: number): void {
			const ran = RANGES.indexOf(range);
			if (ran === top) lastDiscoveryMs = nowMs;
			if (previous && ran > previous.level && unmatched(boxes, previous.boxes) > 0) hold(ran, nowMs + holdMs);
			if (previous && ran < previous.level && unmatched(previous.boxes, boxes) > 0) {
				hold(ran + 1, nowMs + holdMs * probeHoldFactor);
			}
			const widths = boxes.map((b) => b.width / frameSide);
			const smallest = widths.length ? Math.min(...widths) : 0;
			if (widths.length && smallest < farBelow) hold(2, nowMs + holdMs);
			if (!widths.length || smallest < nearFrom) hold(1, nowMs + holdMs);
			previous = { level: ran, boxes };
			let wanted = bottom;
			holdUntil.forEach((until, l) => {
				if (until > nowMs) wanted = Math.max(wanted, l);
			});
			// Step down at most one level a frame, so every step is probed.
			level = wanted >= level ? Math.min(top, wanted) : level - 1;
		},

		get range(): Range {
			return RANGES[level]!;
		}
	};
}

export type RangePlanner = ReturnType<typeof createRangePlanner>;

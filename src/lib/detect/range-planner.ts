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
 * 2. A finer range that finds a face the previous, coarser frame did not have (it was too small for
 *    it) is held for `holdMs`; so is `far` while a face under `farBelow` is in view, and `room`
 *    while any face is under `nearFrom` (or none is in view: an empty room may hold small faces).
 * 3. When the holds run out the range steps down one level, and the first coarser frame is a
 *    probe: if it lost a face the finer one had, the finer range comes back at once, held
 *    `probeHoldFactor` times longer, so a face only the finer range sees is missed once, not
 *    every few seconds.
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
	 * Face width, same unit, from which the short-range model alone is trusted. Default 0.25 (160 px
	 * of 640): on the selfie frames of amy…leonard it found every face from 160 px and missed 2 of
	 * 4 at 120 px (penny…stuart, never used to choose: 4 of 4 from 160 px).
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
	nearFrom = 0.25,
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
				hold(previous.level, nowMs + holdMs * probeHoldFactor);
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

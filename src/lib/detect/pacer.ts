/**
 * Decides on which video frames to run face detection. On a fast device: every frame. When
 * detection takes more than `budgetShare` of the frame interval, only every Nth frame, and the
 * tracker predicts boxes in between so the overlay still moves at the video's frame rate. Pure.
 */
export type PacerOptions = {
	/** Share of each frame interval detection may use on average, 0..1. Default 0.5. */
	budgetShare?: number;
	/** Largest N. Default 4. */
	maxEvery?: number;
	/** Longest time between detections, ms, whatever N says: beyond it the tracker loses fast faces. Default 200. */
	maxGapMs?: number;
	/** Smoothing of the measured times, 0..1 (weight of the newest sample). Default 0.1. */
	smoothing?: number;
	/** A fixed N instead of adapting (for measurements). */
	fixedEvery?: number;
};

export function createPacer({ budgetShare = 0.5, maxEvery = 4, maxGapMs = 200, smoothing = 0.1, fixedEvery }: PacerOptions = {}) {
	let detectMs = 0;
	let intervalMs = 0;
	let every = fixedEvery ?? 1;
	let sinceDetect = Infinity;
	let lastFrameMs: number | null = null;

	const ema = (old: number, sample: number) => (old === 0 ? sample : old + (sample - old) * smoothing);

	return {
		/** Called once per video frame at `nowMs`; true when this frame should run detection. */
		frame(nowMs: number): boolean {
			if (lastFrameMs !== null) intervalMs = ema(intervalMs, nowMs - lastFrameMs);
			lastFrameMs = nowMs;
			sinceDetect++;
			if (sinceDetect < every) return false;
			sinceDetect = 0;
			return true;
		},

		/** Makes the next frame a detection frame whatever N says (the picture just changed as a whole). */
		force(): void {
			sinceDetect = Infinity;
		},

		/** Reports how long a detection took. */
		measured(ms: number): void {
			detectMs = ema(detectMs, ms);
			if (fixedEvery || intervalMs <= 0) return;
			const wanted = Math.ceil(detectMs / (budgetShare * intervalMs));
			const limit = Math.max(1, Math.min(maxEvery, Math.floor(maxGapMs / intervalMs)));
			every = Math.max(1, Math.min(limit, wanted));
		},

		/** Current N: detection runs on one frame in `every`. */
		get every(): number {
			return every;
		},
		get detectMs(): number {
			return detectMs;
		}
	};
}

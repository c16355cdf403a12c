/**
 * Keeps each track's best candidate frame over a short window, so the crop sent is the best of
 * the track's recent frames rather than simply the latest. Generic over what a candidate holds
 * (an ImageBitmap in the browser); `release` frees the candidates that lose.
 */
export type Candidate<T> = { quality: number; atMs: number; payload: T };

export type BestShotOptions<T> = {
	/** Collect for this long after the first candidate before choosing, ms. Default 250. */
	windowMs?: number;
	/** …or until this many candidates. Default 3. */
	maxCandidates?: number;
	release: (payload: T) => void;
};

export function createBestShot<T>({ windowMs = 250, maxCandidates = 3, release }: BestShotOptions<T>) {
	const pending = new Map<number, { best: Candidate<T>; firstAtMs: number; count: number }>();

	return {
		/** Offers a frame of `trackId`; returns the best candidate once the window is over, else null. */
		offer(trackId: number, candidate: Candidate<T>): Candidate<T> | null {
			const entry = pending.get(trackId);
			if (!entry) {
				pending.set(trackId, { best: candidate, firstAtMs: candidate.atMs, count: 1 });
			} else {
				entry.count++;
				if (candidate.quality > entry.best.quality) {
					release(entry.best.payload);
					entry.best = candidate;
				} else {
					release(candidate.payload);
				}
			}
			const current = pending.get(trackId)!;
			if (current.count >= maxCandidates || candidate.atMs - current.firstAtMs >= windowMs) {
				pending.delete(trackId);
				return current.best;
			}
			return null;
		},

		/** Whether a window is open for this track. */
		collecting: (trackId: number) => pending.has(trackId),

		/** Drops a track's candidates (taken before its face changed: they show somebody else). */
		drop(trackId: number): void {
			const entry = pending.get(trackId);
			if (!entry) return;
			release(entry.best.payload);
			pending.delete(trackId);
		},

		/** Drops the candidates of tracks not in `live` (they left the picture). */
		retain(live: ReadonlySet<number>): void {
			for (const [trackId, entry] of pending) {
				if (live.has(trackId)) continue;
				release(entry.best.payload);
				pending.delete(trackId);
			}
		},

		clear(): void {
			for (const entry of pending.values()) release(entry.best.payload);
			pending.clear();
		}
	};
}

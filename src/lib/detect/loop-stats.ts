/** Status and stats of the live loop: once a second, frames drawn per second and the latest figures. */
import type { Clock } from './ports.ts';

/** Video frames drawn per second, smoothed detection time, current N, crop round trip. */
export type LoopStatus = { fps: number; detectMs: number; detectEvery: number; rttMs: number; error?: string };

export type LoopFigures = { detectMs: number; detectEvery: number; rttMs: number };

export function createLoopStats({ clock, onStatus, windowMs = 1000 }: { clock: Clock; onStatus: (status: LoopStatus) => void; windowMs?: number }) {
	let frames = 0;
	let windowStart = clock.now();
	return {
		/** One frame drawn; reports when the window is over. */
		frame(figures: LoopFigures): void {
			frames++;
			const elapsed = clock.now() - windowStart;
			if (elapsed < windowMs) return;
			onStatus({ fps: (frames * 1000) / elapsed, ...figures });
			frames = 0;
			windowStart = clock.now();
		},
		/** A frame failed: the loop goes on, the page says why. */
		error(err: unknown, figures: LoopFigures): void {
			onStatus({ fps: 0, ...figures, error: err instanceof Error ? err.message : String(err) });
		}
	};
}

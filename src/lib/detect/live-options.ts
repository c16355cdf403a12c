/**
 * The live page's measurement knobs, read from its URL (bench/live.ts and the browser tests use
 * them): `?crops=every-frame` sends every face on every detection frame; `?detectEvery=N` fixes
 * the detection stride instead of adapting it; `?record=frames` keeps what every video frame
 * showed (frame-record.ts). `?saver=1|0` is read by link/data-saver.ts. Pure.
 */
import type { CropPolicy } from './crop-requests.ts';

export type LiveOptions = { policy: CropPolicy; detectEvery: number | undefined; recordFrames: boolean };

/** Largest fixed stride accepted; anything else (0, negative, not a number) means adaptive. */
const MAX_DETECT_EVERY = 30;

export function liveOptionsFrom(query: URLSearchParams): LiveOptions {
	const every = Number(query.get('detectEvery'));
	return {
		policy: query.get('crops') === 'every-frame' ? 'every-frame' : 'best-shot',
		detectEvery: Number.isInteger(every) && every >= 1 && every <= MAX_DETECT_EVERY ? every : undefined,
		recordFrames: query.get('record') === 'frames'
	};
}

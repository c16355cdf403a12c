/**
 * Bandwidth: rates from the link's running totals, and the crop settings that fit the link.
 * Pure: the page feeds samples and reads results.
 */
import { FACE_CROP_MARGIN } from '../protocol/face-crop.ts';
import type { CaptureOptions, EncodeOptions } from '../track/crop.ts';
import type { IdentityOptions } from '../track/identity.ts';

export type Totals = { bytesUp: number; bytesDown: number; cropsSent: number };
export type Rates = { upBytesPerS: number; downBytesPerS: number; cropsPerS: number };

/** Rates over a sliding window of `windowMs` from samples of cumulative totals. */
export function createRateMeter(windowMs = 3000) {
	const samples: Array<{ atMs: number; totals: Totals }> = [];
	return {
		sample(atMs: number, totals: Totals): Rates {
			samples.push({ atMs, totals: { ...totals } });
			while (samples.length > 2 && atMs - samples[1]!.atMs >= windowMs) samples.shift();
			const first = samples[0]!;
			const seconds = (atMs - first.atMs) / 1000;
			if (seconds <= 0) return { upBytesPerS: 0, downBytesPerS: 0, cropsPerS: 0 };
			return {
				upBytesPerS: (totals.bytesUp - first.totals.bytesUp) / seconds,
				downBytesPerS: (totals.bytesDown - first.totals.bytesDown) / seconds,
				cropsPerS: (totals.cropsSent - first.totals.cropsSent) / seconds
			};
		}
	};
}

/** Crop round trip above which the link counts as slow and crops shrink, ms. */
export const SLOW_LINK_RTT_MS = 600;

export type CropSettings = Required<CaptureOptions> & Required<EncodeOptions>;

/**
 * Crops of 112 px at q0.5 on a good link (the face then spans ~75 px; the recognizer aligns it
 * to its 150 px chip), 96 px at q0.5 when data saver is on or the link is slow; WebP (~40 %
 * smaller than JPEG) where the browser encodes it. Chosen by `npm run bench:crops`: 112 px q0.5
 * cost 0.76 KB a crop with libwebp and moved mean genuine distances by +0.012 against 128 px q0.7
 * (1.11 KB; q0.6 at 112 px: 0.84 KB, +0.008), with no face lost on the dev clip or the photos;
 * 96 px q0.5 (0.59 KB) adds +0.02–0.03 and loses 10 % of the photos at the threshold.
 */
export function chooseCropSettings({ dataSaver, rttMs, webp }: { dataSaver: boolean; rttMs: number; webp: boolean }): CropSettings {
	const small = dataSaver || rttMs > SLOW_LINK_RTT_MS;
	const type = webp ? 'image/webp' : 'image/jpeg';
	const margin = FACE_CROP_MARGIN;
	return small ? { margin, maxSide: 96, quality: 0.5, type } : { margin, maxSide: 112, quality: 0.5, type };
}

/**
 * How eagerly tracks ask: by default one very confident answer or two agreeing fair ones settle
 * a name (see IdentityOptions.settleAt), refreshed every 2 s. With data saver or a slow link any
 * one answer settles it and refreshes come every 4 s: about one crop per face that appears. A
 * face that changes is still asked about at once (see appearance.ts), so a wrong first answer
 * does not stick for long.
 */
export function chooseIdentityPace({ dataSaver, rttMs }: { dataSaver: boolean; rttMs: number }): IdentityOptions {
	return dataSaver || rttMs > SLOW_LINK_RTT_MS ? { settleAt: 1, refreshMs: 4000 } : {};
}

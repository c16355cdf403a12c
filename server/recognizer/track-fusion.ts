/**
 * Track fusion: the mean of a live track's recent descriptors, in which the noise of single frames
 * (blur, a blink, a half-turn) averages out. The recognizer uses it only to rescue a near miss
 * (rescuedByTrack, below): plain averaging named less on the clip it was tuned on and once carried
 * a name over a cut. Keyed by channel and track id, within one channel's session. Defaults chosen
 * on bench:live's `tv` clip; shipping it was decided on `real` (README, *Recognition accuracy*).
 *
 * A descriptor joins the track's recent ones only when it is near their mean (`sameWithin`):
 * a track the browser handed to another face, or a face that changed a lot, starts again from its
 * newest descriptor instead of dragging the old face's look along. Bounded in descriptors a track,
 * age and tracks a session. Pure but for the clock.
 */
import { euclidean } from '../gallery/distance.ts';
import type { Match } from '../gallery/matcher.ts';

export type TrackFusionOptions = {
	/** Descriptors averaged at most (the newest); the one default is FUSE_CROPS's in config.ts. */
	maxDescriptors: number;
	/** Older descriptors are dropped, ms. */
	windowMs?: number;
	/**
	 * Largest distance from the newest descriptor to the mean of the others for them to be
	 * averaged, as a share of `threshold` (so it holds for every embedder's scale).
	 */
	sameWithin?: number;
	/** The match threshold in force. */
	threshold: number;
	/** Tracks remembered in a session; the least recently seen go first. */
	maxTracks?: number;
	now?: () => number;
};

export const FUSION_DEFAULTS = { windowMs: 4000, sameWithin: 0.75, maxTracks: 64 } as const;

export type TrackFusion = {
	/** The descriptor to match for this crop of `trackId`: the mean of its recent ones, this one included. */
	fuse(trackId: number, descriptor: Float32Array): { descriptor: Float32Array; count: number };
	readonly tracks: number;
};

type Recent = { at: number; descriptor: Float32Array };

export function meanOf(descriptors: readonly Float32Array[]): Float32Array {
	const mean = new Float32Array(descriptors[0]!.length);
	for (const d of descriptors) for (let i = 0; i < mean.length; i++) mean[i]! += d[i]!;
	for (let i = 0; i < mean.length; i++) mean[i]! /= descriptors.length;
	return mean;
}

export function createTrackFusion(options: TrackFusionOptions): TrackFusion {
	const { maxDescriptors, windowMs, sameWithin, maxTracks, threshold } = { ...FUSION_DEFAULTS, ...options };
	const now = options.now ?? (() => performance.now());
	// Insertion order is recency: a track seen again is moved to the end.
	const recent = new Map<number, Recent[]>();
	return {
		fuse(trackId, descriptor) {
			const at = now();
			const kept = (recent.get(trackId) ?? []).filter((r) => at - r.at <= windowMs && r.descriptor.length === descriptor.length);
			const alike = kept.length > 0 && euclidean(meanOf(kept.map((r) => r.descriptor)), descriptor) <= sameWithin * threshold;
			const next = [...(alike ? kept : []), { at, descriptor }].slice(-maxDescriptors);
			recent.delete(trackId);
			recent.set(trackId, next);
			if (recent.size > maxTracks) recent.delete(recent.keys().next().value!);
			return { descriptor: next.length === 1 ? descriptor : meanOf(next.map((r) => r.descriptor)), count: next.length };
		},
		get tracks() {
			return recent.size;
		}
	};
}

/**
 * What a crop is answered when its track's fused match is known: the crop's own match when it
 * names someone; else the fused one only when it names `leaderAlone`, the person the crop alone
 * is nearest to by the match margin (judge's leader; null when another person is about as near).
 * So a track's history can lift a near miss over the threshold but never give a face the name of
 * someone it does not itself clearly most resemble: plain averaging once carried a name over a
 * cut the page did not see, and without the margin a stranger about as near two enrolled people
 * was named one of them on `tv` (bench:live, 3 December).
 */
export function rescuedByTrack(alone: Match, fused: Match, leaderAlone: string | null): Match {
	if (alone.personId || !fused.personId) return alone;
	return fused.personId === leaderAlone ? fused : alone;
}

/**
 * Why the live page's crops went (the frame record's `crops`, see identity.ts CropReason), and
 * whether each re-ask after a face change was on another face than the track's last crop (a
 * change worth a crop) or the same face (a false alarm). Pure.
 */
import type { TruthFrame } from '../clip/camera.ts';
import type { CropReason } from '../../src/lib/track/identity.ts';
import type { ChangeCue } from '../../src/lib/track/track-identities.ts';
import { assignFaces, type ScoredFrame } from './score.ts';

export type CropTally = {
	byReason: Partial<Record<CropReason, number>>;
	/** `changed` crops on another face than the track's last crop, on the same face, or unplaced. */
	changed: { other: number; same: number; unplaced: number };
	/**
	 * `first`, `second` and `reborn` crops of a track on a face another track had asked about
	 * already in the same pass through the shot (`reborn`: the track took over the other's vote).
	 */
	reborn: { first: number; second: number; reborn: number };
	/** Crops of tracks not drawn in the next LOOK_AHEAD_FRAMES frames (never confirmed, hidden, or ended at once). */
	unshown: number;
	/** Their cues (what set the change off), on another face and on the same one. */
	cues: { other: ChangeCue[]; same: ChangeCue[] };
};

/** Frames searched after a crop's frame for its track to be drawn (a crop may go before the track is shown). */
const LOOK_AHEAD_FRAMES = 8;

export function tallyCrops(frames: readonly TruthFrame[], scored: readonly ScoredFrame[]): CropTally {
	const tally: CropTally = {
		byReason: {},
		changed: { other: 0, same: 0, unplaced: 0 },
		cues: { other: [], same: [] },
		reborn: { first: 0, second: 0, reborn: 0 },
		unshown: 0
	};
	const lastFace = new Map<number, string>();
	/** `pass:shot:face` → the track that first asked about it. */
	const askedBy = new Map<string, number>();
	// A new pass through the clip begins where the frame index goes back.
	let pass = 0;
	scored.forEach((frame, k) => {
		if (k > 0 && frame.index < scored[k - 1]!.index) pass++;
		for (const { trackId, reason, cue } of frame.crops ?? []) {
			tally.byReason[reason] = (tally.byReason[reason] ?? 0) + 1;
			let face: string | undefined;
			for (let j = k; j < Math.min(scored.length, k + LOOK_AHEAD_FRAMES) && face === undefined; j++) {
				const at = scored[j]!;
				const truth = frames[at.index]?.faces ?? [];
				const drawn = at.faces.findIndex((f) => f.id === trackId);
				if (drawn >= 0) face = truth[assignFaces(truth, at.faces)[drawn]!]?.name;
			}
			const before = lastFace.get(trackId);
			if (face !== undefined) {
				const key = `${pass}:${frames[frame.index]?.shot}:${face}`;
				const asker = askedBy.get(key);
				if (asker === undefined) askedBy.set(key, trackId);
				else if (asker !== trackId && (reason === 'first' || reason === 'second' || reason === 'reborn')) tally.reborn[reason]++;
			} else {
				tally.unshown++;
			}
			if (reason === 'changed') {
				if (face === undefined || before === undefined) tally.changed.unplaced++;
				else if (face === before) {
					tally.changed.same++;
					if (cue) tally.cues.same.push(cue);
				} else {
					tally.changed.other++;
					if (cue) tally.cues.other.push(cue);
				}
			}
			if (face !== undefined) lastFace.set(trackId, face);
		}
	});
	return tally;
}

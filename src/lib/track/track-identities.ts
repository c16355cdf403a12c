/**
 * Identity bookkeeping for the live tracks: one Identity per track id, kept in step with the
 * tracker (tracks that end take their names with them; a duplicate merged into an older track
 * gives it its answers), each track's latest appearance, and what each track shows. Pure.
 */
import { CHANGED_BELOW, likeness, LOOK_CHANGED_BELOW, resemblance, SAME_FACE_ABOVE } from './appearance.ts';
import {
	createIdentityRules,
	hasSettledName,
	inheritIdentity,
	mergeIdentities,
	newIdentity,
	shownState,
	type Answer,
	type Identity,
	type IdentityOptions,
	type ShownState
} from './identity.ts';
import type { TrackUpdate } from './tracker.ts';

export type TrackIdentities = ReturnType<typeof createTrackIdentities>;

/**
 * How long the identity of a track that ended within a shot (a box jump, a lost detection) waits
 * for a new track on a face like its own to take it over (inheritIdentity), ms. Set, not tuned:
 * a track is lost after 6 missed detection frames, ~0.4–1 s. On the `tv` clip (`npm run
 * bench:live` counts them) new tracks on a face asked about earlier in the same shot were few, 4–8
 * crops of ~100 in 48 s, and 1–3 of them took over a vote.
 */
export const INHERIT_WITHIN_MS = 1500;
/**
 * Likeness (appearance.ts) of a new track's first look to an ended track's last look above which
 * it starts from that track's votes. Lower than SAME_FACE_ABOVE, which keeps a *shown* name on a
 * jumping box: an inherited vote shows nothing until the new track's own answer, and an answer
 * that disagrees throws it away. Set at LOOK_CHANGED_BELOW: a look that would not count as a
 * change of face a frame later.
 */
export const INHERIT_ABOVE = LOOK_CHANGED_BELOW;

/**
 * Why a track's face counted as changed: `look` (unlike its look a detection frame before) or
 * `drift` (no longer like its last crop); `likeLastCrop`: appearance.ts `likeness` of the look
 * then and the last crop's (null without a crop).
 */
export type ChangeCue = { cause: 'look' | 'drift'; likeLastCrop: number | null };

export function createTrackIdentities(pace: IdentityOptions | (() => IdentityOptions) = {}) {
	const rules = createIdentityRules(pace);
	const identities = new Map<number, Identity>();
	/** Each live track's appearance in its latest detection frame. */
	const looks = new Map<number, Float32Array>();
	/** How much each track's latest look was like the one before (for measurements). */
	const likenesses = new Map<number, number>();
	/** What set off each track's last face change, and how much the look was then like its last crop (for measurements). */
	const changeCues = new Map<number, ChangeCue>();
	/** Identities of tracks that ended since the last cut showing a settled name, with their last look and when they ended. */
	let ended: Array<{ identity: Identity; look: Float32Array; atMs: number }> = [];
	let nowMs = 0;

	/** A new track's identity: a recently ended track's votes when its face looks like this one, else fresh. */
	const born = (trackId: number): Identity => {
		const look = looks.get(trackId);
		let best: (typeof ended)[number] | undefined;
		let bestLike = INHERIT_ABOVE;
		for (const entry of look ? ended : []) {
			const like = likeness(entry.look, look!);
			if (nowMs - entry.atMs <= INHERIT_WITHIN_MS && like >= bestLike) [best, bestLike] = [entry, like];
		}
		const heir = best && inheritIdentity(best.identity);
		if (!heir) return newIdentity();
		ended = ended.filter((entry) => entry !== best);
		return heir;
	};
	const identityOf = (trackId: number): Identity => {
		let identity = identities.get(trackId);
		if (!identity) identities.set(trackId, (identity = born(trackId)));
		return identity;
	};
	const end = (trackId: number) => {
		identities.delete(trackId);
		looks.delete(trackId);
		likenesses.delete(trackId);
		changeCues.delete(trackId);
	};

	return {
		rules,
		identityOf,
		/** The identity of a live track, if it has one yet (answers for ended tracks find none). */
		find: (trackId: number): Identity | undefined => identities.get(trackId),

		/**
		 * Follows one tracker update at `atMs`: merged tracks hand over their answers; ended ones are
		 * forgotten, their identities kept a moment for a new track on the same face (see born).
		 */
		apply(update: TrackUpdate, atMs = nowMs): void {
			nowMs = atMs;
			ended = ended.filter((entry) => nowMs - entry.atMs <= INHERIT_WITHIN_MS);
			const mergedAway = new Set(update.merged.map((m) => m.from));
			for (const { from, into } of update.merged) {
				const source = identities.get(from);
				if (source) identities.set(into, mergeIdentities(identityOf(into), source));
			}
			for (const { id } of update.ended) {
				const identity = identities.get(id);
				const look = looks.get(id);
				// Only a settled name is carried (see hasSettledName); others leave their face to be asked afresh.
				if (identity && look && !mergedAway.has(id) && hasSettledName(identity)) ended.push({ identity, look, atMs: nowMs });
				end(id);
			}
		},

		/** Every track ended at once (a cut): nothing is carried into the new picture. */
		clear(): void {
			ended = [];
			identities.clear();
			looks.clear();
			likenesses.clear();
			changeCues.clear();
		},

		/**
		 * Notes a track's appearance in this detection frame. A face unlike its look a detection frame
		 * before (somebody stepped into its place), or no longer resembling its last crop pixel for
		 * pixel (a slower change), may be somebody else: it is asked about again at once (after a
		 * sudden change showing no name meanwhile, see `shown`; after a slow one keeping it), and the
		 * answer replaces the name if it differs; answers about crops taken
		 * before do not count. Neither counts while the face, shifted a little, is still its last
		 * crop's by SAME_FACE_ABOVE (the frame before was the odd one, or the box moved) and the track
		 * shows a settled name (hasSettledName): no pair of different faces measured reached it
		 * (0.32–0.72, appearance.ts).
		 */
		see(trackId: number, signature: Float32Array | null): void {
			if (!signature) return;
			const previous = looks.get(trackId);
			looks.set(trackId, signature);
			const like = previous ? likeness(previous, signature) : null;
			if (like !== null) likenesses.set(trackId, like);
			const identity = identities.get(trackId);
			if (!identity || identity.changed) return;
			const crop = identity.signature;
			const likeCrop = crop ? likeness(crop, signature) : null;
			// Still its last crop's face by the tracker's standard (shifted a little): nobody else stepped
			// in. Only a settled name is spared the re-ask (see hasSettledName): an `unknown` or a name
			// still being voted on gets another look, whose answer restarts the vote.
			if (likeCrop !== null && likeCrop >= SAME_FACE_ABOVE && hasSettledName(identity)) return;
			const changed = (cause: ChangeCue['cause']) => {
				changeCues.set(trackId, { cause, likeLastCrop: likeCrop });
				rules.markChanged(identity);
			};
			if (like !== null && like < LOOK_CHANGED_BELOW) return changed('look');
			if (identity.pending === 0 && crop && resemblance(signature, crop) < CHANGED_BELOW) changed('drift');
		},

		/** What set off the track's last face change (for measurements). */
		changeCueOf: (trackId: number): ChangeCue | null => changeCues.get(trackId) ?? null,

		/** How much the track's latest look was like the one before (appearance.ts `likeness`), for measurements. */
		likenessOf: (trackId: number): number | null => likenesses.get(trackId) ?? null,

		/** The track's appearance in its latest detection frame, if read. */
		looksOf: (trackId: number): Float32Array | null => looks.get(trackId) ?? null,

		/** Whether `signature` (a detection's, now) still looks like the face of `trackId`. */
		looksLike(trackId: number, signature: Float32Array | null): boolean {
			const before = looks.get(trackId);
			return Boolean(before && signature && likeness(before, signature) >= SAME_FACE_ABOVE);
		},

		/** An answer about a crop sent when the track's identity was at `epoch`. */
		record(trackId: number, answer: Answer, epoch?: number): void {
			const identity = identities.get(trackId);
			if (identity) rules.record(identity, answer, epoch);
		},

		fail(trackId: number): void {
			const identity = identities.get(trackId);
			if (identity) rules.fail(identity);
		},

		/** Every pending request is lost (the link dropped). */
		failAll(): void {
			identities.forEach((identity) => {
				identity.pending = 0;
			});
		},

		/**
		 * What a track shows: its label and state (see identity.ts ShownState). A face unlike its look
		 * a detection frame before (a `look` change) shows no name until the answer about it: it may be
		 * somebody else at a cut the page did not see (`dev` clip: its cuts come as look changes at
		 * likeness 0.39–0.46, and so do some jumps of one face, which then show `…` for a round trip),
		 * and a name carried onto another face is the error users mind most; a `drift` (slow change)
		 * keeps its name meanwhile.
		 */
		shown(trackId: number): { label: string; state: ShownState } {
			const identity = identities.get(trackId);
			if (!identity) return { label: '', state: 'asking' };
			if (identity.changed && changeCues.get(trackId)?.cause === 'look' && shownState(identity) === 'known') return { label: '', state: 'asking' };
			return { label: identity.label, state: shownState(identity) };
		}
	};
}

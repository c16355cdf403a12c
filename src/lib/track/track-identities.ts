/**
 * Identity bookkeeping for the live tracks: one Identity per track id, kept in step with the
 * tracker (tracks that end take their names with them; a duplicate merged into an older track
 * gives it its answers), each track's latest appearance, and what each track shows. Pure.
 */
import { CHANGED_BELOW, likeness, LOOK_CHANGED_BELOW, resemblance, SAME_FACE_ABOVE } from './appearance.ts';
import {
	createIdentityRules,
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

export function createTrackIdentities(pace: IdentityOptions | (() => IdentityOptions) = {}) {
	const rules = createIdentityRules(pace);
	const identities = new Map<number, Identity>();
	/** Each live track's appearance in its latest detection frame. */
	const looks = new Map<number, Float32Array>();
	/** How much each track's latest look was like the one before (for measurements). */
	const likenesses = new Map<number, number>();

	const identityOf = (trackId: number): Identity => {
		let identity = identities.get(trackId);
		if (!identity) identities.set(trackId, (identity = newIdentity()));
		return identity;
	};
	const end = (trackId: number) => {
		identities.delete(trackId);
		looks.delete(trackId);
		likenesses.delete(trackId);
	};

	return {
		rules,
		identityOf,
		/** The identity of a live track, if it has one yet (answers for ended tracks find none). */
		find: (trackId: number): Identity | undefined => identities.get(trackId),

		/** Follows one tracker update: merged tracks hand over their answers, ended ones are forgotten. */
		apply(update: TrackUpdate): void {
			for (const { from, into } of update.merged) {
				const source = identities.get(from);
				if (source) identities.set(into, mergeIdentities(identityOf(into), source));
			}
			for (const { id } of update.ended) end(id);
		},

		/** Every track ended at once (a cut). */
		clear(): void {
			identities.clear();
			looks.clear();
			likenesses.clear();
		},

		/**
		 * Notes a track's appearance in this detection frame. A face unlike its look a detection frame
		 * before (somebody stepped into its place), or no longer resembling its last crop (a slower
		 * change), may be somebody else: it is asked about again at once, keeping its name until the
		 * answer, which replaces the name if it differs; answers about crops taken before do not count.
		 */
		see(trackId: number, signature: Float32Array | null): void {
			if (!signature) return;
			const previous = looks.get(trackId);
			looks.set(trackId, signature);
			const like = previous ? likeness(previous, signature) : null;
			if (like !== null) likenesses.set(trackId, like);
			const identity = identities.get(trackId);
			if (!identity || identity.changed) return;
			if (like !== null && like < LOOK_CHANGED_BELOW) return rules.markChanged(identity);
			if (identity.pending === 0 && identity.signature && resemblance(signature, identity.signature) < CHANGED_BELOW) rules.markChanged(identity);
		},

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

		/** What a track shows: its label and state (see identity.ts ShownState). */
		shown(trackId: number): { label: string; state: ShownState } {
			const identity = identities.get(trackId);
			if (!identity) return { label: '', state: 'asking' };
			return { label: identity.label, state: shownState(identity) };
		}
	};
}

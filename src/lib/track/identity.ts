/**
 * Per-track identity: a decaying, confidence-weighted vote over the recognizer's answers, so one
 * bad crop does not flip a name; and the schedule of when a track's next crop is due. Pure.
 */
export const UNKNOWN = 'unknown';

export type Answer = { label: string; personId: string | null; confidence: number; distance: number | null };

export type IdentityOptions = {
	/** Weight kept from older answers at each new one, 0..1. Default 0.75. */
	decay?: number;
	/** Vote weight a label needs before it is shown. Default 0.9. */
	showAt?: number;
	/**
	 * Vote weight, and lead over the runner-up, at which a track stops asking. Default 1.1: one
	 * answer at confidence ≥ 0.6 (distance ≤ 0.44 at threshold 0.55) is enough on its own; a
	 * fairer one needs a second that agrees, and so does `unknown`. Held-out check (`npm run
	 * bench:accuracy` section V: ../shared/data faces + faces-real, 10 identity-disjoint splits ×
	 * 2, live 112 px crops): at 0.44, 8 of 11 338 live answers would settle a wrong name or a
	 * stranger, and 30 % ± 7 of genuine answers settle at once; distances chosen per split on the
	 * other half (0.41–0.55) settled 41 % but let 64 through, so 0.44 stays. Evidence that settled
	 * too early is checked by the refresh and the appearance trigger.
	 */
	settleAt?: number;
	/** Wait between crops while the name is unsettled, ms. Default 400. */
	retryMs?: number;
	/** Wait between crops of a settled track, ms. Default 2000. */
	refreshMs?: number;
	/** An unanswered crop is given up after this long, ms. Default 3000. */
	timeoutMs?: number;
};

export type Identity = {
	votes: Map<string, number>;
	personIds: Map<string, string | null>;
	label: string;
	settled: boolean;
	answers: number;
	lastSentMs: number;
	pendingSinceMs: number | null;
	/** Appearance of the face in the last crop sent (see appearance.ts). */
	signature: Float32Array | null;
	/** The face changed since the last answer: the next answer may start the vote afresh. */
	changed: boolean;
};

export function newIdentity(): Identity {
	return {
		votes: new Map(),
		personIds: new Map(),
		label: UNKNOWN,
		settled: false,
		answers: 0,
		lastSentMs: -Infinity,
		pendingSinceMs: null,
		signature: null,
		changed: false
	};
}

/** Weight of one answer: a confident name counts most; a crop with no face found counts little. */
function weightOf(answer: Answer): number {
	if (answer.distance === null) return 0.25;
	if (answer.personId === null) return 1;
	return 0.5 + answer.confidence;
}

/**
 * `options` may be a function, read at every decision, so a setting such as data saver applies
 * to the faces already tracked.
 */
export function createIdentityRules(options: IdentityOptions | (() => IdentityOptions) = {}) {
	const read = typeof options === 'function' ? options : () => options;
	const decay = () => read().decay ?? 0.75;
	const showAt = () => read().showAt ?? 0.9;
	const settleAt = () => read().settleAt ?? 1.1;
	const retryMs = () => read().retryMs ?? 400;
	const refreshMs = () => read().refreshMs ?? 2000;
	const timeoutMs = () => read().timeoutMs ?? 3000;

	return {
		/** Folds one answer into the vote. */
		record(identity: Identity, answer: Answer): void {
			identity.pendingSinceMs = null;
			identity.answers++;
			// Someone else in the same place: their evidence must not be outweighed by the last person's.
			if (identity.changed && answer.label !== identity.label) {
				identity.votes.clear();
				identity.personIds.clear();
			}
			identity.changed = false;
			for (const [label, weight] of identity.votes) identity.votes.set(label, weight * decay());
			identity.votes.set(answer.label, (identity.votes.get(answer.label) ?? 0) + weightOf(answer));
			identity.personIds.set(answer.label, answer.personId);
			const ranked = [...identity.votes.entries()].sort((a, b) => b[1] - a[1]);
			const [top, second] = ranked;
			const topWeight = top?.[1] ?? 0;
			identity.label = top && topWeight >= showAt() ? top[0] : UNKNOWN;
			// An answer against the shown name unsettles the track so that more evidence comes
			// quickly: one bad crop does not flip the name, but a real change is not left for a refresh.
			const disagrees = answer.label !== identity.label;
			identity.settled = !disagrees && topWeight >= settleAt() && topWeight - (second?.[1] ?? 0) >= settleAt() / 2;
		},

		/** The face looks different from its last crop: ask again now, and let the answer restart the vote. */
		markChanged(identity: Identity): void {
			identity.changed = true;
			identity.settled = false;
			identity.lastSentMs = -Infinity;
		},

		/** The request for this track failed or timed out: allow another soon. */
		fail(identity: Identity): void {
			identity.pendingSinceMs = null;
		},

		/** Whether a crop of this track is due now (nothing pending, and its wait is over). */
		isDue(identity: Identity, nowMs: number): boolean {
			if (identity.pendingSinceMs !== null && nowMs - identity.pendingSinceMs < timeoutMs()) return false;
			const wait = identity.settled ? refreshMs() : identity.answers === 0 ? 0 : retryMs();
			return nowMs - identity.lastSentMs >= wait;
		},

		/** Whether a crop of this track should go up now; marks it pending when so. */
		claimCrop(identity: Identity, nowMs: number): boolean {
			if (!this.isDue(identity, nowMs)) return false;
			identity.lastSentMs = nowMs;
			identity.pendingSinceMs = nowMs;
			return true;
		},

		personIdOf(identity: Identity): string | null {
			return identity.personIds.get(identity.label) ?? null;
		}
	};
}

export type IdentityRules = ReturnType<typeof createIdentityRules>;

/**
 * Per-track identity: a decaying, confidence-weighted vote over the recognizer's answers, so one
 * bad crop does not flip a name; what the track shows meanwhile; and the schedule of when its
 * next crop is due. Pure.
 */
export const UNKNOWN = 'unknown';

export type Answer = { label: string; personId: string | null; confidence: number; distance: number | null; face?: boolean | undefined };

/** Whether the server found a face in the crop; servers before `face` said "none" by a null distance only. */
const faceIn = (answer: Answer): boolean => answer.face ?? answer.distance !== null;

/**
 * What a track shows: `asking` (no answer yet: `…`), `known` (a name), `unknown` (the server saw a
 * face and nobody enrolled matches), `hidden` (the server found no face in its crops: a torso, a
 * hand — never shown as a person).
 */
export type ShownState = 'asking' | 'known' | 'unknown' | 'hidden';

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
	/**
	 * Wait between crops of a settled track, ms. Default 2000. Doubles with each refresh whose
	 * answer agrees, up to MAX_REFRESH_WAIT_MS (see REFRESH_BACKOFF_STEPS).
	 */
	refreshMs?: number;
	/** An unanswered crop is given up after this long, ms. Default 3000. */
	timeoutMs?: number;
};

/**
 * How a shown name gives way; the logic's own numbers, not the recognizer's. A shown name is
 * replaced only when another label's vote leads it by SWITCH_LEAD: one `unknown` answer (weight 1)
 * against a name shown on one answer (≥ showAt 0.9, 0.675 after decay) leads by at most 0.33, so
 * one weak answer never unseats a name; two in a row do (lead ≥ 0.9 against any name shown on
 * one answer). Checked on the `tv` clip of `npm run bench:live`: no flicker back to `unknown`.
 */
export const SWITCH_LEAD = 0.5;
/**
 * Crops a fresh (or changed) face sends back to back: the first on its first good detection, the
 * next from a new frame as soon as the last one's answer is in, without the retry wait. (Not all
 * at once: a confident first answer makes the second useless, and on a loaded server a second crop
 * only queues in front of other faces' first ones.)
 */
export const EAGER_CROPS = 2;
/**
 * Why a crop goes (measurements: `npm run bench:live` tallies them): a fresh track's `first` and
 * `second` eager crops, the first crop after its face `changed`, a `retry` of an unsettled name, a
 * `refresh` of a settled one, and the rare crops of a track the server finds `no-face` in.
 */
export type CropReason = 'first' | 'reborn' | 'second' | 'changed' | 'retry' | 'refresh' | 'no-face';

/**
 * Refreshes of a settled name that agree before its refresh wait stops doubling: 2 s, 4 s, 8 s at
 * the default refreshMs. A face that stays put and keeps its name costs a crop every 8 s instead
 * of every 2 s; any change of look or answer against the name starts again at refreshMs.
 */
export const REFRESH_BACKOFF_STEPS = 2;
/** Longest refresh wait the backoff reaches, ms (a longer refreshMs, e.g. data saver's, is kept as it is). */
export const MAX_REFRESH_WAIT_MS = 8000;

/** No-face answers, with no face ever found, after which a track is asked only rarely (it is still hidden). */
export const MAX_NO_FACE = 2;
/** Longest wait between crops of a track the server keeps finding no face in, ms. */
const MAX_NO_FACE_WAIT_MS = 16_000;

export type Identity = {
	votes: Map<string, number>;
	personIds: Map<string, string | null>;
	label: string;
	settled: boolean;
	/** Answers in which the server found a face. */
	answers: number;
	/** The server found a face in one of this track's crops. */
	faceFound: boolean;
	/** No-face answers since a face was last found. */
	noFaceAnswers: number;
	/** Crops sent since the track began or its face changed. */
	sent: number;
	/** Crops in flight, and when the last one went, ms. */
	pending: number;
	lastSentMs: number;
	/** Appearance of the face in the last crop sent (see appearance.ts). */
	signature: Float32Array | null;
	/** The face changed since the last answer: the next answer may start the vote afresh. */
	changed: boolean;
	/** Counts the face's changes: an answer about a crop taken before the last change does not vote. */
	epoch: number;
	/** Refreshes in a row whose answers agreed with the settled name (the refresh backoff). */
	agreedRefreshes: number;
	/** Began with the evidence of a track that ended just before on a face like this one (see inheritIdentity). */
	inherited: boolean;
};

export function newIdentity(): Identity {
	return {
		votes: new Map(),
		personIds: new Map(),
		label: UNKNOWN,
		settled: false,
		answers: 0,
		faceFound: false,
		noFaceAnswers: 0,
		sent: 0,
		pending: 0,
		lastSentMs: -Infinity,
		signature: null,
		changed: false,
		epoch: 0,
		agreedRefreshes: 0,
		inherited: false
	};
}

/**
 * A new track's identity that starts from the votes of `from`, a track that ended a moment ago
 * (no cut since) on a face that looks like this one: a box jump or a lost detection within a shot.
 * Nothing is shown until this track's own first answer (it may be somebody else): an answer that
 * agrees with the old vote counts as a second agreeing answer and usually settles the name, so the
 * track needs one crop instead of two or three; an answer that disagrees restarts the vote, as
 * after a face change. Null unless `from` showed a settled name (hasSettledName): an `unknown`, or
 * a name still short of settling, is carried by nobody; the new track asks afresh (two eager
 * crops), as a look-alike answered near the threshold needs (see hasSettledName).
 */
export function inheritIdentity(from: Identity): Identity | null {
	if (!hasSettledName(from)) return null;
	return { ...newIdentity(), votes: new Map(from.votes), personIds: new Map(from.personIds), label: from.label, changed: true, inherited: true };
}

/**
 * Whether the track shows a known name that its votes have settled: the only state in which the
 * crop-sparing rules apply (a face change that still looks like the last crop is not re-asked,
 * track-identities.ts `see`; a new track takes over an ended one's vote, inheritIdentity). A track
 * showing `unknown` or still asking keeps being asked as before: a re-ask restarts its vote, which
 * gives a look-alike answered near the threshold another look. No number is tuned here. With the
 * rules for every state, the held-out `real` clip lost 7-9 points of right-name frames in each of
 * three interleaved runs of `npm run bench:live` (README, live uplink): that loss prompted this
 * condition, so `real` no longer judges it blind.
 */
export function hasSettledName(identity: Identity): boolean {
	return identity.settled && shownState(identity) === 'known';
}

/** Weight of one answer with a face in it: a confident name counts most. */
function weightOf(answer: Answer): number {
	return answer.personId === null ? 1 : 0.5 + answer.confidence;
}

/** What the track shows now (see ShownState). */
export function shownState(identity: Identity): ShownState {
	if (!identity.faceFound) return identity.noFaceAnswers > 0 ? 'hidden' : 'asking';
	return identity.label === UNKNOWN ? 'unknown' : 'known';
}

/**
 * Moves the answers of `from` (a duplicate track of the same face) into `into` when `into` has
 * none of its own yet; returns the identity the merged track keeps.
 */
export function mergeIdentities(into: Identity, from: Identity): Identity {
	if (into.faceFound || !from.faceFound) return into;
	return { ...from, pending: into.pending + from.pending };
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

	/**
	 * A settled track's refresh wait: refreshMs, doubled per agreeing refresh (see
	 * REFRESH_BACKOFF_STEPS), for a settled name only: a face settled as `unknown` keeps being asked
	 * every refreshMs, as a look-alike answered near the threshold needs (see hasSettledName).
	 */
	const refreshWait = (identity: Identity) => {
		const base = refreshMs();
		if (!hasSettledName(identity)) return base;
		return Math.max(base, Math.min(MAX_REFRESH_WAIT_MS, base * 2 ** Math.min(identity.agreedRefreshes, REFRESH_BACKOFF_STEPS)));
	};

	/** Crops in flight that have not timed out. */
	const inFlight = (identity: Identity, nowMs: number) => (nowMs - identity.lastSentMs < timeoutMs() ? identity.pending : 0);

	return {
		/**
		 * Folds one answer into the vote. An answer with no face in the crop (`face` false) says
		 * nothing about who it is: it does not vote; a track the server never found a face in is hidden.
		 */
		record(identity: Identity, answer: Answer, epoch = identity.epoch): void {
			identity.pending = Math.max(0, identity.pending - 1);
			const wasSettled = identity.settled;
			// About the face that was there before it changed: no evidence about this one.
			if (epoch !== identity.epoch) return;
			if (!faceIn(answer)) {
				identity.noFaceAnswers++;
				return;
			}
			identity.faceFound = true;
			identity.noFaceAnswers = 0;
			identity.answers++;
			// Someone else in the same place: their evidence must not be outweighed by the last person's.
			const restart = identity.changed && answer.label !== identity.label;
			if (restart) {
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
			const leader = top && topWeight >= showAt() ? top[0] : UNKNOWN;
			// A shown name holds until another label clearly leads it: one weak answer is not enough.
			const holds = !restart && identity.label !== UNKNOWN && leader !== identity.label && topWeight - (identity.votes.get(identity.label) ?? 0) < SWITCH_LEAD;
			if (!holds) identity.label = leader;
			// An answer against the shown name unsettles the track so that more evidence comes
			// quickly: one bad crop does not flip the name, but a real change is not left for a refresh.
			const disagrees = answer.label !== identity.label;
			identity.settled = !disagrees && topWeight >= settleAt() && topWeight - (second?.[1] ?? 0) >= settleAt() / 2;
			identity.agreedRefreshes = wasSettled && identity.settled ? identity.agreedRefreshes + 1 : 0;
		},

		/** The face looks different from its last crop: ask again now, and let the answer restart the vote. */
		markChanged(identity: Identity): void {
			identity.changed = true;
			identity.settled = false;
			identity.sent = 0;
			identity.epoch++;
			identity.agreedRefreshes = 0;
			// Crops still in flight are about the face before: do not wait for them.
			identity.pending = 0;
			// A track never found to be a face keeps its slow pace: its looks change whenever it moves.
			if (identity.faceFound) identity.lastSentMs = -Infinity;
		},

		/** The request for this track failed or timed out: allow another soon. */
		fail(identity: Identity): void {
			identity.pending = Math.max(0, identity.pending - 1);
		},

		/** Whether the track is in its eager phase: fresh or changed, sending without waiting for answers. */
		isEager(identity: Identity): boolean {
			return !identity.settled && identity.sent < EAGER_CROPS && identity.noFaceAnswers < MAX_NO_FACE;
		},

		/** Whether a crop of this track is due now. */
		isDue(identity: Identity, nowMs: number): boolean {
			const pending = inFlight(identity, nowMs);
			if (pending > 0) return false;
			if (this.isEager(identity)) return true;
			let wait = identity.settled ? refreshWait(identity) : retryMs();
			if (!identity.faceFound && identity.noFaceAnswers >= MAX_NO_FACE) {
				wait = Math.min(MAX_NO_FACE_WAIT_MS, refreshMs() * 2 ** (identity.noFaceAnswers - MAX_NO_FACE));
			}
			return nowMs - identity.lastSentMs >= wait;
		},

		/** Why the next crop of this track would go (see CropReason). */
		reasonFor(identity: Identity): CropReason {
			if (!identity.faceFound && identity.noFaceAnswers >= MAX_NO_FACE) return 'no-face';
			if (this.isEager(identity)) {
				if (identity.sent > 0) return 'second';
				return identity.epoch > 0 ? 'changed' : identity.inherited ? 'reborn' : 'first';
			}
			return identity.settled ? 'refresh' : 'retry';
		},

		/** Whether a crop of this track should go up now; counts it in flight when so. */
		claimCrop(identity: Identity, nowMs: number): boolean {
			if (!this.isDue(identity, nowMs)) return false;
			identity.pending = inFlight(identity, nowMs) + 1;
			identity.lastSentMs = nowMs;
			identity.sent++;
			return true;
		},

		personIdOf(identity: Identity): string | null {
			return identity.personIds.get(identity.label) ?? null;
		}
	};
}

export type IdentityRules = ReturnType<typeof createIdentityRules>;

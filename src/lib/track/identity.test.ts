import { describe, expect, it } from 'vitest';
import {
	createIdentityRules,
	EAGER_CROPS,
	inheritIdentity,
	MAX_NO_FACE,
	MAX_REFRESH_WAIT_MS,
	mergeIdentities,
	newIdentity,
	shownState,
	type Answer
} from './identity.ts';

const alice: Answer = { label: 'alice', personId: 'a', confidence: 0.8, distance: 0.2 };
/** Named, but less sure than a typical genuine match (weight 1.05 < settleAt). */
const fairAlice: Answer = { ...alice, confidence: 0.55, distance: 0.495 };
/** Named at the threshold: the weakest name the server gives (weight 1.0). */
const weakAlice: Answer = { ...alice, confidence: 0.5, distance: 0.55 };
const bob: Answer = { label: 'bob', personId: 'b', confidence: 0.55, distance: 0.45 };
const sureBob: Answer = { label: 'bob', personId: 'b', confidence: 0.9, distance: 0.1 };
const unknown: Answer = { label: 'unknown', personId: null, confidence: 0, distance: 0.7 };
/** Just over the threshold: a weak `unknown`. */
const weakUnknown: Answer = { label: 'unknown', personId: null, confidence: 0, distance: 0.56 };
const noFace: Answer = { label: 'unknown', personId: null, confidence: 0, distance: null, face: false };
/** A face, but nobody enrolled to measure it against. */
const nobodyToCompare: Answer = { label: 'unknown', personId: null, confidence: 0, distance: null, face: true };

describe('identity vote', () => {
	it('shows a name after one answer; settles on one very confident answer, or on two fair ones that agree', () => {
		const rules = createIdentityRules();
		const sure = newIdentity();
		rules.record(sure, alice);
		expect([sure.label, sure.settled, shownState(sure)]).toEqual(['alice', true, 'known']);
		expect(rules.personIdOf(sure)).toBe('a');

		const fair = newIdentity();
		rules.record(fair, fairAlice);
		expect([fair.label, fair.settled]).toEqual(['alice', false]);
		rules.record(fair, fairAlice);
		expect(fair.settled).toBe(true);
	});

	it('settles on unknown only after two answers say so', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, unknown);
		expect([id.settled, shownState(id)]).toEqual([false, 'unknown']);
		rules.record(id, unknown);
		expect([id.label, id.settled]).toEqual(['unknown', true]);
	});

	it('does not flip on one bad answer', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 3; i++) rules.record(id, alice);
		rules.record(id, bob);
		expect(id.label).toBe('alice');
	});

	it('keeps a name shown on one weak answer through one weak unknown, and asks again soon', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, weakAlice);
		expect(id.label).toBe('alice');
		rules.record(id, weakUnknown);
		expect([id.label, shownState(id), id.settled]).toEqual(['alice', 'known', false]);
		// A second answer against it is a lasting change: the name goes.
		rules.record(id, weakUnknown);
		expect([id.label, shownState(id)]).toEqual(['unknown', 'unknown']);
	});

	it('keeps a name through one strong unknown too', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, weakAlice);
		rules.record(id, { ...unknown, distance: 1.2 });
		expect(id.label).toBe('alice');
	});

	it('takes a very confident other name at once, a fair one only when it lasts', () => {
		const rules = createIdentityRules();
		const fair = newIdentity();
		rules.record(fair, weakAlice);
		rules.record(fair, bob);
		expect(fair.label).toBe('alice');
		rules.record(fair, bob);
		expect(fair.label).toBe('bob');

		const sure = newIdentity();
		rules.record(sure, weakAlice);
		rules.record(sure, sureBob);
		expect(sure.label).toBe('bob');
	});

	it('asks again soon after an answer that disagrees with a settled name', () => {
		const rules = createIdentityRules({ retryMs: 400, refreshMs: 2000 });
		const id = newIdentity();
		for (let i = 0; i < 3; i++) rules.record(id, alice);
		expect(id.settled).toBe(true);
		rules.record(id, bob);
		expect(id.label).toBe('alice');
		expect(id.settled).toBe(false);
	});

	it('restarts the vote when the face changed and the answer names someone else', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 4; i++) rules.record(id, alice);
		rules.markChanged(id);
		expect(rules.isDue(id, 0)).toBe(true);
		rules.record(id, bob);
		expect(id.label).toBe('bob');
	});

	it('restarts the vote when the face changed and the answer is unknown', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 4; i++) rules.record(id, alice);
		rules.markChanged(id);
		rules.record(id, unknown);
		expect([id.label, shownState(id)]).toEqual(['unknown', 'unknown']);
	});

	it('keeps the vote when the face changed but the answer agrees', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 2; i++) rules.record(id, alice);
		rules.markChanged(id);
		rules.record(id, alice);
		expect(id.label).toBe('alice');
		expect(id.settled).toBe(true);
	});

	it('follows a lasting change of evidence', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, alice);
		for (let i = 0; i < 5; i++) rules.record(id, bob);
		expect(id.label).toBe('bob');
	});

	it('stays unknown for strangers', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 3; i++) rules.record(id, unknown);
		expect([id.label, shownState(id)]).toEqual(['unknown', 'unknown']);
	});
});

describe('crops with no face', () => {
	it('shows `…` before any answer and hides a track the server found no face in', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		expect(shownState(id)).toBe('asking');
		rules.record(id, noFace);
		expect(shownState(id)).toBe('hidden');
		rules.record(id, noFace);
		expect(shownState(id)).toBe('hidden');
	});

	it('shows a face with nobody enrolled as unknown, not as no face; a server without `face` meant no face by a null distance', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, nobodyToCompare);
		expect([shownState(id), id.label]).toEqual(['unknown', 'unknown']);
		const older = newIdentity();
		rules.record(older, { label: 'unknown', personId: null, confidence: 0, distance: null });
		expect(shownState(older)).toBe('hidden');
	});

	it('shows the track once a later crop has a face', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, noFace);
		rules.record(id, alice);
		expect([shownState(id), id.label]).toEqual(['known', 'alice']);
	});

	it('never lets a no-face answer vote: a named track keeps its name and stays shown', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, weakAlice);
		for (let i = 0; i < 5; i++) rules.record(id, noFace);
		expect([shownState(id), id.label, id.answers]).toEqual(['known', 'alice', 1]);
	});

	it(`asks ever more rarely after ${MAX_NO_FACE} no-face answers`, () => {
		const rules = createIdentityRules({ retryMs: 400, refreshMs: 2000 });
		const id = newIdentity();
		let t = 0;
		const waits: number[] = [];
		for (let i = 0; i < 6; i++) {
			const from = t;
			while (!rules.claimCrop(id, t)) t += 50;
			waits.push(t - from);
			rules.record(id, noFace);
		}
		// Two at once (a fresh track's pair), then 2 s, 4 s, 8 s, at most 16 s.
		expect(waits).toEqual([0, 0, 2000, 4000, 8000, 16000]);
	});
});

describe('crop schedule', () => {
	it(`sends a fresh face's ${EAGER_CROPS} first crops back to back, each as soon as the last answer is in`, () => {
		const rules = createIdentityRules({ retryMs: 400 });
		const id = newIdentity();
		expect(rules.claimCrop(id, 0)).toBe(true);
		expect(rules.claimCrop(id, 66)).toBe(false);
		rules.record(id, unknown);
		// No retry wait for the second.
		expect(rules.claimCrop(id, 70)).toBe(true);
		rules.record(id, unknown);
		expect(id.settled).toBe(true);
		expect(rules.claimCrop(id, 100)).toBe(false);
	});

	it('waits the retry time after the first crops when the name is still unsure', () => {
		const rules = createIdentityRules({ retryMs: 400 });
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.record(id, fairAlice);
		rules.claimCrop(id, 70);
		rules.record(id, unknown);
		expect(id.settled).toBe(false);
		expect(rules.claimCrop(id, 400)).toBe(false);
		expect(rules.claimCrop(id, 470)).toBe(true);
	});

	it('sends no second crop when the first answer settled the name', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.record(id, alice);
		expect(rules.isEager(id)).toBe(false);
		expect(rules.claimCrop(id, 66)).toBe(false);
	});

	it('retries an unsettled track quickly and refreshes a settled one slowly', () => {
		const rules = createIdentityRules({ retryMs: 400, refreshMs: 2000 });
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.record(id, unknown);
		rules.claimCrop(id, 50);
		rules.record(id, fairAlice);
		expect(id.settled).toBe(false);
		expect(rules.claimCrop(id, 300)).toBe(false);
		expect(rules.claimCrop(id, 450)).toBe(true);
		rules.record(id, fairAlice);
		expect(id.settled).toBe(true);
		expect(rules.claimCrop(id, 2400)).toBe(false);
		expect(rules.claimCrop(id, 2450)).toBe(true);
	});

	it('is eager again when the face changed', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.record(id, alice);
		expect(rules.claimCrop(id, 100)).toBe(false);
		rules.markChanged(id);
		expect(rules.claimCrop(id, 100)).toBe(true);
		rules.record(id, bob);
		expect(rules.claimCrop(id, 110)).toBe(true);
		expect(rules.claimCrop(id, 120)).toBe(false);
	});

	it('does not count answers about the face before a change', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.claimCrop(id, 0);
		const before = id.epoch;
		rules.markChanged(id);
		// The crop in flight was of the face before: its answer must not name the new one.
		rules.record(id, alice, before);
		expect([id.label, shownState(id)]).toEqual(['unknown', 'asking']);
		rules.claimCrop(id, 10);
		rules.record(id, bob, id.epoch);
		expect(id.label).toBe('bob');
	});

	it('gives up on unanswered crops after the timeout', () => {
		const rules = createIdentityRules({ timeoutMs: 1000 });
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.claimCrop(id, 10);
		expect(rules.claimCrop(id, 900)).toBe(false);
		expect(rules.claimCrop(id, 1100)).toBe(true);
	});

	it('allows another crop when a request fails', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.claimCrop(id, 10);
		rules.fail(id);
		rules.fail(id);
		rules.record(id, fairAlice);
		expect(id.pending).toBe(0);
		expect(rules.claimCrop(id, 500)).toBe(true);
	});
});

describe('refresh backoff', () => {
	/** Sends the crop due at or after `fromMs` (stepping 50 ms) and answers it; returns when it went. */
	const refreshAt = (rules: ReturnType<typeof createIdentityRules>, id: ReturnType<typeof newIdentity>, fromMs: number, answer: Answer) => {
		let t = fromMs;
		while (!rules.claimCrop(id, t)) t += 50;
		rules.record(id, answer);
		return t;
	};

	it('doubles the refresh wait of a settled name while refreshes agree: 2 s, 4 s, 8 s, then stays', () => {
		const rules = createIdentityRules({ refreshMs: 2000 });
		const id = newIdentity();
		const sent = [refreshAt(rules, id, 0, alice)];
		for (let i = 0; i < 4; i++) sent.push(refreshAt(rules, id, sent.at(-1)!, alice));
		const waits = sent.slice(1).map((t, i) => t - sent[i]!);
		expect(waits).toEqual([2000, 4000, MAX_REFRESH_WAIT_MS, MAX_REFRESH_WAIT_MS]);
	});

	it('starts again at the refresh time after an answer against the name, or a change of face', () => {
		const rules = createIdentityRules({ refreshMs: 2000, retryMs: 400 });
		const id = newIdentity();
		let t = refreshAt(rules, id, 0, alice);
		t = refreshAt(rules, id, t, alice);
		t = refreshAt(rules, id, t, alice);
		expect(id.agreedRefreshes).toBe(2);
		// One answer against it: the name holds, the track retries, then refreshes from 2 s again.
		t = refreshAt(rules, id, t, bob);
		expect(id.label).toBe('alice');
		t = refreshAt(rules, id, t, alice);
		expect(id.settled).toBe(true);
		expect(refreshAt(rules, id, t, alice) - t).toBe(2000);

		rules.markChanged(id);
		expect(id.agreedRefreshes).toBe(0);
	});

	it('does not back off a face settled as unknown: it is asked every refresh time', () => {
		const rules = createIdentityRules({ refreshMs: 2000 });
		const id = newIdentity();
		const sent = [refreshAt(rules, id, 0, unknown)];
		for (let i = 0; i < 4; i++) sent.push(refreshAt(rules, id, sent.at(-1)!, unknown));
		expect(id.settled).toBe(true);
		expect(id.label).toBe('unknown');
		const waits = sent.slice(2).map((t, i) => t - sent[i + 1]!);
		expect(waits).toEqual([2000, 2000, 2000]);
	});

	it('keeps a longer refresh time (data saver) as it is', () => {
		const rules = createIdentityRules({ refreshMs: 10_000 });
		const id = newIdentity();
		const first = refreshAt(rules, id, 0, alice);
		const second = refreshAt(rules, id, first, alice);
		expect(refreshAt(rules, id, second, alice) - second).toBe(10_000);
	});
});

describe('a track that takes over an ended track of the same face', () => {
	it('shows nothing before its own answer, and one answer that agrees settles it: one crop instead of two', () => {
		const rules = createIdentityRules();
		const before = newIdentity();
		rules.record(before, fairAlice);
		rules.record(before, fairAlice);
		const heir = inheritIdentity(before)!;
		expect([shownState(heir), heir.settled, rules.reasonFor(heir)]).toEqual(['asking', false, 'reborn']);
		expect(rules.claimCrop(heir, 0)).toBe(true);
		rules.record(heir, fairAlice);
		expect([heir.label, shownState(heir), heir.settled]).toEqual(['alice', 'known', true]);
		expect(rules.claimCrop(heir, 100)).toBe(false);

		// A fresh track given the same fair answer is not sure yet and sends a second crop at once.
		const fresh = newIdentity();
		rules.claimCrop(fresh, 0);
		rules.record(fresh, fairAlice);
		expect([fresh.settled, rules.claimCrop(fresh, 100)]).toEqual([false, true]);
	});

	it('throws the old vote away when its first answer names somebody else', () => {
		const rules = createIdentityRules();
		const before = newIdentity();
		rules.record(before, alice);
		rules.record(before, alice);
		const heir = inheritIdentity(before)!;
		rules.claimCrop(heir, 0);
		rules.record(heir, bob);
		expect([heir.label, heir.votes.has('alice'), heir.settled]).toEqual(['bob', false, false]);
	});

	it('takes over nothing from a track showing unknown, or a name not yet settled', () => {
		const rules = createIdentityRules();
		const stranger = newIdentity();
		rules.record(stranger, unknown);
		rules.record(stranger, unknown);
		expect([shownState(stranger), stranger.settled]).toEqual(['unknown', true]);
		expect(inheritIdentity(stranger)).toBeNull();
		const unsettled = newIdentity();
		rules.record(unsettled, fairAlice);
		expect([shownState(unsettled), unsettled.settled]).toEqual(['known', false]);
		expect(inheritIdentity(unsettled)).toBeNull();
	});

	it('takes over nothing from a track never answered, or only with no face', () => {
		const rules = createIdentityRules();
		const blank = newIdentity();
		expect(inheritIdentity(blank)).toBeNull();
		rules.record(blank, noFace);
		expect(inheritIdentity(blank)).toBeNull();
	});
});

describe('merging duplicate tracks', () => {
	it("gives a track without answers the duplicate's", () => {
		const rules = createIdentityRules();
		const named = newIdentity();
		rules.record(named, alice);
		const fresh = newIdentity();
		expect(mergeIdentities(fresh, named).label).toBe('alice');
		expect(mergeIdentities(named, fresh)).toBe(named);
	});
});

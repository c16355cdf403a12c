import { describe, expect, it } from 'vitest';
import { SIGNATURE_SIDE_PX } from './appearance.ts';
import type { Answer } from './identity.ts';
import { createTrackIdentities, INHERIT_WITHIN_MS } from './track-identities.ts';

const alice: Answer = { label: 'alice', personId: 'a', confidence: 0.8, distance: 0.2 };
const look = (...values: number[]) => {
	const v = Float32Array.from(values);
	const norm = Math.hypot(...values);
	return v.map((x) => x / norm);
};
const face = look(1, -1, 1, -1);
const sameFace = look(1, -0.9, 1.1, -1);
const otherFace = look(-1, 1, 1, -1);
const fairAlice: Answer = { ...alice, confidence: 0.55, distance: 0.495 };
/** Somebody not enrolled (weight 1: two answers settle `unknown`). */
const stranger: Answer = { label: 'unknown', personId: null, confidence: 0.6, distance: 0.7 };

/** A signature-sized look of fixed noise (seed `seed`), shifted `dx` cells right: pixel for pixel unlike itself unshifted. */
const noiseLook = (seed: number, dx = 0) => {
	const n = SIGNATURE_SIDE_PX;
	let state = seed;
	const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
	const cells = Array.from({ length: n * (n + 4) }, random);
	return look(...Array.from({ length: n * n }, (_, i) => cells[(i % n) + 2 - dx + Math.floor(i / n) * (n + 4)]!));
};
const ended = (id: number) => ({ tracks: [], ended: [{ id, reason: 'replaced' as const }], merged: [] });
describe('track identities', () => {
	it('forgets the identity of a track that ended; late answers for it find nothing', () => {
		const book = createTrackIdentities();
		book.identityOf(1);
		book.record(1, alice);
		expect(book.shown(1)).toEqual({ label: 'alice', state: 'known' });
		book.apply({ tracks: [], ended: [{ id: 1, reason: 'replaced' }], merged: [] });
		book.record(1, alice);
		expect(book.find(1)).toBeUndefined();
		expect(book.shown(1).state).toBe('asking');
	});

	it('gives a merged duplicate its answers when the surviving track has none', () => {
		const book = createTrackIdentities();
		book.identityOf(1);
		book.identityOf(2);
		book.record(2, alice);
		book.apply({ tracks: [], ended: [{ id: 2, reason: 'merged' }], merged: [{ from: 2, into: 1 }] });
		expect(book.shown(1)).toEqual({ label: 'alice', state: 'known' });
		expect(book.find(2)).toBeUndefined();
	});

	it('forgets everything at a cut', () => {
		const book = createTrackIdentities();
		book.identityOf(1);
		book.record(1, alice);
		book.see(1, face);
		book.clear();
		expect(book.find(1)).toBeUndefined();
		expect(book.looksOf(1)).toBeNull();
	});

	it('tells whether a face still looks like the track', () => {
		const book = createTrackIdentities();
		book.see(1, face);
		expect(book.looksLike(1, sameFace)).toBe(true);
		expect(book.looksLike(1, otherFace)).toBe(false);
		expect(book.looksLike(2, face)).toBe(false);
		expect(book.looksLike(1, null)).toBe(false);
	});

	it('measures how much each look is like the one before', () => {
		const book = createTrackIdentities();
		book.see(1, face);
		expect(book.likenessOf(1)).toBeNull();
		book.see(1, sameFace);
		expect(book.likenessOf(1)).toBeGreaterThan(0.9);
		book.see(1, otherFace);
		expect(book.likenessOf(1)).toBeLessThan(0.5);
	});

	it('asks at once about a face unlike its look a frame before, even with a crop in flight, and takes the new answer', () => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		book.see(1, face);
		book.rules.claimCrop(identity, 0);
		book.record(1, alice, identity.epoch);
		book.rules.claimCrop(identity, 2500);
		const inFlight = identity.epoch;
		book.see(1, otherFace);
		expect(identity.changed).toBe(true);
		// Maybe somebody else: no name until the answer (never alice's over another face); the answer about the crop before does not count.
		expect(book.shown(1)).toEqual({ label: '', state: 'asking' });
		book.record(1, alice, inFlight);
		expect(book.shown(1)).toEqual({ label: '', state: 'asking' });
		expect(book.rules.claimCrop(identity, 2510)).toBe(true);
		book.record(1, { label: 'bob', personId: 'b', confidence: 0.55, distance: 0.45 }, identity.epoch);
		expect(book.shown(1)).toEqual({ label: 'bob', state: 'known' });
	});

	/** Track 1 answered `answer` on `face`, then showing `otherFace` a detection frame later. */
	const answeredThenChanged = (answer: Answer) => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		book.see(1, face);
		book.rules.claimCrop(identity, 0);
		book.record(1, answer, identity.epoch);
		book.see(1, otherFace);
		expect(identity.changed).toBe(true);
		return { book, identity };
	};

	it('shows the name again when the answer after a sudden change of look names the same person', () => {
		const { book, identity } = answeredThenChanged(alice);
		expect(book.shown(1).state).toBe('asking');
		book.rules.claimCrop(identity, 10);
		book.record(1, alice, identity.epoch);
		expect(book.shown(1)).toEqual({ label: 'alice', state: 'known' });
	});

	it("keeps showing 'unknown' through a sudden change of look (no name to carry)", () => {
		const { book } = answeredThenChanged(stranger);
		expect(book.shown(1)).toEqual({ label: 'unknown', state: 'unknown' });
	});

	it('asks again at once when the face no longer looks like its last crop', () => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		book.rules.claimCrop(identity, 0);
		identity.signature = face;
		book.record(1, alice);
		expect(book.rules.isDue(identity, 100)).toBe(false);
		// A slow drift, frame after frame (each look close to the one before), away from the crop's.
		const mix = (t: number) => look(...[0, 1, 2, 3].map((i) => (1 - t) * face[i]! + t * otherFace[i]!));
		book.see(1, mix(0.1));
		expect(book.rules.isDue(identity, 100)).toBe(false);
		for (let t = 0.2; t <= 1; t += 0.1) book.see(1, mix(t));
		expect(identity.changed).toBe(true);
		expect(book.shown(1)).toEqual({ label: 'alice', state: 'known' });
		expect(book.rules.isDue(identity, 100)).toBe(true);
	});

	it("does not ask again about a face that is its last crop's, shifted a little under its box", () => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		book.see(1, noiseLook(7));
		book.rules.claimCrop(identity, 0);
		identity.signature = noiseLook(7);
		book.record(1, alice);
		// Two cells over: pixel for pixel unlike the crop (resemblance under CHANGED_BELOW), the same face shifted.
		book.see(1, noiseLook(7, 1));
		book.see(1, noiseLook(7, 2));
		expect([identity.changed, book.rules.isDue(identity, 100)]).toEqual([false, false]);
		book.see(1, noiseLook(8, 2));
		expect(identity.changed).toBe(true);
	});

	it("does not ask again when one odd frame broke the look but the face is still its last crop's", () => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		const crop = noiseLook(7);
		const odd = noiseLook(11);
		// Each like the crop (0.85) but, leaning opposite ways, unlike each other (0.45).
		const leaning = (sign: number) => look(...crop.map((v, i) => v + sign * 0.62 * odd[i]!));
		book.see(1, crop);
		book.rules.claimCrop(identity, 0);
		identity.signature = crop;
		book.record(1, alice);
		book.see(1, leaning(1));
		book.see(1, leaning(-1));
		expect(book.likenessOf(1)).toBeLessThan(0.6);
		expect(identity.changed).toBe(false);
	});

	it("asks again about a face showing 'unknown', or a name not yet settled, even while it is its last crop's shifted a little", () => {
		/** A track whose last crop was noiseLook(7), after `answers`. */
		const answeredAs = (...answers: Answer[]) => {
			const book = createTrackIdentities();
			const identity = book.identityOf(1);
			book.see(1, noiseLook(7));
			book.rules.claimCrop(identity, 0);
			identity.signature = noiseLook(7);
			for (const answer of answers) book.record(1, answer);
			return { book, identity };
		};
		const settledUnknown = answeredAs(stranger, stranger);
		expect([settledUnknown.book.shown(1).state, settledUnknown.identity.settled]).toEqual(['unknown', true]);
		const fairName = answeredAs(fairAlice);
		expect([fairName.book.shown(1).state, fairName.identity.settled]).toEqual(['known', false]);
		for (const { book, identity } of [settledUnknown, fairName]) {
			// The same shift a settled name is spared a re-ask for (the test above).
			book.see(1, noiseLook(7, 1));
			book.see(1, noiseLook(7, 2));
			expect(identity.changed).toBe(true);
		}
	});

	it('gives a new track nothing from an ended track that showed unknown or an unsettled name', () => {
		for (const answers of [[stranger, stranger], [fairAlice]]) {
			const book = createTrackIdentities();
			book.see(1, face);
			book.identityOf(1);
			for (const answer of answers) book.record(1, answer);
			book.apply(ended(1), 1000);
			book.see(2, sameFace);
			expect(book.identityOf(2).inherited).toBe(false);
		}
	});

	it('starts a new track on the face of a track that ended a moment ago from its vote, shown only after its own answer', () => {
		const book = createTrackIdentities();
		book.see(1, face);
		book.identityOf(1);
		book.record(1, fairAlice);
		book.record(1, fairAlice);
		book.apply(ended(1), 1000);
		book.see(2, sameFace);
		expect(book.identityOf(2).inherited).toBe(true);
		expect(book.shown(2).state).toBe('asking');
		book.rules.claimCrop(book.identityOf(2), 1000);
		book.record(2, fairAlice);
		expect([book.shown(2), book.identityOf(2).settled]).toEqual([{ label: 'alice', state: 'known' }, true]);
		// One heir per ended track.
		book.see(3, sameFace);
		expect(book.identityOf(3).inherited).toBe(false);
	});

	it('starts a new track fresh after a cut, long after the old track ended, or on a face unlike it', () => {
		const answered = (book: ReturnType<typeof createTrackIdentities>) => {
			book.see(1, face);
			book.identityOf(1);
			book.record(1, alice);
			book.apply(ended(1), 1000);
		};
		const cut = createTrackIdentities();
		answered(cut);
		cut.clear();
		cut.see(2, face);
		expect(cut.identityOf(2).inherited).toBe(false);

		const late = createTrackIdentities();
		answered(late);
		late.apply({ tracks: [], ended: [], merged: [] }, 1000 + INHERIT_WITHIN_MS + 1);
		late.see(2, face);
		expect(late.identityOf(2).inherited).toBe(false);

		const other = createTrackIdentities();
		answered(other);
		other.see(2, otherFace);
		expect(other.identityOf(2).inherited).toBe(false);
	});

	it('drops every pending request when the link drops', () => {
		const book = createTrackIdentities();
		const identity = book.identityOf(1);
		book.rules.claimCrop(identity, 0);
		book.rules.claimCrop(identity, 10);
		book.failAll();
		expect(identity.pending).toBe(0);
	});
});

/**
 * The enrolment questions' numbers (server/gallery/consistency.ts), chosen on one side of a split
 * and scored on the other, with the enrolment-path vectors of the side's identity photos:
 *  - duplicate: a face enrolled under a new name while its person is enrolled should be asked
 *    about ("caught"); a face of somebody not enrolled should not ("falseAsk");
 *  - mismatch: sets of 3 faces of one person should not be asked about ("falseAsk"); sets of 2 of
 *    one person and 1 of another should ("caught").
 * Each slack minimises (1 − caught) + falseAsk on the tuning side.
 */
import { findConflict, findMismatch, MISMATCH_SLACK, DUPLICATE_SLACK } from '../../server/gallery/consistency.ts';
import type { GalleryEntry } from '../../server/gallery/matcher.ts';
import type { BenchFace } from './embed.ts';
import type { Side } from './trials.ts';

export const SLACKS = [-0.1, -0.075, -0.05, -0.025, 0, 0.025, 0.05, 0.075, 0.1, 0.15];
type Rate = { slack: number; caught: number; falseAsk: number };
export type CheckChoice = { duplicate: Rate; mismatch: Rate; shippedDuplicate: Rate; shippedMismatch: Rate };

const key = (f: BenchFace) => `${f.source}:${f.identity}`;

function* triples<T>(items: readonly T[]): Generator<[T, T, T]> {
	for (let a = 0; a < items.length; a++)
		for (let b = a + 1; b < items.length; b++) for (let c = b + 1; c < items.length; c++) yield [items[a]!, items[b]!, items[c]!];
}

function duplicateRates(side: Side, threshold: number, slack: number): Rate {
	const photos = side.photos.filter((f) => f.v.enrol);
	const entries = (keep: (f: BenchFace) => boolean): GalleryEntry[] =>
		photos.filter(keep).map((f) => ({ personId: key(f), name: key(f), embedding: f.v.enrol! }));
	// findConflict asks below threshold + DUPLICATE_SLACK: shift the threshold to try another slack.
	const t = threshold + slack - DUPLICATE_SLACK;
	let caught = 0;
	let asked = 0;
	for (const f of photos) {
		const face = [{ embedding: f.v.enrol! }];
		if (
			findConflict(
				face,
				entries((x) => x !== f),
				t,
				'new'
			)
		)
			caught++;
		if (
			findConflict(
				face,
				entries((x) => key(x) !== key(f)),
				t,
				'new'
			)
		)
			asked++;
	}
	return { slack, caught: caught / photos.length, falseAsk: asked / photos.length };
}

function mismatchRates(side: Side, threshold: number, slack: number): Rate {
	const byPerson = new Map<string, Float32Array[]>();
	for (const f of side.photos) if (f.v.enrol) byPerson.set(key(f), [...(byPerson.get(key(f)) ?? []), f.v.enrol]);
	const t = threshold + slack - MISMATCH_SLACK;
	const asked = (set: Float32Array[]) =>
		findMismatch(
			set.map((embedding) => ({ embedding })),
			[],
			t
		) !== null;
	let genuine = 0,
		genuineAsked = 0,
		intruded = 0,
		intrudedAsked = 0;
	for (const [p, own] of byPerson) {
		for (const set of triples(own)) {
			genuine++;
			if (asked(set)) genuineAsked++;
		}
		for (const [q, theirs] of byPerson) {
			if (q === p) continue;
			for (let a = 0; a < own.length; a++)
				for (let b = a + 1; b < own.length; b++)
					for (const v of theirs) {
						intruded++;
						if (asked([own[a]!, own[b]!, v])) intrudedAsked++;
					}
		}
	}
	return { slack, caught: intruded ? intrudedAsked / intruded : 0, falseAsk: genuine ? genuineAsked / genuine : 0 };
}

function best(rates: Rate[]): Rate {
	return rates.reduce((a, b) => (1 - b.caught + b.falseAsk < 1 - a.caught + a.falseAsk - 1e-12 ? b : a));
}

export function chooseChecks(tune: Side, test: Side, threshold: number): CheckChoice {
	const dup = best(SLACKS.map((s) => duplicateRates(tune, threshold, s))).slack;
	const mis = best(SLACKS.map((s) => mismatchRates(tune, threshold, s))).slack;
	return {
		duplicate: duplicateRates(test, threshold, dup),
		mismatch: mismatchRates(test, threshold, mis),
		shippedDuplicate: duplicateRates(test, threshold, DUPLICATE_SLACK),
		shippedMismatch: mismatchRates(test, threshold, MISMATCH_SLACK)
	};
}

/**
 * Section X of bench:accuracy: what negative examples ("Not <name>" on the live page) do, held out.
 *
 * Negatives belong to a person, so the split here is not by identity (section S) but by who is a
 * stranger: every identity of a source is enrolled (enrolment-path vectors, as the People page
 * stores them), and per seed the stranger photos (strangers and unlabelled group faces, a photo's
 * faces together) and each identity's photos are cut in two halves. On the tuning half, every
 * stranger face the shipped matcher names (its live 112 px crop, as the live page sends it)
 * becomes a negative of the person it was named as — what an operator's "Not <name>" stores.
 * The held-out half then says what those negatives do to strangers never corrected (stranger-named
 * rate) and to the enrolled people's own live crops (recall), with and without them.
 *
 * The number that decides "close to a negative" (applyNegatives' margin: the name goes when the
 * nearest negative is nearer than the person's centroid by more than it) is chosen on the tuning
 * half only: its stranger photos are cut again, negatives from one part are scored on the other
 * part and on the tuning half's genuine crops (cost = misses + FALSE_ACCEPT_COST × strangers
 * named, as section S), both ways round, and the cheapest margin wins (ties: the one nearest 0).
 *
 * Also: the same face again (the corrected stranger's own face through another crop, crop160),
 * the case a correction is made for.
 */
import { findMatch, type GalleryEntry } from '../../server/gallery/matcher.ts';
import { applyNegatives, createNegativeIndex, type NegativeIndex } from '../../server/gallery/negatives.ts';
import type { BenchFace } from './embed.ts';
import { rng } from '../rng.ts';
import { FALSE_ACCEPT_COST } from './tune.ts';

/**
 * Candidate margins, distance units (face-api descriptors; the match threshold is 0.55): at 0.2 a
 * negative must be 0.2 nearer than the centroid to take the name away, at -0.2 it may be 0.2 farther.
 */
export const NEGATIVE_MARGINS = [0.2, 0.15, 0.1, 0.05, 0, -0.05, -0.1, -0.15, -0.2];
/** The order ties are broken in: nearest 0 first (a tie means the tuning half has no evidence either way). */
const BY_PRIOR = [...NEGATIVE_MARGINS].sort((a, b) => Math.abs(a) - Math.abs(b) || b - a);

/** `again`: the same face through another crop (crop160), for strangers. */
type Probe = { query: Float32Array; entries: readonly GalleryEntry[]; truth: string | null; file: string; again?: Float32Array };
type Rates = { named: number; wrong: number; g: number; accepted: number; i: number };
export type NegativeOutcome = {
	margin: number;
	negatives: number;
	without: Rates;
	/** With the tuning half's negatives at the chosen margin. */
	chosen: Rates;
	/** With them at each of NEGATIVE_MARGINS (a curve to read, never to choose from). */
	byMargin: Map<number, Rates>;
	/** The same faces again (crop160): named without negatives, and per margin after their own live crop was said not to be the person. */
	again: { before: number; after: Map<number, number> };
};

const key = (f: BenchFace) => `${f.source}:${f.identity}`;

function halves<T>(items: readonly T[], random: () => number): [T[], T[]] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return [out.filter((_, i) => i % 2 === 0), out.filter((_, i) => i % 2 === 1)];
}

function answer(p: Probe, index: NegativeIndex, margin: number, threshold: number): string | null {
	const match = findMatch(p.query, p.entries, threshold);
	return applyNegatives(p.query, match, index, margin).personId;
}

function rates(probes: readonly Probe[], index: NegativeIndex, margin: number, threshold: number): Rates {
	const r: Rates = { named: 0, wrong: 0, g: 0, accepted: 0, i: 0 };
	for (const p of probes) {
		const got = answer(p, index, margin, threshold);
		if (p.truth === null) {
			r.i++;
			if (got !== null) r.accepted++;
		} else {
			r.g++;
			if (got === p.truth) r.named++;
			else if (got !== null) r.wrong++;
		}
	}
	return r;
}

const costOf = (r: Rates) => (r.g ? (r.g - r.named + FALSE_ACCEPT_COST * r.wrong) / r.g : 0) + FALSE_ACCEPT_COST * (r.i ? r.accepted / r.i : 0);

/** Negatives an operator would store: each named stranger's crop, for the person it was named as. */
function negativesFrom(strangers: readonly Probe[], threshold: number): Array<{ personId: string; embedding: Float32Array }> {
	return strangers.flatMap((p) => {
		const personId = findMatch(p.query, p.entries, threshold).personId;
		return personId ? [{ personId, embedding: p.query }] : [];
	});
}

/** The margin with the lowest cost on the tuning half (two inner folds over its stranger photos). */
function chooseMargin(strangers: readonly Probe[], genuine: readonly Probe[], random: () => number, threshold: number): number {
	const files = halves([...new Set(strangers.map((p) => p.file))], random);
	let best = { margin: NEGATIVE_MARGINS[0]!, cost: Infinity };
	for (const margin of BY_PRIOR) {
		let cost = 0;
		for (const [from, on] of [
			[0, 1],
			[1, 0]
		] as const) {
			const index = createNegativeIndex(
				negativesFrom(
					strangers.filter((p) => files[from].includes(p.file)),
					threshold
				)
			);
			cost += costOf(rates([...strangers.filter((p) => files[on].includes(p.file)), ...genuine], index, margin, threshold));
		}
		// Strictly lower only: among equals the one nearest 0 stays.
		if (cost < best.cost - 1e-12) best = { margin, cost };
	}
	return best.margin;
}

/** One seed: both directions (tune on one half, score on the other), every source pooled. */
export function negativeOutcomes(faces: readonly BenchFace[], seed: number, threshold: number): NegativeOutcome[] {
	const random = rng(1000 + seed);
	const parts: Array<{ tune: Probe[]; test: Probe[]; tuneGenuine: Probe[]; testGenuine: Probe[] }> = [0, 1].map(() => ({
		tune: [],
		test: [],
		tuneGenuine: [],
		testGenuine: []
	}));
	for (const source of ['faces', 'faces-real'] as const) {
		const photos = faces.filter((f) => f.source === source && f.kind === 'identity' && f.v.enrol);
		const entriesWithout = (skip: BenchFace | null): GalleryEntry[] =>
			photos.filter((f) => f !== skip).map((f) => ({ personId: key(f), name: key(f), embedding: f.v.enrol! }));
		const full = entriesWithout(null);
		const strangers = faces.filter((f) => f.source === source && (f.kind === 'stranger' || (f.kind === 'group' && f.identity === null)) && f.v.live);
		const files = halves([...new Set(strangers.map((f) => f.file))], random);
		// Each identity's photos in two halves, so that both halves have genuine crops of everyone.
		const byPerson = new Map<string, BenchFace[]>();
		for (const f of photos.filter((x) => x.v.live)) byPerson.set(key(f), [...(byPerson.get(key(f)) ?? []), f]);
		const genuineHalves: [BenchFace[], BenchFace[]] = [[], []];
		for (const list of byPerson.values()) {
			const [a, b] = halves(list, random);
			genuineHalves[0].push(...a);
			genuineHalves[1].push(...b);
		}
		for (const [h, part] of [
			[0, 0],
			[1, 1]
		] as const) {
			const s = strangers.filter((f) => files[h].includes(f.file));
			const stranger = (f: BenchFace): Probe => ({ query: f.v.live!, entries: full, truth: null, file: f.file, ...(f.v.crop160 && { again: f.v.crop160 }) });
			const genuine = genuineHalves[h].map((f): Probe => ({ query: f.v.live!, entries: entriesWithout(f), truth: key(f), file: f.file }));
			// Half h is the tuning half of direction h and the test half of the other.
			parts[part]!.tune.push(...s.map(stranger));
			parts[part]!.tuneGenuine.push(...genuine);
			parts[1 - part]!.test.push(...s.map(stranger));
			parts[1 - part]!.testGenuine.push(...genuine);
		}
	}
	return parts.map(({ tune, test, tuneGenuine, testGenuine }) => {
		const margin = chooseMargin(tune, tuneGenuine, random, threshold);
		const index = createNegativeIndex(negativesFrom(tune, threshold));
		const probes = [...test, ...testGenuine];
		// The same face again: each named test stranger's live crop is said not to be that person,
		// then another crop of the same face is asked.
		const own = createNegativeIndex(negativesFrom(test, threshold));
		const againProbes = test
			.filter((p) => p.again && findMatch(p.query, p.entries, threshold).personId !== null)
			.map((p): Probe => ({ ...p, query: p.again! }));
		return {
			margin,
			negatives: [...index.values()].reduce((n, list) => n + list.length, 0),
			without: rates(probes, new Map(), margin, threshold),
			chosen: rates(probes, index, margin, threshold),
			byMargin: new Map(NEGATIVE_MARGINS.map((m) => [m, rates(probes, index, m, threshold)])),
			again: {
				before: againProbes.filter((p) => answer(p, new Map(), 0, threshold) !== null).length,
				after: new Map(NEGATIVE_MARGINS.map((m) => [m, againProbes.filter((p) => answer(p, own, m, threshold) !== null).length]))
			}
		};
	});
}

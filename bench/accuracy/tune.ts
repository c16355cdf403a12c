/**
 * Choosing the open-set decision's numbers on one side of a split and scoring them on the other.
 * Pure: trials in, parameters and rates out.
 *
 * A trial is reduced once to what every rule needs: the best person and its centroid distance,
 * the runner-up's distance, and the distance to the nearest cohort face. A rule is then a check
 * on those numbers, the same check findMatch makes (bench/accuracy.ts verifies that on every
 * test trial).
 */
import { COHORT_EXCLUSION, createCohort, euclidean, findMatch, type Cohort, type GalleryEntry } from '../../server/gallery/matcher.ts';
import { sideTrials, type ProbeVariants, type Side, type Trial } from './trials.ts';
import type { Variant } from './embed.ts';

export type Scored = Trial & { best: string | null; d1: number; d2: number; dc: number };
export type Params = { threshold: number; margin: number; /** null: no cohort check */ cohortMargin: number | null };
export type Rates = { named: number; wrong: number; g: number; accepted: number; i: number };

export const THRESHOLDS = Array.from({ length: 51 }, (_, k) => Math.round((0.3 + k * 0.01) * 1000) / 1000);
export const MARGINS = [0, 0.02, 0.04, 0.06, 0.08];
export const COHORT_MARGINS = [-0.06, -0.04, -0.02, 0, 0.02, 0.04, 0.06];
/** A false accept or a wrong name costs this many missed faces (an open-set system should rather say unknown). */
export const FALSE_ACCEPT_COST = 10;

function mean(vs: Float32Array[]): Float32Array {
	const out = new Float32Array(vs[0]!.length);
	for (const v of vs) for (let i = 0; i < v.length; i++) out[i]! += v[i]! / vs.length;
	return out;
}

/** One side's trials of both sets (galleries of `enrol` vectors), scored against `cohortFaces`. */
export function scoreSide(side: Side, cohortFaces: readonly Float32Array[], enrol: Variant = 'enrol', probes: ProbeVariants = {}): Scored[] {
	return score(
		(['faces', 'faces-real'] as const).flatMap((source) => sideTrials(side, source, enrol, probes)),
		cohortFaces
	);
}

export function score(trials: readonly Trial[], cohortFaces: readonly Float32Array[]): Scored[] {
	const centroids = new Map<Map<string, Float32Array[]>, Array<[string, Float32Array]>>();
	const cohorts = new Map<Map<string, Float32Array[]>, readonly Float32Array[]>();
	return trials.map((t) => {
		let cs = centroids.get(t.gallery);
		if (!cs) centroids.set(t.gallery, (cs = [...t.gallery].map(([p, vs]) => [p, mean(vs)] as [string, Float32Array])));
		// As the matcher does: a cohort face within COHORT_EXCLUSION of an enrolled person is that person.
		let cohort = cohorts.get(t.gallery);
		if (!cohort) cohorts.set(t.gallery, (cohort = cohortFaces.filter((c) => cs.every(([, m]) => euclidean(c, m) >= COHORT_EXCLUSION))));
		let best: string | null = null;
		let d1 = Infinity;
		let d2 = Infinity;
		for (const [p, c] of cs) {
			const d = euclidean(t.query, c);
			if (d < d1) [best, d1, d2] = [p, d, d1];
			else if (d < d2) d2 = d;
		}
		let dc = Infinity;
		for (const c of cohort) dc = Math.min(dc, euclidean(t.query, c));
		return { ...t, best, d1, d2, dc };
	});
}

export function named(t: Scored, p: Params): boolean {
	return t.best !== null && t.d1 < p.threshold && t.d2 - t.d1 >= p.margin && (p.cohortMargin === null || !(t.dc < t.d1 + p.cohortMargin));
}

/** Named right, wrong, accepted strangers over `trials`, with `yes` the rule that names a trial. */
export function tally<T extends { truth: string | null; best: string | null }>(trials: readonly T[], yes: (trial: T) => boolean): Rates {
	const r: Rates = { named: 0, wrong: 0, g: 0, accepted: 0, i: 0 };
	for (const t of trials) {
		const named = yes(t);
		if (t.truth === null) {
			r.i++;
			if (named) r.accepted++;
		} else {
			r.g++;
			if (named && t.best === t.truth) r.named++;
			else if (named) r.wrong++;
		}
	}
	return r;
}

export const rates = (trials: readonly Scored[], p: Params): Rates => tally(trials, (t) => named(t, p));

/** Trials grouped by scenario, source and probe kind: each group weighs the same in the cost. */
export function groups<T extends Pick<Trial, 'scenario' | 'source' | 'probe'>>(trials: readonly T[]): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const t of trials) {
		const k = `${t.scenario} ${t.source} ${t.probe}`;
		let list = out.get(k);
		if (!list) out.set(k, (list = []));
		list.push(t);
	}
	return out;
}

/** The tuning cost: per group, misses + FALSE_ACCEPT_COST × (wrong names + false accepts), averaged. */
export function costOfRates(byGroup: Iterable<Rates>): number {
	let sum = 0;
	let n = 0;
	for (const r of byGroup) {
		const miss = r.g ? (r.g - r.named - r.wrong) / r.g : 0;
		const bad = (r.g ? r.wrong / r.g : 0) + (r.i ? r.accepted / r.i : 0);
		sum += miss + FALSE_ACCEPT_COST * bad;
		n++;
	}
	return sum / Math.max(1, n);
}

export const cost = (byGroup: Map<string, Scored[]>, p: Params): number => costOfRates([...byGroup.values()].map((trials) => rates(trials, p)));

/** The numbers `choose` tries: distances on the embedder's own scale. Default: face-api's (THRESHOLDS, MARGINS, COHORT_MARGINS). */
export type Grid = { thresholds: readonly number[]; margins: readonly number[]; cohortMargins: readonly number[] };
export const FACE_API_GRID: Grid = { thresholds: THRESHOLDS, margins: MARGINS, cohortMargins: COHORT_MARGINS };

/**
 * face-api's grid rescaled to another embedder's distances: `scale` is the ratio of its typical
 * impostor distance to face-api's, so the grid spans the same share of its range.
 */
export function scaledGrid(scale: number): Grid {
	const r = (x: number) => Math.round(x * scale * 1000) / 1000;
	return { thresholds: THRESHOLDS.map(r), margins: MARGINS.map(r), cohortMargins: COHORT_MARGINS.map(r) };
}

/** The lowest-cost parameters (ties: the middle of the tied thresholds of the best margin). */
export function choose(trials: readonly Scored[], withCohort: boolean, grid: Grid = FACE_API_GRID): Params {
	const byGroup = groups(trials);
	let best: { c: number; ps: Params[] } = { c: Infinity, ps: [] };
	for (const cohortMargin of withCohort ? grid.cohortMargins : [null]) {
		for (const margin of grid.margins) {
			for (const threshold of grid.thresholds) {
				const p = { threshold, margin, cohortMargin };
				const c = cost(byGroup, p);
				if (c < best.c - 1e-12) best = { c, ps: [p] };
				else if (Math.abs(c - best.c) <= 1e-12) best.ps.push(p);
			}
		}
	}
	const first = best.ps[0]!;
	const tied = best.ps.filter((p) => p.margin === first.margin && p.cohortMargin === first.cohortMargin);
	return tied[Math.floor((tied.length - 1) / 2)]!;
}

/**
 * The loosest threshold that meets issue 13's false-accept goals on these trials: in every group,
 * at most `maxAccept` of the stranger trials named and no wrong name (margin fixed at the grid's
 * 0.04-equivalent). It asks "what recall does the goal leave?", where `choose` weighs misses
 * against false names; null when no threshold in the grid meets it.
 */
export function chooseForGoal(trials: readonly Scored[], grid: Grid = FACE_API_GRID, maxAccept = 0.01): Params | null {
	const byGroup = [...groups(trials).values()];
	const margin = grid.margins[2]!;
	let found: Params | null = null;
	for (const threshold of grid.thresholds) {
		const p = { threshold, margin, cohortMargin: null };
		const meets = byGroup.every((ts) => {
			const r = rates(ts, p);
			return r.wrong === 0 && r.accepted <= maxAccept * r.i;
		});
		if (meets) found = p;
		else if (found) break;
	}
	return found;
}

/**
 * The settle distance: the largest distance at which one live answer may settle a name, i.e. no
 * live impostor or wrong name on these trials was named that close (under `p`). Grid THRESHOLDS.
 */
export function chooseSettle(trials: readonly Scored[], p: Params): number {
	let s = THRESHOLDS[0]!;
	for (const d of THRESHOLDS) {
		if (d > p.threshold) break;
		const bad = trials.some((t) => t.probe === 'live' && named(t, p) && t.d1 <= d && t.best !== t.truth);
		if (bad) break;
		s = d;
	}
	return s;
}

/** findMatch on a trial, for the check that the shipped matcher decides as the bench's rule does. */
export function shippedNames(t: Scored, p: Params, cohort: Cohort | null): boolean {
	const entries: GalleryEntry[] = [...t.gallery].flatMap(([personId, vs]) => vs.map((embedding) => ({ personId, name: personId, embedding })));
	const m = findMatch(t.query, entries, p.threshold, {
		margin: p.margin,
		cohort: p.cohortMargin === null ? null : cohort,
		...(p.cohortMargin === null ? {} : { cohortMargin: p.cohortMargin })
	});
	return m.personId !== null;
}

export { createCohort };

/**
 * The adaptive open-set rules of issue 13 item 3 (server/gallery/adaptive.ts) on bench:accuracy's
 * trials. Pure: trials in, per-trial figures and rates out.
 *
 * Each rule sits on top of the shipped threshold and margin (it can only turn a name into
 * unknown) and has its own numbers, chosen on the tuning side by the same cost as section S
 * (misses + 10 × (false accepts + wrong names), per group) and scored on the held-out side.
 * The figures a rule reads are computed here with the server's own pure functions, and
 * bench/accuracy.ts checks on sampled test trials that findMatch decides the same.
 */
import { meanNearest, passesCohortNorm, type CohortNormMode } from '../../server/gallery/cohort-norm.ts';
import type { AdaptiveRule } from '../../server/gallery/adaptive.ts';
import { euclidean } from '../../server/gallery/distance.ts';
import { weightedCentroid } from '../../server/gallery/enrol-quality.ts';
import { COHORT_EXCLUSION, createCohort, findMatch, type GalleryEntry } from '../../server/gallery/matcher.ts';
import { leaveOneOutSpread, personThreshold } from '../../server/gallery/person-threshold.ts';
import { costOfRates, groups, tally, type Params, type Rates } from './tune.ts';
import type { Trial } from './trials.ts';

/** The cohort sizes (k nearest faces) the cohort rules may use. */
export const KS = [1, 3, 5] as const;

export type AScored = Trial & {
	best: string | null;
	d1: number;
	d2: number;
	/** Of the best person: leave-one-out spread, nearest other centroid, mean distance to its k nearest cohort faces (index of KS). */
	spread: number | null;
	neighbour: number | null;
	refP: Array<number | null>;
	/** Of the query: mean distance to its k nearest cohort faces (index of KS). */
	refQ: Array<number | null>;
	cohortFaces: readonly Float32Array[];
	weightOf: ((v: Float32Array) => number) | null;
};

type GalleryFigures = {
	people: Array<{ id: string; centroid: Float32Array; spread: number | null; neighbour: number | null; refP: Array<number | null> }>;
	cohort: Float32Array[];
};

/** Reduces trials to what the adaptive rules read; `weightOf` weights enrolment faces (null: equal). */
export function scoreAdaptive(
	trials: readonly Trial[],
	cohortFaces: readonly Float32Array[],
	weightOf: ((v: Float32Array) => number) | null = null
): AScored[] {
	const cache = new Map<Map<string, Float32Array[]>, GalleryFigures>();
	const figures = (g: Map<string, Float32Array[]>): GalleryFigures => {
		let fig = cache.get(g);
		if (fig) return fig;
		const base = [...g].map(([id, vs]) => ({
			id,
			vs,
			centroid: weightOf
				? weightedCentroid(vs, vs.map(weightOf))
				: weightedCentroid(
						vs,
						vs.map(() => 1)
					)
		}));
		// As the matcher does: a cohort face within COHORT_EXCLUSION of an enrolled person is that person.
		const cohort: Float32Array[] = cohortFaces.filter((c) => base.every((p) => euclidean(c, p.centroid) >= COHORT_EXCLUSION));
		const people = base.map((p) => ({
			id: p.id,
			centroid: p.centroid,
			spread: leaveOneOutSpread(p.vs, p.centroid),
			neighbour: base.length > 1 ? Math.min(...base.filter((q) => q !== p).map((q) => euclidean(p.centroid, q.centroid))) : null,
			refP: KS.map((k) => meanNearest(p.centroid, cohort, k))
		}));
		cache.set(g, (fig = { people, cohort }));
		return fig;
	};
	return trials.map((t) => {
		const fig = figures(t.gallery);
		let best: (typeof fig.people)[number] | null = null;
		let d1 = Infinity;
		let d2 = Infinity;
		for (const p of fig.people) {
			const d = euclidean(t.query, p.centroid);
			if (d < d1) [best, d1, d2] = [p, d, d1];
			else if (d < d2) d2 = d;
		}
		return {
			...t,
			best: best?.id ?? null,
			d1,
			d2,
			spread: best?.spread ?? null,
			neighbour: best?.neighbour ?? null,
			refP: best?.refP ?? KS.map(() => null),
			refQ: KS.map((k) => meanNearest(t.query, fig.cohort, k)),
			cohortFaces,
			weightOf
		};
	});
}

/** The shipped rule, then the adaptive one: what findMatch decides with `adaptive: rule`. */
export function namedA(t: AScored, base: Params, rule: AdaptiveRule): boolean {
	if (t.best === null || !(t.d1 < base.threshold) || t.d2 - t.d1 < base.margin) return false;
	if (rule.person && !(t.d1 < personThreshold(base.threshold, { spread: t.spread, neighbour: t.neighbour }, rule.person))) return false;
	const norm = rule.cohortNorm;
	if (norm) {
		const k = KS.indexOf(norm.k as (typeof KS)[number]);
		if (!passesCohortNorm(t.d1, { person: t.refP[k] ?? null, query: t.refQ[k] ?? null }, norm)) return false;
	}
	return true;
}

export const ratesA = (trials: readonly AScored[], base: Params, rule: AdaptiveRule): Rates => tally(trials, (t) => namedA(t, base, rule));

const steps = (from: number, to: number, step: number) =>
	Array.from({ length: Math.round((to - from) / step) + 1 }, (_, k) => Math.round((from + k * step) * 1000) / 1000);

/** The rules each variant tries (its grid). */
export const FAMILIES: Record<string, AdaptiveRule[]> = {
	spread: steps(1, 3, 0.05).map((spreadScale) => ({ person: { spreadScale, neighbourScale: null } })),
	neighbour: steps(0.4, 1.6, 0.05).map((neighbourScale) => ({ person: { spreadScale: null, neighbourScale } })),
	...Object.fromEntries(
		(['person', 'query', 'both'] as CohortNormMode[]).map((mode) => [
			`cohort-${mode}`,
			KS.flatMap((k) => steps(0.5, 1.3, 0.02).map((scale) => ({ cohortNorm: { mode, k, scale } })))
		])
	)
};

/**
 * The lowest-cost rule of `family` on `trials` (ties: the most lenient, i.e. the last). With
 * `keepRecall`, only rules that name at least the shipped rule's share of genuine faces, less
 * `keepRecall`, in every group of the tuning side (the goals ask for recall kept).
 */
export function chooseRule(trials: readonly AScored[], base: Params, family: readonly AdaptiveRule[], keepRecall: number | null = null): AdaptiveRule {
	const byGroup = [...groups(trials).values()];
	const floor = byGroup.map((ts) => {
		const r = ratesA(ts, base, {});
		return r.g ? r.named / r.g - (keepRecall ?? 0) : 0;
	});
	let best: { c: number; rule: AdaptiveRule } = { c: Infinity, rule: {} };
	for (const rule of family) {
		const rs = byGroup.map((ts) => ratesA(ts, base, rule));
		if (keepRecall !== null && rs.some((r, k) => r.g > 0 && r.named / r.g < floor[k]! - 1e-12)) continue;
		const c = costOfRates(rs);
		if (c <= best.c + 1e-12) best = { c, rule };
	}
	return best.rule;
}

/** Whether findMatch, given the same gallery, cohort and rule, names the trial as namedA does. */
export function matcherAgrees(t: AScored, base: Params, rule: AdaptiveRule): boolean {
	const entries: GalleryEntry[] = [...t.gallery].flatMap(([personId, vs]) =>
		vs.map((embedding) => ({ personId, name: personId, embedding, ...(t.weightOf ? { weight: t.weightOf(embedding) } : {}) }))
	);
	const m = findMatch(t.query, entries, base.threshold, { margin: base.margin, cohort: createCohort(t.cohortFaces), cohortMargin: null, adaptive: rule });
	return (m.personId !== null) === namedA(t, base, rule);
}

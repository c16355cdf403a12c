/**
 * Section A of bench:accuracy: the adaptive open-set rules (issue 13 item 3), each chosen on one
 * side of the same identity-disjoint splits as section S and scored on the other, against the
 * shipped rule on the same test sides. A rule is recommended only when it is cheaper on at least
 * PROOF of the paired test sides, adds no wrong name, and keeps look-alike recall (L, live) ≥ 90 %.
 *
 * Cohorts: 'samples' = the faces of face-api's demo photos (what the server can ship); 'unknowns'
 * = those plus the enrolment vectors of the other side's people (faces of people who are nobody
 * in this side's gallery, as faces seen as unknown would be; only as unlabelled faces).
 */
import type { AdaptiveRule } from '../../server/gallery/adaptive.ts';
import { qualityWeight, type FaceQuality, type QualityRule } from '../../server/gallery/enrol-quality.ts';
import { chooseRule, FAMILIES, matcherAgrees, ratesA, scoreAdaptive, type AScored } from './adaptive.ts';
import type { BenchFace } from './embed.ts';
import { costOfRates, groups, type Params, type Rates } from './tune.ts';
import { sideTrials, split, type Side } from './trials.ts';

export const PROOF = 0.75;
const QUALITY_STRENGTHS = [0.5, 1, 2, 4];
/** The '(recall kept)' variants: no group of the tuning side may lose more than this share of genuine faces named. */
export const KEEP_RECALL = 0.02;

type Outcome = { rule: string; test: Map<string, Rates>; agree: number; checked: number };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => Math.sqrt(avg(xs.map((x) => (x - avg(xs)) ** 2)));
const ms = (xs: number[]) => `${pct(avg(xs)).padStart(6)} ±${(100 * sd(xs)).toFixed(1).padStart(4)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function describe(rule: AdaptiveRule, quality?: QualityRule): string {
	const parts: string[] = [];
	if (rule.person?.spreadScale != null) parts.push(`spread×${rule.person.spreadScale}`);
	if (rule.person?.neighbourScale != null) parts.push(`neighbour×${rule.person.neighbourScale}`);
	if (rule.cohortNorm) parts.push(`${rule.cohortNorm.mode} k${rule.cohortNorm.k} <${rule.cohortNorm.scale}`);
	if (quality) parts.push(`q^${quality.strength}`);
	return parts.join(' ') || 'none';
}

const trialsOf = (side: Side) => (['faces', 'faces-real'] as const).flatMap((source) => sideTrials(side, source, 'enrol'));

export function adaptiveSection(input: {
	faces: readonly BenchFace[];
	splits: number;
	base: Params;
	quality: Map<BenchFace, FaceQuality>;
	log: (line: string) => void;
}): { winners: string[] } {
	const { faces, splits, base, quality, log } = input;
	const samples = faces.filter((f) => f.kind === 'cohort' && f.v.enrol).map((f) => f.v.enrol!);
	const qualityOfVector = new Map<Float32Array, FaceQuality>();
	for (const [f, q] of quality) if (f.v.enrol) qualityOfVector.set(f.v.enrol, q);
	const variants = [
		'shipped',
		'spread',
		'neighbour',
		'cohort-person',
		'cohort-query',
		'cohort-both',
		'cohort-unknowns',
		'quality',
		'spread+cohort',
		'cohort-both (recall kept)',
		'spread+cohort (recall kept)',
		'cohort-unknowns (recall kept)'
	] as const;
	const outcomes = new Map<string, Outcome[]>(variants.map((v) => [v, []]));
	const outcomeScores: AScored[] = [];
	const qualityScores: AScored[] = [];
	const record = (variant: string, test: AScored[], rule: AdaptiveRule, label: string) => {
		const byGroup = groups(test);
		const sample = test.filter((_, k) => k % 7 === 0);
		outcomes.get(variant)!.push({
			rule: label,
			test: new Map([...byGroup].map(([k, ts]) => [k, ratesA(ts, base, rule)])),
			agree: sample.filter((t) => matcherAgrees(t, base, rule)).length,
			checked: sample.length
		});
	};
	for (let seed = 1; seed <= splits; seed++) {
		const sides = split(faces, seed);
		const trials = sides.map(trialsOf);
		const plain = trials.map((ts) => scoreAdaptive(ts, samples));
		for (const ts of plain) outcomeScores.push(...ts.filter((t) => t.scenario === 'L' && t.probe === 'live' && t.source === 'faces-real'));
		const ownVectors = sides.map((s) => s.photos.filter((f) => f.v.enrol).map((f) => f.v.enrol!));
		const unknowns = trials.map((ts, s) => scoreAdaptive(ts, [...samples, ...ownVectors[1 - s]!]));
		for (const [tune, test] of [
			[0, 1],
			[1, 0]
		] as const) {
			record('shipped', plain[test]!, {}, 'none');
			for (const family of ['spread', 'neighbour', 'cohort-person', 'cohort-query', 'cohort-both'] as const) {
				const rule = chooseRule(plain[tune]!, base, FAMILIES[family]!);
				record(family, plain[test]!, rule, describe(rule));
			}
			const cohortAll = [...FAMILIES['cohort-person']!, ...FAMILIES['cohort-query']!, ...FAMILIES['cohort-both']!];
			const u = chooseRule(unknowns[tune]!, base, cohortAll);
			record('cohort-unknowns', unknowns[test]!, u, describe(u));
			// spread and cohort together: the tuning side's spread rule, then the best cohort rule on top of it.
			const spread = chooseRule(plain[tune]!, base, FAMILIES.spread!);
			const combo = {
				rule: chooseRule(
					plain[tune]!,
					base,
					cohortAll.map((c) => ({ ...spread, ...c }))
				)
			};
			record('spread+cohort', plain[test]!, combo.rule, describe(combo.rule));
			const kept = chooseRule(plain[tune]!, base, FAMILIES['cohort-both']!, KEEP_RECALL);
			record('cohort-both (recall kept)', plain[test]!, kept, describe(kept));
			const keptSpread = chooseRule(plain[tune]!, base, FAMILIES.spread!, KEEP_RECALL);
			const keptCombo = chooseRule(
				plain[tune]!,
				base,
				cohortAll.map((c) => ({ ...keptSpread, ...c })),
				KEEP_RECALL
			);
			record('spread+cohort (recall kept)', plain[test]!, keptCombo, describe(keptCombo));
			const keptU = chooseRule(unknowns[tune]!, base, cohortAll, KEEP_RECALL);
			record('cohort-unknowns (recall kept)', unknowns[test]!, keptU, describe(keptU));
			// Quality: where each factor reaches 1 is the tuning side's median; the strength is chosen there.
			const tuneQ = sides[tune].photos.map((f) => f.v.enrol && qualityOfVector.get(f.v.enrol)).filter((q): q is FaceQuality => !!q);
			const fullSide = median(tuneQ.map((q) => q.side ?? 0));
			const fullSharpness = median(tuneQ.map((q) => q.sharpness ?? 0));
			let bestQ = { c: Infinity, q: { strength: 0, fullSide, fullSharpness } };
			for (const strength of QUALITY_STRENGTHS) {
				const q: QualityRule = { strength, fullSide, fullSharpness };
				const weightOf = (v: Float32Array) => qualityWeight(qualityOfVector.get(v) ?? {}, q);
				const scored = scoreAdaptive(trials[tune]!, samples, weightOf);
				const c = costOfRates([...groups(scored).values()].map((ts) => ratesA(ts, base, {})));
				if (c < bestQ.c - 1e-12) bestQ = { c, q };
			}
			const weightOf = (v: Float32Array) => qualityWeight(qualityOfVector.get(v) ?? {}, bestQ.q);
			const weighted = scoreAdaptive(trials[test]!, samples, weightOf);
			qualityScores.push(...weighted.filter((t) => t.scenario === 'L' && t.probe === 'live' && t.source === 'faces-real'));
			record('quality', weighted, {}, `${describe({}, bestQ.q)} side ${fullSide.toFixed(0)} sharp ${fullSharpness.toFixed(0)}`);
		}
	}

	log(
		`\nA. Adaptive open-set rules on top of threshold ${base.threshold} / margin ${base.margin} (issue 13.3): each chosen on one side, scored on the other (${splits} seeds × 2; mean ±sd over test sides)`
	);
	const shipped = outcomes.get('shipped')!;
	const costs = (list: Outcome[]) => list.map((o) => costOfRates(o.test.values()));
	const winners: string[] = [];
	for (const variant of variants) {
		const list = outcomes.get(variant)!;
		const rules = list.map((o) => o.rule);
		const distinct = [...new Set(rules)];
		log(`\n   ${variant}: chosen ${distinct.length <= 4 ? distinct.join(' | ') : `${distinct.slice(0, 4).join(' | ')} … (${distinct.length} distinct)`}`);
		log('   group                        named (of genuine)     wrong   strangers named (FAR), trials');
		for (const key of [...list[0]!.test.keys()].sort()) {
			const rs = list.map((o) => o.test.get(key)!).filter(Boolean);
			const g = rs.filter((r) => r.g).map((r) => r.named / r.g);
			const f = rs.filter((r) => r.i).map((r) => r.accepted / r.i);
			const sum = (pick: (r: Rates) => number) => rs.reduce((n, r) => n + pick(r), 0);
			log(
				`   ${key.padEnd(24)} ${g.length ? ms(g) : '     –      '} (${sum((r) => r.g)})   ${String(sum((r) => r.wrong)).padStart(4)}    ${f.length ? ms(f) : '     –      '}  ${sum((r) => r.accepted)}/${sum((r) => r.i)}`
			);
		}
		const c = costs(list);
		const diff = c.map((x, k) => x - costs(shipped)[k]!);
		const lower = diff.filter((d) => d < -1e-9).length;
		const wrong = (l: Outcome[]) => l.reduce((n, o) => n + [...o.test.values()].reduce((m, r) => m + r.wrong, 0), 0);
		const lookalike = list.map((o) => o.test.get('L faces-real live')).filter((r): r is Rates => !!r && r.g > 0);
		const recall = avg(lookalike.map((r) => r.named / r.g));
		const agree = list.reduce((n, o) => n + o.agree, 0);
		const checked = list.reduce((n, o) => n + o.checked, 0);
		log(
			`   cost ${avg(c).toFixed(3)} ±${sd(c).toFixed(3)}; against shipped ${avg(diff) >= 0 ? '+' : ''}${avg(diff).toFixed(3)}, lower on ${lower}, higher on ${diff.filter((d) => d > 1e-9).length} of ${diff.length}; wrong names ${wrong(list)} (shipped ${wrong(shipped)}); findMatch agrees on ${agree}/${checked} sampled test trials`
		);
		if (variant !== 'shipped' && lower >= PROOF * diff.length && wrong(list) <= wrong(shipped) && recall >= 0.9) winners.push(variant);
	}
	separation(outcomeScores, qualityScores, log);
	log(
		`\n   verdict (cheaper on ≥ ${PROOF * 100} % of paired test sides, no added wrong name, look-alike live recall ≥ 90 %): ${winners.length ? winners.join(', ') : 'none wins; the shipped rule stays'}`
	);
	return { winners };
}

/**
 * Threshold-free: does a score separate look-alikes better than the raw distance, or only move
 * along the same trade-off? Strangers named at the cut that names 90 % (and 80 %) of genuine
 * faces, on every split's look-alike live trials (each trial once per side it falls in); the
 * quality-weighted row uses the strength and medians chosen on each split's tuning side. The
 * centred row re-ranks on its own: vectors less the cohort's mean, unit length, against the unit
 * mean of each person's centred faces (cosine; no number to choose, the cohort is nobody here).
 */
function separation(trials: readonly AScored[], weighted: readonly AScored[], log: (line: string) => void): void {
	const k = 1; // KS index: k = 3
	type Score = (t: AScored) => { best: string | null; score: number };
	const ofBest =
		(s: (t: AScored) => number): Score =>
		(t) => ({ best: t.best, score: s(t) });
	const rows: Array<[string, Score, readonly AScored[]]> = [
		['distance', ofBest((t) => t.d1), trials],
		['distance / spread', ofBest((t) => (t.spread ? t.d1 / t.spread : t.d1 / 0.4)), trials],
		['distance / person ref', ofBest((t) => t.d1 / (t.refP[k] ?? 1)), trials],
		['distance / query ref', ofBest((t) => t.d1 / (t.refQ[k] ?? 1)), trials],
		['distance / both refs', ofBest((t) => t.d1 / (((t.refP[k] ?? 1) + (t.refQ[k] ?? 1)) / 2)), trials],
		['distance, quality-weighted', ofBest((t) => t.d1), weighted],
		['centred cosine', centredCosine(), trials]
	];
	log('\n   threshold-free, look-alikes (L faces-real live, all test sides): strangers named at 90 % / 80 % of genuine faces named (cohort k = 3)');
	for (const [name, s, trials] of rows) {
		const scored = trials.map((t) => ({ t, ...s(t) }));
		const gen = scored
			.filter(({ t }) => t.truth !== null)
			.map(({ t, best, score }) => (best === t.truth ? score : Infinity))
			.sort((a, b) => a - b);
		const imp = scored.filter(({ t }) => t.truth === null).map(({ score }) => score);
		const at = (recall: number) => {
			const cut = gen[Math.max(0, Math.ceil(recall * gen.length) - 1)]!;
			return `${imp.filter((x) => x <= cut).length}/${imp.length}`;
		};
		log(`   ${name.padEnd(26)} ${at(0.9).padStart(9)}  ${at(0.8).padStart(9)}`);
	}
}

/** Best person and distance after centring every vector on the trial's cohort mean (see separation). */
function centredCosine(): (t: AScored) => { best: string | null; score: number } {
	const unit = (v: Float64Array) => {
		const n = Math.hypot(...v);
		return v.map((x) => x / n);
	};
	const means = new Map<readonly Float32Array[], Float64Array>();
	const galleries = new Map<Map<string, Float32Array[]>, Array<[string, Float64Array]>>();
	return (t) => {
		let mu = means.get(t.cohortFaces);
		if (!mu) means.set(t.cohortFaces, (mu = meanOf(t.cohortFaces)));
		const centre = (v: Float32Array) => unit(Float64Array.from(v, (x, i) => x - mu[i]!));
		let people = galleries.get(t.gallery);
		if (!people) galleries.set(t.gallery, (people = [...t.gallery].map(([id, vs]) => [id, unit(meanOf(vs.map(centre)))])));
		const q = centre(t.query);
		let best: string | null = null;
		let score = Infinity;
		for (const [id, c] of people) {
			const d = Math.hypot(...q.map((x, i) => x - c[i]!));
			if (d < score) [best, score] = [id, d];
		}
		return { best, score };
	};
}

function meanOf(vs: ReadonlyArray<ArrayLike<number>>): Float64Array {
	const m = new Float64Array(vs[0]!.length);
	for (const v of vs) for (let i = 0; i < m.length; i++) m[i]! += v[i]! / vs.length;
	return m;
}

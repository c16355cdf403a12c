/**
 * Section M of bench:accuracy: mirror test-time augmentation (issue 13 items 2-3). The descriptor
 * of the aligned chip and of its mirror image, averaged (server/embed/mirror.ts), at query only,
 * at enrolment only, or both; and galleries made like live crops ((d), (e) in CONFIGS); each
 * against plain descriptors, on the same identity-disjoint splits as
 * section S: the shipped rule as is, the threshold and margin chosen on the tuning side
 * (tune.ts choose), and a threshold set on the tuning side for 90 % look-alike recall; every
 * figure is from the test side. The same operating points are set for the one-photo groups (≤ 1 %
 * of strangers named) so that a variant that only moves distances (names more faces and more
 * strangers at a fixed threshold) is told apart from one that separates people better.
 * A variant wins only when it is cheaper than plain descriptors on at least PROOF of the paired
 * test sides (shipped rule or re-chosen threshold) and, on the look-alikes (faces-real), is better
 * at both operating points on at least as many paired test sides as it is worse.
 */
import type { BenchFace, Variant } from './embed.ts';
import { choose, costOfRates, groups, rates, scoreSide, tally, type Params, type Rates, type Scored } from './tune.ts';
import { split } from './trials.ts';

const PROOF = 0.75;
/** The look-alike recall the goal is stated at (≤ 1 % of strangers named at ≥ 90 % named). */
const RECALL_GOAL = 0.9;
/** The one-photo operating point: at most this share of strangers named, set on the tuning side. */
const FAR_GOAL = 0.01;
const POINT_GROUPS = ['L faces-real live', 'L faces-real photo', 'O faces-real live', 'O faces-real photo', 'O faces live', 'O faces photo'] as const;

type Config = { name: string; gallery: Variant; photo: Variant; live: Variant };
const CONFIGS: readonly Config[] = [
	{ name: 'plain', gallery: 'enrol', photo: 'enrol', live: 'live' },
	{ name: '(a) query only', gallery: 'enrol', photo: 'enrol-mirror', live: 'live-mirror' },
	{ name: '(b) enrolment only', gallery: 'enrol-mirror', photo: 'enrol', live: 'live' },
	{ name: '(c) both', gallery: 'enrol-mirror', photo: 'enrol-mirror', live: 'live-mirror' },
	// Not mirroring: galleries made like the live page's crops (the enrolment photo cut and
	// compressed as the browser would), alone or averaged with the enrolment vector.
	{ name: '(d) gallery of live-like crops', gallery: 'live', photo: 'enrol', live: 'live' },
	{ name: '(e) gallery averaged with live-like crops', gallery: 'enrol-live', photo: 'enrol', live: 'live' }
];
const KEYS = [
	'L faces-real live',
	'L faces-real photo',
	'O faces-real live',
	'O faces-real photo',
	'O faces live',
	'O faces photo',
	'G faces live',
	'G faces-real live'
];

type R90 = Rates & { threshold: number };
/** Per group: the test side at the tuning side's RECALL_GOAL threshold (r90) and FAR_GOAL threshold (f01). */
type Points = { r90: R90; f01: R90 };
type Outcome = { shipped: Map<string, Rates>; chosen: Map<string, Rates>; params: Params; points: Map<string, Points> };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => Math.sqrt(avg(xs.map((x) => (x - avg(xs)) ** 2)));
const ms = (xs: number[]) => `${pct(avg(xs)).padStart(6)} ±${(100 * sd(xs)).toFixed(1).padStart(4)}`;

/** The distance under which RECALL_GOAL of the genuine trials are named right (by d1 alone). */
function recallThreshold(trials: readonly Scored[]): number {
	const gen = trials
		.filter((t) => t.truth !== null)
		.map((t) => (t.best === t.truth ? t.d1 : Infinity))
		.sort((a, b) => a - b);
	return gen[Math.max(0, Math.ceil(RECALL_GOAL * gen.length) - 1)] ?? Infinity;
}

/** The largest distance at which at most FAR_GOAL of the impostor trials are named (by d1 alone). */
function farThreshold(trials: readonly Scored[]): number {
	const imp = trials
		.filter((t) => t.truth === null)
		.map((t) => t.d1)
		.sort((a, b) => a - b);
	const k = Math.floor(FAR_GOAL * imp.length);
	return k < imp.length ? imp[k]! - 1e-9 : Infinity;
}

function atThreshold(trials: readonly Scored[], threshold: number): R90 {
	return { threshold, ...tally(trials, (t) => t.d1 <= threshold) };
}

function outcomesOf(faces: readonly BenchFace[], config: Config, splits: number, base: Params): Outcome[] {
	const cohort = faces.filter((f) => f.kind === 'cohort' && f.v[config.gallery]).map((f) => f.v[config.gallery]!);
	const out: Outcome[] = [];
	for (let seed = 1; seed <= splits; seed++) {
		const scored = split(faces, seed).map((side) => scoreSide(side, cohort, config.gallery, { photo: config.photo, live: config.live }));
		for (const [tune, test] of [
			[0, 1],
			[1, 0]
		] as const) {
			const byTest = groups(scored[test]!);
			const byTune = groups(scored[tune]!);
			const params = choose(scored[tune]!, false);
			const points = new Map<string, Points>();
			for (const key of POINT_GROUPS) {
				const tuneTrials = byTune.get(key);
				const testTrials = byTest.get(key);
				if (tuneTrials && testTrials)
					points.set(key, { r90: atThreshold(testTrials, recallThreshold(tuneTrials)), f01: atThreshold(testTrials, farThreshold(tuneTrials)) });
			}
			out.push({
				shipped: new Map([...byTest].map(([k, ts]) => [k, rates(ts, base)])),
				chosen: new Map([...byTest].map(([k, ts]) => [k, rates(ts, params)])),
				params,
				points
			});
		}
	}
	return out;
}

function ratesLine(key: string, rs: readonly Rates[]): string {
	const g = rs.filter((r) => r.g).map((r) => r.named / r.g);
	const f = rs.filter((r) => r.i).map((r) => r.accepted / r.i);
	const sum = (pick: (r: Rates) => number) => rs.reduce((n, r) => n + pick(r), 0);
	return (
		`     ${key.padEnd(22)} named ${g.length ? ms(g) : '      –     '} (${sum((r) => r.g)})  wrong ${String(sum((r) => r.wrong)).padStart(3)}  ` +
		`strangers named ${f.length ? ms(f) : '      –     '} ${sum((r) => r.accepted)}/${sum((r) => r.i)}`
	);
}

/** Prints section M; returns the variants that win held out (none, or their names). */
export function mirrorSection(input: { faces: readonly BenchFace[]; splits: number; base: Params; log: (line: string) => void }): { winners: string[] } {
	const { faces, splits, base, log } = input;
	log(
		`\nM. Augmentation: mirror (descriptor of the chip and of its mirror, averaged) and galleries made like live crops: ${splits} seeds × 2 directions, ` +
			'numbers chosen on one side, every figure from the other (mean ±sd over test sides; counts summed)'
	);
	const all = new Map(CONFIGS.map((c) => [c.name, outcomesOf(faces, c, splits, base)]));
	const plain = all.get('plain')!;
	const winners: string[] = [];
	for (const config of CONFIGS) {
		const list = all.get(config.name)!;
		log(`\n   ${config.name}: gallery '${config.gallery}', photo probes '${config.photo}', live probes '${config.live}'`);
		for (const [what, pick] of [
			[`shipped rule (threshold ${base.threshold}, margin ${base.margin})`, (o: Outcome) => o.shipped],
			[`threshold, margin chosen per split: ${list.map((o) => o.params.threshold).join(' ')}`, (o: Outcome) => o.chosen]
		] as const) {
			log(`   ${what}`);
			for (const key of KEYS) {
				const rs = list.map((o) => pick(o).get(key)).filter((r): r is Rates => r !== undefined);
				if (rs.length) log(ratesLine(key, rs));
			}
		}
		const losses: string[] = [];
		log(
			`   operating points set on the tuning side by distance alone (${RECALL_GOAL * 100} % named; ≤ ${FAR_GOAL * 100} % of strangers named), test side` +
				(config.name === 'plain' ? '' : '; paired against plain: test sides with fewer / more strangers at the first, more / fewer named at the second')
		);
		for (const key of POINT_GROUPS) {
			const ps = list.map((o) => o.points.get(key)).filter((p): p is Points => p !== undefined);
			if (!ps.length) continue;
			const base = plain.map((o) => o.points.get(key));
			const sum = (rs: R90[], f: (r: R90) => number) => rs.reduce((n, r) => n + f(r), 0);
			const far = (r: R90) => (r.i ? r.accepted / r.i : 0);
			const cell = (rs: R90[]) =>
				`threshold ${avg(rs.map((r) => r.threshold)).toFixed(3)}: named ${ms(rs.map((r) => r.named / r.g))}, wrong ${sum(rs, (r) => r.wrong)}, strangers ${sum(rs, (r) => r.accepted)}/${sum(rs, (r) => r.i)}`;
			const paired = (pick: (p: Points) => R90, value: (r: R90) => number, better: 1 | -1) => {
				if (config.name === 'plain') return '';
				const d = ps.map((p, k) => better * (value(pick(p)) - value(pick(base[k]!))));
				const [up, down] = [d.filter((x) => x > 1e-9).length, d.filter((x) => x < -1e-9).length];
				if (key.includes('faces-real') && down > up) losses.push(key);
				return ` [${up}/${down}]`;
			};
			log(
				`     ${key.padEnd(20)} ${cell(ps.map((p) => p.r90))}${paired((p) => p.r90, far, -1)}   |   ${cell(ps.map((p) => p.f01))}${paired(
					(p) => p.f01,
					(r) => r.named / r.g,
					1
				)}`
			);
		}
		if (config.name === 'plain') continue;
		const cheaper: string[] = [];
		for (const [what, pick] of [
			['shipped rule', (o: Outcome) => o.shipped],
			['chosen per split', (o: Outcome) => o.chosen]
		] as const) {
			const diff = list.map((o, k) => costOfRates(pick(o).values()) - costOfRates(pick(plain[k]!).values()));
			const lower = diff.filter((d) => d < -1e-9).length;
			log(
				`   test-side cost against plain, ${what}: ${avg(diff) >= 0 ? '+' : ''}${avg(diff).toFixed(3)} ±${sd(diff).toFixed(3)}; ` +
					`lower on ${lower}, higher on ${diff.filter((d) => d > 1e-9).length} of ${diff.length}`
			);
			if (lower >= PROOF * diff.length) cheaper.push(what);
		}
		const verdict = !cheaper.length
			? `not cheaper on ${PROOF * 100} % of the paired test sides`
			: losses.length
				? `cheaper (${cheaper.join(', ')}) but worse at the operating points of ${[...new Set(losses)].join(', ')}: it moves distances more than it separates people`
				: `wins (${cheaper.join(', ')})`;
		log(`   verdict: ${verdict}`);
		if (!losses.length && cheaper.length) winners.push(config.name);
	}
	log(`   wins held out: ${winners.length ? winners.join(', ') : 'none'}`);
	return { winners };
}

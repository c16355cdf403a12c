/**
 * `npm run bench:accuracy`: how well each candidate matching rule names the shared labelled faces
 * (`../shared/data/faces`, 8 identities × 5 tight crops, 7 strangers, 5 group shots) — the
 * measurement behind the rule in server/gallery/matcher.ts (issue 3).
 *
 * Every image goes through the live pipeline once (embed pool: identity crops via describeCrop,
 * strangers and group shots via analyzePhoto, which crops like enrolment does) and the descriptors
 * are cached in bench/results/descriptors.json, keyed by image bytes and the embed code. Then:
 *  A. leave-one-out: enrol every other photo, name the held-out one → rank-1, accuracy, FRR;
 *     each identity removed in turn (its 5 photos) plus the strangers → FAR; per rule and margin.
 *  B. the same with the held-out photo cut like a browser crop (25 % grey margin, 160 px, JPEG q80)
 *     against the tight-crop gallery;
 *  C. only 1, 2 or 3 photos enrolled per person (5 rotations), the rest named;
 *  D. group-shot faces (named in the manifest's order) against the full gallery;
 *  G. the chosen rule per threshold × margin in every scenario, errors summed as counts;
 *  E. the shipped findMatch through every scenario, to check it reproduces the chosen rule;
 *  F. per-track aggregation (mean of a track's descriptors) on the dev clip and on photo pairs:
 *     measured here, not wired into the recognizer.
 * "err" is (1 − accuracy) + FAR: a missed or wrongly named face costs as much as an impostor
 * named. Thresholds are euclidean distances, like MATCH_THRESHOLD.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { createEmbedPool, type EmbedPool } from '../server/embed/pool.ts';
import { DEFAULT_MARGIN, euclidean, findMatch, type GalleryEntry } from '../server/gallery/matcher.ts';
import { cropFromPhoto } from '../tests/helpers/faces.ts';
import { DATA_DIR, clipFrames, hasSharedData, i420ToRgb, labelledFaces, strangerFaces } from './data.ts';

/** The rule the matcher ships (keep in step with server/gallery/matcher.ts and MATCH_THRESHOLD). */
const CHOSEN = { rule: 'centroid', threshold: 0.55, margin: DEFAULT_MARGIN };
const MARGINS = [0, 0.02, 0.04, 0.06, 0.08, 0.1];
const SWEEP = Array.from({ length: 13 }, (_, i) => 0.35 + i * 0.025);
const FINE = Array.from({ length: 181 }, (_, i) => 0.3 + i * 0.0025);
const CACHE_FILE = join('bench', 'results', 'descriptors.json');
const EMBED_CODE = ['face-engine.ts', 'worker.ts', 'decode.ts', 'pool.ts'].map((f) => join('server', 'embed', f));

// ---------------------------------------------------------------- data

type Photo = { identity: string; file: string; crop: Float32Array; padded: Float32Array };
type Dataset = {
	photos: Photo[];
	strangers: Float32Array[];
	/** Group-shot faces with the identity the manifest gives them (null: not one of the 8). */
	groups: Array<{ file: string; faces: Array<{ identity: string | null; descriptor: Float32Array }> }>;
	clip: Array<{ i: number; identity: string; descriptor: Float32Array }>;
	clipStills: Map<string, string>;
};
type Face = { descriptor: Float32Array; box: { x: number; y: number; width: number; height: number } | null };
type Cache = { code: string; entries: Record<string, Array<{ d: number[]; box: Face['box'] }>> };

const sha1 = (bytes: Uint8Array | string) => createHash('sha1').update(bytes).digest('hex');

/**
 * The manifest lists each group shot's cast "left to right" (bbt4: back row, then front row).
 * Faces are put in reading order (rows split where face centres jump by over half a face
 * height, top row first; left to right within a row) and named in that order. bbt2 has one
 * face more than its cast: the manifest's "unlabeled extra at the left edge", kept as a stranger.
 */
function labelGroupFaces(file: string, cast: string[], faces: Face[]): Dataset['groups'][number]['faces'] {
	const cy = (f: Face) => f.box!.y + f.box!.height / 2;
	const byY = [...faces].sort((a, b) => cy(a) - cy(b));
	const rows: Face[][] = [];
	for (const f of byY) {
		const row = rows[rows.length - 1];
		if (row && cy(f) - cy(row[row.length - 1]!) < f.box!.height / 2) row.push(f);
		else rows.push([f]);
	}
	const ordered = rows.flatMap((row) => row.sort((a, b) => a.box!.x - b.box!.x));
	const extra = ordered.length - cast.length;
	if (extra !== 0 && file !== '_group/bbt2.jpg') console.log(`   ${file}: ${ordered.length} faces for ${cast.length} names; skipped`);
	if (extra < 0 || (extra > 0 && file !== '_group/bbt2.jpg')) return [];
	const leftmost = [...faces].sort((a, b) => a.box!.x - b.box!.x).slice(0, extra);
	const named = ordered.filter((f) => !leftmost.includes(f));
	return [
		...leftmost.map((f) => ({ identity: null, descriptor: f.descriptor })),
		...named.map((f, k) => ({ identity: cast[k]!, descriptor: f.descriptor }))
	];
}

async function embedDataset(): Promise<Dataset> {
	const code = sha1(['cache v2', ...EMBED_CODE.map((f) => readFileSync(f, 'utf8'))].join('\0'));
	const cache: Cache = existsSync(CACHE_FILE) ? (JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as Cache) : { code, entries: {} };
	if (cache.code !== code) Object.assign(cache, { code, entries: {} });
	let pool: EmbedPool | null = null;
	let misses = 0;
	type Found = { descriptor: Float32Array | null; box: Face['box'] };
	const faces = async (key: string, run: (pool: EmbedPool) => Promise<Found[]>): Promise<Face[]> => {
		let hit = cache.entries[key];
		if (!hit) {
			pool ??= createEmbedPool({ size: 1, modelDir: join('models', 'face-api') });
			hit = (await run(pool)).flatMap((f) => (f.descriptor ? [{ d: [...f.descriptor], box: f.box }] : []));
			cache.entries[key] = hit;
			misses++;
		}
		return hit.map((f) => ({ descriptor: Float32Array.from(f.d), box: f.box }));
	};
	const embed = async (key: string, run: (pool: EmbedPool) => Promise<Found[]>) => (await faces(key, run)).map((f) => f.descriptor);
	const crop = (bytes: Uint8Array) => async (p: EmbedPool) => [{ descriptor: (await p.describeCrop(bytes)).descriptor, box: null }];
	const photo = (bytes: Uint8Array) => async (p: EmbedPool) => (await p.analyzePhoto(bytes)).faces;

	const photos: Photo[] = [];
	const dropped: string[] = [];
	for (const [identity, files] of labelledFaces()) {
		for (const file of files) {
			const bytes = readFileSync(file);
			const pad = Math.round(150 * 0.25);
			const browserLike = await sharp(bytes)
				.extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#808080' })
				.resize(160, 160)
				.jpeg({ quality: 80 })
				.toBuffer();
			const [a] = await embed(`crop:${sha1(bytes)}`, crop(bytes));
			const [b] = await embed(`padded:${sha1(browserLike)}`, crop(browserLike));
			if (a && b) photos.push({ identity, file: `${identity}/${basename(file)}`, crop: a, padded: b });
			else dropped.push(`${identity}/${basename(file)}`);
		}
	}
	const strangers: Float32Array[] = [];
	for (const file of strangerFaces()) {
		const bytes = readFileSync(file);
		const faces = await embed(`photo:${sha1(bytes)}`, photo(bytes));
		if (faces.length !== 1) dropped.push(`${basename(file)} (${faces.length} faces)`);
		if (faces[0]) strangers.push(faces[0]);
	}
	const manifest = JSON.parse(readFileSync(join(DATA_DIR, 'faces', 'manifest.json'), 'utf8')) as {
		groups?: Array<{ file: string; expectedIdentities: string[] }>;
	};
	const groups: Dataset['groups'] = [];
	for (const g of manifest.groups ?? []) {
		const bytes = readFileSync(join(DATA_DIR, 'faces', g.file));
		const found = await faces(`photo:${sha1(bytes)}`, photo(bytes));
		groups.push({ file: g.file, faces: labelGroupFaces(g.file, g.expectedIdentities, found) });
	}
	const clip: Dataset['clip'] = [];
	const clipStills = new Map<string, string>();
	const timeline = join(DATA_DIR, 'video', 'dev_faces_timeline.json');
	if (existsSync(timeline)) {
		const readme = readFileSync(join(DATA_DIR, 'video', 'README.md'), 'utf8');
		for (const m of readme.matchAll(/\|\s*([a-z]+)\s*\|\s*faces\/([a-z]+\/\d+\.png)/g)) clipStills.set(m[1]!, m[2]!);
		for (const { frame, yuv, width, height } of clipFrames()) {
			if (!frame.imageRect || !frame.identity) continue;
			const r = frame.imageRect;
			const [d] = await embed(`clip:${sha1(yuv)}:${r.x},${r.y},${r.w},${r.h}`, async (p) => {
				const rgb = i420ToRgb(yuv, width, height);
				const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
				const box = { x: r.x, y: r.y, width: r.w, height: r.h };
				const bytes = await cropFromPhoto(jpeg, box, { margin: 0.25, maxSide: 160, quality: 80 });
				return [{ descriptor: (await p.describeCrop(bytes)).descriptor, box: null }];
			});
			if (d) clip.push({ i: frame.i, identity: frame.identity, descriptor: d });
		}
	}
	if (pool) await (pool as EmbedPool).close();
	if (misses) {
		mkdirSync(join('bench', 'results'), { recursive: true });
		writeFileSync(CACHE_FILE, JSON.stringify(cache));
	}
	console.log(
		`embedded: ${photos.length} identity photos (tight + browser-like crop), ${strangers.length} strangers, ` +
			`${groups.reduce((n, g) => n + g.faces.length, 0)} group-shot faces, ${clip.length} clip frames ` +
			`(${misses} computed, the rest from ${CACHE_FILE})` +
			(dropped.length ? `; no single descriptor: ${dropped.join(', ')}` : '')
	);
	return { photos, strangers, groups, clip, clipStills };
}

// ---------------------------------------------------------------- rules

type Gallery = Map<string, Float32Array[]>;
/** The best person, its distance, and the next-best person's distance (Infinity if none). */
type Verdict = { person: string; distance: number; second: number };
type Rule = { name: string; prepare(gallery: Gallery): (q: Float32Array) => Verdict | null };

function mean(vs: Float32Array[]): Float32Array {
	const out = new Float32Array(vs[0]!.length);
	for (const v of vs) for (let i = 0; i < v.length; i++) out[i]! += v[i]! / vs.length;
	return out;
}
function medoid(vs: Float32Array[]): Float32Array {
	let best = vs[0]!;
	let bestSum = Infinity;
	for (const a of vs) {
		const s = vs.reduce((acc, b) => acc + euclidean(a, b), 0);
		if (s < bestSum) [best, bestSum] = [a, s];
	}
	return best;
}
function verdictOf(scores: Array<{ person: string; distance: number }>): Verdict | null {
	scores.sort((a, b) => a.distance - b.distance);
	const [first, next] = scores;
	return first ? { person: first.person, distance: first.distance, second: next?.distance ?? Infinity } : null;
}
/** A rule scoring each person by a function of the query's distances to that person's vectors. */
function perPerson(name: string, score: (q: Float32Array, vs: Float32Array[], derived: Float32Array) => number, derive = mean): Rule {
	return {
		name,
		prepare(gallery) {
			const people = [...gallery].map(([person, vs]) => ({ person, vs, derived: derive(vs) }));
			return (q) => verdictOf(people.map((p) => ({ person: p.person, distance: score(q, p.vs, p.derived) })));
		}
	};
}
const nearest = (q: Float32Array, vs: Float32Array[]) => Math.min(...vs.map((v) => euclidean(q, v)));
const meanOfNearest = (k: number) => (q: Float32Array, vs: Float32Array[]) => {
	const ds = vs.map((v) => euclidean(q, v)).sort((a, b) => a - b).slice(0, k);
	return ds.reduce((a, b) => a + b, 0) / ds.length;
};
/** k nearest stored vectors vote; the winner's distance is its nearest vector. */
function knnVote(k: number): Rule {
	return {
		name: `knn${k}-vote`,
		prepare(gallery) {
			const flat = [...gallery].flatMap(([person, vs]) => vs.map((v) => ({ person, v })));
			return (q) => {
				const ds = flat.map((e) => ({ person: e.person, d: euclidean(q, e.v) })).sort((a, b) => a.d - b.d);
				const votes = new Map<string, { n: number; sum: number }>();
				for (const { person, d } of ds.slice(0, k)) {
					const v = votes.get(person) ?? { n: 0, sum: 0 };
					votes.set(person, { n: v.n + 1, sum: v.sum + d });
				}
				const [winner] = [...votes].sort((a, b) => b[1].n - a[1].n || a[1].sum - b[1].sum);
				if (!winner) return null;
				const own = ds.find((e) => e.person === winner[0])!.d;
				const other = ds.find((e) => e.person !== winner[0])?.d ?? Infinity;
				return { person: winner[0], distance: own, second: other };
			};
		}
	};
}
/** The same rule on vectors scaled to one length (1.45, the data's mean norm, keeps thresholds comparable). */
function unitNorm(rule: Rule): Rule {
	const scale = (v: Float32Array) => {
		const n = Math.hypot(...v) / 1.45;
		return v.map((x) => x / n);
	};
	return {
		name: `${rule.name}-unitnorm`,
		prepare(gallery) {
			const match = rule.prepare(new Map([...gallery].map(([person, vs]) => [person, vs.map(scale)])));
			return (q) => match(scale(q));
		}
	};
}
const RULES: Rule[] = [
	perPerson('nearest', nearest),
	knnVote(3),
	perPerson('centroid', (q, _vs, c) => euclidean(q, c)),
	perPerson('medoid', (q, _vs, m) => euclidean(q, m), medoid),
	perPerson('mean-2-nearest', meanOfNearest(2)),
	perPerson('mean-all', meanOfNearest(Infinity)),
	perPerson('nn+centroid/2', (q, vs, c) => (nearest(q, vs) + euclidean(q, c)) / 2),
	unitNorm(perPerson('centroid', (q, _vs, c) => euclidean(q, c)))
];

// ---------------------------------------------------------------- scoring

type Trial = { truth: string | null; verdict: Verdict | null };
type Rates = { acc: number; frr: number; misId: number; far: number; err: number; g: number; i: number };

function rates(trials: Trial[], t: number, m: number): Rates {
	let correct = 0, rejected = 0, wrong = 0, accepted = 0, g = 0, i = 0;
	for (const { truth, verdict: v } of trials) {
		const named = v !== null && v.distance < t && v.second - v.distance >= m;
		if (truth === null) {
			i++;
			if (named) accepted++;
		} else {
			g++;
			if (!named) rejected++;
			else if (v.person === truth) correct++;
			else wrong++;
		}
	}
	const acc = correct / g, far = i ? accepted / i : 0;
	return { acc, frr: rejected / g, misId: wrong / g, far, err: 1 - acc + far, g, i };
}
const rank1 = (trials: Trial[]) => {
	const g = trials.filter((t) => t.truth !== null);
	return g.filter((t) => t.verdict?.person === t.truth).length / g.length;
};
/** The lowest error over a fine threshold grid and the threshold range that reaches it. */
function bestWindow(trials: Trial[], m: number): { err: number; lo: number; hi: number } {
	const errs = FINE.map((t) => rates(trials, t, m).err);
	const err = Math.min(...errs);
	const at = FINE.filter((_, k) => errs[k]! <= err + 1e-9);
	return { err, lo: at[0]!, hi: at[at.length - 1]! };
}

const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
const f2 = (x: number) => x.toFixed(3);

function galleryOf(photos: Photo[], keep: (p: Photo) => boolean): Gallery {
	const g: Gallery = new Map();
	for (const p of photos.filter(keep)) g.set(p.identity, [...(g.get(p.identity) ?? []), p.crop]);
	return g;
}

/** A: leave one out (genuine) + identity removed and strangers (impostors). */
function leaveOneOut(data: Dataset, rule: Rule, view: 'crop' | 'padded'): Trial[] {
	const trials: Trial[] = [];
	for (const probe of data.photos) {
		const match = rule.prepare(galleryOf(data.photos, (p) => p !== probe));
		trials.push({ truth: probe.identity, verdict: match(probe[view]) });
	}
	for (const identity of new Set(data.photos.map((p) => p.identity))) {
		const match = rule.prepare(galleryOf(data.photos, (p) => p.identity !== identity));
		for (const probe of data.photos.filter((p) => p.identity === identity)) trials.push({ truth: null, verdict: match(probe[view]) });
	}
	const match = rule.prepare(galleryOf(data.photos, () => true));
	for (const s of data.strangers) trials.push({ truth: null, verdict: match(s) });
	return trials;
}

/** C: n photos enrolled per person (5 rotations), the others named; removed identity + strangers. */
function fewEnrolled(data: Dataset, rule: Rule, n: number): Trial[] {
	const trials: Trial[] = [];
	const index = (p: Photo) => data.photos.filter((q) => q.identity === p.identity).indexOf(p);
	for (let r = 0; r < 5; r++) {
		const enrolled = (p: Photo) => (index(p) - r + 5) % 5 < n;
		const match = rule.prepare(galleryOf(data.photos, enrolled));
		for (const p of data.photos.filter((p) => !enrolled(p))) trials.push({ truth: p.identity, verdict: match(p.crop) });
		for (const s of data.strangers) trials.push({ truth: null, verdict: match(s) });
		for (const identity of new Set(data.photos.map((p) => p.identity))) {
			const without = rule.prepare(galleryOf(data.photos, (p) => enrolled(p) && p.identity !== identity));
			for (const p of data.photos.filter((p) => p.identity === identity)) trials.push({ truth: null, verdict: without(p.crop) });
		}
	}
	return trials;
}

function summaryTable(title: string, trialsOf: (rule: Rule) => Trial[], margins = MARGINS): void {
	console.log(`\n${title}`);
	const at = [0.5, CHOSEN.threshold];
	const head = at.map((t) => `t=${t.toFixed(2)}: acc   FRR misID   FAR`).join(' │ ');
	console.log(`   rule              margin  rank-1 │ ${head} │ lowest err, its threshold window`);
	for (const rule of RULES) {
		const trials = trialsOf(rule);
		for (const m of margins) {
			const cells = at.map((t) => {
				const r = rates(trials, t, m);
				return `       ${pct(r.acc)} ${pct(r.frr)} ${pct(r.misId)} ${pct(r.far)}`;
			});
			const w = bestWindow(trials, m);
			console.log(
				`   ${rule.name.padEnd(17)} ${m.toFixed(2)}  ${pct(rank1(trials))}% │${cells.join(' │')} │ ` +
					`${pct(w.err)}  ${f2(w.lo)}–${f2(w.hi)} (${(w.hi - w.lo).toFixed(4)})`
			);
		}
	}
	const t0 = trialsOf(RULES[0]!);
	console.log(`   (${t0.filter((t) => t.truth).length} genuine, ${t0.filter((t) => !t.truth).length} impostor trials; % throughout)`);
}

function sweepMatrix(title: string, trialsOf: (rule: Rule) => Trial[], m: number): void {
	console.log(`\n${title} — acc/FRR/FAR % per threshold, margin ${m.toFixed(2)}`);
	const all = RULES.map((r) => trialsOf(r));
	console.log(`   t     ${RULES.map((r) => r.name.slice(0, 14).padEnd(15)).join('')}`);
	for (const t of SWEEP) {
		const cells = all.map((trials) => {
			const r = rates(trials, t, m);
			return `${(100 * r.acc).toFixed(0)}/${(100 * r.frr).toFixed(0)}/${(100 * r.far).toFixed(0)}`.padEnd(15);
		});
		console.log(`   ${t.toFixed(3)} ${cells.join('')}`);
	}
}

function chosenSweep(title: string, trials: Trial[]): void {
	console.log(`\n${title}`);
	console.log('   t      margin   acc    FRR  misID    FAR   err');
	for (const t of SWEEP) {
		for (const m of [0, CHOSEN.margin]) {
			const r = rates(trials, t, m);
			const mark = Math.abs(t - CHOSEN.threshold) < 1e-9 && m === CHOSEN.margin ? '  ◀ shipped' : '';
			console.log(`   ${t.toFixed(3)}  ${m.toFixed(2)}   ${pct(r.acc)}  ${pct(r.frr)}  ${pct(r.misId)}  ${pct(r.far)} ${pct(r.err)}${mark}`);
		}
	}
}

/** D: group shots against the full gallery; bbt2's unlabeled extra is the one impostor. */
function groupShots(data: Dataset, rule: Rule): Trial[] {
	const match = rule.prepare(galleryOf(data.photos, () => true));
	return data.groups.flatMap((g) => g.faces.map((f) => ({ truth: f.identity, verdict: match(f.descriptor) })));
}

/**
 * F: per-track aggregation. F1, the dev clip: each frame alone vs the mean of the track's last n
 * descriptors (gallery without the stills the clip was rendered from). F2, the labelled photos:
 * every pair of one person's photos as a "track" (mean of the two) against the other 3 enrolled,
 * vs each photo of the pair alone against the same gallery; impostors likewise with the person removed.
 */
function trackAggregation(data: Dataset, rule: Rule): void {
	const { threshold: t, margin: m } = CHOSEN;
	const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
	const line = (label: string, trials: Trial[]) => {
		const r = rates(trials, t, m);
		const g = trials.filter((x) => x.truth !== null && x.verdict);
		const ds = g.map((x) => x.verdict!.distance);
		const gaps = g.map((x) => x.verdict!.second - x.verdict!.distance);
		const imp = trials.filter((x) => x.truth === null && x.verdict).map((x) => x.verdict!.distance);
		console.log(
			`   ${label.padEnd(24)} ${pct(r.acc)}  ${pct(r.frr)}  ${pct(r.misId)}  ${pct(r.far)}   ${f2(avg(ds))}  ${f2(Math.max(...ds))}  ${f2(avg(gaps))}` +
				`   ${imp.length ? `${f2(Math.min(...imp))}  ${f2(avg(imp))}` : '  –      –  '}  (${r.g}+${r.i})`
		);
	};
	const stills = new Set(data.clipStills.values());
	const clipMatch = rule.prepare(galleryOf(data.photos, (p) => !stills.has(p.file)));
	console.log(`\nF. Per-track aggregation (rule ${rule.name}, t ${t}, margin ${m}); genuine distance mean, max, gap to 2nd; impostor distance min, mean`);
	console.log('   probe                      acc    FRR  misID    FAR    dist   max    gap     imp min  mean  (genuine+impostor)');
	for (const n of [1, 2, 3, 5, 8]) {
		const trials = data.clip.map((frame, k) => {
			const track = data.clip.slice(Math.max(0, k - n + 1), k + 1).filter((f) => f.identity === frame.identity);
			return { truth: frame.identity, verdict: clipMatch(mean(track.map((f) => f.descriptor))) };
		});
		line(`F1 clip, last ${n} frame(s)`, trials);
	}
	const single: Trial[] = [];
	const paired: Trial[] = [];
	for (const identity of new Set(data.photos.map((p) => p.identity))) {
		const own = data.photos.filter((p) => p.identity === identity);
		const without = rule.prepare(galleryOf(data.photos, (p) => p.identity !== identity));
		for (let a = 0; a < own.length; a++) {
			for (let b = a + 1; b < own.length; b++) {
				const pair = [own[a]!, own[b]!];
				const match = rule.prepare(galleryOf(data.photos, (p) => !pair.includes(p)));
				for (const p of pair) single.push({ truth: identity, verdict: match(p.crop) }, { truth: null, verdict: without(p.crop) });
				const q = mean(pair.map((p) => p.crop));
				paired.push({ truth: identity, verdict: match(q) }, { truth: null, verdict: without(q) });
			}
		}
	}
	line('F2 photos, one alone', single);
	line('F2 photos, mean of two', paired);
}

/** E: the shipped findMatch as a rule: its own threshold and margin decide; unknown → no verdict. */
const shippedRule: Rule = {
	name: 'shipped findMatch',
	prepare(gallery) {
		const entries: GalleryEntry[] = [...gallery].flatMap(([person, vs]) => vs.map((embedding) => ({ personId: person, name: person, embedding })));
		return (q) => {
			const m = findMatch(q, entries, CHOSEN.threshold);
			return m.personId ? { person: m.personId, distance: m.distance ?? 0, second: Infinity } : null;
		};
	}
};

/**
 * G: the chosen rule per threshold and margin in every scenario: accuracy / FAR %, and the errors
 * summed over A, B, C2, C3 and D as counts (missed or wrongly named faces + strangers named).
 */
function choiceGrid(scenarios: Array<[string, (r: Rule) => Trial[]]>, rule: Rule): void {
	console.log(`\nG. '${rule.name}' per threshold and margin: acc/FAR % per scenario; errors = misses + false accepts (C1 not summed)`);
	console.log(`   t      margin  ${scenarios.map(([name]) => name.padEnd(12)).join('')}errors`);
	for (const t of SWEEP.filter((x) => x >= 0.475 && x <= 0.625)) {
		for (const m of MARGINS) {
			let errors = 0;
			const cells = scenarios.map(([name, of]) => {
				const r = rates(of(rule), t, m);
				if (name !== 'C1') errors += Math.round((1 - r.acc) * r.g + r.far * r.i);
				return `${(100 * r.acc).toFixed(1)}/${(100 * r.far).toFixed(1)}`.padEnd(12);
			});
			const shipped = rule.name === CHOSEN.rule && Math.abs(t - CHOSEN.threshold) < 1e-9 && m === CHOSEN.margin;
			console.log(`   ${t.toFixed(3)}  ${m.toFixed(2)}    ${cells.join('')}${String(errors).padStart(4)}${shipped ? '  ◀ shipped' : ''}`);
		}
	}
}

// ---------------------------------------------------------------- main

if (!hasSharedData()) {
	console.log(`shared data absent at ${DATA_DIR}/faces; nothing to measure (set FACERTC_BENCH_DATA to point elsewhere)`);
	process.exit(0);
}
console.log(`FaceRTC matcher accuracy — ${new Date().toISOString()}, data ${DATA_DIR}`);
const data = await embedDataset();
const chosen = RULES.find((r) => r.name === CHOSEN.rule)!;

const memo = (f: (r: Rule) => Trial[]) => {
	const cache = new Map<Rule, Trial[]>();
	return (r: Rule) => cache.get(r) ?? cache.set(r, f(r)).get(r)!;
};
const scenarios: Array<[string, (r: Rule) => Trial[]]> = [
	['A', memo((r) => leaveOneOut(data, r, 'crop'))],
	['B', memo((r) => leaveOneOut(data, r, 'padded'))],
	['C1', memo((r) => fewEnrolled(data, r, 1))],
	['C2', memo((r) => fewEnrolled(data, r, 2))],
	['C3', memo((r) => fewEnrolled(data, r, 3))],
	['D', memo((r) => groupShots(data, r))]
];
const of = (name: string) => scenarios.find(([n]) => n === name)![1];
const both = [0, CHOSEN.margin];
summaryTable('A. Leave-one-out, tight crops (genuine: held-out photo vs the rest; impostors: identity removed + strangers)', of('A'));
sweepMatrix('A. sweep', of('A'), 0);
sweepMatrix('A. sweep', of('A'), CHOSEN.margin);
summaryTable('B. Leave-one-out, held-out photo as a browser-like crop (25 % grey margin, JPEG q80) vs tight-crop gallery', of('B'), both);
summaryTable('C1. 1 photo enrolled per person (5 rotations); the other 4 named; impostors as in A', of('C1'), both);
summaryTable('C2. 2 photos enrolled per person (5 rotations)', of('C2'), both);
sweepMatrix('C2. sweep', of('C2'), CHOSEN.margin);
summaryTable('C3. 3 photos enrolled per person (5 rotations)', of('C3'), both);
summaryTable("D. Group shots vs all 40 photos (faces named in the manifest's order; bbt2's extra face is the impostor)", of('D'), both);
choiceGrid(scenarios, chosen);
choiceGrid(scenarios, RULES[0]!);
chosenSweep(`Chosen rule '${CHOSEN.rule}', A, full sweep`, of('A')(chosen));
chosenSweep(`Chosen rule '${CHOSEN.rule}', C2, full sweep`, of('C2')(chosen));
console.log(`\nE. shipped findMatch(…, ${CHOSEN.threshold}) against the bench's '${CHOSEN.rule}' at t ${CHOSEN.threshold}, margin ${CHOSEN.margin}`);
for (const [name, trialsOf] of scenarios) {
	const a = rates(trialsOf(shippedRule), Infinity, 0);
	const b = rates(trialsOf(chosen), CHOSEN.threshold, CHOSEN.margin);
	const same = a.acc === b.acc && a.frr === b.frr && a.far === b.far;
	console.log(`   ${name.padEnd(3)} shipped acc ${pct(a.acc)} FRR ${pct(a.frr)} misID ${pct(a.misId)} FAR ${pct(a.far)}  ${same ? 'same' : `DIFFERENT (bench: acc ${pct(b.acc)} FAR ${pct(b.far)})`}`);
}
trackAggregation(data, chosen);

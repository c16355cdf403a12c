/**
 * `npm run bench:match`: the cost of one findMatch against 10, 1 000 and 100 000 stored
 * embeddings (synthetic 128-d vectors of norm ~1.45 like face-api's, 5 per person), in µs per
 * query, for issue 2's matcher (nearest stored embedding, a Map of per-person bests), the same
 * rule over a flat matrix, and the shipped one (per-person centroids in Float32Array blocks, one here,
 * squared distances, early abandon), whose index is built once per entries array: its build
 * time is printed apart.
 */
import { findMatch, type GalleryEntry } from '../server/gallery/matcher.ts';
import { rng } from './rng.ts';

const DIM = 128;
const PER_PERSON = 5;
const THRESHOLD = 0.55;

function gaussian(rand: () => number): number {
	return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A random direction of length `norm`, plus per-dimension noise of `sigma`. */
function vector(rand: () => number, around: Float32Array | null, sigma: number): Float32Array {
	const v = new Float32Array(DIM);
	if (around) {
		for (let i = 0; i < DIM; i++) v[i] = around[i]! + sigma * gaussian(rand);
		return v;
	}
	for (let i = 0; i < DIM; i++) v[i] = gaussian(rand);
	const scale = 1.45 / Math.hypot(...v);
	return v.map((x) => x * scale);
}

function gallery(size: number, rand: () => number): { entries: GalleryEntry[]; centres: Float32Array[] } {
	const entries: GalleryEntry[] = [];
	const centres: Float32Array[] = [];
	for (let p = 0; entries.length < size; p++) {
		const centre = vector(rand, null, 0);
		centres.push(centre);
		for (let k = 0; k < PER_PERSON && entries.length < size; k++) {
			// σ 0.025 a dimension ≈ 0.28 from the centre, like same-person face-api descriptors
			entries.push({ personId: `p${p}`, name: `person ${p}`, embedding: vector(rand, centre, 0.025) });
		}
	}
	return { entries, centres };
}

/** Issue 2's matcher, verbatim in substance: every embedding, a Map of each person's best. */
function issue2FindMatch(query: Float32Array, entries: readonly GalleryEntry[], threshold: number) {
	const best = new Map<string, { personId: string; name: string; distance: number }>();
	for (const entry of entries) {
		if (entry.embedding.length !== query.length) continue;
		let sum = 0;
		for (let i = 0; i < query.length; i++) {
			const d = (query[i] as number) - (entry.embedding[i] as number);
			sum += d * d;
		}
		const distance = Math.sqrt(sum);
		const seen = best.get(entry.personId);
		if (!seen || distance < seen.distance) best.set(entry.personId, { ...entry, distance });
	}
	const [first] = [...best.values()].sort((a, b) => a.distance - b.distance);
	return first && first.distance < threshold ? first.personId : null;
}

/**
 * Issue 2's rule done the fast way, for scale: nearest stored embedding over one flat matrix with
 * squared distances, rows abandoned past the current best (the margin's second person ignored).
 */
function flatNearest(entries: readonly GalleryEntry[]): (query: Float32Array) => string | null {
	const matrix = new Float32Array(entries.length * DIM);
	entries.forEach((e, k) => matrix.set(e.embedding, k * DIM));
	return (query) => {
		let best = -1;
		let bestSq = Infinity;
		for (let k = 0, base = 0; k < entries.length; k++, base += DIM) {
			let sum = 0;
			for (let i = 0; i < DIM && sum < bestSq; i += 16) {
				for (let j = i; j < i + 16; j++) {
					const d = query[j]! - matrix[base + j]!;
					sum += d * d;
				}
			}
			if (sum < bestSq) [best, bestSq] = [k, sum];
		}
		return best >= 0 && bestSq < THRESHOLD * THRESHOLD ? entries[best]!.personId : null;
	};
}

/** Mean µs per call over ≥ minMs of calls, after a warm-up. */
function time(run: (k: number) => unknown, minMs: number): number {
	for (let k = 0; k < 3; k++) run(k);
	let calls = 0;
	const t0 = performance.now();
	let elapsed = 0;
	while (elapsed < minMs) {
		run(calls++);
		elapsed = performance.now() - t0;
	}
	return (1000 * elapsed) / calls;
}

const fmt = (us: number) => (us < 10 ? us.toFixed(2) : us < 1000 ? us.toFixed(1) : us.toFixed(0)).padStart(9);

console.log(`findMatch cost — ${DIM}-d, ${PER_PERSON} embeddings a person, threshold ${THRESHOLD}, Node ${process.version}`);
console.log('µs per query (known face / stranger) and, for the shipped matcher, ms to build its index once per gallery write');
const head = ['issue 2 matcher', 'nearest, flat matrix', 'shipped (centroids)'].map((h) => ` ${h.padEnd(20)} │`).join('');
console.log(`   ${'stored'.padStart(7)} ${'people'.padStart(8)}  │${head} index build`);
for (const size of [10, 1_000, 100_000]) {
	const rand = rng(size);
	const { entries, centres } = gallery(size, rand);
	// a stored person seen anew, and strangers
	const known = Array.from({ length: 64 }, (_, k) => vector(rand, centres[(k * 7919) % centres.length]!, 0.025));
	const strangers = Array.from({ length: 64 }, () => vector(rand, null, 0));
	const minMs = size >= 100_000 ? 1500 : 300;
	const pair = (f: (q: Float32Array) => unknown) => [known, strangers].map((qs) => time((k) => f(qs[k % qs.length]!), minMs / 2));
	const before = pair((q) => issue2FindMatch(q, entries, THRESHOLD));
	const flat = pair(flatNearest(entries));
	let build = Infinity;
	for (let k = 0; k < 3; k++) {
		const copy = [...entries]; // a new array: what the gallery hands out after a write
		const t0 = performance.now();
		findMatch(known[0]!, copy, THRESHOLD);
		build = Math.min(build, performance.now() - t0);
	}
	const after = pair((q) => findMatch(q, entries, THRESHOLD));
	const named = known.filter((q) => findMatch(q, entries, THRESHOLD).personId).length;
	console.log(
		`   ${String(size).padStart(7)} ${String(centres.length).padStart(8)}  │${[before, flat, after].map(([a, b]) => `${fmt(a!)} /${fmt(b!)} │`).join('')}` +
			` ${build.toFixed(2).padStart(7)} ms  (${named}/${known.length} known faces named)`
	);
}

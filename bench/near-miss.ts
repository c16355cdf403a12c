/**
 * `npm run bench:near-miss`: what a sharper crop buys for a face answered just beyond the
 * threshold. Measured, not shipped (README, *Recognition accuracy*; the live page's version is on
 * branch `near-miss`): the band and the sharper crop below were chosen here on `faces`, named more
 * held-out look-alike stills, and showed no gain on the live clips.
 *
 * The faces of bench:accuracy (its cache: bench/accuracy/embed.ts), each cut as the browser cuts
 * it (25 % margin) at several sizes and WebP qualities (libwebp, as Chromium's canvas encodes),
 * described by the server's live path. One photo per person enrolled (its `enrol` vector; each
 * photo in turn), the person's other photos and the strangers as probes, matched as findMatch
 * does with the shipped threshold and margin. Numbers are chosen on `faces` (the development
 * set); `faces-real` (look-alikes) is held out and only reported.
 *
 * Prints per setting: KB a crop, share of genuine probes named, wrong names, impostor trials
 * named, recall at the distance that names 1 % of impostor trials; then, for the shipped crop
 * against the detail crop, per band of the shipped crop's distance: genuine probes named only
 * with the detail crop (gained) or only without (lost), and strangers named with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { embedAll, photoOf, type BenchFace } from './accuracy/embed.ts';
import { hasSharedData, DATA_DIR } from './data.ts';
import { decodeImage } from '../server/embed/decode.ts';
import { loadFaceEngine } from '../server/embed/face-engine.ts';
import { PHOTO_DECODE_MAX_SIDE } from '../server/embed/pipeline.ts';
import { euclidean } from '../server/gallery/distance.ts';
import { DEFAULT_MARGIN } from '../server/gallery/matcher.ts';
import { expandBox, FACE_CROP_MARGIN } from '../src/lib/protocol/face-crop.ts';
import { chooseCropSettings } from '../src/lib/link/bandwidth.ts';

const THRESHOLD = 0.55;
/** An unknown whose best person lies under (1 + this) × the threshold is a near miss. */
const NEAR_MISS_RATIO = 0.09;
const shipped = chooseCropSettings({ dataSaver: false, rttMs: 0, webp: true });
/** The sharper crop tried for a near miss. */
const detail = { maxSide: 128, quality: 0.7 };
const key = (side: number, quality: number) => `${side} px q${quality.toFixed(1)}`;
/** [longest side px, WebP quality 0..1]: the shipped and detail crops first, then alternatives. */
const SETTINGS: Array<[number, number]> = [
	[shipped.maxSide, shipped.quality],
	[detail.maxSide, detail.quality],
	[112, 0.8],
	[160, 0.5],
	[160, 0.8]
];
const BANDS = [0.44, THRESHOLD, THRESHOLD * (1 + NEAR_MISS_RATIO), 0.66, 0.72, Infinity];

if (!hasSharedData()) {
	console.log(`bench:near-miss: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}

const { faces } = await embedAll((m) => console.log(m));
const used = faces.filter((f) => f.source !== 'cohort' && (f.kind === 'identity' || f.kind === 'stranger') && f.v.enrol);
const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
const vectors = new Map<string, Map<BenchFace, Float32Array | null>>();
const kb = new Map<string, number>();
const images = new Map<string, Awaited<ReturnType<typeof decodeImage>>>();
for (const [side, quality] of SETTINGS) {
	const byFace = new Map<BenchFace, Float32Array | null>();
	let bytes = 0;
	for (const face of used) {
		const { path, tight } = photoOf(face);
		let image = images.get(path);
		if (!image) images.set(path, (image = await decodeImage(readFileSync(path), { maxSide: PHOTO_DECODE_MAX_SIDE })));
		let input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
		if (tight) {
			const pad = Math.round(image.width * FACE_CROP_MARGIN);
			input = input.extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#808080' });
		} else {
			const r = expandBox(face.box, FACE_CROP_MARGIN, image);
			input = input.extract({ left: r.x, top: r.y, width: r.width, height: r.height });
		}
		const webp = await input
			.resize({ width: side, height: side, fit: 'inside' })
			.webp({ quality: Math.round(quality * 100) })
			.toBuffer();
		bytes += webp.length;
		byFace.set(face, await engine.describeCrop(await decodeImage(webp)));
	}
	vectors.set(key(side, quality), byFace);
	kb.set(key(side, quality), bytes / used.length / 1024);
}
engine.dispose();

type Best = { person: string | null; d1: number; d2: number };
type Trial = { truth: string | null; best: (v: Float32Array) => Best; probe: BenchFace };
const named = (b: Best) => (b.d1 < THRESHOLD && b.d2 - b.d1 >= DEFAULT_MARGIN ? b.person : null);

/** One photo per person enrolled, each photo in turn: every genuine and impostor trial. */
function trialsOf(source: string): Trial[] {
	const ids = used.filter((f) => f.source === source && f.kind === 'identity');
	const strangers = used.filter((f) => f.source === source && f.kind === 'stranger');
	const byPerson = new Map<string, BenchFace[]>();
	for (const f of ids) byPerson.set(f.identity!, [...(byPerson.get(f.identity!) ?? []), f]);
	const rotations = Math.max(...[...byPerson.values()].map((fs) => fs.length));
	const trials: Trial[] = [];
	for (let r = 0; r < rotations; r++) {
		const gallery = [...byPerson].map(([person, fs]) => ({ person, face: fs[r % fs.length]! }));
		const bestOf = (skip: string | null) => (v: Float32Array) => {
			const b: Best = { person: null, d1: Infinity, d2: Infinity };
			for (const { person, face } of gallery) {
				if (person === skip) continue;
				const d = euclidean(v, face.v.enrol!);
				if (d < b.d1) [b.person, b.d1, b.d2] = [person, d, b.d1];
				else if (d < b.d2) b.d2 = d;
			}
			return b;
		};
		for (const f of ids) {
			if (gallery.some((g) => g.face === f)) continue;
			trials.push({ truth: f.identity, best: bestOf(null), probe: f });
			trials.push({ truth: null, best: bestOf(f.identity), probe: f });
		}
		for (const s of strangers) trials.push({ truth: null, best: bestOf(null), probe: s });
	}
	return trials;
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;
for (const source of ['faces', 'faces-real'] as const) {
	const trials = trialsOf(source);
	console.log(
		`\n${source}${source === 'faces' ? ' (chosen on)' : ' (held out)'}: one photo per person enrolled, ${trials.filter((t) => t.truth).length} genuine and ${trials.filter((t) => !t.truth).length} impostor trials`
	);
	for (const [setting, byFace] of vectors) {
		let right = 0;
		let wrong = 0;
		let accepted = 0;
		const genuine: number[] = [];
		const impostor: number[] = [];
		for (const t of trials) {
			const v = byFace.get(t.probe);
			const b = v ? t.best(v) : null;
			const name = b && named(b);
			if (t.truth) {
				if (name === t.truth) right++;
				else if (name) wrong++;
				genuine.push(b && b.person === t.truth ? b.d1 : Infinity);
			} else {
				if (name) accepted++;
				impostor.push(b ? b.d1 : Infinity);
			}
		}
		impostor.sort((a, b) => a - b);
		const cut = impostor[Math.floor(0.01 * impostor.length)]!;
		console.log(
			`   ${setting.padEnd(12)} ${kb.get(setting)!.toFixed(2)} KB  named ${pct(right, genuine.length).padStart(7)}, wrong ${wrong}, impostor trials named ${accepted}/${impostor.length}; recall at 1 % impostors named ${pct(genuine.filter((d) => d < cut).length, genuine.length)}`
		);
	}
	const small = vectors.get(key(shipped.maxSide, shipped.quality))!;
	const sharper = vectors.get(key(detail.maxSide, detail.quality))!;
	console.log(`   by the ${key(shipped.maxSide, shipped.quality)} crop's distance, against ${key(detail.maxSide, detail.quality)}:`);
	for (let i = 0; i < BANDS.length; i++) {
		const [lo, hi] = [BANDS[i - 1] ?? 0, BANDS[i]!];
		let genuine = 0;
		let gained = 0;
		let lost = 0;
		let strangers = 0;
		let strangersNamed = 0;
		for (const t of trials) {
			const [a, b] = [small.get(t.probe), sharper.get(t.probe)];
			if (!a || !b) continue;
			const [ba, bb] = [t.best(a), t.best(b)];
			if (!(ba.d1 >= lo && ba.d1 < hi)) continue;
			if (t.truth) {
				genuine++;
				const [na, nb] = [named(ba) === t.truth, named(bb) === t.truth];
				if (!na && nb) gained++;
				if (na && !nb) lost++;
			} else if (t.probe.kind === 'stranger') {
				strangers++;
				if (named(bb)) strangersNamed++;
			}
		}
		const band = `${lo.toFixed(2)}–${hi === Infinity ? '∞' : hi.toFixed(2)}`;
		console.log(
			`      ${band.padEnd(10)} genuine ${String(genuine).padStart(3)}: gained ${gained}, lost ${lost}; strangers ${String(strangers).padStart(3)}: named with the detail crop ${strangersNamed}`
		);
	}
}

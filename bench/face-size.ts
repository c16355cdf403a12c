/**
 * `npm run bench:size`: how recognition holds up as faces get small, and the smallest crop the
 * recognizer should put a name on.
 *
 * Why: the live page crops a face with its margin and only ever scales down (fitWithin), so a face
 * 20 px wide in the video reaches the server as a ~30 px crop. Is a small face named wrongly more
 * often, so that the server should not name crops under some size? Measured 3 December: no (README,
 * *Recognition accuracy*); no minimum is shipped.
 *
 * How: the faces of bench:accuracy (its cache: bench/accuracy/embed.ts), each cut as the browser
 * cuts it (25 % margin; tight crops padded grey), scaled so the face box is `s` px, WebP q0.5 as
 * the page encodes, described by the server's live path (pipeline.ts prepareCrop, then
 * describeCrop) twice: with six keypoints as the page sends BlazeFace's (here made from the
 * full-size photo's 68 landmarks: eye centres, nose tip, mouth centre, jaw ends for the ears) and
 * without (an older page, or keypoints the server cannot use). Galleries hold the enrolment vectors of
 * the full-size photos (what an operator enrols). Scenarios L (every other photo enrolled) and O
 * (one photo per person) of bench:accuracy, probes at each size.
 *
 * The smallest crop side to name is chosen on `faces` (cost = misses + FALSE_ACCEPT_COST × (strangers
 * named + wrong names), summed over the sizes) and only reported on `faces-real`, whose people,
 * photos and light it never saw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { embedAll, photoOf, type BenchFace } from './accuracy/embed.ts';
import { labelGroups } from './accuracy/labels.ts';
import { sideTrials, wholeSide } from './accuracy/trials.ts';
import { FALSE_ACCEPT_COST, named, score, tally, type Params, type Rates, type Scored } from './accuracy/tune.ts';
import { hasSharedData, DATA_DIR } from './data.ts';
import { decodeImage } from '../server/embed/decode.ts';
import { loadFaceEngine } from '../server/embed/face-engine.ts';
import { MAX_LANDMARK_PASSES } from '../server/embed/landmark-search.ts';
import { PHOTO_DECODE_MAX_SIDE, prepareCrop } from '../server/embed/pipeline.ts';
import type { FaceBox, RgbImage } from '../server/embed/types.ts';
import type { Pt } from '../server/embed/face-geometry.ts';
import { DEFAULT_MARGIN } from '../server/gallery/matcher.ts';
import { expandBox, FACE_CROP_MARGIN } from '../src/lib/protocol/face-crop.ts';

/** Face box sides tried, px (the crop is ~1.5× that). */
const FACE_SIDES = [12, 16, 20, 24, 28, 32, 40, 48, 64];
const SHIPPED: Params = { threshold: 0.55, margin: DEFAULT_MARGIN, cohortMargin: null };
const SOURCES = ['faces', 'faces-real'] as const;

if (!hasSharedData()) {
	console.log(`bench:size: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}

type Keypoints = Array<[number, number]>;

/** BlazeFace's six keypoints (right eye, left eye, nose tip, mouth, right ear, left ear) from 68 landmarks. */
function blazeLike(l: readonly Pt[]): Pt[] {
	const mean = (from: number, to: number) => {
		const pts = l.slice(from, to + 1);
		return { x: pts.reduce((a, p) => a + p.x, 0) / pts.length, y: pts.reduce((a, p) => a + p.y, 0) / pts.length };
	};
	return [mean(36, 41), mean(42, 47), l[30]!, mean(48, 67), l[0]!, l[16]!];
}

/**
 * The browser's crop of `box` with the face scaled to `faceSide` px, WebP q0.5 (the page never
 * scales a crop up), and `points` (photo px) in the crop's pixels.
 */
async function smallCrop(
	image: RgbImage,
	box: FaceBox,
	tight: boolean,
	faceSide: number,
	points: readonly Pt[]
): Promise<{ webp: Uint8Array; side: number; keypoints: Keypoints }> {
	let input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
	let region = { x: 0, y: 0, width: image.width, height: image.height };
	if (tight) {
		const pad = Math.round(image.width * FACE_CROP_MARGIN);
		input = sharp(await input.extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#808080' }).png().toBuffer());
		region = { x: -pad, y: -pad, width: image.width + 2 * pad, height: image.height + 2 * pad };
	} else {
		region = expandBox(box, FACE_CROP_MARGIN, image);
		input = sharp(await input.extract({ left: region.x, top: region.y, width: region.width, height: region.height }).png().toBuffer());
	}
	const scale = faceSide / Math.max(box.width, box.height);
	const width = Math.max(1, Math.round(region.width * scale));
	const height = Math.max(1, Math.round(region.height * scale));
	const webp = await input.resize({ width, height, fit: 'fill' }).webp({ quality: 50 }).toBuffer();
	const keypoints = points.map((p): [number, number] => [((p.x - region.x) * width) / region.width, ((p.y - region.y) * height) / region.height]);
	return { webp: new Uint8Array(webp), side: Math.max(width, height), keypoints };
}

const faces = labelGroups((await embedAll((m) => console.log(m))).faces, (m) => console.log(m));
const used = faces.filter((f) => f.source !== 'cohort' && f.kind !== 'cohort' && f.v.enrol);
const engine = await loadFaceEngine({ modelDir: join('models', 'face-api') });
const images = new Map<string, RgbImage>();
const landmarks = new Map<BenchFace, Pt[] | null>();
const WAYS = ['keypoints', 'no keypoints'] as const;
type Way = (typeof WAYS)[number];
type AtSize = { faces: BenchFace[]; cropSides: number[]; notFace: Record<string, number> };
/** Per way and face side: each face's live vector at that size (NaN: the server found no face), and the crop sides. */
const atSize = new Map<Way, Map<number, AtSize>>(WAYS.map((w) => [w, new Map()]));
const noFace = (f: BenchFace) => new Float32Array(f.v.enrol!.length).fill(NaN);
const t0 = performance.now();
for (const s of FACE_SIDES) {
	for (const way of WAYS) atSize.get(way)!.set(s, { faces: [], cropSides: [], notFace: { faces: 0, 'faces-real': 0 } });
	for (const face of used) {
		const { path, tight } = photoOf(face);
		let image = images.get(path);
		if (!image) images.set(path, (image = await decodeImage(readFileSync(path), { maxSide: PHOTO_DECODE_MAX_SIDE })));
		if (!landmarks.has(face)) landmarks.set(face, await engine.findLandmarks(image, face.box, MAX_LANDMARK_PASSES));
		const marks = landmarks.get(face);
		const { webp, side, keypoints } = await smallCrop(image, face.box, tight, s, marks ? blazeLike(marks) : []);
		for (const way of WAYS) {
			const { input } = await prepareCrop(webp, way === 'keypoints' && marks ? keypoints : undefined);
			const live = await engine.describeCrop(input.image, input.found, input.hint);
			const slot = atSize.get(way)!.get(s)!;
			slot.cropSides.push(side);
			if (!live) slot.notFace[face.source]!++;
			// No face found: a vector near no one (NaN distances), so the probe is never named but still counted.
			slot.faces.push({ ...face, v: { enrol: face.v.enrol, live: live ?? noFace(face) } });
		}
	}
}
engine.dispose();
// The crop the page sends for a near face (112 px, bench:accuracy's 'live', no keypoints), as the reference row.
for (const way of WAYS)
	atSize.get(way)!.set(Infinity, {
		faces: used.map((f) => ({ ...f, v: { enrol: f.v.enrol, live: f.v.live ?? noFace(f) } })),
		cropSides: [112],
		notFace: {
			faces: used.filter((f) => f.source === 'faces' && !f.v.live).length,
			'faces-real': used.filter((f) => f.source === 'faces-real' && !f.v.live).length
		}
	});
console.log(`   described ${used.length} faces at ${FACE_SIDES.length} sizes, two ways, in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

/** Every live-probe trial of L and O on one source, at one size. */
function trialsAt(way: Way, s: number, source: (typeof SOURCES)[number]): Scored[] {
	const sized = atSize
		.get(way)!
		.get(s)!
		.faces.filter((f) => f.source === source);
	return score(
		sideTrials(wholeSide(sized), source, 'enrol').filter((t) => t.probe === 'live' && t.scenario !== 'G'),
		[]
	);
}

const rates = (ts: readonly Scored[]): Rates => tally(ts, (t) => named(t, SHIPPED));
const cost = (r: Rates) => r.g - r.named + FALSE_ACCEPT_COST * (r.accepted + r.wrong);
const refused = (r: Rates) => r.g;
const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Per way and source: the shipped rule's rates at each face side (Infinity: the near reference). */
const table = new Map<string, Map<number, Rates>>();
for (const source of SOURCES) {
	console.log(
		`\n${source}${source === 'faces' ? ' (the minimum is chosen here)' : ' (held out: only reported)'}: live crops, galleries of full-size photos (L every other photo, O one photo)`
	);
	for (const way of WAYS) {
		const bySize = new Map<number, Rates>();
		console.log(`   ${way}${way === 'keypoints' ? ' (as the page sends)' : ''}:`);
		console.log('   face px  crop px  no face found   named            wrong  strangers named');
		for (const s of [...FACE_SIDES, Infinity]) {
			const r = rates(trialsAt(way, s, source));
			bySize.set(s, r);
			const { cropSides, notFace, faces: sized } = atSize.get(way)!.get(s)!;
			const n = sized.filter((f) => f.source === source).length;
			console.log(
				`   ${(s === Infinity ? 'near' : String(s)).padStart(7)}  ${String(median(cropSides)).padStart(7)}  ${`${notFace[source]} of ${n}`.padStart(13)}   ${`${pct(r.named, r.g)} of ${r.g}`.padEnd(15)}  ${String(r.wrong).padStart(5)}  ${r.accepted} of ${r.i} (${pct(r.accepted, r.i)})`
			);
		}
		table.set(`${way}:${source}`, bySize);
	}
}

/** Cost of naming only faces of side ≥ `min` (over the sizes tried): below it every genuine probe is a miss and no stranger is named. */
const costWithMin = (bySize: Map<number, Rates>, min: number) =>
	[...bySize].filter(([s]) => s !== Infinity).reduce((sum, [s, r]) => sum + (s < min ? refused(r) : cost(r)), 0);
const candidates = [0, ...FACE_SIDES];
const tuned = table.get('keypoints:faces')!;
const heldOut = table.get('keypoints:faces-real')!;
const chosen = candidates.reduce((best, m) => (costWithMin(tuned, m) < costWithMin(tuned, best) ? m : best), 0);
const cropOf = (s: number) => (s === 0 ? 0 : median(atSize.get('keypoints')!.get(s)!.cropSides));
console.log(
	`\nSmallest face to name (keypoints), chosen on faces (cost = misses + ${FALSE_ACCEPT_COST} × (strangers named + wrong), sizes ${FACE_SIDES[0]}–${FACE_SIDES.at(-1)} px):`
);
for (const m of candidates) {
	const mark = m === chosen ? '  ← chosen' : '';
	console.log(
		`   from ${String(m).padStart(2)} px (crop ${String(cropOf(m)).padStart(3)} px): cost on faces ${String(costWithMin(tuned, m)).padStart(5)}, held out on faces-real ${String(costWithMin(heldOut, m)).padStart(5)}${mark}`
	);
}
for (const [source, bySize] of [
	['faces', tuned],
	['faces-real', heldOut]
] as const) {
	const below = [...bySize].filter(([s]) => s < chosen).map(([, r]) => r);
	const sum = (k: keyof Rates) => below.reduce((a, r) => a + r[k], 0);
	console.log(
		`   ${source}: ${chosen === 0 ? 'no minimum' : `under ${chosen} px the minimum turns away ${sum('named')} right names, ${sum('wrong')} wrong names and ${sum('accepted')} strangers named (of ${sum('g')} genuine, ${sum('i')} impostor trials)`}`
	);
}

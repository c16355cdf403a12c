/**
 * The faces of bench:accuracy, embedded once per pipeline variant and cached.
 *
 * Sources: ../shared/data/faces (8 identities × 5 tight 150 px grey crops, 7 strangers, 5 group
 * shots named by the manifest), ../shared/data/faces-real (3 identities in whole colour photos,
 * 18 look-alike strangers, 6 group shots), and the face-api package's demo/sample1..6.jpg, whose
 * faces are nobody in either set (the cohort).
 *
 * Every photo goes through the server's own stages (server/embed/pipeline.ts, face-engine.ts) in
 * this process: SSD (with the pipeline's padding retry), then each variant below on each face.
 * The cache (bench/results/accuracy-descriptors.json) is keyed by the text of server/embed/*.ts, so
 * a changed pipeline is re-embedded on the next run and the same run re-chooses every number.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expandBox, FACE_CROP_MARGIN } from '../../src/lib/protocol/face-crop.ts';
import { cropFace, decodeImage } from '../../server/embed/decode.ts';
import { alignedChip } from '../../server/embed/aligned-chip.ts';
import { loadFaceEngine, type FaceEngine } from '../../server/embed/face-engine.ts';
import { MAX_LANDMARK_PASSES, type FoundLandmarks } from '../../server/embed/landmark-search.ts';
import { mirrorImage, rescaledMean } from '../../server/embed/mirror.ts';
import { describeFaceInPhoto, ENROL_CROP, ENROL_PATH, findFaces, PHOTO_DECODE_MAX_SIDE } from '../../server/embed/pipeline.ts';
import type { FaceBox, RgbImage } from '../../server/embed/types.ts';
import { samplePhotoPath } from '../../tests/helpers/faces.ts';
import { DATA_DIR } from '../data.ts';

/**
 * How a face is described:
 *  - live: the browser's crop (25 % margin around the face box, 112 px, WebP q0.5), then the
 *    live path (describeCrop). Tight crops are padded 25 % grey first, as the browser would frame them.
 *  - enrol: what the server does now with an uploaded photo (pipeline.ts, ENROL_PATH).
 *  - crop160: the old enrolment: the face cut like a browser crop at 160 px, then describeCrop.
 *  - photo4: landmarks (≤4 passes) and an eye-levelled chip from the photo itself.
 *  - stock: face-api's own path: one landmark pass on the SSD box, upright chip from the photo.
 *  - stock-level: one landmark pass, eye-levelled chip.
 *  - *-upright: as named, with face-api's upright chip instead of the eye-levelled one.
 *  - live-flip, enrol-flip: the descriptor of the mirrored chip of 'live' / 'enrol' (the same
 *    landmarks and chip, flipped left-right before the recognition net: server/embed/mirror.ts).
 */
export const VARIANTS = [
	'live',
	'enrol',
	'crop160',
	'photo4',
	'stock',
	'stock-level',
	'live-upright',
	'crop160-upright',
	'photo4-upright',
	'live-flip',
	'enrol-flip'
] as const;
/**
 * Variants made from the cached ones, not cached: live-mirror and enrol-mirror, mirror
 * test-time augmentation (rescaledMean of the chip's descriptor and its mirror's); enrol-live, an
 * enrolment vector moved toward what the live page sends (the rescaled mean of the photo's
 * 'enrol' and 'live' descriptors: a gallery made like the queries it will meet).
 */
export const DERIVED = ['live-mirror', 'enrol-mirror', 'enrol-live'] as const;
export type Variant = (typeof VARIANTS)[number] | (typeof DERIVED)[number];

export type Source = 'faces' | 'faces-real' | 'cohort';
export type Kind = 'identity' | 'stranger' | 'group' | 'cohort';

export type BenchFace = {
	source: Source;
	kind: Kind;
	/** The person (identity photos, named group faces); null for anyone else. */
	identity: string | null;
	/** The photo it came from, relative to its set. */
	file: string;
	/** The face's size in the photo (px, the larger side of the SSD box). */
	side: number;
	/** Padding the SSD retry needed (0: found directly). */
	padded: number;
	v: Partial<Record<Variant, Float32Array>>;
};

type CachedFace = Omit<BenchFace, 'v' | 'identity' | 'kind' | 'source' | 'file'> & { box: FaceBox; v: Partial<Record<Variant, number[]>> };
type Cache = { code: string; photos: Record<string, CachedFace[]> };

const CACHE_FILE = join('bench', 'results', 'accuracy-descriptors.json');
const sha1 = (data: Uint8Array | string) => createHash('sha1').update(data).digest('hex');

/** The cache key of the embedding code: every server/embed source file and this one. */
function codeKey(): string {
	const dir = join('server', 'embed');
	const files = readdirSync(dir)
		.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
		.sort();
	return sha1(['v3', readFileSync(new URL(import.meta.url), 'utf8'), ...files.map((f) => readFileSync(join(dir, f), 'utf8'))].join('\0'));
}

/** The browser's crop of a face (see VARIANTS 'live'), decoded. */
export async function liveCrop(image: RgbImage, box: FaceBox, tight: boolean): Promise<RgbImage> {
	let input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
	if (tight) {
		const pad = Math.round(image.width * FACE_CROP_MARGIN);
		input = input.extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#808080' });
	} else {
		const r = expandBox(box, FACE_CROP_MARGIN, image);
		input = input.extract({ left: r.x, top: r.y, width: r.width, height: r.height });
	}
	const webp = await input.resize({ width: 112, height: 112, fit: 'inside' }).webp({ quality: 50 }).toBuffer();
	return decodeImage(webp);
}

async function describe(engine: FaceEngine, image: RgbImage, box: FaceBox, variant: (typeof VARIANTS)[number], tight: boolean): Promise<Float32Array | null> {
	switch (variant) {
		case 'live':
			return engine.describeCrop(await liveCrop(image, box, tight));
		case 'enrol':
			return describeFaceInPhoto(engine, image, box, ENROL_PATH);
		case 'crop160':
			return describeFaceInPhoto(engine, image, box, 'crop');
		case 'photo4':
			return describeFaceInPhoto(engine, image, box, 'photo');
		case 'live-upright':
		case 'crop160-upright':
		case 'photo4-upright': {
			const crop =
				variant === 'live-upright' ? await liveCrop(image, box, tight) : variant === 'crop160-upright' ? await cropFace(image, box, ENROL_CROP) : image;
			const start = variant === 'photo4-upright' ? box : { x: 0, y: 0, width: crop.width, height: crop.height };
			const landmarks = await engine.findLandmarks(crop, start, MAX_LANDMARK_PASSES);
			const chip = landmarks && alignedChip(crop, landmarks, { level: false });
			return chip && engine.describeChip(chip);
		}
		case 'live-flip':
		case 'enrol-flip': {
			const chip = await chipOf(engine, image, box, variant === 'live-flip' ? 'live' : 'enrol', tight);
			return chip && engine.describeChip(mirrorImage(chip));
		}
		case 'stock':
		case 'stock-level': {
			const landmarks = await engine.findLandmarks(image, box, 1);
			const chip = landmarks && alignedChip(image, landmarks, { level: variant === 'stock-level' });
			return chip && engine.describeChip(chip);
		}
	}
}

/** The chip the 'live' or 'enrol' variant describes (the same stages, stopped before the recognition net). */
async function chipOf(engine: FaceEngine, image: RgbImage, box: FaceBox, variant: 'live' | 'enrol', tight: boolean): Promise<RgbImage | null> {
	if (variant === 'enrol' && ENROL_PATH === 'photo') {
		const landmarks = await engine.findLandmarks(image, box, MAX_LANDMARK_PASSES);
		return landmarks && alignedChip(image, landmarks);
	}
	const crop = variant === 'live' ? await liveCrop(image, box, tight) : await cropFace(image, box, ENROL_CROP);
	const found: FoundLandmarks = {};
	const d = await engine.describeCrop(crop, found);
	return d && found.landmarks ? alignedChip(crop, found.landmarks) : null;
}

type PhotoSpec = { source: Source; kind: Kind; identity: string | null; file: string; path: string; tight: boolean };

function photoSpecs(): PhotoSpec[] {
	const specs: PhotoSpec[] = [];
	const add = (source: Source, kind: Kind, identity: string | null, dir: string, file: string, tight = false) =>
		specs.push({ source, kind, identity, file, path: join(dir, file), tight });
	for (const source of ['faces', 'faces-real'] as const) {
		const dir = join(DATA_DIR, source);
		if (!existsSync(dir)) continue;
		for (const name of readdirSync(dir).sort()) {
			const sub = join(dir, name);
			if (!existsSync(join(sub)) || name.includes('.')) continue;
			const images = readdirSync(sub)
				.filter((f) => /\.(png|jpe?g)$/i.test(f))
				.sort();
			const kind: Kind = name === '_strangers' ? 'stranger' : name === '_group' ? 'group' : 'identity';
			for (const f of images) add(source, kind, kind === 'identity' ? name : null, dir, `${name}/${f}`, source === 'faces' && kind === 'identity');
		}
	}
	for (let n = 1; n <= 6; n++) specs.push({ source: 'cohort', kind: 'cohort', identity: null, file: `sample${n}.jpg`, path: samplePhotoPath(n), tight: false });
	return specs;
}

/** The photo a face came from, and whether it is a tight crop. */
export function photoOf(face: BenchFace): { path: string; tight: boolean } {
	const path = face.source === 'cohort' ? samplePhotoPath(Number(/\d+/.exec(face.file)?.[0])) : join(DATA_DIR, face.source, face.file);
	return { path, tight: face.source === 'faces' && face.kind === 'identity' };
}

/** Every face of every photo, each described by every variant (cached by embedding code). */
export async function embedAll(
	log: (msg: string) => void
): Promise<{ faces: Array<BenchFace & { box: FaceBox }>; computed: number; msPerFace: Record<string, number> }> {
	const code = codeKey();
	const cache: Cache = existsSync(CACHE_FILE) ? (JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as Cache) : { code, photos: {} };
	if (cache.code !== code) Object.assign(cache, { code, photos: {} });
	let engine: FaceEngine | null = null;
	let computed = 0;
	const time: Record<string, { ms: number; n: number }> = {};
	const out: Array<BenchFace & { box: FaceBox }> = [];
	for (const spec of photoSpecs()) {
		const bytes = readFileSync(spec.path);
		const key = `${spec.tight ? 'tight' : 'photo'}:${sha1(bytes)}`;
		let faces = cache.photos[key];
		if (!faces) {
			engine ??= await loadFaceEngine({ modelDir: join('models', 'face-api') });
			const image = await decodeImage(bytes, { maxSide: PHOTO_DECODE_MAX_SIDE });
			const t0 = performance.now();
			const found = await findFaces(engine, image);
			(time.detect ??= { ms: 0, n: 0 }).ms += performance.now() - t0;
			time.detect.n++;
			faces = [];
			for (const { box } of found.boxes) {
				const v: CachedFace['v'] = {};
				for (const variant of VARIANTS) {
					const t = performance.now();
					const d = await describe(engine, image, box, variant, spec.tight);
					const slot = (time[variant] ??= { ms: 0, n: 0 });
					slot.ms += performance.now() - t;
					slot.n++;
					if (d) v[variant] = [...d];
				}
				faces.push({ box, side: Math.max(box.width, box.height), padded: found.padded, v });
			}
			cache.photos[key] = faces;
			computed++;
			if (computed % 10 === 0) log(`   embedded ${computed} photos…`);
		}
		for (const f of faces) {
			const v: BenchFace['v'] = {};
			for (const [variant, d] of Object.entries(f.v)) v[variant as Variant] = Float32Array.from(d);
			if (v.live && v['live-flip']) v['live-mirror'] = rescaledMean(v.live, v['live-flip']);
			if (v.enrol && v['enrol-flip']) v['enrol-mirror'] = rescaledMean(v.enrol, v['enrol-flip']);
			if (v.enrol && v.live) v['enrol-live'] = rescaledMean(v.enrol, v.live);
			out.push({ source: spec.source, kind: spec.kind, identity: spec.identity, file: spec.file, box: f.box, side: f.side, padded: f.padded, v });
		}
		if (faces.length === 0 && spec.kind === 'identity') log(`   no face found in ${spec.source}/${spec.file}`);
	}
	engine?.dispose();
	if (computed) {
		mkdirSync(join('bench', 'results'), { recursive: true });
		writeFileSync(CACHE_FILE, JSON.stringify(cache));
	}
	const msPerFace = Object.fromEntries(Object.entries(time).map(([k, { ms, n }]) => [k, ms / n]));
	return { faces: out, computed, msPerFace };
}

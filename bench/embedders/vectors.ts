/**
 * Vectors of bench:accuracy's faces (same photos, same SSD boxes) by other embedders, each face
 * described twice as the server would: 'enrol' from the enrolment crop (pipeline.ts ENROL_CROP:
 * 25 % margin, 160 px) and 'live' from the browser-like crop (embed.ts liveCrop: 25 % margin,
 * 112 px WebP q50). Cached in bench/results/embedders-<name>.json, keyed by the embedder's
 * name and the text of server/embed/embedders/*.ts and this file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cropFace, decodeImage } from '../../server/embed/decode.ts';
import { ENROL_CROP, PHOTO_DECODE_MAX_SIDE } from '../../server/embed/pipeline.ts';
import type { FaceBox, RgbImage } from '../../server/embed/types.ts';
import { liveCrop, photoOf, type BenchFace } from '../accuracy/embed.ts';

export type Boxed = BenchFace & { box: FaceBox };
/** Describes the face in a crop (as the server gets it); null when it finds none. */
export type CropDescriber = (crop: RgbImage) => Promise<Float32Array | null>;

const sha1 = (s: string | Uint8Array) => createHash('sha1').update(s).digest('hex');

function codeKey(name: string): string {
	const dir = join('server', 'embed', 'embedders');
	const files = readdirSync(dir)
		.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
		.sort();
	return sha1(['v1', name, readFileSync(new URL(import.meta.url), 'utf8'), ...files.map((f) => readFileSync(join(dir, f), 'utf8'))].join('\0'));
}

const faceKey = (f: Boxed) => `${f.source}/${f.file}#${f.box.x},${f.box.y},${f.box.width},${f.box.height}`;

/** Every face with v.enrol and v.live from `describe` (missing when it found no face). */
export async function vectorsOf(name: string, faces: readonly Boxed[], describe: () => Promise<CropDescriber>, log: (msg: string) => void): Promise<Boxed[]> {
	const file = join('bench', 'results', `embedders-${name.replace(/[^a-z0-9.+-]/gi, '_')}.json`);
	const code = codeKey(name);
	type Cache = { code: string; faces: Record<string, { enrol?: number[]; live?: number[] }> };
	let cache: Cache = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Cache) : { code, faces: {} };
	if (cache.code !== code) cache = { code, faces: {} };
	let describer: CropDescriber | null = null;
	let computed = 0;
	const decoded = new Map<string, RgbImage>();
	const out: Boxed[] = [];
	for (const f of faces) {
		let entry = cache.faces[faceKey(f)];
		if (!entry) {
			describer ??= await describe();
			const { path, tight } = photoOf(f);
			let image = decoded.get(path);
			if (!image) {
				decoded.clear();
				decoded.set(path, (image = await decodeImage(readFileSync(path), { maxSide: PHOTO_DECODE_MAX_SIDE })));
			}
			const enrol = await describer(await cropFace(image, f.box, ENROL_CROP));
			const live = await describer(await liveCrop(image, f.box, tight));
			entry = { ...(enrol ? { enrol: [...enrol] } : {}), ...(live ? { live: [...live] } : {}) };
			cache.faces[faceKey(f)] = entry;
			if (++computed % 40 === 0) log(`   ${name}: ${computed} faces described…`);
		}
		out.push({
			...f,
			v: { ...(entry.enrol ? { enrol: Float32Array.from(entry.enrol) } : {}), ...(entry.live ? { live: Float32Array.from(entry.live) } : {}) }
		});
	}
	if (computed) {
		mkdirSync(join('bench', 'results'), { recursive: true });
		writeFileSync(file, JSON.stringify(cache));
	}
	return out;
}

/** Unit length (for embedders compared by cosine; euclidean on unit vectors ranks the same). */
export function unit(v: Float32Array): Float32Array {
	let n = 0;
	for (const x of v) n += x * x;
	n = Math.sqrt(n) || 1;
	return v.map((x) => x / n);
}

/** The same faces with every vector mapped by `f`. */
export function mapVectors(faces: readonly Boxed[], f: (v: Float32Array) => Float32Array): Boxed[] {
	return faces.map((x) => ({ ...x, v: Object.fromEntries(Object.entries(x.v).map(([k, v]) => [k, f(v)])) }));
}

/**
 * `npm run bench:crops`: what a smaller crop costs in recognition — the measurement behind the
 * default crop size and quality in src/lib/link/bandwidth.ts (issue 4).
 *
 * For each crop setting (longest side, WebP quality; the margin is the browser's 25 %), faces
 * are cut like the browser cuts them, encoded with libwebp (the codec Chromium's canvas uses;
 * the page strips the colour profile Chromium adds, so the sizes compare), embedded by the
 * recognizer's pipeline and matched by the shipped findMatch at MATCH_THRESHOLD:
 *  - dev clip: every 2nd frame with a face, from the pasted still's rectangle, against a gallery
 *    of the labelled photos minus the stills the clip was rendered from;
 *  - photos: each labelled photo cut from its tight crop padded with grey, leave-one-out against
 *    the other photos (genuine), and with its identity removed (impostor).
 * Prints bytes per crop, mean genuine distance, and named right / unknown / named wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createEmbedPool } from '../server/embed/pool.ts';
import { findMatch, type GalleryEntry } from '../server/gallery/matcher.ts';
import { expandBox, FACE_CROP_MARGIN } from '../src/lib/protocol/face-crop.ts';
import { DATA_DIR, clipFrames, hasSharedData, i420ToRgb, labelledFaces } from './data.ts';

const THRESHOLD = 0.55;
/** [longest side px, WebP quality 0..100]; the first is the pre-issue-4 reference (JPEG q80, 160 px). */
const SETTINGS: Array<{ side: number; quality: number; format: 'jpeg' | 'webp' }> = [
	{ side: 160, quality: 80, format: 'jpeg' },
	{ side: 128, quality: 70, format: 'webp' },
	{ side: 128, quality: 50, format: 'webp' },
	{ side: 112, quality: 70, format: 'webp' },
	{ side: 112, quality: 60, format: 'webp' },
	{ side: 112, quality: 50, format: 'webp' },
	{ side: 96, quality: 60, format: 'webp' },
	{ side: 96, quality: 50, format: 'webp' },
	{ side: 80, quality: 50, format: 'webp' },
	{ side: 64, quality: 50, format: 'webp' }
];
const fmt = (n: number, d = 1) => n.toFixed(d);

if (!hasSharedData()) {
	console.log(`bench:crops: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}

type Region = { identity: string; rgb: Buffer; width: number; height: number; box: { left: number; top: number; width: number; height: number } };

/** The face rectangle framed as the browser frames it, in sharp's terms. */
function withMargin(x: number, y: number, w: number, h: number, width: number, height: number): Region['box'] {
	const r = expandBox({ x, y, width: w, height: h }, FACE_CROP_MARGIN, { width, height });
	return { left: r.x, top: r.y, width: r.width, height: r.height };
}

async function encode(region: Region, setting: (typeof SETTINGS)[number]): Promise<Buffer> {
	return sharp(region.rgb, { raw: { width: region.width, height: region.height, channels: 3 } })
		.extract(region.box)
		.resize({ width: setting.side, height: setting.side, fit: 'inside' })
		.toFormat(setting.format, { quality: setting.quality })
		.toBuffer();
}

const stills = new Set(
	(JSON.parse(readFileSync(join(DATA_DIR, 'video', 'dev_faces_timeline.json'), 'utf8')) as { segments: Array<{ sourceImage?: string }> }).segments.flatMap(
		(s) => (s.sourceImage ? [join(DATA_DIR, s.sourceImage)] : [])
	)
);
const pool = createEmbedPool({ size: 2, modelDir: join('models', 'face-api') });
try {
	// Gallery: every labelled photo's tight crop, as accuracy.ts enrols them.
	const photos: Array<{ identity: string; file: string; embedding: Float32Array; region: Region }> = [];
	for (const [identity, files] of labelledFaces()) {
		for (const file of files) {
			const { descriptor } = await pool.describeCrop(new Uint8Array(readFileSync(file)));
			const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
			// The photos are tight crops: pad with grey so the margin has something in it, as accuracy.ts B does.
			const pad = Math.round(info.width * FACE_CROP_MARGIN);
			const padded = await sharp(data, { raw: info })
				.extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#808080' })
				.raw()
				.toBuffer({ resolveWithObject: true });
			const box = withMargin(pad, pad, info.width, info.height, padded.info.width, padded.info.height);
			if (descriptor)
				photos.push({
					identity,
					file,
					embedding: descriptor,
					region: { identity, rgb: padded.data, width: padded.info.width, height: padded.info.height, box }
				});
		}
	}
	const entry = (p: (typeof photos)[number]): GalleryEntry => ({ personId: p.identity, name: p.identity, embedding: p.embedding });
	const clipGallery = photos.filter((p) => !stills.has(p.file)).map(entry);
	const clip: Region[] = [];
	for (const { frame, yuv, width, height } of clipFrames()) {
		const r = frame.imageRect;
		if (frame.i % 2 !== 0 || !r || !frame.identity) continue;
		clip.push({ identity: frame.identity, rgb: i420ToRgb(yuv, width, height), width, height, box: withMargin(r.x, r.y, r.w, r.h, width, height) });
	}
	console.log(`FaceRTC crop settings — ${new Date().toISOString()}; findMatch at ${THRESHOLD}; ${clip.length} clip frames, ${photos.length} photos`);
	console.log('   setting          bytes │ clip: right unknown wrong  mean d │ photos: right unknown wrong  FAR  mean d');
	for (const setting of SETTINGS) {
		let bytes = 0;
		let crops = 0;
		/** `d` sums each found face's distance to its own person; `found` counts them. */
		const tally = () => ({ right: 0, unknown: 0, wrong: 0, n: 0, d: 0, found: 0 });
		const onClip = tally();
		const onPhotos = tally();
		let impostors = 0;
		let accepted = 0;
		const count = (t: ReturnType<typeof tally>, truth: string, query: Float32Array | null, gallery: GalleryEntry[]) => {
			t.n++;
			if (!query) return void t.unknown++;
			const match = findMatch(query, gallery, THRESHOLD);
			const own = gallery.filter((e) => e.name === truth);
			if (own.length) {
				t.d += findMatch(query, own, 10, { margin: 0 }).distance ?? 0;
				t.found++;
			}
			if (match.personId === null) t.unknown++;
			else if (match.label === truth) t.right++;
			else t.wrong++;
		};
		for (const region of clip) {
			const crop = await encode(region, setting);
			bytes += crop.byteLength;
			crops++;
			count(onClip, region.identity, (await pool.describeCrop(new Uint8Array(crop))).descriptor, clipGallery);
		}
		for (const probe of photos) {
			const crop = await encode(probe.region, setting);
			bytes += crop.byteLength;
			crops++;
			const { descriptor } = await pool.describeCrop(new Uint8Array(crop));
			count(onPhotos, probe.identity, descriptor, photos.filter((p) => p !== probe).map(entry));
			if (!descriptor) continue;
			impostors++;
			if (findMatch(descriptor, photos.filter((p) => p.identity !== probe.identity).map(entry), THRESHOLD).personId !== null) accepted++;
		}
		const pct = (k: number, n: number) => `${fmt((100 * k) / n)}%`.padStart(6);
		const row = (t: ReturnType<typeof tally>) => `${pct(t.right, t.n)} ${pct(t.unknown, t.n)} ${pct(t.wrong, t.n)}`;
		console.log(
			`   ${`${setting.side} px ${setting.format} q${setting.quality}`.padEnd(17)}${`${fmt(bytes / crops / 1000, 2)} KB`.padStart(8)} │ ` +
				`${row(onClip)}  ${fmt(onClip.d / onClip.found, 3)} │ ${row(onPhotos)} ${pct(accepted, impostors)}  ${fmt(onPhotos.d / onPhotos.found, 3)}`
		);
	}
} finally {
	await pool.close();
}

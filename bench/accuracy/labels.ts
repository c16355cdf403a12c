/**
 * Who is who in the group shots, decided without the models under test: faces/ by its manifest
 * (cast left to right), faces-real/ by faces checked by eye (vlado, whom its README places in
 * group-2 and group-4, is in group-1 too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { euclidean } from '../../server/gallery/matcher.ts';
import { DATA_DIR } from '../data.ts';
import type { BenchFace } from './embed.ts';

type Boxed = BenchFace & { box: { x: number; y: number; width: number; height: number } };

/** faces-real group faces of vlado: face centres in the photo decoded at ≤1280 px a side. */
const VLADO = [
	{ file: '_group/group-1.jpg', x: 408, y: 270 },
	{ file: '_group/group-2.jpg', x: 512, y: 157 },
	{ file: '_group/group-4.jpg', x: 416, y: 352 }
];

/**
 * The manifest lists each group shot's cast "left to right" (bbt4: back row, then front row).
 * Faces are put in reading order (rows split where face centres jump by over half a face
 * height, top row first; left to right within a row) and named in that order. bbt2 has one
 * face more than its cast: the manifest's "unlabeled extra at the left edge", kept as a stranger.
 * A shot whose face count does not fit its cast is left out (returned in `skipped`).
 */
function labelCast(file: string, cast: string[], faces: Boxed[]): { labelled: Boxed[]; skipped: boolean } {
	const cy = (f: Boxed) => f.box.y + f.box.height / 2;
	const rows: Boxed[][] = [];
	for (const f of [...faces].sort((a, b) => cy(a) - cy(b))) {
		const row = rows[rows.length - 1];
		if (row && cy(f) - cy(row[row.length - 1]!) < f.box.height / 2) row.push(f);
		else rows.push([f]);
	}
	const ordered = rows.flatMap((row) => row.sort((a, b) => a.box.x - b.box.x));
	const extra = ordered.length - cast.length;
	if (extra < 0 || (extra > 0 && file !== '_group/bbt2.jpg')) return { labelled: [], skipped: true };
	const leftmost = [...faces].sort((a, b) => a.box.x - b.box.x).slice(0, extra);
	const named = ordered.filter((f) => !leftmost.includes(f));
	return { labelled: [...leftmost.map((f) => ({ ...f, identity: null })), ...named.map((f, k) => ({ ...f, identity: cast[k]! }))], skipped: false };
}

/** Group faces with their identity set; faces-real faces that are a cohort photo's face are dropped. */
export function labelGroups(faces: Boxed[], log: (msg: string) => void): Boxed[] {
	const manifest = JSON.parse(readFileSync(join(DATA_DIR, 'faces', 'manifest.json'), 'utf8')) as {
		groups?: Array<{ file: string; expectedIdentities: string[] }>;
	};
	const cohort = faces.filter((f) => f.kind === 'cohort');
	const out: Boxed[] = [];
	for (const f of faces) {
		if (f.kind !== 'group') {
			out.push(f);
			continue;
		}
		if (f.source === 'faces-real') {
			// faces-real/_group/group-6.jpg is face-api's demo/sample3.jpg: a cohort face is no stranger.
			if (cohort.some((c) => c.v.enrol && f.v.enrol && euclidean(c.v.enrol, f.v.enrol) < 0.02)) continue;
			const vlado = VLADO.some(
				(p) => p.file === f.file && Math.abs(f.box.x + f.box.width / 2 - p.x) < f.box.width / 2 && Math.abs(f.box.y + f.box.height / 2 - p.y) < f.box.height / 2
			);
			out.push({ ...f, identity: vlado ? 'vlado' : null });
		}
	}
	for (const g of manifest.groups ?? []) {
		const { labelled, skipped } = labelCast(
			g.file,
			g.expectedIdentities,
			faces.filter((f) => f.source === 'faces' && f.kind === 'group' && f.file === g.file)
		);
		if (skipped) log(`   faces/${g.file}: the faces found do not fit the manifest's cast; left out`);
		out.push(...labelled);
	}
	const dropped =
		faces.filter((f) => f.kind === 'group' && f.source === 'faces-real').length - out.filter((f) => f.kind === 'group' && f.source === 'faces-real').length;
	if (dropped) log(`   faces-real: ${dropped} group face(s) left out: the same photo is a cohort sample (group-6.jpg = face-api's sample3.jpg)`);
	return out;
}

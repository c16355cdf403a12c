/**
 * `npm run bench:pose`: how well the stored head pose (src/lib/protocol/pose.ts, measured by
 * server/embed/pose.ts on the enrolment landmarks) tells frontal faces from turned ones — the
 * measurement behind FRONTAL_MAX_YAW.
 *
 * Labels (`bench/pose-labels.json`) were given by eye to every face the enrolment detector finds in
 * the shared photos, borderline ones on a larger view in shuffled order without their values:
 * `frontal`, `left` / `right` (the person's own side; slight turns count) or `unsure` (left out).
 * Telling the side of a slight turn by eye proved unreliable (the same face labelled both ways on
 * two passes), so the side is scored on clear turns only (|yaw| > 0.3). The threshold is chosen on
 * `faces/` (tight crops of 8 people, their group shots and strangers; padded 75 px a side as
 * before the detector) and reported on `faces-real/`, which it never saw.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createEmbedPool } from '../server/embed/pool.ts';
import { FRONTAL_MAX_YAW } from '../src/lib/protocol/pose.ts';
import { DATA_DIR } from './data.ts';

type Label = 'frontal' | 'left' | 'right' | 'unsure';
type Labelled = { file: string; box: [number, number, number, number]; label: Label };

const THRESHOLDS = [0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2];
const labels = JSON.parse(readFileSync(new URL('./pose-labels.json', import.meta.url), 'utf8')) as Labelled[];

if (!existsSync(join(DATA_DIR, 'faces')) || !existsSync(join(DATA_DIR, 'faces-real'))) {
	console.log(`bench:pose: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}

const isTightCrop = (file: string) => /^faces\/[a-z]+\/\d+\.png$/.test(file);
const iou = (a: number[], b: number[]) => {
	const [ax, ay, aw, ah] = a as [number, number, number, number];
	const [bx, by, bw, bh] = b as [number, number, number, number];
	const w = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
	const h = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
	return (w * h) / (aw * ah + bw * bh - w * h);
};

const pool = createEmbedPool({ size: 2, modelDir: join('models', 'face-api') });
const measured: Array<Labelled & { yaw: number }> = [];
let missing = 0;
try {
	for (const file of [...new Set(labels.map((l) => l.file))]) {
		let bytes: Buffer = readFileSync(join(DATA_DIR, file));
		if (isTightCrop(file)) bytes = await sharp(bytes).extend({ top: 75, bottom: 75, left: 75, right: 75, background: '#808080' }).png().toBuffer();
		const { faces } = await pool.analyzePhoto(new Uint8Array(bytes));
		for (const label of labels.filter((l) => l.file === file && l.label !== 'unsure')) {
			const face = faces.find((f) => iou([f.box.x, f.box.y, f.box.width, f.box.height], label.box) > 0.5);
			if (face?.yaw === null || face?.yaw === undefined) missing++;
			else measured.push({ ...label, yaw: face.yaw });
		}
	}
} finally {
	await pool.close();
}

const splits = {
	'tune (faces/)': measured.filter((m) => m.file.startsWith('faces/')),
	'report (faces-real/)': measured.filter((m) => m.file.startsWith('faces-real/'))
};
console.log(
	`FaceRTC head pose — ${new Date().toISOString()}; ${measured.length} labelled faces measured, ${missing} not found again; shipped FRONTAL_MAX_YAW ${FRONTAL_MAX_YAW}`
);
for (const [name, set] of Object.entries(splits)) {
	const count = (label: Label) => set.filter((m) => m.label === label).length;
	console.log(`\n${name}: ${set.length} faces (${count('frontal')} frontal, ${count('left')} left, ${count('right')} right)`);
	console.log('  |yaw| ≤ t frontal   agree      turned called frontal   frontal called turned');
	for (const t of THRESHOLDS) {
		const agree = set.filter((m) => Math.abs(m.yaw) <= t === (m.label === 'frontal')).length;
		const missed = set.filter((m) => m.label !== 'frontal' && Math.abs(m.yaw) <= t).length;
		const extra = set.filter((m) => m.label === 'frontal' && Math.abs(m.yaw) > t).length;
		const mark = t === FRONTAL_MAX_YAW ? ' ◀ shipped' : '';
		console.log(
			`  ${t.toFixed(2).padStart(16)}   ${`${agree}/${set.length}`.padStart(6)} ${`(${((100 * agree) / set.length).toFixed(0)} %)`.padStart(7)}   ${String(missed).padStart(20)}   ${String(extra).padStart(21)}${mark}`
		);
	}
	const clear = set.filter((m) => m.label !== 'frontal' && Math.abs(m.yaw) > 0.3);
	const side = clear.filter((m) => m.yaw > 0 === (m.label === 'left')).length;
	console.log(`  side of clear turns (|yaw| > 0.3): ${side} of ${clear.length} right`);
}

/**
 * `npm run bench:mismatch`: how often the enrolment check in server/gallery/consistency.ts
 * (findMismatch) questions a set of faces of one person, and how often it catches one face of
 * somebody else slipped into such a set — the measurement behind MISMATCH_SLACK.
 *
 * On the shared labelled faces (`../shared/data/faces`, tight crops embedded by the recognizer's
 * pipeline): every subset of k photos of one person (genuine sets), and every subset of k − 1
 * photos of one person plus one photo of another (intruder sets: questioned at all, and with the
 * intruder named), for k = 2, 3 and 5, at several slacks over MATCH_THRESHOLD 0.55.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedPool } from '../server/embed/pool.ts';
import { findMismatch, MISMATCH_SLACK } from '../server/gallery/consistency.ts';
import { DATA_DIR, hasSharedData, labelledFaces } from './data.ts';

const THRESHOLD = 0.55;
const SLACKS = [0, 0.025, 0.05, 0.075, 0.1, 0.15];

if (!hasSharedData()) {
	console.log(`bench:mismatch: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}

function* subsets<T>(items: readonly T[], k: number, start = 0, chosen: T[] = []): Generator<T[]> {
	if (chosen.length === k) {
		yield chosen;
		return;
	}
	for (let i = start; i < items.length; i++) yield* subsets(items, k, i + 1, [...chosen, items[i]!]);
}

const pool = createEmbedPool({ size: 2, modelDir: join('models', 'face-api') });
const people = new Map<string, Float32Array[]>();
try {
	for (const [identity, files] of labelledFaces()) {
		for (const file of files) {
			const { descriptor } = await pool.describeCrop(new Uint8Array(readFileSync(file)));
			if (descriptor) people.set(identity, [...(people.get(identity) ?? []), descriptor]);
		}
	}
} finally {
	await pool.close();
}

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}%`.padStart(6);
const faces = (vs: Float32Array[]) => vs.map((embedding) => ({ embedding }));
console.log(`FaceRTC enrolment mismatch check — ${new Date().toISOString()}; ${people.size} people, threshold ${THRESHOLD}, shipped slack ${MISMATCH_SLACK}`);
for (const k of [2, 3, 5]) {
	const genuine: Float32Array[][] = [];
	const intruded: Float32Array[][] = [];
	for (const [identity, own] of people) {
		genuine.push(...subsets(own, k));
		for (const base of subsets(own, k - 1)) {
			for (const [other, theirs] of people) if (other !== identity) for (const v of theirs) intruded.push([...base, v]);
		}
	}
	console.log(`\nsets of ${k}: ${genuine.length} of one person, ${intruded.length} with one intruder (the last face)`);
	console.log('   slack   one person questioned   with an intruder questioned   … naming the intruder');
	for (const slack of SLACKS) {
		// findMismatch adds MISMATCH_SLACK to the threshold it is given: shift it to try other slacks.
		const threshold = THRESHOLD + slack - MISMATCH_SLACK;
		const questioned = genuine.filter((set) => findMismatch(faces(set), [], threshold) !== null).length;
		const verdicts = intruded.map((set) => findMismatch(faces(set), [], threshold));
		const caught = verdicts.filter((v) => v !== null).length;
		// In a pair each face is as far from the other: either may be named.
		const named = verdicts.filter((v) => v?.index === k - 1).length;
		const mark = slack === MISMATCH_SLACK ? '  ◀ shipped' : '';
		const naming = k === 2 ? '   (either)' : pct(named, intruded.length);
		console.log(
			`   ${slack.toFixed(3)}  ${pct(questioned, genuine.length)}                ${pct(caught, intruded.length)}                        ${naming}${mark}`
		);
	}
}

/**
 * Scores detections against the faces a frame holds. Pure.
 *
 * A detection finds a face when its centre lies inside the face's box and their sizes (square root
 * of the area) are within 2× of each other: the truth boxes are SSD's (taller than wide, forehead
 * to chin) and BlazeFace's are squarer, so IoU would punish the convention rather than the miss.
 * Each face and each detection is used once, nearest centres first. A detection that finds no
 * face (optional ones included) is a false box.
 */
import type { Box, TruthFace } from './detect-scenes.ts';

export const SIZE_BUCKETS = [
	{ label: '<25 px', min: 0, max: 25 },
	{ label: '25-40', min: 25, max: 40 },
	{ label: '40-60', min: 40, max: 60 },
	{ label: '60-100', min: 60, max: 100 },
	{ label: '≥100', min: 100, max: Infinity }
] as const;

export type FrameScore = { found: boolean[]; falseBoxes: number };

const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

function finds(d: Box, f: Box): boolean {
	const c = centre(d);
	const ratio = Math.sqrt((d.width * d.height) / (f.width * f.height));
	return c.x >= f.x && c.x <= f.x + f.width && c.y >= f.y && c.y <= f.y + f.height && ratio >= 0.5 && ratio <= 2;
}

/** `found[i]`: face i was found (optional faces always count as not asked for: false here). */
export function scoreFrame(faces: readonly TruthFace[], detections: readonly Box[]): FrameScore {
	const pairs: Array<{ face: number; det: number; distance: number }> = [];
	faces.forEach((f, face) =>
		detections.forEach((d, det) => {
			if (!finds(d, f)) return;
			const a = centre(d);
			const b = centre(f);
			pairs.push({ face, det, distance: Math.hypot(a.x - b.x, a.y - b.y) });
		})
	);
	pairs.sort((a, b) => a.distance - b.distance);
	const faceUsed = new Set<number>();
	const detUsed = new Set<number>();
	for (const p of pairs) {
		if (faceUsed.has(p.face) || detUsed.has(p.det)) continue;
		faceUsed.add(p.face);
		detUsed.add(p.det);
	}
	return {
		found: faces.map((f, i) => !f.optional && faceUsed.has(i)),
		falseBoxes: detections.length - detUsed.size
	};
}

export type Tally = { total: number[]; found: number[]; falseBoxes: number; frames: number };

export function newTally(): Tally {
	return { total: SIZE_BUCKETS.map(() => 0), found: SIZE_BUCKETS.map(() => 0), falseBoxes: 0, frames: 0 };
}

export function bucketOf(width: number): number {
	return SIZE_BUCKETS.findIndex((b) => width >= b.min && width < b.max);
}

export function addToTally(tally: Tally, faces: readonly TruthFace[], score: FrameScore): void {
	faces.forEach((f, i) => {
		if (f.optional) return;
		const bucket = bucketOf(f.width);
		tally.total[bucket]!++;
		if (score.found[i]) tally.found[bucket]!++;
	});
	tally.falseBoxes += score.falseBoxes;
	tally.frames++;
}

/** Found / total over the buckets whose faces are at least `minWidth` wide. */
export function recallFrom(tally: Tally, minWidth: number): { found: number; total: number } {
	let found = 0;
	let total = 0;
	SIZE_BUCKETS.forEach((b, i) => {
		if (b.min < minWidth) return;
		found += tally.found[i]!;
		total += tally.total[i]!;
	});
	return { found, total };
}

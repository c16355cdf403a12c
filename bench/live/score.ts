/**
 * Scores what the live page drew on each video frame against a clip's truth. Pure.
 *
 * A drawn face belongs to the truth face whose box (grown 25 % a side) holds its centre, the
 * nearest if several. A truth face counts as *visible* when ≥ 80 % of it is in the frame and it
 * is at least VISIBLE_MIN_PX wide; the goal of issue #13 is measured on visible, enrolled and
 * roughly frontal faces.
 */
import type { RecordedCrop } from '../../src/lib/detect/frame-record.ts';
import type { TruthFace, TruthFrame } from '../clip/camera.ts';

export type DrawnFace = {
	id: number;
	label: string;
	state: 'known' | 'unknown' | 'asking';
	box: { x: number; y: number; width: number; height: number };
	/** The track's last detection's score and frontalness, and its look's likeness to its face, where the page records them. */
	score?: number;
	frontal?: number;
	likeness?: number;
};
/** One rendered frame: which clip frame it showed (index into the timeline), what was drawn, and the crops that went. */
export type ScoredFrame = { index: number; faces: DrawnFace[]; crops?: RecordedCrop[] };

export const VISIBLE_MIN_PX = 40;
const GROW = 0.25;

export type LiveScore = {
	/** Rendered frames scored, and loops of the clip they span. */
	frames: number;
	/** Face-frames of visible, enrolled, frontal faces, and how many showed the right name. */
	goalFaceFrames: number;
	right: number;
	/** What the goal face-frames showed instead of the right name. */
	goalOutcomes: Record<Outcome, number>;
	/** Goal face-frames and right ones, per shot. */
	perShot: Array<{ goal: number; right: number; nothing: number }>;
	/** The same over visible enrolled faces, turned ones included. */
	enrolledFaceFrames: number;
	rightAnyPose: number;
	/** Face-frames of every visible face (strangers included) and those under a wrong name. */
	visibleFaceFrames: number;
	wrong: number;
	/** Names drawn where no face of the truth is (a torso, a box left behind). */
	namesOnNothing: number;
	/**
	 * Names drawn on a truth face that is not *visible* (partly out of the frame, or under
	 * VISIBLE_MIN_PX): right ones (that person's name) and wrong ones (another name, e.g. on a
	 * small background face); neither counts in the goal or in `wrong`.
	 */
	namesOnPartial: { right: number; wrong: number };
	/** Boxes shown as `unknown` where no face of the truth is: a torso listed as a person. */
	unknownsOnNothing: number;
	/** Per appearance of a visible enrolled frontal face: seconds to the first right name (null: never). */
	firstCorrect: Array<{ name: string; shot: number; seconds: number | null }>;
	/** Frames, after a cut, showing a person of the previous shot on a face of this one; and the longest run, s. */
	carriedFrames: number;
	carriedLongestS: number;
	/** Times a right name gave way (to `unknown`, to `…`, to no box) and came back in the same appearance. */
	flickers: { toUnknown: number; toAsking: number; toNothing: number };
};

function grownContains(box: TruthFace['box'], x: number, y: number): boolean {
	return x >= box.x - box.width * GROW && x <= box.x + box.width * (1 + GROW) && y >= box.y - box.height * GROW && y <= box.y + box.height * (1 + GROW);
}

/** For each drawn face, the index of the truth face it is on, or -1. */
export function assignFaces(truth: readonly TruthFace[], drawn: readonly DrawnFace[]): number[] {
	return drawn.map((face) => {
		const cx = face.box.x + face.box.width / 2;
		const cy = face.box.y + face.box.height / 2;
		let best = -1;
		let bestDistance = Infinity;
		truth.forEach((t, i) => {
			if (!grownContains(t.box, cx, cy)) return;
			const d = Math.hypot(t.box.x + t.box.width / 2 - cx, t.box.y + t.box.height / 2 - cy);
			if (d < bestDistance) [best, bestDistance] = [i, d];
		});
		return best;
	});
}

export const isVisible = (face: TruthFace) => face.inside >= 0.8 && face.box.width >= VISIBLE_MIN_PX;

export type Outcome = 'right' | 'wrong' | 'unknown' | 'asking' | 'nothing';

/** What the viewer saw on one truth face: a right name wins over anything else drawn on it. */
function outcomeOn(face: TruthFace, drawn: readonly DrawnFace[]): Outcome {
	if (drawn.some((d) => d.state === 'known' && d.label === face.identity)) return 'right';
	if (drawn.some((d) => d.state === 'known')) return 'wrong';
	if (drawn.some((d) => d.state === 'unknown')) return 'unknown';
	return drawn.length ? 'asking' : 'nothing';
}

export function scoreFrames(timeline: { fps: number; frames: readonly TruthFrame[] }, recorded: readonly ScoredFrame[]): LiveScore {
	const score: LiveScore = {
		frames: 0,
		goalFaceFrames: 0,
		right: 0,
		goalOutcomes: { right: 0, wrong: 0, unknown: 0, asking: 0, nothing: 0 },
		perShot: [],
		enrolledFaceFrames: 0,
		rightAnyPose: 0,
		visibleFaceFrames: 0,
		wrong: 0,
		namesOnNothing: 0,
		namesOnPartial: { right: 0, wrong: 0 },
		unknownsOnNothing: 0,
		firstCorrect: [],
		carriedFrames: 0,
		carriedLongestS: 0,
		flickers: { toUnknown: 0, toAsking: 0, toNothing: 0 }
	};
	const shotPeople = new Map<number, Set<string>>();
	for (const frame of timeline.frames) {
		const people = shotPeople.get(frame.shot) ?? new Set<string>();
		frame.faces.forEach((f) => people.add(f.name));
		shotPeople.set(frame.shot, people);
	}
	const shots = Math.max(...timeline.frames.map((f) => f.shot)) + 1;
	// An appearance: one face, within one pass through one shot.
	type Appearance = { name: string; shot: number; startIndex: number; partial: boolean; firstRight: number | null; gap: Outcome | null };
	const appearances = new Map<string, Appearance>();
	let pass = 0;
	let previousIndex = -1;
	let carriedRun = 0;
	// The shot under way when recording began: how long its faces took to be named says nothing.
	let partialShot = true;
	const closeAppearances = () => {
		for (const a of appearances.values()) {
			if (!a.partial)
				score.firstCorrect.push({ name: a.name, shot: a.shot, seconds: a.firstRight === null ? null : (a.firstRight - a.startIndex) / timeline.fps });
		}
		appearances.clear();
	};
	for (const { index, faces: drawn } of recorded) {
		const truth = timeline.frames[index];
		if (!truth) continue;
		score.frames++;
		// A new pass through the clip, or a new shot: appearances of the last one end.
		const newPass = index < previousIndex;
		const newShot = previousIndex >= 0 && timeline.frames[previousIndex]?.shot !== truth.shot;
		if (newPass) pass++;
		if (newPass || newShot) {
			closeAppearances();
			partialShot = false;
		}
		previousIndex = index;
		const owner = assignFaces(truth.faces, drawn);
		drawn.forEach((d, i) => {
			const on = owner[i] === -1 ? null : truth.faces[owner[i]!]!;
			if (d.state === 'known' && !on) score.namesOnNothing++;
			if (d.state === 'known' && on && !isVisible(on)) score.namesOnPartial[d.label === on.identity ? 'right' : 'wrong']++;
			if (d.state === 'unknown' && owner[i] === -1) score.unknownsOnNothing++;
		});
		const previousShot = (truth.shot + shots - 1) % shots;
		let carried = false;
		truth.faces.forEach((face, f) => {
			if (!isVisible(face)) return;
			const on = drawn.filter((_, i) => owner[i] === f);
			const outcome = outcomeOn(face, on);
			score.visibleFaceFrames++;
			if (outcome === 'wrong') {
				score.wrong++;
				const here = new Set(truth.faces.map((t) => t.name));
				if (on.some((d) => d.state === 'known' && !here.has(d.label) && shotPeople.get(previousShot)?.has(d.label))) carried = true;
			}
			if (face.identity === null) return;
			score.enrolledFaceFrames++;
			if (outcome === 'right') score.rightAnyPose++;
			if (!face.frontal) return;
			score.goalFaceFrames++;
			score.goalOutcomes[outcome]++;
			const shotScore = (score.perShot[truth.shot] ??= { goal: 0, right: 0, nothing: 0 });
			shotScore.goal++;
			if (outcome === 'right') shotScore.right++;
			if (outcome === 'nothing') shotScore.nothing++;
			if (outcome === 'right') score.right++;
			const key = `${pass}:${truth.shot}:${face.name}`;
			let appearance = appearances.get(key);
			if (!appearance) {
				// From its first visible frame in the shot, even if the page dropped that frame.
				const startIndex = firstVisibleIndex(timeline.frames, index, face.name);
				appearance = { name: face.name, shot: truth.shot, startIndex, partial: partialShot, firstRight: null, gap: null };
				appearances.set(key, appearance);
			}
			if (outcome === 'right') {
				if (appearance.firstRight === null) appearance.firstRight = index;
				if (appearance.gap === 'unknown') score.flickers.toUnknown++;
				if (appearance.gap === 'asking') score.flickers.toAsking++;
				if (appearance.gap === 'nothing') score.flickers.toNothing++;
				appearance.gap = null;
			} else if (appearance.firstRight !== null && appearance.gap === null && outcome !== 'wrong') {
				appearance.gap = outcome;
			}
		});
		if (carried) {
			score.carriedFrames++;
			carriedRun++;
			score.carriedLongestS = Math.max(score.carriedLongestS, carriedRun / timeline.fps);
		} else {
			carriedRun = 0;
		}
	}
	closeAppearances();
	return score;
}

/** The first frame of this shot, at or before `index`, in which `name` is visible. */
function firstVisibleIndex(frames: readonly TruthFrame[], index: number, name: string): number {
	const shot = frames[index]?.shot;
	let first = index;
	for (let i = index; i >= 0 && frames[i]?.shot === shot; i--) {
		const face = frames[i]!.faces.find((f) => f.name === name);
		if (face && isVisible(face)) first = i;
	}
	return first;
}

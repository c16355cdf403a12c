import { describe, expect, it } from 'vitest';
import type { TruthFrame } from '../clip/camera.ts';
import { scoreFrames, type DrawnFace } from './score.ts';

const box = { x: 100, y: 100, width: 120, height: 120 };
const face = (identity: string | null, frontal = true) => ({ identity, name: identity ?? 'stranger:x', frontal, box, inside: 1 });
/** Shot 0: alice for 4 frames; shot 1 (a cut): bob in the same place for 6 frames. */
const frames: TruthFrame[] = [
	...Array.from({ length: 4 }, (_, i) => ({ i, t: i / 10, shot: 0, cut: i === 0, faces: [face('alice')] })),
	...Array.from({ length: 6 }, (_, k) => ({ i: 4 + k, t: (4 + k) / 10, shot: 1, cut: k === 0, faces: [face('bob')] }))
];
const timeline = { fps: 10, frames };
const drawn = (label: string, state: DrawnFace['state'] = 'known'): DrawnFace[] => [{ id: 1, label, state, box: { x: 110, y: 105, width: 100, height: 100 } }];

describe('live score', () => {
	it('counts right names, time to the first one, and names carried over a cut', () => {
		const shown = ['…', 'alice', 'alice', 'alice', 'alice', 'alice', '…', 'bob', 'bob', 'bob'];
		const recorded = shown.map((label, index) => ({ index, faces: label === '…' ? drawn('unknown', 'asking') : drawn(label) }));
		const s = scoreFrames(timeline, recorded);
		expect([s.goalFaceFrames, s.right, s.wrong]).toEqual([10, 6, 2]);
		expect([s.carriedFrames, s.carriedLongestS]).toEqual([2, 0.2]);
		// The first shot was under way when recording began: only bob's time counts.
		expect(s.firstCorrect).toEqual([{ name: 'bob', shot: 1, seconds: 0.3 }]);
		expect(s.goalOutcomes).toEqual({ right: 6, wrong: 2, unknown: 0, asking: 2, nothing: 0 });
	});

	it('counts a right name that gives way and comes back as a flicker', () => {
		const shown = ['alice', 'alice', 'alice', 'alice', 'bob', 'unknown', 'bob', '', 'bob', 'bob'];
		const recorded = shown.map((label, index) => ({ index, faces: label === '' ? [] : drawn(label, label === 'unknown' ? 'unknown' : 'known') }));
		const s = scoreFrames(timeline, recorded);
		expect(s.flickers).toEqual({ toUnknown: 1, toAsking: 0, toNothing: 1 });
		expect(s.firstCorrect).toEqual([{ name: 'bob', shot: 1, seconds: 0 }]);
	});

	it('counts a name on a stranger as wrong, and names and unknowns where no face is', () => {
		const t = { fps: 10, frames: [{ i: 0, t: 0, shot: 0, cut: true, faces: [face(null)] }] };
		const elsewhere: DrawnFace = { id: 2, label: 'carol', state: 'known', box: { x: 500, y: 300, width: 80, height: 80 } };
		const torso: DrawnFace = { id: 3, label: 'unknown', state: 'unknown', box: { x: 300, y: 380, width: 90, height: 90 } };
		const s = scoreFrames(t, [{ index: 0, faces: [...drawn('alice'), elsewhere, torso] }]);
		expect([s.visibleFaceFrames, s.wrong, s.namesOnNothing, s.unknownsOnNothing, s.goalFaceFrames]).toEqual([1, 1, 1, 1, 0]);
	});

	it('counts names on a face partly out of the frame apart from names on no face, right or not', () => {
		const half = { ...face('alice'), inside: 0.5 };
		const t = { fps: 10, frames: [0, 1, 2].map((i) => ({ i, t: i / 10, shot: 0, cut: i === 0, faces: [half] })) };
		const s = scoreFrames(t, [
			{ index: 0, faces: drawn('alice') },
			{ index: 1, faces: drawn('alice') },
			{ index: 2, faces: drawn('bob') }
		]);
		expect([s.namesOnNothing, s.namesOnPartial.right, s.namesOnPartial.wrong, s.visibleFaceFrames]).toEqual([0, 2, 1, 0]);
	});

	it('leaves turned faces out of the goal but counts them in the any-pose share', () => {
		const t = { fps: 10, frames: [{ i: 0, t: 0, shot: 0, cut: true, faces: [face('alice', false)] }] };
		const s = scoreFrames(t, [{ index: 0, faces: drawn('alice') }]);
		expect([s.goalFaceFrames, s.enrolledFaceFrames, s.rightAnyPose]).toEqual([0, 1, 1]);
	});
});

import { describe, expect, it } from 'vitest';
import type { TruthFrame } from '../clip/camera.ts';
import { tallyCrops } from './crops.ts';
import type { DrawnFace, ScoredFrame } from './score.ts';

const box = { x: 100, y: 100, width: 120, height: 120 };
const face = (identity: string) => ({ identity, name: identity, frontal: true, box, inside: 1 });
/** Shot 0: alice for 4 frames; shot 1 (a cut the page missed): bob in the same place for 4 frames. */
const frames: TruthFrame[] = [
	...Array.from({ length: 4 }, (_, i) => ({ i, t: i / 10, shot: 0, cut: i === 0, faces: [face('alice')] })),
	...Array.from({ length: 4 }, (_, k) => ({ i: 4 + k, t: (4 + k) / 10, shot: 1, cut: k === 0, faces: [face('bob')] }))
];
const drawn = (id: number): DrawnFace[] => [{ id, label: 'x', state: 'known', box: { x: 110, y: 105, width: 100, height: 100 } }];

describe('crop tally', () => {
	it('counts crops by reason, re-asks on another face or the same one, and new tracks on a face asked before', () => {
		const scored: ScoredFrame[] = [
			{ index: 0, faces: drawn(1), crops: [{ trackId: 1, reason: 'first' }] },
			// Same face: a false alarm.
			{ index: 1, faces: drawn(1), crops: [{ trackId: 1, reason: 'changed', cue: { cause: 'drift', likeLastCrop: 0.8 } }] },
			// Track 1 ends; track 2 on alice again.
			{ index: 2, faces: drawn(2), crops: [{ trackId: 2, reason: 'first' }] },
			{ index: 3, faces: drawn(2), crops: [{ trackId: 9, reason: 'first' }] },
			// The cut the page missed: a re-ask on another face.
			{ index: 4, faces: drawn(2), crops: [{ trackId: 2, reason: 'changed', cue: { cause: 'look', likeLastCrop: 0.4 } }] },
			// A second pass: alice asked about again by a new track is not a rebirth.
			{ index: 0, faces: drawn(3), crops: [{ trackId: 3, reason: 'first' }] }
		];
		const tally = tallyCrops(frames, scored);
		expect(tally.byReason).toEqual({ first: 4, changed: 2 });
		expect(tally.changed).toEqual({ other: 1, same: 1, unplaced: 0 });
		expect(tally.cues.same).toEqual([{ cause: 'drift', likeLastCrop: 0.8 }]);
		expect(tally.reborn).toEqual({ first: 1, second: 0, reborn: 0 });
		expect(tally.unshown).toBe(1);
	});
});

import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import { createTracker } from './tracker.ts';

const box = (x: number, y: number, size = 100): Box => ({ x, y, width: size, height: size });
const det = (b: Box) => ({ box: b, score: 0.9 });

describe('tracker', () => {
	it('confirms a track after two hits and keeps its id', () => {
		const tracker = createTracker();
		const first = tracker.update([det(box(100, 100))], 0).tracks;
		expect(first[0]?.confirmed).toBe(false);
		const second = tracker.update([det(box(104, 100))], 100).tracks;
		expect(second).toHaveLength(1);
		expect(second[0]).toMatchObject({ id: first[0]?.id, confirmed: true });
	});

	it('keeps the box still when detections jitter around a face at rest', () => {
		const tracker = createTracker();
		const xs: number[] = [];
		for (let i = 0; i < 40; i++) {
			const jitter = i % 2 === 0 ? 4 : -4;
			tracker.update([det(box(200 + jitter, 150))], i * 66);
			if (i >= 10) xs.push(tracker.tracks()[0]?.box.x ?? 0);
		}
		const spread = Math.max(...xs) - Math.min(...xs);
		expect(spread).toBeLessThan(8);
	});

	it('survives a few missed detections, then drops the track', () => {
		const tracker = createTracker({ maxMisses: 3 });
		tracker.update([det(box(0, 0))], 0);
		const id = tracker.update([det(box(2, 0))], 50).tracks[0]?.id;
		for (let i = 0; i < 3; i++) tracker.update([], 100 + i * 50);
		expect(tracker.update([det(box(6, 0))], 300).tracks[0]?.id).toBe(id);
		for (let i = 0; i < 4; i++) tracker.update([], 350 + i * 50);
		expect(tracker.tracks()).toHaveLength(0);
	});

	it('gives a face that leaves and comes back a new id', () => {
		const tracker = createTracker({ maxMisses: 2 });
		tracker.update([det(box(0, 0))], 0);
		const id = tracker.update([det(box(0, 0))], 50).tracks[0]?.id;
		for (let i = 0; i < 5; i++) tracker.update([], 100 + i * 50);
		const back = tracker.update([det(box(0, 0))], 500).tracks;
		expect(back[0]?.id).not.toBe(id);
	});

	it('keeps ids when two faces cross', () => {
		const tracker = createTracker();
		let left = 0;
		let right = 0;
		for (let i = 0; i <= 30; i++) {
			const a = box(50 + i * 15, 100, 80);
			const b = box(500 - i * 15, 110, 80);
			const { tracks } = tracker.update([det(a), det(b)], i * 66);
			if (i === 2) {
				left = tracks.find((t) => t.box.x < 300)?.id ?? -1;
				right = tracks.find((t) => t.box.x >= 300)?.id ?? -1;
			}
		}
		const end = tracker.tracks();
		expect(end).toHaveLength(2);
		expect(end.find((t) => t.box.x > 300)?.id).toBe(left);
		expect(end.find((t) => t.box.x < 300)?.id).toBe(right);
	});

	it('starts a new track when another face appears in place of the tracked one', () => {
		const tracker = createTracker();
		for (let i = 0; i < 10; i++) tracker.update([det(box(300 + i * 3, 120, 220))], i * 125);
		const before = tracker.tracks()[0]?.id;
		// Overlapping (IoU ~0.5) but a third larger at once: someone else, nearer the camera.
		tracker.update([det({ x: 300, y: 100, width: 310, height: 310 })], 1250);
		tracker.update([det({ x: 300, y: 100, width: 308, height: 308 })], 1375);
		const confirmed = tracker.tracks().filter((t) => t.confirmed && t.misses === 0);
		expect(confirmed).toHaveLength(1);
		expect(confirmed[0]?.id).not.toBe(before);
	});

	it('keeps a fast face that turns back', () => {
		const tracker = createTracker();
		let id = -1;
		for (let i = 0; i < 40; i++) {
			const x = i < 20 ? i * 16 : (40 - i) * 16;
			const [track] = tracker.update([det(box(x, 100, 130))], i * 125).tracks;
			if (i === 2) id = track?.id ?? -1;
		}
		expect(tracker.tracks().map((t) => t.id)).toEqual([id]);
	});

	it('predicts a moving face forward between detections', () => {
		const tracker = createTracker();
		for (let i = 0; i < 10; i++) tracker.update([det(box(i * 10, 0))], i * 100);
		const [predicted] = tracker.predict(1000);
		expect(predicted?.box.x).toBeGreaterThan(90);
	});

	it('ends a track whose face jumped, so its name cannot pass to whoever is there now', () => {
		const tracker = createTracker();
		tracker.update([det(box(100, 100))], 0);
		const id = tracker.update([det(box(102, 100))], 66).tracks[0]?.id;
		// 80 px in one frame (IoU 0.11): nothing says it is the same face.
		const jump = tracker.update([det(box(182, 100))], 132);
		expect(jump.ended).toEqual([{ id, reason: 'replaced' }]);
		expect(jump.tracks).toHaveLength(1);
		expect(jump.tracks[0]?.id).not.toBe(id);
		expect(jump.tracks[0]?.confirmed).toBe(false);
	});

	it('keeps the track through a jump when the caller says it is still the same face', () => {
		const asked: Array<[number, number]> = [];
		const tracker = createTracker({
			sameFace: (track, detection) => {
				asked.push([track.id, detection.box.x]);
				return true;
			}
		});
		tracker.update([det(box(100, 100))], 0);
		const id = tracker.update([det(box(102, 100))], 66).tracks[0]?.id ?? -1;
		const jump = tracker.update([det(box(182, 100, 140))], 132);
		expect(asked).toEqual([[id, 182]]);
		expect(jump.ended).toEqual([]);
		expect(jump.tracks.map((t) => [t.id, t.box.x, t.box.width, t.misses])).toEqual([[id, 182, 140, 0]]);
		// The filter restarted there: no velocity carried from before the jump.
		expect(tracker.predict(1000)[0]?.box.x).toBe(182);
	});

	it('ends the track when the caller says the face that jumped in is somebody else', () => {
		const tracker = createTracker({ sameFace: () => false });
		tracker.update([det(box(100, 100))], 0);
		const id = tracker.update([det(box(100, 100))], 66).tracks[0]?.id;
		// Same place, a third larger at once: the size test refuses it, the caller too.
		const swap = tracker.update([det(box(90, 90, 140))], 132);
		expect(swap.ended).toEqual([{ id, reason: 'replaced' }]);
		expect(swap.tracks.map((t) => t.id)).not.toContain(id);
	});

	it('does not ask about detections far from a track that missed', () => {
		let asked = 0;
		const tracker = createTracker({ sameFace: () => (asked++, true) });
		tracker.update([det(box(0, 0))], 0);
		const id = tracker.update([det(box(0, 0))], 66).tracks[0]?.id;
		const apart = tracker.update([det(box(400, 300))], 132);
		expect(asked).toBe(0);
		expect(apart.ended).toEqual([]);
		expect(apart.tracks.find((t) => t.id === id)?.misses).toBe(1);
	});

	it('merges two tracks of one face into the older', () => {
		const tracker = createTracker();
		tracker.update([det(box(100, 100))], 0);
		const id = tracker.update([det(box(100, 100))], 66).tracks[0]?.id ?? -1;
		// The detector fires twice on one face: a box and a smaller one inside it.
		const twice = tracker.update([det(box(101, 100)), det(box(125, 120, 60))], 132);
		expect(twice.tracks.map((t) => t.id)).toEqual([id]);
		expect(twice.merged).toHaveLength(1);
		expect(twice.merged[0]?.into).toBe(id);
		expect(twice.ended).toEqual([{ id: twice.merged[0]?.from, reason: 'merged' }]);
	});

	it('keeps two faces side by side apart', () => {
		const tracker = createTracker();
		for (let i = 0; i < 5; i++) tracker.update([det(box(100, 100)), det(box(190, 100))], i * 66);
		const { tracks, merged } = tracker.update([det(box(100, 100)), det(box(190, 100))], 400);
		expect(tracks).toHaveLength(2);
		expect(merged).toEqual([]);
	});

	it('reports tracks lost after too many misses', () => {
		const tracker = createTracker({ maxMisses: 1 });
		tracker.update([det(box(0, 0))], 0);
		const id = tracker.update([det(box(0, 0))], 66).tracks[0]?.id;
		expect(tracker.update([], 132).ended).toEqual([]);
		expect(tracker.update([], 198).ended).toEqual([{ id, reason: 'lost' }]);
	});

	it('ends every track at a reset; the same place then gets a new id', () => {
		const tracker = createTracker();
		tracker.update([det(box(100, 100)), det(box(400, 100))], 0);
		const before = tracker.update([det(box(100, 100)), det(box(400, 100))], 66).tracks.map((t) => t.id);
		expect(tracker.reset()).toEqual(before);
		const after = tracker.update([det(box(100, 100))], 132).tracks;
		expect(after).toHaveLength(1);
		expect(before).not.toContain(after[0]?.id);
	});
});

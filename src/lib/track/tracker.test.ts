import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import { createTracker } from './tracker.ts';

const box = (x: number, y: number, size = 100): Box => ({ x, y, width: size, height: size });
const det = (b: Box) => ({ box: b, score: 0.9 });

describe('tracker', () => {
	it('confirms a track after two hits and keeps its id', () => {
		const tracker = createTracker();
		const first = tracker.update([det(box(100, 100))], 0);
		expect(first[0]?.confirmed).toBe(false);
		const second = tracker.update([det(box(104, 100))], 100);
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
		const id = tracker.update([det(box(2, 0))], 50)[0]?.id;
		for (let i = 0; i < 3; i++) tracker.update([], 100 + i * 50);
		expect(tracker.update([det(box(6, 0))], 300)[0]?.id).toBe(id);
		for (let i = 0; i < 4; i++) tracker.update([], 350 + i * 50);
		expect(tracker.tracks()).toHaveLength(0);
	});

	it('gives a face that leaves and comes back a new id', () => {
		const tracker = createTracker({ maxMisses: 2 });
		tracker.update([det(box(0, 0))], 0);
		const id = tracker.update([det(box(0, 0))], 50)[0]?.id;
		for (let i = 0; i < 5; i++) tracker.update([], 100 + i * 50);
		const back = tracker.update([det(box(0, 0))], 500);
		expect(back[0]?.id).not.toBe(id);
	});

	it('keeps ids when two faces cross', () => {
		const tracker = createTracker();
		let left = 0;
		let right = 0;
		for (let i = 0; i <= 30; i++) {
			const a = box(50 + i * 15, 100, 80);
			const b = box(500 - i * 15, 110, 80);
			const tracks = tracker.update([det(a), det(b)], i * 66);
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
			const [track] = tracker.update([det(box(x, 100, 130))], i * 125);
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
});

import { describe, expect, it } from 'vitest';
import type { Match } from '../gallery/matcher.ts';
import { createTrackFusion, rescuedByTrack } from './track-fusion.ts';

const v = (...xs: number[]) => Float32Array.from(xs);

function clock() {
	let t = 0;
	return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('track fusion', () => {
	it("matches the mean of a track's recent descriptors, the newest few", () => {
		const c = clock();
		const fusion = createTrackFusion({ threshold: 1, maxDescriptors: 3, now: c.now });
		expect(fusion.fuse(1, v(0, 0))).toEqual({ descriptor: v(0, 0), count: 1 });
		c.advance(100);
		expect(fusion.fuse(1, v(0.2, 0))).toEqual({ descriptor: v(0.1, 0), count: 2 });
		c.advance(100);
		fusion.fuse(1, v(0.4, 0));
		c.advance(100);
		// The oldest of four falls out: (0.2 + 0.4 + 0.6) / 3.
		const { descriptor, count } = fusion.fuse(1, v(0.6, 0));
		expect(count).toBe(3);
		expect(descriptor[0]).toBeCloseTo(0.4, 6);
	});

	it('keeps tracks apart', () => {
		const fusion = createTrackFusion({ threshold: 1, maxDescriptors: 4, now: () => 0 });
		fusion.fuse(1, v(0, 0));
		expect(fusion.fuse(2, v(0.3, 0))).toEqual({ descriptor: v(0.3, 0), count: 1 });
		expect(fusion.tracks).toBe(2);
	});

	it('starts again when a descriptor is far from the mean of the others (another face on the track)', () => {
		const fusion = createTrackFusion({ threshold: 0.5, maxDescriptors: 4, sameWithin: 0.8, now: () => 0 });
		fusion.fuse(1, v(0, 0));
		fusion.fuse(1, v(0.1, 0));
		// 0.45 from the mean (0.05, 0): beyond 0.8 × 0.5.
		expect(fusion.fuse(1, v(0.5, 0))).toEqual({ descriptor: v(0.5, 0), count: 1 });
		// And the old face does not come back into the mean.
		expect(fusion.fuse(1, v(0.6, 0)).descriptor[0]).toBeCloseTo(0.55, 6);
	});

	it('forgets descriptors older than the window', () => {
		const c = clock();
		const fusion = createTrackFusion({ threshold: 1, maxDescriptors: 4, windowMs: 1000, now: c.now });
		fusion.fuse(1, v(0, 0));
		c.advance(1001);
		expect(fusion.fuse(1, v(0.2, 0)).count).toBe(1);
	});

	it('remembers a bounded number of tracks, the least recently seen going first', () => {
		const fusion = createTrackFusion({ threshold: 1, maxDescriptors: 4, maxTracks: 2, now: () => 0 });
		fusion.fuse(1, v(0, 0));
		fusion.fuse(2, v(0, 0));
		fusion.fuse(1, v(0, 0));
		fusion.fuse(3, v(0, 0));
		expect(fusion.tracks).toBe(2);
		expect(fusion.fuse(1, v(0, 0)).count).toBe(3);
		expect(fusion.fuse(2, v(0, 0)).count).toBe(1);
	});

	it('never mixes descriptors of two lengths (an embedder changed mid-session)', () => {
		const fusion = createTrackFusion({ threshold: 1, maxDescriptors: 4, now: () => 0 });
		fusion.fuse(1, v(0, 0));
		expect(fusion.fuse(1, v(0, 0, 0)).count).toBe(1);
	});
});

describe('rescuedByTrack', () => {
	const named = (personId: string, distance: number): Match => ({ personId, label: personId, distance, confidence: 0.3 });
	const unknown = (distance: number | null): Match => ({ personId: null, label: 'unknown', distance, confidence: 0 });
	it("keeps the crop's own name, and its unknown when the track names nobody either", () => {
		expect(rescuedByTrack(named('a', 0.4), named('b', 0.3), 'b')).toEqual(named('a', 0.4));
		expect(rescuedByTrack(unknown(0.6), unknown(0.58), 'a')).toEqual(unknown(0.6));
	});

	it('names a near miss after the track only when the crop alone leads toward that person', () => {
		expect(rescuedByTrack(unknown(0.58), named('a', 0.5), 'a')).toEqual(named('a', 0.5));
		expect(rescuedByTrack(unknown(0.58), named('a', 0.5), 'b')).toEqual(unknown(0.58));
		expect(rescuedByTrack(unknown(0.58), named('a', 0.5), null)).toEqual(unknown(0.58));
	});
});

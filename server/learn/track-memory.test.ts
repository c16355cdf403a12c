import { describe, expect, it } from 'vitest';
import { createTrackMemory } from './track-memory.ts';

const face = (peerId: string, trackId: number, at: number) => ({
	peerId,
	device: { device: peerId, deviceName: null },
	trackId,
	at,
	embedding: Float32Array.of(trackId),
	match: { personId: null, label: 'unknown', distance: null, confidence: 0 },
	crop: null
});

describe('the last face per track', () => {
	it('keeps the latest answer per channel and track, for ttlMs only', () => {
		let clock = 0;
		const memory = createTrackMemory({ ttlMs: 1000, now: () => clock });
		memory.remember(face('a', 1, 0));
		memory.remember({ ...face('a', 1, 10), embedding: Float32Array.of(42) });
		memory.remember(face('b', 1, 10));
		expect(Array.from(memory.get('a', 1)!.embedding)).toEqual([42]);
		expect(memory.get('b', 1)).not.toBeNull();
		expect(memory.get('a', 2)).toBeNull();
		clock = 1011;
		expect(memory.get('a', 1)).toBeNull();
	});

	it('holds at most `max` faces, the oldest going first', () => {
		const memory = createTrackMemory({ max: 3, now: () => 0 });
		for (let t = 0; t < 5; t++) memory.remember(face('p', t, 0));
		expect(memory.size).toBe(3);
		expect(memory.get('p', 1)).toBeNull();
		expect(memory.get('p', 4)).not.toBeNull();
	});
});

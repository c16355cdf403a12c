import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import { createRangePlanner, type Range, type RangePlannerOptions } from './range-planner.ts';

const SIDE = 640;
const FRAME_MS = 33;
const box = (x: number, width: number): Box => ({ x, y: 100, width, height: width });
const NEAR_FACE = box(200, 240); // 0.375 of the frame
const ROOM_FACE = box(300, 50); // 0.078: too small for the short range, big enough for room
const FAR_FACE = box(500, 30); // 0.047

/**
 * Drives a planner for `frames` frames; `sees(range, i)` says what the pass of that range finds.
 * Returns the ranges used, in order.
 */
function drive(sees: (range: Range, i: number) => Box[], frames: number, options: RangePlannerOptions = {}, startMs = 0): Range[] {
	const planner = createRangePlanner(options);
	const used: Range[] = [];
	for (let i = 0; i < frames; i++) {
		const now = startMs + i * FRAME_MS;
		const range = planner.next(now);
		used.push(range);
		planner.found(now, range, sees(range, i), SIDE);
	}
	return used;
}

const share = (ranges: Range[], r: Range) => ranges.filter((x) => x === r).length / ranges.length;

describe('createRangePlanner', () => {
	it('starts with the widest search', () => {
		expect(drive(() => [], 1)[0]).toBe('far');
	});

	it('steps down to the short range for a face near the camera, one level a frame', () => {
		const used = drive(() => [NEAR_FACE], 10);
		expect(used.slice(0, 3)).toEqual(['far', 'room', 'near']);
		expect(used.slice(3)).toEqual(Array(7).fill('near'));
	});

	it('keeps looking wider once a second, so a newcomer far away is found within that time', () => {
		const used = drive(() => [NEAR_FACE], 90);
		// One far frame a second (30 frames), then the probe on the way back down.
		const far = used.flatMap((r, i) => (r === 'far' ? [i] : []));
		expect(far).toEqual([0, 31, 62]);
		expect(share(used, 'near')).toBeGreaterThan(0.9);
	});

	it('switches to far as soon as a far frame finds a small face, and stays while it is there', () => {
		// The near pass cannot see the small face; the far pass can.
		const used = drive((r) => (r === 'far' ? [NEAR_FACE, FAR_FACE] : [NEAR_FACE]), 60, {}, 0);
		expect(used.every((r) => r === 'far')).toBe(true);
		const later = drive((r, i) => (i < 40 && r === 'far' ? [NEAR_FACE, FAR_FACE] : [NEAR_FACE]), 200);
		// Once the small face has gone (from frame 40), the range comes back down to near.
		expect(later.slice(150)).not.toContain('room');
		expect(share(later.slice(150), 'near')).toBeGreaterThan(0.9);
	});

	it('holds room for faces too small for the short range, and for an empty scene', () => {
		const used = drive(() => [ROOM_FACE], 120);
		expect(share(used.slice(5), 'room')).toBeGreaterThan(0.9);
		expect(used.slice(5)).not.toContain('near');
		const empty = drive(() => [], 120);
		expect(empty.slice(5)).not.toContain('near');
	});

	it('keeps far from the frame after a far frame finds a face the coarser one did not have', () => {
		// From frame 50 a 60 px face the room pass misses is there (big enough for room by size alone).
		const tricky = box(420, 60);
		const used = drive((r, i) => (r === 'far' && i >= 50 ? [ROOM_FACE, tricky] : [ROOM_FACE]), 120);
		const found = used.findIndex((r, i) => i >= 50 && r === 'far');
		expect(found).toBeGreaterThan(50);
		expect(used.slice(found, found + 40)).toEqual(Array(40).fill('far'));
	});

	it('tries the short range on mid-size faces, and keeps it only while it keeps every face', () => {
		const mid = [box(100, 80), box(300, 90)];
		expect(drive(() => mid, 90).slice(5)).not.toContain('room');
		// The short range loses the second face: after the one probe, room is held for 4 × 1.5 s.
		const lossy = drive((r) => (r === 'near' ? mid.slice(0, 1) : mid), 200);
		const near = lossy.flatMap((r, i) => (r === 'near' ? [i] : []));
		// One probe at the start, the next one ~6 s (180 frames) later; each followed by a finer range at once.
		expect(near).toHaveLength(2);
		expect(near[1]! - near[0]!).toBeGreaterThanOrEqual(180);
		for (const i of near) expect(lossy[i + 1]).not.toBe('near');
		expect(share(lossy, 'room')).toBeGreaterThan(0.85);
	});

	it('comes back at once, for longer, when stepping down loses a face the finer range had', () => {
		// A 60 px face the room pass misses: size alone would allow room, but far is needed.
		const tricky = box(420, 60);
		const used = drive((r) => (r === 'far' ? [ROOM_FACE, tricky] : [ROOM_FACE]), 400);
		const room = used.flatMap((r, i) => (r === 'room' ? [i] : []));
		// Each probe costs the face one frame; after a failed probe far is held 4 × 1.5 s (~180 frames).
		expect(room.length).toBeLessThanOrEqual(3);
		expect(share(used, 'far')).toBeGreaterThan(0.99);
	});

	it('never leaves a fixed range', () => {
		expect(new Set(drive(() => [FAR_FACE], 90, { finest: 'near', coarsest: 'near' }))).toEqual(new Set(['near']));
		expect(new Set(drive(() => [NEAR_FACE], 90, { finest: 'far', coarsest: 'far' }))).toEqual(new Set(['far']));
		expect(new Set(drive(() => [NEAR_FACE], 90, { finest: 'room', coarsest: 'room' }))).toEqual(new Set(['room']));
	});

	it('rejects a finest range coarser than the coarsest', () => {
		expect(() => createRangePlanner({ finest: 'near', coarsest: 'far' })).toThrow(RangeError);
	});
});

import { describe, expect, it } from 'vitest';
import { CHANGED_BELOW, likeness, resemblance, SAME_FACE_ABOVE, signatureOf } from './appearance.ts';

const face = Array.from({ length: 256 }, (_, i) => 100 + 60 * Math.sin(i / 7) + ((i * 37) % 23));

describe('appearance', () => {
	it('sees the same face under other lighting as the same', () => {
		const a = signatureOf(face)!;
		const brighter = signatureOf(face.map((v) => v * 1.4 + 20))!;
		expect(resemblance(a, brighter)).toBeGreaterThan(0.99);
	});

	it('sees another pattern as changed', () => {
		const a = signatureOf(face)!;
		const other = signatureOf(face.map((_, i) => 100 + 60 * Math.cos(i / 3) + ((i * 11) % 17)))!;
		expect(resemblance(a, other)).toBeLessThan(CHANGED_BELOW);
	});

	it('has no signature for a flat image', () => {
		expect(signatureOf(new Array(256).fill(90))).toBeNull();
	});

	it('finds a face under a box placed a cell or two differently, and still tells another apart', () => {
		// A 16×16 picture with structure in both directions, seen through a box moved by (dx, dy) cells.
		const scene = (dx: number, dy: number, seed = 1) =>
			Array.from({ length: 256 }, (_, i) => {
				const x = (i % 16) + dx;
				const y = Math.floor(i / 16) + dy;
				return 100 + 50 * Math.sin(x * 0.7 * seed) * Math.cos(y * 0.5) + 30 * Math.sin((x + y) * 0.3 * seed);
			});
		const a = signatureOf(scene(0, 0))!;
		const moved = signatureOf(scene(2, -1))!;
		expect(resemblance(a, moved)).toBeLessThan(SAME_FACE_ABOVE);
		expect(likeness(a, moved)).toBeGreaterThan(0.95);
		const other = signatureOf(scene(0, 0, 2.3))!;
		expect(likeness(a, other)).toBeLessThan(SAME_FACE_ABOVE);
	});
});

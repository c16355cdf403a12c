import { describe, expect, it } from 'vitest';
import { CHANGED_BELOW, resemblance, signatureOf } from './appearance.ts';

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
});

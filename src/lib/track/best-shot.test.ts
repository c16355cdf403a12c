import { describe, expect, it } from 'vitest';
import { createBestShot } from './best-shot.ts';
import { cropQuality, frontalness, laplacianVariance } from './crop-quality.ts';

describe('best shot', () => {
	it("drops one track's window and releases its candidate", () => {
		const released: string[] = [];
		const shots = createBestShot<string>({ release: (p) => released.push(p) });
		shots.offer(1, { quality: 0.5, atMs: 0, payload: 'a' });
		shots.offer(2, { quality: 0.5, atMs: 0, payload: 'b' });
		shots.drop(1);
		shots.drop(3);
		expect(released).toEqual(['a']);
		expect([shots.collecting(1), shots.collecting(2)]).toEqual([false, true]);
	});

	it('returns the best of the window and releases the others', () => {
		const released: string[] = [];
		const shots = createBestShot<string>({ windowMs: 250, maxCandidates: 3, release: (p) => released.push(p) });
		expect(shots.offer(1, { quality: 0.4, atMs: 0, payload: 'a' })).toBeNull();
		expect(shots.offer(1, { quality: 0.9, atMs: 50, payload: 'b' })).toBeNull();
		expect(shots.offer(1, { quality: 0.5, atMs: 100, payload: 'c' })).toMatchObject({ payload: 'b' });
		expect(released.sort()).toEqual(['a', 'c']);
		expect(shots.collecting(1)).toBe(false);
	});

	it('closes the window by time too, per track', () => {
		const shots = createBestShot<string>({ windowMs: 200, maxCandidates: 10, release: () => {} });
		shots.offer(1, { quality: 0.4, atMs: 0, payload: 'a' });
		shots.offer(2, { quality: 0.4, atMs: 100, payload: 'x' });
		expect(shots.offer(1, { quality: 0.1, atMs: 210, payload: 'b' })).toMatchObject({ payload: 'a' });
		expect(shots.collecting(2)).toBe(true);
	});

	it('releases the candidates of tracks that are gone', () => {
		const released: string[] = [];
		const shots = createBestShot<string>({ release: (p) => released.push(p) });
		shots.offer(1, { quality: 0.4, atMs: 0, payload: 'a' });
		shots.offer(2, { quality: 0.4, atMs: 0, payload: 'b' });
		shots.retain(new Set([2]));
		expect(released).toEqual(['a']);
		expect(shots.collecting(2)).toBe(true);
	});
});

describe('crop quality', () => {
	const eyes = [
		{ x: 40, y: 50 },
		{ x: 80, y: 50 }
	];
	it('rates a frontal face above a turned one', () => {
		expect(frontalness([...eyes, { x: 60, y: 70 }])).toBe(1);
		expect(frontalness([...eyes, { x: 75, y: 70 }])).toBeCloseTo(0.25, 5);
		expect(frontalness(undefined)).toBe(1);
	});

	it('measures sharp edges above a flat image', () => {
		const flat = new Array(100).fill(128);
		const edges = Array.from({ length: 100 }, (_, i) => (i % 2 ? 0 : 255));
		expect(laplacianVariance(flat, 10, 10)).toBe(0);
		expect(laplacianVariance(edges, 10, 10)).toBeGreaterThan(1000);
	});

	it('prefers large, sharp, confident, frontal faces', () => {
		const base = { box: { x: 0, y: 0, width: 120, height: 120 }, score: 0.9, sharpness: 200 };
		const best = cropQuality(base);
		expect(best).toBeCloseTo(0.9, 5);
		expect(cropQuality({ ...base, box: { x: 0, y: 0, width: 40, height: 40 } })).toBeLessThan(best / 2);
		expect(cropQuality({ ...base, sharpness: 10 })).toBeLessThan(best / 2);
		expect(cropQuality({ ...base, score: 0.5 })).toBeLessThan(best);
	});
});

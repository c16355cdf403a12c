import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { doubtWords, likenessOf, sendConfirming } from './doubts.ts';

const near = new ApiError('close to bob', 409, 'conflict', { near: { id: 'b', name: 'bob', distance: 0.3 } });

describe('sendConfirming', () => {
	it('passes other failures through, and a doubt the server raises again after it was answered', async () => {
		const notFound = new ApiError('no such person', 404, 'not-found');
		await expect(
			sendConfirming(
				async () => Promise.reject(notFound),
				async () => true
			)
		).rejects.toBe(notFound);
		// A server that ignored the answer must not make the page ask for ever.
		let sends = 0;
		await expect(
			sendConfirming(
				async () => {
					sends++;
					throw near;
				},
				async () => true
			)
		).rejects.toBe(near);
		expect(sends).toBe(2);
	});

	it('stops with the doubt when the user declines', async () => {
		const asked: unknown[] = [];
		const result = await sendConfirming(
			async () => Promise.reject(near),
			async (doubt) => (asked.push(doubt), false)
		);
		expect(result).toEqual({ declined: { near: near.details.near } });
		expect(asked).toHaveLength(1);
	});
});

describe('a doubt in words', () => {
	const near = (distance: number, threshold?: number) => ({ near: { id: 'a', name: 'Ann', distance, ...(threshold === undefined ? {} : { threshold }) } });
	const mismatch = (distance: number, threshold?: number) => ({
		mismatch: { index: 0, distance, others: 2, ...(threshold === undefined ? {} : { threshold }) }
	});

	it('bands a distance by the match threshold, whatever its scale', () => {
		expect(likenessOf(0.3, 0.55)).toBe('very like');
		expect(likenessOf(0.44, 0.55)).toBe('very like');
		expect(likenessOf(0.45, 0.55)).toBe('like');
		expect(likenessOf(0.6, 0.55)).toBe('a little unlike');
		expect(likenessOf(0.7, 0.55)).toBe('very unlike');
		// Another embedder's scale (threshold 1.08): the same bands.
		expect(likenessOf(0.8, 1.08)).toBe('very like');
		expect(likenessOf(1.0, 1.08)).toBe('like');
		expect(likenessOf(1.2, 1.08)).toBe('a little unlike');
		expect(likenessOf(1.4, 1.08)).toBe('very unlike');
	});

	it('says how near a duplicate is in words, the number left for a tooltip', () => {
		expect(doubtWords(near(0.31, 0.55))).toEqual({
			likeness: 'very like',
			phrase: 'looks very much like',
			detail: 'distance 0.31 (the recognizer names faces nearer than 0.55)'
		});
		expect(doubtWords(near(0.5, 0.55))).toMatchObject({ likeness: 'like', phrase: 'looks like' });
		expect(doubtWords(mismatch(0.62, 0.55))).toMatchObject({ likeness: 'a little unlike', phrase: 'look a little different' });
		expect(doubtWords(mismatch(0.9, 0.55))).toMatchObject({
			likeness: 'very unlike',
			phrase: 'look very different',
			detail: expect.stringMatching(/^distance 0\.90 /)
		});
	});

	it('uses plain words when the server gives no threshold', () => {
		expect(doubtWords(near(0.31))).toEqual({ likeness: null, phrase: 'looks like', detail: 'distance 0.31' });
		expect(doubtWords(mismatch(0.9))).toEqual({ likeness: null, phrase: 'look different', detail: 'distance 0.90' });
	});
});

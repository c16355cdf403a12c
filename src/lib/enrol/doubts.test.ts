import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { sendConfirming } from './doubts.ts';

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

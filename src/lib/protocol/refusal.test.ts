import { describe, expect, it } from 'vitest';
import { decodeRefusal, encodeRefusal } from './refusal.ts';

describe('signalling refusals', () => {
	it('round-trips, and reads anything else as null without throwing', () => {
		const refusal = { code: 'rate-limited' as const, message: 'too many channels', retryAfterS: 5 };
		expect(decodeRefusal(encodeRefusal(refusal))).toEqual(refusal);
		for (const other of ['Could not connect to peer x', '{', '{"facertc":"refused","code":"nope","message":"","retryAfterS":1}', null, 42]) {
			expect(decodeRefusal(other)).toBeNull();
		}
	});
});

import { describe, expect, it } from 'vitest';
import { forceQuery, parseForce } from './rest.ts';

describe('force query', () => {
	it('round-trips the questions a request answers', () => {
		expect(forceQuery([])).toBe('');
		expect(forceQuery(['near'])).toBe('?force=near');
		expect(forceQuery(['near', 'mismatch', 'near'])).toBe('?force=near,mismatch');
		expect([...parseForce('near,mismatch')].sort()).toEqual(['mismatch', 'near']);
		expect([...parseForce('mismatch')]).toEqual(['mismatch']);
	});

	it('reads 1 and true as every question, and nothing else as any', () => {
		expect([...parseForce('1')].sort()).toEqual(['mismatch', 'near']);
		expect([...parseForce('true')].sort()).toEqual(['mismatch', 'near']);
		for (const value of [undefined, '', '0', 'yes', 'nearby', ['near'], 1]) expect(parseForce(value).size).toBe(0);
	});
});

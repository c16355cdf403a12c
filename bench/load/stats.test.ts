import { describe, expect, it } from 'vitest';
import { jainIndex, percentile } from './stats.ts';

describe('load bench figures', () => {
	it('takes nearest-rank percentiles', () => {
		const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
		expect(percentile(values, 50)).toBe(5);
		expect(percentile(values, 95)).toBe(10);
		expect(percentile(values, 0)).toBe(1);
		expect(percentile([], 50)).toBeNaN();
	});

	it('scores fairness from 1 (equal) down to 1/n (one client got it all)', () => {
		expect(jainIndex([3, 3, 3, 3])).toBe(1);
		expect(jainIndex([4, 0, 0, 0])).toBe(0.25);
		expect(jainIndex([2, 1])).toBeCloseTo(0.9, 5);
		expect(jainIndex([])).toBeNaN();
	});
});

import { describe, expect, it } from 'vitest';
import { searchKey, searchWords } from '../../src/lib/protocol/people-page.ts';
import { createSearchKeys, inOrder, poseSums, searchPage, toCoverage } from './people-page.ts';

describe('a search page', () => {
	const rows = ['Ann Lee', 'Bob', 'Anne', 'Joanna', 'Dan', 'Hannah'].map((name, i) => ({ id: `p${i}`, name, after: i >= 2 }));
	const keyOf = createSearchKeys();

	it('counts every match, and takes the first `limit` after the cursor', () => {
		expect(searchPage(rows, { words: searchWords('ann'), limit: 2, keyOf })).toEqual({
			page: [
				{ id: 'p2', name: 'Anne' },
				{ id: 'p3', name: 'Joanna' }
			],
			total: 4,
			more: true
		});
		expect(searchPage(rows, { words: searchWords('ann'), limit: 3, keyOf })).toMatchObject({ total: 4, more: false });
		expect(searchPage(rows, { words: searchWords('zed'), limit: 3, keyOf })).toEqual({ page: [], total: 0, more: false });
	});

	it('answers each name with its own key, before and after it forgets past its bound', () => {
		const keys = createSearchKeys(2);
		for (const name of ['Émile', 'ＡＤＡ', 'Émile', 'An\u200dn', 'ＡＤＡ']) expect(keys(name)).toBe(searchKey(name));
		expect(keys('Émile')).toBe('emile');
	});
});

describe('listing helpers', () => {
	it('puts rows in the page order, leaving out any gone meanwhile', () => {
		expect(inOrder(['b', 'gone', 'a'], [{ id: 'a' }, { id: 'b' }])).toEqual([{ id: 'b' }, { id: 'a' }]);
	});

	it('makes coverage of SQL sums (numbers, bigint strings, or null for nobody’s faces)', () => {
		expect(toCoverage({ faces: '5', frontal: '2', left_turns: 1, right_turns: null })).toEqual({
			faces: 5,
			coverage: { frontal: 2, left: 1, right: 0, unknown: 2 }
		});
		expect(toCoverage({ faces: null, frontal: null, left_turns: null, right_turns: null })).toEqual({
			faces: 0,
			coverage: { frontal: 0, left: 0, right: 0, unknown: 0 }
		});
	});

	it('writes the frontal band as the same double for both stores', () => {
		expect(poseSums('sqlite')).toContain('abs(f.yaw) <= 0.12 ');
		expect(poseSums('postgres')).toContain("abs(f.yaw) <= '0.12'::float8 ");
		expect(poseSums('sqlite')).toContain("typeof(f.yaw) IN ('integer', 'real')");
	});
});

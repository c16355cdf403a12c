import { describe, expect, it } from 'vitest';
import { searchKey, searchPeople } from './people-search.ts';

const people = [
	{ id: '1', name: 'Émile Zola' },
	{ id: '2', name: 'Ada Lovelace' },
	{ id: '3', name: '李 小龍' },
	{ id: '4', name: '🦊 Fox Mulder' },
	{ id: '5', name: 'Zoë Adams' }
];
const found = (query: string) => searchPeople(people, query).map((p) => p.id);

describe('searchPeople', () => {
	it('finds a name from any part of it, whatever the case, width or accents', () => {
		expect(found('emile')).toEqual(['1']);
		expect(found('ÉMILE')).toEqual(['1']);
		expect(found('ＡＤＡ')).toEqual(['2', '5']);
		expect(found('love')).toEqual(['2']);
		expect(found('zoe')).toEqual(['5']);
		expect(found('小龍')).toEqual(['3']);
		expect(found('🦊')).toEqual(['4']);
	});

	it('needs every word typed, in any order', () => {
		expect(found('zola em')).toEqual(['1']);
		expect(found('  ada   lovelace ')).toEqual(['2']);
		expect(found('ada zola')).toEqual([]);
	});

	it('keeps everyone, in order, for a blank query, and nobody for a name not there', () => {
		expect(found('')).toEqual(['1', '2', '3', '4', '5']);
		expect(found('   ')).toEqual(['1', '2', '3', '4', '5']);
		expect(found('turing')).toEqual([]);
	});

	it('folds a name once as the name rule does, then drops accents', () => {
		expect(searchKey('  Émile   ZOLA ')).toBe('emile zola');
		expect(searchKey('An\u200dn')).toBe('ann');
	});
});

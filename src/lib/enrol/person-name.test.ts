import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, initialsOf, nameProblem } from './person-name.ts';

describe('initials', () => {
	it('never split a character', () => {
		expect(initialsOf('ada lovelace')).toBe('AL');
		expect(initialsOf('🦊 Fox')).toBe('🦊F');
		expect(initialsOf('👩‍👩‍👧 family')).toBe('👩‍👩‍👧F');
		expect(initialsOf('🇫🇷 Amélie')).toBe('🇫🇷A');
		expect(initialsOf('e\u0301mile zola')).toBe('E\u0301Z');
		expect(initialsOf('  李 小龍 ')).toBe('李小');
		expect(initialsOf('Jean Paul Sartre')).toBe('JP');
		expect(initialsOf('')).toBe('');
	});
});

describe('name check', () => {
	it('says what is wrong before anything is sent', () => {
		expect(nameProblem('Ada')).toBeNull();
		expect(nameProblem('  ')).toBe('Type a name.');
		expect(nameProblem('a'.repeat(MAX_NAME_LENGTH))).toBeNull();
		expect(nameProblem('a'.repeat(70))).toBe('Names are at most 64 characters; this one has 70.');
		expect(nameProblem('Ada\nLovelace')).toMatch(/line breaks/);
		expect(nameProblem('Ada\u0000')).toMatch(/control characters/);
		expect(nameProblem('\u202eadA')).toMatch(/control characters/);
		expect(nameProblem('🦊 Fox')).toBeNull();
	});
});

import { describe, expect, it } from 'vitest';
import { initialsOf, nameProblem } from './person-name.ts';

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
	it('says what the server’s rule refuses before anything is sent', () => {
		expect(nameProblem('Ada')).toBeNull();
		expect(nameProblem('  ')).toBe('Type a name.');
		expect(nameProblem('a'.repeat(64))).toBeNull();
		expect(nameProblem('a'.repeat(70))).toBe('The name is 70 characters long; the limit is 64.');
		expect(nameProblem('Ada\nLovelace')).toMatch(/^The name has a control character \(U\+000A\)/);
		expect(nameProblem('Ada\u0000x')).toMatch(/control character \(U\+0000\)/);
		expect(nameProblem('\u202eadA')).toMatch(/text-direction control/);
		expect(nameProblem('🦊 Fox')).toBeNull();
	});
});

import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, checkName, nameKey, sameName } from './names.ts';

describe('checkName', () => {
	it('accepts names in any script, emoji sequences and joiners, trimmed', () => {
		for (const name of ['Ann', 'Zoë', 'Łukasz Żółć', '李小龙', 'مهدی\u200cزاده', 'Dev 👩\u200d💻', 'O\u2019Neil', 'Jean-Luc']) {
			expect(checkName(name), name).toEqual({ ok: true, name: name.normalize('NFC') });
		}
		expect(checkName('  Ann  ')).toEqual({ ok: true, name: 'Ann' });
		expect(checkName('Zoe\u0308')).toEqual({ ok: true, name: 'Zoë' });
		// An ideographic variation selector (U+E0100), as Japanese family names use, is not a hidden character.
		expect(checkName('葛\u{e0100}飾')).toEqual({ ok: true, name: '葛\u{e0100}飾' });
	});

	it('refuses direction overrides, invisible and control characters, naming them', () => {
		expect(checkName('Ann\u202egnp.exe')).toMatchObject({ ok: false, message: expect.stringMatching(/text-direction control \(U\+202E\) at character 4/) });
		expect(checkName('\u2066Bob\u2069')).toMatchObject({ ok: false, message: expect.stringMatching(/U\+2066/) });
		expect(checkName('Al\u200bice')).toMatchObject({ ok: false, message: expect.stringMatching(/invisible character \(U\+200B\)/) });
		expect(checkName('Al\u2060ice')).toMatchObject({ ok: false, message: expect.stringMatching(/U\+2060/) });
		expect(checkName('Al\ufeffice')).toMatchObject({ ok: false });
		expect(checkName('Al\u00adice')).toMatchObject({ ok: false, message: expect.stringMatching(/U\+00AD/) });
		expect(checkName('\u3164')).toMatchObject({ ok: false });
		expect(checkName('Al\nice')).toMatchObject({ ok: false, message: expect.stringMatching(/control character \(U\+000A\)/) });
		expect(checkName('Al\u0000ice')).toMatchObject({ ok: false });
	});

	it('refuses stacked accents, empty names and non-text', () => {
		expect(checkName('Zx\u0301\u0302\u0303\u0304algo')).toMatchObject({ ok: false, message: expect.stringMatching(/accents/) });
		expect(checkName('Zx\u0301\u0302\u0303algo')).toMatchObject({ ok: true });
		expect(checkName('   ')).toEqual({ ok: false, message: 'name is empty' });
		expect(checkName(42)).toMatchObject({ ok: false });
	});

	it('states the length limit instead of cutting, counting characters not UTF-16 units', () => {
		expect(checkName('a'.repeat(MAX_NAME_CHARS))).toMatchObject({ ok: true });
		expect(checkName('a'.repeat(MAX_NAME_CHARS + 1))).toEqual({
			ok: false,
			message: `name is ${MAX_NAME_CHARS + 1} characters long; the limit is ${MAX_NAME_CHARS}`
		});
		expect(checkName('😀'.repeat(MAX_NAME_CHARS))).toMatchObject({ ok: true });
		// Room for what trimming and NFC take away; a megabyte is refused before any of that work.
		expect(checkName(` ${'e\u0301'.repeat(MAX_NAME_CHARS)} `)).toMatchObject({ ok: true });
		expect(checkName('a'.repeat(13_000_000))).toEqual({
			ok: false,
			message: `name is over ${MAX_NAME_CHARS * 16} characters long; the limit is ${MAX_NAME_CHARS}`
		});
	});
});

describe('nameKey and sameName', () => {
	it('folds case, width, compatibility forms, joiners and spaces', () => {
		const key = nameKey('Ann Lee');
		for (const other of ['ann lee', 'ANN  LEE', 'Ａｎｎ Ｌｅｅ', 'An\u200dn Lee', 'An\u200cn Lee', 'Ann\u3000Lee']) expect(nameKey(other), other).toBe(key);
		expect(nameKey('葛\u{e0100}飾')).toBe(nameKey('葛飾'));
		expect(nameKey('Strauß')).toBe(nameKey('STRAUSS'));
		expect(nameKey('ΣΟΦΙΑΣ')).toBe(nameKey('σοφιας'));
		expect(nameKey('Ann')).not.toBe(nameKey('Anna'));
	});

	it('finds the person a new name would clash with, but not the person being renamed', () => {
		const people = [
			{ id: '1', name: 'Ann' },
			{ id: '2', name: 'Bob' }
		];
		expect(sameName(people, 'ＡＮＮ')?.id).toBe('1');
		expect(sameName(people, 'ann', '1')).toBeUndefined();
		expect(sameName(people, 'Cat')).toBeUndefined();
	});
});

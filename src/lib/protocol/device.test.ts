import { describe, expect, it } from 'vitest';
import { MAX_DEVICE_NAME_CHARS, cleanDeviceName, parseDevice } from './device.ts';

const ID = '0123456789abcdef0123456789abcdef';

describe('cleanDeviceName', () => {
	it('keeps a plain label as it is', () => {
		expect(cleanDeviceName('Chrome on Android')).toBe('Chrome on Android');
		expect(cleanDeviceName('Safari on iPhone')).toBe('Safari on iPhone');
	});

	it('strips control, direction and invisible characters, and collapses spaces', () => {
		expect(cleanDeviceName('Chrome\u0000 on\u0007 Android\n')).toBe('Chrome on Android');
		// A right-to-left override would show "Firefox on Linux" as something else.
		expect(cleanDeviceName('Firefox \u202exunil no\u202c')).toBe('Firefox xunil no');
		expect(cleanDeviceName('\u2066Edge\u2069 on\u200f Windows\u200e\u061c')).toBe('Edge on Windows');
		expect(cleanDeviceName('Sa\u200bfa\u2060ri\ufeff on\u00ad Mac')).toBe('Safari on Mac');
		expect(cleanDeviceName('a\u2028b\u2029c\t\t d')).toBe('abc d');
		expect(cleanDeviceName('tag\u{e0041}s \u{f0000}private \ud800lone')).toBe('tags private lone');
	});

	it('keeps two accents on a letter and drops the rest', () => {
		expect(cleanDeviceName('Zx\u0301\u0302\u0303\u0304d')).toBe('Zx\u0301\u0302d');
	});

	it('cuts at MAX_DEVICE_NAME_CHARS characters, never inside a surrogate pair', () => {
		expect(cleanDeviceName('a'.repeat(MAX_DEVICE_NAME_CHARS + 10))).toBe('a'.repeat(MAX_DEVICE_NAME_CHARS));
		expect(cleanDeviceName('😀'.repeat(MAX_DEVICE_NAME_CHARS + 1))).toBe('😀'.repeat(MAX_DEVICE_NAME_CHARS));
	});

	it('gives null when nothing printable is left', () => {
		expect(cleanDeviceName('')).toBeNull();
		expect(cleanDeviceName(' \u202e\u0000 ')).toBeNull();
	});
});

describe('parseDevice', () => {
	it('reads the id and cleaned label from connect metadata, beside the token', () => {
		expect(parseDevice({ token: 't', deviceId: ID, deviceName: 'Chrome on Android' })).toEqual({ id: ID, name: 'Chrome on Android' });
		expect(parseDevice({ deviceId: ID, deviceName: 'Chrome\u202e on\u0000 Android' })).toEqual({ id: ID, name: 'Chrome on Android' });
	});

	it('names no device for an older page or an id not of the fixed format', () => {
		for (const metadata of [
			undefined,
			null,
			'text',
			42,
			[],
			{ token: 't' },
			{ deviceId: 42 },
			{ deviceId: ID.toUpperCase() },
			{ deviceId: `${ID}0` },
			{ deviceId: ID.slice(1) },
			{ deviceId: `${ID.slice(1)}\n` },
			{ deviceId: { toString: () => ID } }
		]) {
			expect(parseDevice(metadata), JSON.stringify(metadata)).toBeNull();
		}
	});

	it('keeps the id but drops a label that is not text, too long, or empty once cleaned', () => {
		// A megabyte label is refused before any cleaning (cleaned, it would be its first 48 characters).
		for (const deviceName of [undefined, null, 42, ['Chrome'], { name: 'x' }, 'x'.repeat(1024 * 1024), '\u202e\u0000']) {
			expect(parseDevice({ deviceId: ID, deviceName })).toEqual({ id: ID, name: null });
		}
	});
});

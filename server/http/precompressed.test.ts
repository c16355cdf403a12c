import { describe, expect, it } from 'vitest';
import { chooseEncoding } from './precompressed.ts';

describe('chooseEncoding', () => {
	it('prefers brotli, then gzip, as the browser lists them', () => {
		expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
		expect(chooseEncoding('gzip, deflate')).toBe('gzip');
		expect(chooseEncoding('GZIP')).toBe('gzip');
		expect(chooseEncoding('*')).toBe('br');
	});

	it('honours q=0 and takes nothing it was not offered', () => {
		expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
		expect(chooseEncoding('br; q=0, gzip;q=0')).toBeNull();
		expect(chooseEncoding('*, br;q=0')).toBe('gzip');
		expect(chooseEncoding('*;q=0')).toBeNull();
		expect(chooseEncoding('identity')).toBeNull();
		expect(chooseEncoding('deflate')).toBeNull();
		expect(chooseEncoding('')).toBeNull();
		expect(chooseEncoding(undefined)).toBeNull();
	});
});

import { describe, expect, it } from 'vitest';
import { liveOptionsFrom } from './live-options.ts';

const from = (s: string) => liveOptionsFrom(new URLSearchParams(s));

describe('live page options', () => {
	it('defaults to best-shot crops, adaptive detection, no recording', () => {
		expect(from('')).toEqual({ policy: 'best-shot', detectEvery: undefined, recordFrames: false });
	});

	it('reads the measurement knobs', () => {
		expect(from('crops=every-frame&detectEvery=3&record=frames')).toEqual({ policy: 'every-frame', detectEvery: 3, recordFrames: true });
	});

	it('ignores values it does not know', () => {
		expect(from('crops=all&detectEvery=-2&record=yes')).toEqual({ policy: 'best-shot', detectEvery: undefined, recordFrames: false });
		expect(from('detectEvery=1.5').detectEvery).toBeUndefined();
		expect(from('detectEvery=1e9').detectEvery).toBeUndefined();
		expect(from('detectEvery=abc').detectEvery).toBeUndefined();
	});
});

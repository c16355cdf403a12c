import { describe, expect, it } from 'vitest';
import { faceNetsFromEnv } from './nets-choice.ts';

describe('faceNetsFromEnv', () => {
	it('reads FACE_NETS, auto when unset or unknown', () => {
		expect(faceNetsFromEnv({})).toBe('auto');
		expect(faceNetsFromEnv({ FACE_NETS: ' tfjs ' })).toBe('tfjs');
		expect(faceNetsFromEnv({ FACE_NETS: 'auto' })).toBe('auto');
		expect(faceNetsFromEnv({ FACE_NETS: 'cuda' })).toBe('auto');
	});
});

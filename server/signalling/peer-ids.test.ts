import { describe, expect, it } from 'vitest';
import { createPeerIds } from './peer-ids.ts';

describe('server-assigned peer ids', () => {
	it('accepts only ids it issued, in a shape PeerJS accepts', () => {
		const ids = createPeerIds();
		const id = ids.issue();
		expect(id).toMatch(/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/);
		expect(ids.isIssued(id)).toBe(true);
		expect(ids.issue()).not.toBe(id);
		expect(createPeerIds().isIssued(id)).toBe(false);
		const forged = id.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
		expect(ids.isIssued(forged)).toBe(false);
		for (const other of ['', 'facertc-recognizer-abc', 'c-zz', `${id}0`]) expect(ids.isIssued(other)).toBe(false);
	});
});

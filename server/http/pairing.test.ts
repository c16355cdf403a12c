import { describe, expect, it } from 'vitest';
import { createPairing } from './pairing.ts';

describe('pairing codes', () => {
	it('work once, for their role, until they expire', () => {
		let t = 0;
		const pairing = createPairing({ now: () => t, ttlMs: 1000 });
		const admin = pairing.create('admin');
		const look = pairing.create('recognize');
		expect(admin.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(pairing.redeem(admin.code)).toBe('admin');
		expect(pairing.redeem(admin.code)).toBeNull();
		t = 1000;
		expect(pairing.redeem(look.code)).toBeNull();
		for (const junk of ['', 'x'.repeat(22), null, 7]) expect(pairing.redeem(junk)).toBeNull();
	});
});

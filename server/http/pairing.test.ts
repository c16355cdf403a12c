import { describe, expect, it } from 'vitest';
import { createPairing, type SharedCodes } from './pairing.ts';

describe('pairing codes', () => {
	it('work once, for their role, until they expire', async () => {
		let t = 0;
		const pairing = createPairing({ now: () => t, ttlMs: 1000 });
		const admin = await pairing.create('admin');
		const look = await pairing.create('recognize');
		expect(admin.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(await pairing.redeem(admin.code)).toBe('admin');
		expect(await pairing.redeem(admin.code)).toBeNull();
		t = 1000;
		expect(await pairing.redeem(look.code)).toBeNull();
		for (const junk of ['', 'x'.repeat(22), null, 7]) expect(await pairing.redeem(junk)).toBeNull();
	});

	it('with a shared store, a code made by one server is good once on another, kept only by its hash', async () => {
		let t = 0;
		const kept = new Map<string, { role: string; expiresAt: number }>();
		const shared: SharedCodes = {
			async savePairingCode(hash, role, expiresAt) {
				kept.set(hash, { role, expiresAt });
			},
			async takePairingCode(hash, now) {
				const entry = kept.get(hash);
				kept.delete(hash);
				return entry && entry.expiresAt > now ? entry.role : null;
			}
		};
		const one = createPairing({ now: () => t, ttlMs: 1000, shared });
		const other = createPairing({ now: () => t, ttlMs: 1000, shared });
		const code = await one.create('recognize');
		expect([...kept.keys()]).not.toContain(code.code);
		expect([...kept.keys()][0]).toMatch(/^[0-9a-f]{64}$/);
		expect(await other.redeem(code.code)).toBe('recognize');
		expect(await one.redeem(code.code)).toBeNull();
		const late = await one.create('admin');
		t = 1000;
		expect(await other.redeem(late.code)).toBeNull();
		expect(await other.redeem('x')).toBeNull();
	});
});

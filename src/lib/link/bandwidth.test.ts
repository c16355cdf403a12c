import { describe, expect, it } from 'vitest';
import { chooseCropSettings, chooseIdentityPace, createRateMeter, SLOW_LINK_RTT_MS } from './bandwidth.ts';
import { createIdentityRules, newIdentity } from '../track/identity.ts';

describe('rate meter', () => {
	it('turns running totals into per-second rates over its window', () => {
		const meter = createRateMeter(2000);
		meter.sample(0, { bytesUp: 0, bytesDown: 0, cropsSent: 0 });
		const rates = meter.sample(1000, { bytesUp: 4000, bytesDown: 200, cropsSent: 1 });
		expect(rates).toEqual({ upBytesPerS: 4000, downBytesPerS: 200, cropsPerS: 1 });
	});

	it('forgets what is older than the window', () => {
		const meter = createRateMeter(2000);
		meter.sample(0, { bytesUp: 0, bytesDown: 0, cropsSent: 0 });
		meter.sample(1000, { bytesUp: 100_000, bytesDown: 0, cropsSent: 20 });
		meter.sample(3000, { bytesUp: 100_000, bytesDown: 0, cropsSent: 20 });
		const rates = meter.sample(5000, { bytesUp: 100_000, bytesDown: 0, cropsSent: 20 });
		expect(rates.upBytesPerS).toBe(0);
	});
});

describe('crop settings', () => {
	it('sends full crops on a good link and small ones with data saver or a slow link', () => {
		const good = chooseCropSettings({ dataSaver: false, rttMs: 80, webp: false });
		expect(good).toMatchObject({ maxSide: 112, quality: 0.5, type: 'image/jpeg' });
		const saver = chooseCropSettings({ dataSaver: true, rttMs: 80, webp: true });
		expect(saver).toMatchObject({ maxSide: 96, quality: 0.5, type: 'image/webp' });
		expect(chooseCropSettings({ dataSaver: false, rttMs: SLOW_LINK_RTT_MS + 1, webp: false }).maxSide).toBe(96);
	});
});

describe('identity pace', () => {
	/** A fair match: settles alone only with data saver. */
	const alice = { label: 'alice', personId: 'a', confidence: 0.55, distance: 0.495 };

	it('settles on one fair answer and refreshes slowly with data saver, on two such answers otherwise', () => {
		const saver = createIdentityRules(chooseIdentityPace({ dataSaver: true, rttMs: 50 }));
		const normal = createIdentityRules(chooseIdentityPace({ dataSaver: false, rttMs: 50 }));
		const a = newIdentity();
		const b = newIdentity();
		saver.claimCrop(a, 0);
		saver.record(a, alice);
		normal.claimCrop(b, 0);
		normal.record(b, alice);
		expect(a.settled).toBe(true);
		expect(b.settled).toBe(false);
		expect(saver.isDue(a, 3000)).toBe(false);
		expect(saver.isDue(a, 4000)).toBe(true);
	});

	it('applies a changed setting to identities already tracked', () => {
		let dataSaver = false;
		const rules = createIdentityRules(() => chooseIdentityPace({ dataSaver, rttMs: 50 }));
		const id = newIdentity();
		rules.record(id, alice);
		expect(id.settled).toBe(false);
		dataSaver = true;
		rules.record(id, alice);
		expect(id.settled).toBe(true);
		expect(chooseIdentityPace({ dataSaver: false, rttMs: SLOW_LINK_RTT_MS + 1 })).toMatchObject({ settleAt: 1 });
	});
});

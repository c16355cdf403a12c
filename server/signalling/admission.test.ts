import { describe, expect, it } from 'vitest';
import { PENDING_TIMEOUT_MS, createAdmission } from './admission.ts';

const limits = { total: 5, perAddress: 3, pendingTotal: 4, pendingPerAddress: 2 };

function setup() {
	let t = 0;
	const admission = createAdmission(limits, { now: () => t });
	return { admission, advance: (ms: number) => (t += ms) };
}

describe('admission at the signalling offer', () => {
	it('caps channels being set up per address, then open ones per address', () => {
		const { admission } = setup();
		expect(admission.tryAdmit('a/1', 'A')).toBeNull();
		expect(admission.tryAdmit('a/2', 'A')).toBeNull();
		expect(admission.tryAdmit('a/3', 'A')).toMatchObject({ reason: 'pending-per-address' });
		expect(admission.opened('a/1')).toBe(true);
		expect(admission.opened('a/2')).toBe(true);
		expect(admission.tryAdmit('a/3', 'A')).toBeNull();
		admission.opened('a/3');
		expect(admission.tryAdmit('a/4', 'A')).toMatchObject({ reason: 'per-address', retryAfterS: 5 });
		// Another address is not held back by A.
		expect(admission.tryAdmit('b/1', 'B')).toBeNull();
		expect(admission.counts()).toEqual({ open: 3, pending: 1 });
	});

	it('caps all addresses together, and frees a slot on release', () => {
		const { admission } = setup();
		for (const [i, address] of ['A', 'B', 'C', 'D', 'E'].entries()) {
			expect(admission.tryAdmit(`${address}/1`, address)).toBeNull();
			admission.opened(`${address}/1`);
			expect(i).toBeLessThan(5);
		}
		expect(admission.tryAdmit('F/1', 'F')).toMatchObject({ reason: 'total' });
		admission.release('C/1');
		expect(admission.tryAdmit('F/1', 'F')).toBeNull();
	});

	it('caps channels being set up in all', () => {
		const { admission } = setup();
		for (const address of ['A', 'B', 'C', 'D']) expect(admission.tryAdmit(`${address}/1`, address)).toBeNull();
		expect(admission.tryAdmit('E/1', 'E')).toMatchObject({ reason: 'pending-total' });
	});

	it('gives a slot back when its channel never opens', () => {
		const { admission, advance } = setup();
		admission.tryAdmit('a/1', 'A');
		admission.tryAdmit('a/2', 'A');
		expect(admission.tryAdmit('a/3', 'A')).not.toBeNull();
		advance(PENDING_TIMEOUT_MS + 1);
		expect(admission.opened('a/1')).toBe(false);
		expect(admission.tryAdmit('a/3', 'A')).toBeNull();
		expect(admission.addressOf('a/3')).toBe('A');
		expect(admission.addressOf('a/1')).toBeUndefined();
	});

	it('limits how fast one address makes new channels, and recovers with time', () => {
		const { admission, advance } = setup();
		// Burst: twice the per-address cap.
		for (let i = 0; i < limits.perAddress * 2; i++) {
			expect(admission.tryAdmit(`a/${i}`, 'A')).toBeNull();
			admission.release(`a/${i}`);
		}
		const refused = admission.tryAdmit('a/x', 'A');
		expect(refused).toMatchObject({ reason: 'connect-rate' });
		expect(refused!.retryAfterS).toBeGreaterThanOrEqual(1);
		advance(refused!.retryAfterS * 1000);
		expect(admission.tryAdmit('a/x', 'A')).toBeNull();
	});

	it('refuses a second offer for a channel already admitted', () => {
		const { admission } = setup();
		expect(admission.tryAdmit('a/1', 'A')).toBeNull();
		expect(admission.tryAdmit('a/1', 'A')).not.toBeNull();
	});
});

import { describe, expect, it } from 'vitest';
import { createIdentityRules, newIdentity, type Answer } from './identity.ts';

const alice: Answer = { label: 'alice', personId: 'a', confidence: 0.8, distance: 0.2 };
/** Named, but less sure than a typical genuine match (weight 1.05 < settleAt). */
const fairAlice: Answer = { ...alice, confidence: 0.55, distance: 0.495 };
const bob: Answer = { label: 'bob', personId: 'b', confidence: 0.55, distance: 0.45 };
const unknown: Answer = { label: 'unknown', personId: null, confidence: 0, distance: 0.7 };

describe('identity vote', () => {
	it('shows a name after one answer; settles on one very confident answer, or on two fair ones that agree', () => {
		const rules = createIdentityRules();
		const sure = newIdentity();
		rules.record(sure, alice);
		expect([sure.label, sure.settled]).toEqual(['alice', true]);
		expect(rules.personIdOf(sure)).toBe('a');

		const fair = newIdentity();
		rules.record(fair, fairAlice);
		expect([fair.label, fair.settled]).toEqual(['alice', false]);
		rules.record(fair, fairAlice);
		expect(fair.settled).toBe(true);
	});

	it('settles on unknown only after two answers say so', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, unknown);
		expect(id.settled).toBe(false);
		rules.record(id, unknown);
		expect([id.label, id.settled]).toEqual(['unknown', true]);
	});

	it('does not flip on one bad answer', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 3; i++) rules.record(id, alice);
		rules.record(id, bob);
		expect(id.label).toBe('alice');
	});

	it('asks again soon after an answer that disagrees with a settled name', () => {
		const rules = createIdentityRules({ retryMs: 400, refreshMs: 2000 });
		const id = newIdentity();
		for (let i = 0; i < 3; i++) rules.record(id, alice);
		expect(id.settled).toBe(true);
		rules.record(id, bob);
		expect(id.label).toBe('alice');
		expect(id.settled).toBe(false);
	});

	it('restarts the vote when the face changed and the answer names someone else', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 4; i++) rules.record(id, alice);
		rules.markChanged(id);
		expect(rules.isDue(id, 0)).toBe(true);
		rules.record(id, bob);
		expect(id.label).toBe('bob');
	});

	it('keeps the vote when the face changed but the answer agrees', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		for (let i = 0; i < 2; i++) rules.record(id, alice);
		rules.markChanged(id);
		rules.record(id, alice);
		expect(id.label).toBe('alice');
		expect(id.settled).toBe(true);
	});

	it('follows a lasting change of evidence', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, alice);
		for (let i = 0; i < 5; i++) rules.record(id, bob);
		expect(id.label).toBe('bob');
	});

	it('stays unknown for strangers and while evidence is thin', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		rules.record(id, { ...alice, distance: null, label: 'unknown', personId: null });
		expect(id.label).toBe('unknown');
		rules.record(id, unknown);
		rules.record(id, unknown);
		expect(id.label).toBe('unknown');
	});
});

describe('crop schedule', () => {
	it('asks at once for a new track, then not while pending', () => {
		const rules = createIdentityRules();
		const id = newIdentity();
		expect(rules.claimCrop(id, 0)).toBe(true);
		expect(rules.claimCrop(id, 100)).toBe(false);
	});

	it('retries an unsettled track quickly and refreshes a settled one slowly', () => {
		const rules = createIdentityRules({ retryMs: 400, refreshMs: 2000 });
		const id = newIdentity();
		rules.claimCrop(id, 0);
		rules.record(id, fairAlice);
		expect(rules.claimCrop(id, 300)).toBe(false);
		expect(rules.claimCrop(id, 450)).toBe(true);
		rules.record(id, fairAlice);
		expect(id.settled).toBe(true);
		expect(rules.claimCrop(id, 1500)).toBe(false);
		expect(rules.claimCrop(id, 2500)).toBe(true);
	});

	it('gives up on an unanswered crop after the timeout', () => {
		const rules = createIdentityRules({ timeoutMs: 1000 });
		const id = newIdentity();
		rules.claimCrop(id, 0);
		expect(rules.claimCrop(id, 900)).toBe(false);
		expect(rules.claimCrop(id, 1100)).toBe(true);
	});
});

import { describe, expect, it } from 'vitest';
import { describeCorrection, describeGroup, describeSighting, deviceLabel, span } from './describe.ts';

const now = new Date(2026, 11, 2, 12, 0).getTime();
const at = (h: number, m: number, d = 2) => new Date(2026, 11, d, h, m).getTime();

describe('learning words', () => {
	it('says a span of time shortly, and one moment as such', () => {
		expect(span(at(10, 42), at(10, 42) + 5000, now)).toMatch(/^at 0?10.42(?:\s?[AP]M)?$/);
		expect(span(at(10, 42), at(10, 45), now)).toMatch(/^from 0?10.42(?:\s?[AP]M)? to 0?10.45(?:\s?[AP]M)?$/);
		expect(span(at(10, 42, 1), at(10, 45, 1), now)).toMatch(/^from (?:1 Dec|Dec 1) 0?10.42(?:\s?[AP]M)? to 0?10.45(?:\s?[AP]M)?$/);
	});

	it('describes groups, sightings and corrections', () => {
		expect(describeGroup({ id: 'g', faces: 1, firstSeen: at(9, 0), lastSeen: at(9, 0) }, now)).toMatch(/^1 face, seen at 0?9.00(?:\s?[AP]M)?$/);
		const sighting = { id: 's', at: at(9, 0), firstSeen: at(9, 0), lastSeen: at(9, 3), device: 'abcdefghijkl', label: 'unknown' };
		expect(describeSighting({ ...sighting, personId: null, groupId: 'g' }, now)).toMatch(
			/^Someone unknown \(remembered\), from 0?9.00(?:\s?[AP]M)? to 0?9.03(?:\s?[AP]M)? on abcdefgh…$/
		);
		expect(describeSighting({ ...sighting, label: 'Ann', personId: 'p', groupId: null }, now)).toMatch(/^Ann, /);
		const labelled = { ...sighting, label: 'Ann', personId: 'p', groupId: null, device: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', deviceName: 'Chrome on Android' };
		expect(describeSighting(labelled, now)).toMatch(/ on Chrome on Android \(a1b2\)$/);
		const base = {
			id: 'c',
			personId: 'ann',
			name: 'Ann',
			wasPersonId: 'bob',
			wasName: 'Bob',
			device: 'dev',
			byToken: 'admin',
			createdAt: at(11, 0),
			undoneAt: null
		};
		expect(describeCorrection({ ...base, kind: 'not' }, 'ann', now)).toMatch(
			/^“Not Ann”: a face kept as not Ann by the admin token on dev, 0?11.00(?:\s?[AP]M)?$/
		);
		expect(describeCorrection({ ...base, kind: 'is' }, 'ann', now)).toMatch(/^“This is Ann”: a live face added \(it had been named Bob\)/);
		expect(describeCorrection({ ...base, kind: 'is' }, 'bob', now)).toMatch(/^A face named Bob was said to be Ann/);
		expect(describeCorrection({ ...base, kind: 'not', device: 'ff00aa11ff00aa11ff00aa11ff00aa11', deviceName: 'Safari on iPhone' }, 'ann', now)).toMatch(
			/ by the admin token on Safari on iPhone \(ff00\), /
		);
	});

	it('names a device by its label and the start of its id, or by the short id it had before labels', () => {
		const id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
		expect(deviceLabel({ device: id, deviceName: 'Firefox on Linux' })).toBe('Firefox on Linux (a1b2)');
		// Rows from before labels, and pages that sent none: the first characters of the peer id.
		expect(deviceLabel({ device: '3f9a1c2e-77aa-4b1c-9d0e-123456789abc', deviceName: null })).toBe('3f9a1c2e…');
		expect(deviceLabel({ device: '3f9a1c2e-77aa-4b1c-9d0e-123456789abc' })).toBe('3f9a1c2e…');
		expect(deviceLabel({ device: 'dev', deviceName: '' })).toBe('dev');
		// Shown beside names: cleaned again, whatever the server sent.
		expect(deviceLabel({ device: id, deviceName: 'Chrome\u202e on\u0000 Android' })).toBe('Chrome on Android (a1b2)');
		expect(deviceLabel({ device: id, deviceName: '\u202e\u2066' })).toBe('a1b2c3d4…');
	});
});

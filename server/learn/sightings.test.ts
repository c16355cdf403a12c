import { describe, expect, it } from 'vitest';
import type { Match } from '../gallery/matcher.ts';
import { createSightingTracker, SIGHTING_BURST, TOUCH_EVERY_MS, TRACK_GONE_MS } from './sightings.ts';
import { observe, newTrackState, SURE_DISTANCE } from './settle.ts';
import type { Sighting } from './store.ts';

const ann = (distance: number): Match => ({ personId: 'ann', label: 'Ann', distance, confidence: 0.7 });
const bob = (distance: number): Match => ({ personId: 'bob', label: 'Bob', distance, confidence: 0.6 });
const unknown: Match = { personId: null, label: 'unknown', distance: 0.7, confidence: 0 };
/** A page that sent no device: its peer id stands in (see DeviceRef). */
const dev = (peerId: string) => ({ device: peerId, deviceName: null });

describe('settling a name on the server', () => {
	it('settles on one sure answer, or two that agree; unknown needs two', () => {
		const sure = newTrackState();
		expect(observe(sure, ann(SURE_DISTANCE))).toBe('settled');
		expect(observe(sure, ann(0.5))).toBe('same');

		const fair = newTrackState();
		expect(observe(fair, ann(0.5))).toBeNull();
		expect(observe(fair, bob(0.5))).toBeNull();
		expect(observe(fair, bob(0.5))).toBe('settled');

		const stranger = newTrackState();
		expect(observe(stranger, unknown)).toBeNull();
		expect(observe(stranger, unknown)).toBe('settled');
	});
});

describe('sightings', () => {
	function setup() {
		let clock = 1_000_000;
		const started: Sighting[] = [];
		const touched: Array<{ sighting: Sighting; ended: boolean }> = [];
		let n = 0;
		const tracker = createSightingTracker(
			{ started: (s) => started.push(s), touched: (s, ended) => touched.push({ sighting: s, ended }) },
			{ now: () => clock, newId: () => `s${++n}` }
		);
		return { tracker, started, touched, advance: (ms: number) => (clock += ms), now: () => clock };
	}

	it('starts at most a burst of sightings per peer, then one a second; other peers are not held back', () => {
		const { tracker, started, advance } = setup();
		for (let k = 0; k < SIGHTING_BURST + 5; k++) tracker.observe({ trackKey: `p/${k}`, peerId: 'p', device: dev('p'), match: ann(0.3), groupId: null });
		expect(started).toHaveLength(SIGHTING_BURST);
		tracker.observe({ trackKey: 'q/1', peerId: 'q', device: dev('q'), match: ann(0.3), groupId: null });
		expect(started.at(-1)).toMatchObject({ device: 'q' });
		advance(1_000);
		tracker.observe({ trackKey: 'p/new', peerId: 'p', device: dev('p'), match: ann(0.3), groupId: null });
		expect(started.at(-1)).toMatchObject({ device: 'p', firstSeen: expect.any(Number) });
		expect(started).toHaveLength(SIGHTING_BURST + 2);
	});

	it('counts by the peer, not by the device id the page chose: a new id with every track buys nothing', () => {
		const { tracker, started } = setup();
		for (let k = 0; k < SIGHTING_BURST + 5; k++) {
			const device = { device: k.toString(16).padStart(32, '0'), deviceName: 'Chrome on Android' };
			tracker.observe({ trackKey: `p/${k}`, peerId: 'p', device, match: ann(0.3), groupId: null });
		}
		expect(started).toHaveLength(SIGHTING_BURST);
		expect(started[1]).toMatchObject({ device: '1'.padStart(32, '0'), deviceName: 'Chrome on Android' });
	});

	it('reports a named track once however many crops follow, and ends it when the track goes quiet', () => {
		const { tracker, started, touched, advance, now } = setup();
		for (let i = 0; i < 10; i++) {
			tracker.observe({ trackKey: 'p/1', peerId: 'p', device: dev('p'), match: ann(0.3), groupId: null });
			advance(2000);
		}
		expect(started).toEqual([
			{ id: 's1', personId: 'ann', groupId: null, label: 'Ann', device: 'p', deviceName: null, firstSeen: 1_000_000, lastSeen: 1_000_000 }
		]);
		expect(touched).toEqual([]);
		advance(TRACK_GONE_MS - 2000);
		expect(tracker.sweep()).toEqual([]);
		advance(1);
		expect(tracker.sweep()).toEqual(['p/1']);
		expect(touched).toEqual([{ sighting: expect.objectContaining({ id: 's1', lastSeen: 1_018_000 }), ended: true }]);
		expect(now()).toBeGreaterThan(1_018_000);
		expect(tracker.open).toBe(0);
	});

	it('ends the first sighting and starts another when a different name settles on the track', () => {
		const { tracker, started, touched } = setup();
		tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: ann(0.3), groupId: null });
		tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: bob(0.5), groupId: null });
		expect(started.map((s) => s.label)).toEqual(['Ann']);
		tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: bob(0.5), groupId: null });
		expect(started.map((s) => s.label)).toEqual(['Ann', 'Bob']);
		expect(touched).toEqual([{ sighting: expect.objectContaining({ label: 'Ann' }), ended: true }]);
	});

	it('writes a long sighting’s last seen now and then, and names the unknown group it belongs to', () => {
		const { tracker, started, touched, advance } = setup();
		tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: unknown, groupId: 'g' });
		tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: unknown, groupId: 'g' });
		expect(started).toEqual([expect.objectContaining({ label: 'unknown', personId: null, groupId: 'g' })]);
		for (let i = 0; i < 20; i++) {
			advance(2000);
			tracker.observe({ trackKey: 't', peerId: 'd', device: dev('d'), match: unknown, groupId: 'g' });
		}
		expect(touched.length).toBe(Math.floor((20 * 2000) / TOUCH_EVERY_MS));
		expect(touched.every((t) => !t.ended)).toBe(true);
		tracker.endAll();
		expect(touched.at(-1)).toMatchObject({ ended: true });
	});
});

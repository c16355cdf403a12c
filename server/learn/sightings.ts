/**
 * Sightings (issue 11): each settled name on a live track (settle.ts), with the device and its
 * first and last time in view. One `sighting` event when the name settles, however many crops
 * follow; one `sighting-end` when the track has sent nothing for `trackGoneMs` (the live page
 * refreshes a settled track every 2–4 s) or another name settles on it. Memory per open track
 * only; the caller stores and publishes. Pure but for the clock.
 */
import type { Match } from '../gallery/matcher.ts';
import { newTrackState, observe, type TrackState } from './settle.ts';
import type { DeviceRef, Sighting } from './store.ts';
import { createKeyedLimiter } from '../rate-limit.ts';

/** A track silent this long has left the view, ms (over twice the slowest refresh, 4 s). */
export const TRACK_GONE_MS = 10_000;
/** An open sighting's last-seen time is written at least this often, ms (and when it ends). */
export const TOUCH_EVERY_MS = 30_000;
/**
 * New sightings one channel's peer may start: a burst, then one a second. A door camera sees far
 * fewer people than that; a client inventing tracks (each settles `unknown` after two crops) would
 * otherwise store ~10 rows a second, kept RETENTION_DAYS. Past it a track is followed but not stored.
 */
export const SIGHTING_BURST = 60;
export const SIGHTINGS_PER_SECOND = 1;

export type SightingEvent = { type: 'sighting' | 'sighting-end'; sighting: Sighting };

export type SightingsPort = {
	/** A new sighting: store it, publish it. */
	started(sighting: Sighting): void;
	/** A sighting's last-seen moved (every TOUCH_EVERY_MS at most) or it ended. */
	touched(sighting: Sighting, ended: boolean): void;
};

type Open = { state: TrackState; sighting: Sighting | null; lastAnswer: number; touchedAt: number };

export type SightingTracker = {
	/**
	 * One answer for a track. `peerId`: the channel's server-issued PeerJS id, which the limit
	 * counts by; `device`: the device as the page named it, stored for display only.
	 * `groupId`: the unknown group the track's faces went to, if remembered.
	 */
	observe(answer: { trackKey: string; peerId: string; device: DeviceRef; match: Match; groupId: string | null }): void;
	/** Ends tracks silent for `trackGoneMs`; returns their keys. */
	sweep(): string[];
	/** Ends every open sighting now (shutdown). */
	endAll(): void;
	readonly open: number;
};

export function createSightingTracker(
	port: SightingsPort,
	{ now = Date.now, trackGoneMs = TRACK_GONE_MS, newId }: { now?: () => number; trackGoneMs?: number; newId: () => string }
): SightingTracker {
	const tracks = new Map<string, Open>();
	const starts = createKeyedLimiter({ capacity: SIGHTING_BURST, perSecond: SIGHTINGS_PER_SECOND, now });

	function end(key: string, t: Open): void {
		if (t.sighting) port.touched(t.sighting, true);
		tracks.delete(key);
	}

	return {
		observe({ trackKey, peerId, device, match, groupId }) {
			const at = now();
			let t = tracks.get(trackKey);
			if (!t) tracks.set(trackKey, (t = { state: newTrackState(), sighting: null, lastAnswer: at, touchedAt: at }));
			t.lastAnswer = at;
			const outcome = observe(t.state, match);
			if (outcome === 'settled') {
				if (t.sighting) port.touched(t.sighting, true);
				t.sighting = null;
				// Counted by the peer id the signalling server issued, never by the device id: the page
				// chooses that one, and a client sending a new one with each crop would never be limited.
				if (!starts.take(peerId).ok) return;
				const verdict = t.state.settled!;
				t.sighting = {
					id: newId(),
					personId: verdict.personId,
					groupId: verdict.personId ? null : groupId,
					label: verdict.label,
					device: device.device,
					deviceName: device.deviceName,
					firstSeen: at,
					lastSeen: at
				};
				t.touchedAt = at;
				port.started({ ...t.sighting });
			} else if (outcome === 'same' && t.sighting) {
				t.sighting.lastSeen = at;
				if (!t.sighting.groupId && groupId && !t.sighting.personId) t.sighting.groupId = groupId;
				if (at - t.touchedAt >= TOUCH_EVERY_MS) {
					t.touchedAt = at;
					port.touched({ ...t.sighting }, false);
				}
			}
		},
		sweep() {
			const cutoff = now() - trackGoneMs;
			const gone: string[] = [];
			for (const [key, t] of tracks) {
				if (t.lastAnswer < cutoff) {
					end(key, t);
					gone.push(key);
				}
			}
			return gone;
		},
		endAll() {
			for (const [key, t] of [...tracks]) end(key, t);
		},
		get open() {
			return tracks.size;
		}
	};
}

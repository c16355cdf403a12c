/**
 * The recognizer's last answer per live track, kept a short while so that a correction from the
 * live page ("This is …", "Not …") can enrol or refuse the very face that produced the answer:
 * keyed by the channel's peer id (server-issued at signalling) and the track id. Bounded: the
 * oldest go first, and nothing outlives `ttlMs`. Memory only. Pure but for the clock.
 */
import type { Match } from '../gallery/matcher.ts';
import type { DeviceRef } from './store.ts';

export type RecentFace = {
	peerId: string;
	/** The channel's device as stored with a correction (display only). */
	device: DeviceRef;
	trackId: number;
	embedding: Float32Array;
	match: Match;
	/** When answered, ms. */
	at: number;
	/** The crop itself, kept only while thumbnails are kept (the People page may show it). */
	crop: Uint8Array | null;
};

/** How long a track's last face can still be corrected, ms: a person reads the label and taps it. */
export const RECENT_FACE_TTL_MS = 120_000;
/** Tracks remembered at once, across all channels (each ~0.6 KB, ~4 KB with a crop). */
export const MAX_RECENT_FACES = 4096;

export type TrackMemory = {
	remember(face: RecentFace): void;
	/** The track's last face, unless expired. */
	get(peerId: string, trackId: number): RecentFace | null;
	readonly size: number;
};

const keyOf = (peerId: string, trackId: number) => `${peerId}\u0000${trackId}`;

export function createTrackMemory({
	ttlMs = RECENT_FACE_TTL_MS,
	max = MAX_RECENT_FACES,
	now = Date.now
}: { ttlMs?: number; max?: number; now?: () => number } = {}): TrackMemory {
	// Insertion order is age order: a re-remembered key is deleted first, so it moves to the end.
	const faces = new Map<string, RecentFace>();
	function prune(): void {
		const cutoff = now() - ttlMs;
		for (const [key, face] of faces) {
			if (faces.size <= max && face.at >= cutoff) break;
			faces.delete(key);
		}
	}
	return {
		remember(face) {
			const key = keyOf(face.peerId, face.trackId);
			faces.delete(key);
			faces.set(key, face);
			prune();
		},
		get(peerId, trackId) {
			const face = faces.get(keyOf(peerId, trackId));
			return face && now() - face.at <= ttlMs ? face : null;
		},
		get size() {
			return faces.size;
		}
	};
}

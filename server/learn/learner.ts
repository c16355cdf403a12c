/**
 * Learning from the people who use it (issue 11), the recognizer's side: every answer given over
 * a data channel passes through `answer` (the recognizer's one hook), which
 *   - takes a name away when a negative example of that person is nearer (gallery/negatives.ts),
 *   - remembers the track's last face for a short while, for corrections (track-memory.ts),
 *   - keeps unknown faces, grouped by person, when `rememberUnknowns` is on (grouping.ts),
 *   - follows settled names into sightings (sightings.ts), stored and published.
 * `answer` is synchronous and cheap; every write goes through one bounded queue that drops (and
 * says so) rather than grow, so nothing here can slow recognition down.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceInfo } from '../../src/lib/protocol/device.ts';
import type { GalleryEntry, Match } from '../gallery/matcher.ts';
import { applyNegatives, createNegativeIndex, EMPTY_NEGATIVES, type NegativeIndex } from '../gallery/negatives.ts';
import { createGrouper, JOIN_DISTANCE, type Grouper } from './grouping.ts';
import { createSightingTracker, type SightingEvent } from './sightings.ts';
import type { DeviceRef, LearnStore, Sighting } from './store.ts';
import { createTrackMemory, type RecentFace } from './track-memory.ts';

/** Writes waiting at most; beyond, new ones are dropped (and counted). */
export const MAX_PENDING_WRITES = 500;
/** How often settings shared through the database (several servers) are read again, ms. */
const SETTINGS_EVERY_MS = 5_000;
const SWEEP_EVERY_MS = 1_000;
/** Retention runs at start and this often, ms. */
const EXPIRE_EVERY_MS = 60 * 60 * 1000;

export type LearnerOptions = {
	store: LearnStore;
	gallery: { entries(): readonly GalleryEntry[]; settings(): Promise<{ keepThumbnails: boolean }> };
	/** How long unknown faces and sightings are kept, ms (RETENTION_DAYS). */
	retentionMs: number;
	/** SIGHTINGS=off: none are followed, stored or sent. */
	sightings: boolean;
	joinDistance?: number;
	/** A JPEG thumbnail of a crop, for unknown faces and corrections while thumbnails are kept. */
	toThumbnail(crop: Uint8Array): Promise<Uint8Array | null>;
	/** Every sighting event, for the event stream and the webhook. */
	onSighting(event: SightingEvent): void;
	log: { info(msg: string): void; warn(msg: string): void };
	now?: () => number;
};

/**
 * One face answered on a channel. `peerId`: the channel's server-issued PeerJS id; `device`: the
 * device its page named in the connect metadata (checked by parseDevice), null when none.
 */
export type Answer = { peerId: string; device: DeviceInfo | null; trackId: number; embedding: Float32Array; match: Match; crop: Uint8Array };

/** What is stored for a channel's device: its stable id and label, or the peer id of a page that sent none. */
export const deviceRef = (peerId: string, device: DeviceInfo | null): DeviceRef =>
	device ? { device: device.id, deviceName: device.name } : { device: peerId, deviceName: null };

export type Learner = {
	/** The recognizer's hook: the answer to send (negatives applied), noted for learning. */
	answer(answer: Answer): Match;
	/** Negatives only (`POST /api/recognize`). */
	refine(embedding: Float32Array, match: Match): Match;
	recentFace(peerId: string, trackId: number): RecentFace | null;
	/** Re-reads what API writes changed. */
	reloadNegatives(): Promise<void>;
	reloadSettings(): Promise<void>;
	/** Re-reads the stored unknown groups (after an import). */
	reloadGroups(): Promise<void>;
	/** A group was named or forgotten. */
	dropGroup(groupId: string): void;
	/** Resolves when every queued write is done (tests, shutdown). */
	flush(): Promise<void>;
	expire(): Promise<void>;
	start(): Promise<void>;
	close(): Promise<void>;
};

export function createLearner(options: LearnerOptions): Learner {
	const { store, gallery, log } = options;
	const now = options.now ?? Date.now;
	const memory = createTrackMemory({ now });
	const grouper: Grouper = createGrouper({ joinDistance: options.joinDistance ?? JOIN_DISTANCE, newId: randomUUID });
	let negatives: NegativeIndex = EMPTY_NEGATIVES;
	let negativesFor: readonly GalleryEntry[] | null = null;
	let remember = false;
	let keepThumbnails = false;
	const timers: NodeJS.Timeout[] = [];

	// One queue for every write: order kept (a group exists before its merge), bounded.
	let tail: Promise<void> = Promise.resolve();
	let pending = 0;
	let dropped = 0;
	function enqueue(what: string, write: () => Promise<unknown>): void {
		if (pending >= MAX_PENDING_WRITES) {
			if (dropped++ % 100 === 0) log.warn(`learn: write queue full, dropped ${dropped} write(s) so far (${what})`);
			return;
		}
		pending++;
		tail = tail
			.then(async () => {
				await write();
			})
			.catch((err: unknown) => log.warn(`learn: ${what} failed: ${(err as Error).message}`))
			.finally(() => pending--);
	}

	const sightings = createSightingTracker(
		{
			started(sighting: Sighting) {
				enqueue('storing a sighting', () => store.addSighting(sighting));
				options.onSighting({ type: 'sighting', sighting });
			},
			touched(sighting, ended) {
				enqueue('updating a sighting', () => store.touchSighting(sighting.id, sighting.lastSeen));
				if (ended) options.onSighting({ type: 'sighting-end', sighting });
			}
		},
		{ now, newId: randomUUID }
	);

	function rememberUnknown(trackKey: string, embedding: Float32Array, crop: Uint8Array): string | null {
		const placed = grouper.place(trackKey, embedding);
		if (!placed) return null;
		const at = now();
		const thumbnails = keepThumbnails;
		enqueue('remembering an unknown face', async () => {
			const thumbnail = placed.keep && thumbnails ? await options.toThumbnail(crop).catch(() => null) : null;
			// A full group still moves its last seen: an empty batch would not, so store the face only when kept.
			if (placed.keep) await store.addUnknownFaces(placed.groupId, [{ groupId: placed.groupId, embedding, at, thumbnail }]);
			for (const from of placed.merged) await store.mergeUnknownGroups(placed.groupId, from);
		});
		return placed.groupId;
	}

	async function reloadNegatives(): Promise<void> {
		try {
			negativesFor = gallery.entries();
		} catch {
			negativesFor = null; // the gallery cannot vouch for itself right now: try again next sweep
		}
		negatives = createNegativeIndex(await store.negatives());
	}

	async function reloadSettings(): Promise<void> {
		const [learn, galleryOnes] = await Promise.all([store.learnSettings(), gallery.settings()]);
		if (remember && !learn.rememberUnknowns) grouper.load([]);
		remember = learn.rememberUnknowns;
		keepThumbnails = galleryOnes.keepThumbnails;
	}

	async function reloadGroups(): Promise<void> {
		grouper.load(remember ? await store.unknownFaces() : []);
	}

	function sweep(): void {
		for (const key of options.sightings ? sightings.sweep() : []) grouper.endTrack(key);
		// Another server changed the gallery (PostgreSQL): its negatives may have changed too.
		let entries: readonly GalleryEntry[] | null;
		try {
			entries = gallery.entries();
		} catch {
			entries = null;
		}
		if (entries && entries !== negativesFor) {
			negativesFor = entries;
			void reloadNegatives().catch((err: unknown) => log.warn(`learn: reading negatives failed: ${(err as Error).message}`));
		}
	}

	async function expire(): Promise<void> {
		const before = now() - options.retentionMs;
		const gone = await store.expire(before);
		if (gone.groups + gone.faces + gone.sightings > 0) {
			log.info(`learn: retention deleted ${gone.faces} unknown face(s), ${gone.groups} group(s), ${gone.sightings} sighting(s)`);
			if (gone.groups + gone.faces > 0) await reloadGroups();
		}
	}

	return {
		answer({ peerId, device: named, trackId, embedding, match, crop }) {
			const final = applyNegatives(embedding, match, negatives);
			const device = deviceRef(peerId, named);
			memory.remember({ peerId, device, trackId, embedding, match: final, at: now(), crop: keepThumbnails ? crop : null });
			const trackKey = `${peerId}\u0000${trackId}`;
			const groupId = !final.personId && remember ? rememberUnknown(trackKey, embedding, crop) : null;
			if (options.sightings) sightings.observe({ trackKey, peerId, device, match: final, groupId });
			return final;
		},
		refine: (embedding, match) => applyNegatives(embedding, match, negatives),
		recentFace: (peerId, trackId) => memory.get(peerId, trackId),
		reloadNegatives,
		reloadSettings,
		reloadGroups,
		dropGroup: (groupId) => grouper.drop(groupId),
		async flush() {
			while (pending > 0) await tail;
		},
		expire,
		async start() {
			await reloadSettings();
			await reloadNegatives();
			await expire();
			await reloadGroups();
			const every = (ms: number, fn: () => void) => {
				const t = setInterval(fn, ms);
				t.unref();
				timers.push(t);
			};
			every(SWEEP_EVERY_MS, sweep);
			every(SETTINGS_EVERY_MS, () => void reloadSettings().catch(() => {}));
			every(EXPIRE_EVERY_MS, () => void expire().catch((err: unknown) => log.warn(`learn: retention failed: ${(err as Error).message}`)));
		},
		async close() {
			for (const t of timers.splice(0)) clearInterval(t);
			if (options.sightings) sightings.endAll();
			while (pending > 0) await tail;
		}
	};
}

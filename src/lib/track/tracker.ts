/**
 * Multi-face tracker: detections in, tracks with stable ids out. Pure (time is an argument).
 *
 * Association is greedy by IoU, best pairs first; each track's box follows an alpha-beta filter
 * (constant velocity), so boxes are smooth at rest, can be predicted on frames without a detection,
 * and faces that cross keep their ids while their predicted boxes separate them.
 *
 * A track ends, and its id (with the name the page hung on it) is never used again, when:
 *  - it is lost: more than `maxMisses` detection frames without a match;
 *  - it is replaced: a detection it could not take (a box jump: too far or too different in size)
 *    lands on it or beside it (centres closer than a box side), unless the caller's `sameFace` says that detection is still its face, in which
 *    case the track takes it (a duplicate short-lived track of one face is never born);
 *  - it is merged: it is young (≤ SHORT_LIVED_HITS detections) and an older track covers the same
 *    face (a detector firing twice);
 *  - the caller calls `reset()` (a cut: the whole picture changed).
 */
import { iou, type Box } from '../geometry.ts';

export type Point = { x: number; y: number };

/** A face found in one frame; `keypoints` (video px) as the detector gives them, if any. */
export type Detection = { box: Box; score: number; keypoints?: readonly Point[] };

export type Track = {
	readonly id: number;
	/** Smoothed (or, between detections, predicted) box in video pixels. */
	box: Box;
	/** The last matched detection's own box: where the face really was then (the smoothed box lags a moving face). */
	measured: Box;
	score: number;
	/** Keypoints of the last matched detection. */
	keypoints?: readonly Point[] | undefined;
	/** Detections matched so far. */
	hits: number;
	/** Consecutive detection frames without a match. */
	misses: number;
	/** Shown and recognized only once confirmed (`hits >= minHits`). */
	confirmed: boolean;
	/** Time of the last matched detection, ms. */
	lastSeenMs: number;
	/** Box change per ms: x, y, width, height. */
	velocity: [number, number, number, number];
	lastUpdateMs: number;
};

export type EndReason = 'lost' | 'replaced' | 'merged' | 'reset';

/** One detection frame's outcome: the live tracks, and the tracks that ended (their ids never come back). */
export type TrackUpdate = {
	tracks: readonly Track[];
	ended: ReadonlyArray<{ id: number; reason: EndReason }>;
	/** Tracks merged into an older track of the same face: `from` ended, `into` lives on. */
	merged: ReadonlyArray<{ from: number; into: number }>;
};

export type TrackerOptions = {
	/** Minimum IoU of a detection with a track's predicted box to continue it. Default 0.2. */
	iouThreshold?: number;
	/** Hits before a track is confirmed. Default 2. */
	minHits?: number;
	/** Detection frames a track may miss before it dies. Default 6. */
	maxMisses?: number;
	/** Position gain of the alpha-beta filter, 0..1: lower is smoother, higher follows faster. Default 0.55. */
	alpha?: number;
	/** Velocity gain. Default 0.2. */
	beta?: number;
	/** Largest change of size (|log ratio|) between prediction and detection still taken as the same face. Default 0.3. */
	maxJump?: number;
	/**
	 * Asked about a detection that landed on a track's predicted box but failed the IoU or size
	 * test (a box jump): is it still that track's face? Yes: the track takes it. No, or absent: the
	 * track ends and the detection starts a new one, so a name never passes to another face.
	 */
	sameFace?: (track: Track, detection: Detection) => boolean;
	/** Share of the smaller of two live tracks' boxes covered by the other above which they are one face. Default 0.6. */
	duplicateOverlap?: number;
};

const toVec = (b: Box): [number, number, number, number] => [b.x, b.y, b.width, b.height];
const toBox = ([x, y, width, height]: number[]): Box => ({
	x: x ?? 0,
	y: y ?? 0,
	width: Math.max(1, width ?? 1),
	height: Math.max(1, height ?? 1)
});

function predictBox(track: Track, tMs: number): Box {
	const dt = Math.max(0, tMs - track.lastUpdateMs);
	const v = toVec(track.box).map((value, i) => value + (track.velocity[i] ?? 0) * dt);
	return toBox(v);
}

/**
 * Whether `measured` is too different in size from `predicted` to be the same face: a face does
 * not grow or shrink by a third between two detections, but a face stepping in front of another
 * does. (Position is no test: fast faces that turn back leave the prediction far behind.)
 */
export function isSizeJump(predicted: Box, measured: Box, maxJump: number): boolean {
	const ratio = (measured.width + measured.height) / Math.max(1, predicted.width + predicted.height);
	return Math.abs(Math.log(ratio)) > maxJump;
}

function centreDistance(a: Box, b: Box): number {
	return Math.hypot(a.x + a.width / 2 - b.x - b.width / 2, a.y + a.height / 2 - b.y - b.height / 2);
}

/** Intersection of two boxes over the area of the smaller: 1 when one holds the other. */
export function overlapOfSmaller(a: Box, b: Box): number {
	const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
	const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
	const smaller = Math.min(a.width * a.height, b.width * b.height);
	return smaller > 0 ? (w * h) / smaller : 0;
}

/** Detections a track may have had and still be merged into an older track of the same face. */
const SHORT_LIVED_HITS = 3;

export function createTracker(options: TrackerOptions = {}) {
	const iouThreshold = options.iouThreshold ?? 0.2;
	const minHits = options.minHits ?? 2;
	const maxMisses = options.maxMisses ?? 6;
	const alpha = options.alpha ?? 0.55;
	const beta = options.beta ?? 0.2;
	const maxJump = options.maxJump ?? 0.3;
	const duplicateOverlap = options.duplicateOverlap ?? 0.6;
	let nextId = 1;
	let tracks: Track[] = [];

	/** Folds `det` into `track`, from the box `predictedBox` the track was expected at `tMs`. */
	function correct(track: Track, det: Detection, tMs: number, predictedBox: Box): void {
		const dt = Math.max(1, tMs - track.lastUpdateMs);
		const predicted = toVec(predictedBox);
		const measured = toVec(det.box);
		const residual = measured.map((m, i) => m - (predicted[i] ?? 0));
		track.box = toBox(predicted.map((p, i) => p + alpha * (residual[i] ?? 0)));
		track.velocity = track.velocity.map((v, i) => v + (beta * (residual[i] ?? 0)) / dt) as Track['velocity'];
		seen(track, det, tMs);
	}

	/** Restarts `track`'s filter on `det`: after a jump its motion so far says nothing. */
	function reacquire(track: Track, det: Detection, tMs: number): void {
		track.box = { ...det.box };
		track.velocity = [0, 0, 0, 0];
		seen(track, det, tMs);
	}

	function seen(track: Track, det: Detection, tMs: number): void {
		track.measured = { ...det.box };
		track.score = det.score;
		track.keypoints = det.keypoints;
		track.hits++;
		track.misses = 0;
		track.confirmed ||= track.hits >= minHits;
		track.lastSeenMs = tMs;
		track.lastUpdateMs = tMs;
	}

	return {
		/** Feeds one frame's detections taken at `tMs`. */
		update(detections: readonly Detection[], tMs: number): TrackUpdate {
			const ended: Array<{ id: number; reason: EndReason }> = [];
			const merged: Array<{ from: number; into: number }> = [];
			const predicted = tracks.map((t) => predictBox(t, tMs));
			const pairs: Array<{ t: number; d: number; score: number }> = [];
			predicted.forEach((box, t) =>
				detections.forEach((det, d) => {
					const score = iou(box, det.box);
					if (score >= iouThreshold && !isSizeJump(box, det.box, maxJump)) pairs.push({ t, d, score });
				})
			);
			pairs.sort((a, b) => b.score - a.score);
			const usedTracks = new Set<number>();
			const usedDetections = new Set<number>();
			for (const { t, d } of pairs) {
				if (usedTracks.has(t) || usedDetections.has(d)) continue;
				usedTracks.add(t);
				usedDetections.add(d);
				correct(tracks[t] as Track, detections[d] as Detection, tMs, predicted[t] as Box);
			}
			// Box jumps: a detection nobody took that lands on (or beside) a track which found nothing.
			const jumps: Array<{ t: number; d: number; distance: number }> = [];
			predicted.forEach((box, t) => {
				if (usedTracks.has(t)) return;
				detections.forEach((det, d) => {
					if (usedDetections.has(d)) return;
					const distance = centreDistance(box, det.box);
					if (distance <= Math.max(box.width, box.height, det.box.width, det.box.height)) jumps.push({ t, d, distance });
				});
			});
			jumps.sort((a, b) => a.distance - b.distance);
			const replaced = new Set<number>();
			for (const { t, d } of jumps) {
				if (usedTracks.has(t) || usedDetections.has(d) || replaced.has(t)) continue;
				const track = tracks[t] as Track;
				const det = detections[d] as Detection;
				if (options.sameFace?.(track, det)) {
					usedTracks.add(t);
					usedDetections.add(d);
					reacquire(track, det, tMs);
				} else {
					replaced.add(t);
				}
			}
			tracks.forEach((track, t) => {
				if (usedTracks.has(t)) return;
				track.misses++;
				track.box = predicted[t] as Box;
				track.lastUpdateMs = tMs;
				// A face that vanished is more likely gone than moving on: damp its motion.
				track.velocity = track.velocity.map((v) => v * 0.5) as Track['velocity'];
			});
			tracks = tracks.filter((track, t) => {
				if (replaced.has(t)) ended.push({ id: track.id, reason: 'replaced' });
				else if (track.misses > maxMisses || (!track.confirmed && track.misses > 0)) ended.push({ id: track.id, reason: 'lost' });
				else return true;
				return false;
			});
			detections.forEach((det, d) => {
				if (usedDetections.has(d)) return;
				tracks.push({
					id: nextId++,
					box: { ...det.box },
					measured: { ...det.box },
					score: det.score,
					keypoints: det.keypoints,
					hits: 1,
					misses: 0,
					confirmed: minHits <= 1,
					lastSeenMs: tMs,
					velocity: [0, 0, 0, 0],
					lastUpdateMs: tMs
				});
			});
			// One face, two tracks (tracks are in birth order): a short-lived younger one goes into the
			// older. Two old tracks that overlap are two faces crossing, and keep their ids.
			const gone = new Set<Track>();
			for (const [i, older] of tracks.entries()) {
				if (gone.has(older) || older.misses > 0) continue;
				for (const younger of tracks.slice(i + 1)) {
					if (gone.has(younger) || younger.misses > 0 || younger.hits > SHORT_LIVED_HITS) continue;
					if (overlapOfSmaller(older.box, younger.box) < duplicateOverlap) continue;
					gone.add(younger);
					older.confirmed ||= younger.confirmed;
					ended.push({ id: younger.id, reason: 'merged' });
					merged.push({ from: younger.id, into: older.id });
				}
			}
			if (gone.size) tracks = tracks.filter((t) => !gone.has(t));
			return { tracks, ended, merged };
		},

		/** Boxes of the live tracks extrapolated to `tMs`, for frames drawn without a detection. */
		predict(tMs: number): Array<{ track: Track; box: Box }> {
			return tracks.map((track) => ({ track, box: predictBox(track, tMs) }));
		},

		/** Ends every track (the picture changed as a whole); returns their ids. */
		reset(): number[] {
			const ids = tracks.map((t) => t.id);
			tracks = [];
			return ids;
		},

		tracks: (): readonly Track[] => tracks
	};
}

export type Tracker = ReturnType<typeof createTracker>;

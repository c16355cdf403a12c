/**
 * Multi-face tracker: detections in, tracks with stable ids out. Pure (time is an argument).
 *
 * Association is greedy by IoU, best pairs first; each track's box follows an alpha-beta filter
 * (constant velocity), so boxes are smooth at rest, can be predicted on frames without a detection,
 * and faces that cross keep their ids while their predicted boxes separate them.
 */
import { iou, type Box } from '../geometry.ts';

export type Point = { x: number; y: number };

/** A face found in one frame; `keypoints` (video px) as the detector gives them, if any. */
export type Detection = { box: Box; score: number; keypoints?: readonly Point[] };

export type Track = {
	readonly id: number;
	/** Smoothed (or, between detections, predicted) box in video pixels. */
	box: Box;
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

export function createTracker(options: TrackerOptions = {}) {
	const iouThreshold = options.iouThreshold ?? 0.2;
	const minHits = options.minHits ?? 2;
	const maxMisses = options.maxMisses ?? 6;
	const alpha = options.alpha ?? 0.55;
	const beta = options.beta ?? 0.2;
	const maxJump = options.maxJump ?? 0.3;
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
		track.score = det.score;
		track.keypoints = det.keypoints;
		track.hits++;
		track.misses = 0;
		track.confirmed ||= track.hits >= minHits;
		track.lastSeenMs = tMs;
		track.lastUpdateMs = tMs;
	}

	return {
		/** Feeds one frame's detections taken at `tMs`; returns the live tracks. */
		update(detections: readonly Detection[], tMs: number): readonly Track[] {
			const predicted = tracks.map((t) => predictBox(t, tMs));
			const pairs: Array<{ t: number; d: number; score: number }> = [];
			predicted.forEach((box, t) =>
				detections.forEach((det, d) => {
					const score = iou(box, det.box);
					// A young track's velocity is still a guess: judge jumps only once it has settled.
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
			tracks.forEach((track, t) => {
				if (usedTracks.has(t)) return;
				track.misses++;
				track.box = predicted[t] as Box;
				track.lastUpdateMs = tMs;
				// A face that vanished is more likely gone than moving on: damp its motion.
				track.velocity = track.velocity.map((v) => v * 0.5) as Track['velocity'];
			});
			tracks = tracks.filter((t) => t.misses <= maxMisses && (t.confirmed || t.misses === 0));
			detections.forEach((det, d) => {
				if (usedDetections.has(d)) return;
				tracks.push({
					id: nextId++,
					box: { ...det.box },
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
			return tracks;
		},

		/** Boxes of the live tracks extrapolated to `tMs`, for frames drawn without a detection. */
		predict(tMs: number): Array<{ track: Track; box: Box }> {
			return tracks.map((track) => ({ track, box: predictBox(track, tMs) }));
		},

		tracks: (): readonly Track[] => tracks
	};
}

export type Tracker = ReturnType<typeof createTracker>;

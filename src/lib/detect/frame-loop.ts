/**
 * The live loop: every video frame, detect (when due) → track → draw; crops go up only for
 * tracks whose identity wants one. Never throws: failures land in `onStatus`.
 */
import type { Box } from '../geometry.ts';
import type { PeerLink } from '../link/peer-link.ts';
import { drawOverlay, type OverlayFace } from '../overlay/draw.ts';
import { cropFace } from '../track/crop.ts';
import { createIdentityRules, newIdentity, UNKNOWN, type Identity } from '../track/identity.ts';
import { createTracker } from '../track/tracker.ts';
import type { FaceDetector } from './detector.ts';

export type ShownFace = { trackId: number; label: string; box: Box };

export type FrameLoopOptions = {
	video: HTMLVideoElement;
	canvas: HTMLCanvasElement;
	detector: FaceDetector;
	link: PeerLink;
	mirror: () => boolean;
	/** Called when the set of shown faces or their labels change. */
	onFaces: (faces: ShownFace[]) => void;
	onStatus: (status: { fps: number; detectMs: number; error?: string }) => void;
};

/** Crops in the data channel's send buffer above which new crops are skipped (a stale crop is worthless). */
const MAX_BACKLOG_BYTES = 64 * 1024;

/** Canvas pixels per CSS pixel of the displayed (object-fit: contain) picture. */
function displayScale(canvas: HTMLCanvasElement): number {
	const shown = Math.min(canvas.clientWidth / canvas.width, canvas.clientHeight / canvas.height);
	return shown > 0 ? 1 / shown : 1;
}

/** Starts the loop; returns the function that stops it. */
export function startFrameLoop(options: FrameLoopOptions): () => void {
	const { video, canvas, detector, link } = options;
	const tracker = createTracker();
	const rules = createIdentityRules();
	const identities = new Map<number, Identity>();
	const requests = new Map<number, number>(); // requestId → trackId
	let nextRequestId = 1;
	let stopped = false;
	let handle = 0;
	let lastShown = '';
	let frames = 0;
	let windowStart = performance.now();
	let detectMs = 0;
	let lastTimestamp = -1;

	const offMessage = link.on('message', (message) => {
		if (message.type === 'welcome') return;
		const trackId = message.requestId === undefined ? undefined : requests.get(message.requestId);
		if (message.requestId !== undefined) requests.delete(message.requestId);
		const identity = trackId === undefined ? undefined : identities.get(trackId);
		if (!identity) return;
		if (message.type === 'identity') rules.record(identity, message);
		else rules.fail(identity);
	});
	const offState = link.on('state', (state) => {
		if (state !== 'connected') {
			requests.clear();
			identities.forEach((identity) => rules.fail(identity));
		}
	});

	function requestCrops(now: number): void {
		if (link.state !== 'connected' || link.backlogBytes > MAX_BACKLOG_BYTES) return;
		for (const track of tracker.tracks()) {
			if (!track.confirmed || track.misses > 0) continue;
			let identity = identities.get(track.id);
			if (!identity) identities.set(track.id, (identity = newIdentity()));
			if (!rules.claimCrop(identity, now)) continue;
			const requestId = nextRequestId++;
			const trackId = track.id;
			requests.set(requestId, trackId);
			const claimed = identity;
			cropFace(video, track.box)
				.then((crop) => {
					const sent =
						crop !== null &&
						link.send({ type: 'identify', requestId, trackId, width: crop.width, height: crop.height, crop: crop.bytes });
					if (!sent) {
						requests.delete(requestId);
						rules.fail(claimed);
					}
				})
				.catch(() => rules.fail(claimed));
		}
	}

	function publish(faces: OverlayFace[]): void {
		const key = faces.map((f) => `${f.id}:${f.label}`).join('|');
		if (key === lastShown) return;
		lastShown = key;
		options.onFaces(faces.map((f) => ({ trackId: f.id, label: f.label, box: f.box })));
	}

	function frame(): void {
		if (stopped) return;
		try {
			if (video.readyState >= 2 && video.videoWidth > 0) {
				if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
					canvas.width = video.videoWidth;
					canvas.height = video.videoHeight;
				}
				// MediaPipe needs strictly increasing timestamps.
				const now = Math.max(performance.now(), lastTimestamp + 1);
				lastTimestamp = now;
				const t0 = performance.now();
				const detections = detector.detect(video, now);
				detectMs = detectMs * 0.9 + (performance.now() - t0) * 0.1;
				const tracks = tracker.update(detections, now);
				for (const id of identities.keys()) if (!tracks.some((t) => t.id === id)) identities.delete(id);
				requestCrops(now);
				const faces: OverlayFace[] = tracks
					.filter((t) => t.confirmed)
					.map((t) => {
						const label = identities.get(t.id)?.label ?? UNKNOWN;
						return { id: t.id, box: t.box, label, known: label !== UNKNOWN };
					});
				const ctx = canvas.getContext('2d');
				if (ctx) drawOverlay(ctx, faces, { mirror: options.mirror(), pixelsPerCssPixel: displayScale(canvas) });
				publish(faces);
				frames++;
			}
			const elapsed = performance.now() - windowStart;
			if (elapsed >= 1000) {
				options.onStatus({ fps: (frames * 1000) / elapsed, detectMs });
				frames = 0;
				windowStart = performance.now();
			}
		} catch (err) {
			options.onStatus({ fps: 0, detectMs, error: (err as Error).message });
		}
		schedule();
	}

	function schedule(): void {
		if (stopped) return;
		if ('requestVideoFrameCallback' in video) handle = video.requestVideoFrameCallback(frame);
		else handle = requestAnimationFrame(frame);
	}

	schedule();
	return () => {
		stopped = true;
		if ('cancelVideoFrameCallback' in video) video.cancelVideoFrameCallback(handle);
		cancelAnimationFrame(handle);
		offMessage();
		offState();
	};
}

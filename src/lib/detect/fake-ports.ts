/**
 * Fakes of the live loop's ports for unit tests: a scripted scene (which picture is on screen,
 * whose faces are where), a detector and a capture that read it, a link that answers like the
 * recognizer, and a manual clock. Only tests import this module.
 */
import type { Box } from '../geometry.ts';
import type { LinkState } from '../link/peer-link.ts';
import type { ClientMessage, IdentityMessage, ServerMessage } from '../protocol/messages.ts';
import { SIGNATURE_SIDE_PX } from '../track/appearance.ts';
import { THUMB_HEIGHT, THUMB_WIDTH } from '../track/scene-cut.ts';
import type { Detection } from '../track/tracker.ts';
import type { Clock, FrameCapture, FrameDetector, LoopLink } from './ports.ts';

/** One face in the scene: who it is (a key of the fake gallery, or anything else) and where. */
export type SceneFace = { who: string; box: Box; score?: number; detected?: boolean };
/** What the camera shows now: a picture (its id decides the thumbnail) and the faces in it. */
export type SceneFrame = { picture: string; faces: SceneFace[] };

/** Deterministic pseudo-random pattern per key: different keys give uncorrelated images. */
function pattern(key: string, length: number): Float32Array {
	let seed = 2166136261;
	for (const c of key) seed = Math.imul(seed ^ c.charCodeAt(0), 16777619);
	const out = new Float32Array(length);
	for (let i = 0; i < length; i++) {
		seed = Math.imul(seed ^ (seed >>> 15), 2246822507) ^ Math.imul(seed ^ (seed >>> 13), 3266489909);
		out[i] = (seed >>> 0) % 256;
	}
	return out;
}

function normalised(values: Float32Array): Float32Array {
	const mean = values.reduce((a, b) => a + b, 0) / values.length;
	const centred = values.map((v) => v - mean);
	const norm = Math.sqrt(centred.reduce((a, b) => a + b * b, 0)) || 1;
	return centred.map((v) => v / norm);
}

export type FakeShot = { who: string; released: boolean };

export function createFakeScene() {
	let current: SceneFrame = { picture: 'empty', faces: [] };
	const shots: FakeShot[] = [];
	const faceAt = (box: Box) =>
		current.faces.find(
			(f) =>
				Math.abs(f.box.x + f.box.width / 2 - (box.x + box.width / 2)) < box.width / 2 &&
				Math.abs(f.box.y + f.box.height / 2 - (box.y + box.height / 2)) < box.height / 2
		);

	const detector: FrameDetector = {
		detect: (): Detection[] => current.faces.filter((f) => f.detected !== false).map((f) => ({ box: { ...f.box }, score: f.score ?? 0.95 }))
	};

	const capture: FrameCapture<FakeShot> = {
		thumbnail: () => pattern(`picture:${current.picture}`, THUMB_WIDTH * THUMB_HEIGHT),
		signature: (box) => normalised(pattern(`face:${faceAt(box)?.who ?? 'nothing'}`, SIGNATURE_SIDE_PX * SIGNATURE_SIDE_PX)),
		capture: async (box) => {
			const shot = { who: faceAt(box)?.who ?? 'nothing', released: false };
			shots.push(shot);
			return shot;
		},
		sharpness: () => 100,
		encode: async (shot) => ({ bytes: new TextEncoder().encode(shot.who), width: 112, height: 112 }),
		release: (shot) => {
			shot.released = true;
		}
	};

	return {
		detector,
		capture,
		/** Every shot taken so far (to check each was released). */
		shots,
		show(frame: SceneFrame): void {
			current = frame;
		}
	};
}

/**
 * Answers like the recognizer: a crop of someone in `gallery` gets their name, of `torso` (or
 * anything with no face) a no-face answer, of anyone else `unknown`. `weak`: people whose
 * answers come back `unknown` (a bad crop) the given number of times first. Answers wait in a
 * queue until `deliver()`, so tests choose when they arrive.
 */
export function createFakeLink({ gallery, weak = {} }: { gallery: Record<string, string>; weak?: Record<string, number> }) {
	const listeners = { message: new Set<(m: ServerMessage) => void>(), state: new Set<(s: LinkState) => void>() };
	const queue: ServerMessage[] = [];
	const sent: Array<Extract<ClientMessage, { type: 'identify' }> & { who: string }> = [];
	const misses = { ...weak };
	const link: LoopLink & { state: LinkState } = {
		state: 'connected',
		backlogBytes: 0,
		send(message) {
			if (link.state !== 'connected') return false;
			if (message.type !== 'identify') return true;
			const who = new TextDecoder().decode(message.crop);
			sent.push({ ...message, who });
			queue.push(answerFor(message.requestId, message.trackId, who));
			return true;
		},
		on(event: 'message' | 'state', fn: ((m: ServerMessage) => void) & ((s: LinkState) => void)) {
			listeners[event].add(fn);
			return () => listeners[event].delete(fn);
		}
	};

	function answerFor(requestId: number, trackId: number, who: string): IdentityMessage {
		const base = { type: 'identity' as const, requestId, trackId };
		if (who === 'nothing' || who.startsWith('torso')) return { ...base, label: 'unknown', personId: null, distance: null, confidence: 0, face: false };
		const name = gallery[who];
		if (name && (misses[who] ?? 0) > 0) {
			misses[who]!--;
			return { ...base, label: 'unknown', personId: null, distance: 0.56, confidence: 0, face: true };
		}
		return name
			? { ...base, label: name, personId: `id-${name}`, distance: 0.4, confidence: 0.64, face: true }
			: { ...base, label: 'unknown', personId: null, distance: 0.7, confidence: 0, face: true };
	}

	return {
		link,
		sent,
		/** Delivers every queued answer. */
		deliver(): void {
			for (const message of queue.splice(0)) listeners.message.forEach((fn) => fn(message));
		},
		setState(state: LinkState): void {
			link.state = state;
			listeners.state.forEach((fn) => fn(state));
		}
	};
}

export function createManualClock(startMs = 0): Clock & { advance(ms: number): number } {
	let now = startMs;
	return {
		now: () => now,
		advance(ms) {
			now += ms;
			return now;
		}
	};
}

/** Lets pending promises (captures, encodes) run. */
export async function settle(): Promise<void> {
	for (let i = 0; i < 5; i++) await Promise.resolve();
}

import { describe, expect, it } from 'vitest';
import { MAX_CROPS_PER_SECOND, encodeClientMessage, type IdentifyMessage } from '../../src/lib/protocol/messages.ts';
import { AppError } from '../../src/lib/protocol/errors.ts';
import type { GalleryEntry } from '../gallery/matcher.ts';
import { createRecognizer, type CropJob, type Embedder, type RecognizerDeps } from './recognizer.ts';

const alice = Float32Array.from([1, 0]);
const entries: GalleryEntry[] = [{ personId: 'a', name: 'alice', embedding: alice }];

/** Alice a little turned (0.26 from her), and on a weak frame further that way (0.52: beyond the threshold 0.5 alone). */
const aliceTurned = Float32Array.from([1, 0.26]);
const aliceBlurred = Float32Array.from([1, 0.52]);
/** Between alice and bob (below): a shade nearer bob, too near alice for a name alone (the margin). */
const between = Float32Array.from([1, 0.305]);
/** About as near alice as bob (0.29 against 0.31): nearer alice, but by less than the margin (0.04). */
const aliceOrBob = Float32Array.from([1, 0.29]);
const faceOf = (byte: number | undefined) =>
	byte === 1 ? alice : byte === 3 ? aliceBlurred : byte === 4 ? aliceTurned : byte === 5 ? between : byte === 6 ? aliceOrBob : Float32Array.from([0, 1]);

/** A fake embedder reading the "face" from the crop's first byte: 1 alice, 4 turned, 3 blurred, 2 stranger, 0 none. */
const embedder: Embedder = {
	async describeCrop(bytes) {
		if (bytes[0] === 9) throw new AppError('bad-image', 'cannot decode');
		if (bytes[0] === 0) return { descriptor: null };
		return { descriptor: faceOf(bytes[0]) };
	}
};

function identify(first: number, requestId = 1, size = 100): Uint8Array {
	const msg: IdentifyMessage = {
		type: 'identify',
		requestId,
		trackId: 5,
		width: 100,
		height: 100,
		crop: Uint8Array.from([first, size])
	};
	return encodeClientMessage(msg);
}

function recognizer(now?: () => number, fusion?: RecognizerDeps['fusion'], gallery: readonly GalleryEntry[] = entries) {
	return createRecognizer({
		embedder,
		gallery: { entries: () => gallery },
		probe: async (bytes) => ({ width: bytes[1] ?? 0, height: bytes[1] ?? 0 }),
		threshold: 0.5,
		recognizerId: 'rec',
		...(now ? { now } : {}),
		...(fusion ? { fusion } : {})
	});
}
const setup = (now?: () => number, gallery: readonly GalleryEntry[] = entries) => recognizer(now, undefined, gallery).openSession();

describe('recognizer', () => {
	it("with fusion, matches a track's recent crops together: a weak frame after a clear one keeps the name", async () => {
		const fused = recognizer(() => 0, { maxDescriptors: 4 });
		const session = fused.openSession();
		expect(await session.handle(identify(4, 1))).toMatchObject({ label: 'alice' });
		const weak = await session.handle(identify(3, 2));
		expect(weak).toMatchObject({ label: 'alice', personId: 'a' });
		expect((weak as { distance: number }).distance).toBeCloseTo(0.39, 5);
		// A stranger taking over the track is matched alone, not averaged with alice.
		expect(await session.handle(identify(2, 6))).toMatchObject({ label: 'unknown', distance: Math.SQRT2 });
		// Alone (another channel's track 5, or fusion off) the same weak frame is nobody.
		expect(await fused.openSession().handle(identify(3, 3))).toMatchObject({ label: 'unknown', personId: null });
		const plain = setup();
		await plain.handle(identify(4, 4));
		expect(await plain.handle(identify(3, 5))).toMatchObject({ label: 'unknown', personId: null });
	});

	// In both, the mean of the track's three crops (about 0.27 from alice, 0.33 from bob) names alice;
	// history may lift a face over the threshold, never decide between two people.
	it.each([
		{ face: 5, alone: 'nearer bob by a shade (0.305 against 0.295)' },
		{ face: 6, alone: 'nearer alice by less than the margin (0.29 against 0.31)' }
	])('with fusion, leaves a face unknown that alone is $alone, though its track names alice', async ({ face }) => {
		const bob: GalleryEntry = { personId: 'b', name: 'bob', embedding: Float32Array.from([1, 0.6]) };
		const session = recognizer(() => 0, { maxDescriptors: 4 }, [...entries, bob]).openSession();
		expect(await session.handle(identify(4, 1))).toMatchObject({ label: 'alice' });
		expect(await session.handle(identify(4, 2))).toMatchObject({ label: 'alice' });
		expect(await session.handle(identify(face, 3))).toMatchObject({ label: 'unknown', personId: null });
	});

	it('welcomes a hello with the limits', async () => {
		const reply = await setup().handle(encodeClientMessage({ type: 'hello' }));
		expect(reply).toMatchObject({ type: 'welcome', recognizer: 'rec', maxCropSidePx: 160 });
	});

	it('names a known face and echoes request and track ids', async () => {
		const reply = await setup().handle(identify(1, 42));
		expect(reply).toMatchObject({ type: 'identity', requestId: 42, trackId: 5, label: 'alice', personId: 'a' });
	});

	it('says unknown for a stranger and for a crop without a face', async () => {
		const session = setup();
		expect(await session.handle(identify(2))).toMatchObject({ label: 'unknown', personId: null, face: true });
		expect(await session.handle(identify(0))).toMatchObject({ label: 'unknown', distance: null, face: false });
	});

	it('tells a face with nobody enrolled to compare it with from a crop without a face', async () => {
		const session = setup(undefined, []);
		expect(await session.handle(identify(1))).toMatchObject({ label: 'unknown', personId: null, distance: null, face: true });
		expect(await session.handle(identify(0))).toMatchObject({ label: 'unknown', distance: null, face: false });
	});

	it('answers garbage with bad-message and keeps serving', async () => {
		const session = setup();
		expect(await session.handle(null)).toMatchObject({ type: 'error', code: 'bad-message' });
		expect(await session.handle(new Uint8Array([1, 2, 3]))).toMatchObject({ code: 'bad-message' });
		expect(await session.handle(identify(1))).toMatchObject({ label: 'alice' });
	});

	it('refuses crops larger than the limit and undecodable crops, by request id', async () => {
		const session = setup();
		expect(await session.handle(identify(1, 3, 200))).toMatchObject({ code: 'too-large', requestId: 3 });
		expect(await session.handle(identify(9, 4))).toMatchObject({ code: 'bad-image', requestId: 4 });
	});

	it('rate-limits a client that floods, and recovers as time passes', async () => {
		let t = 0;
		const session = setup(() => t);
		const replies = [];
		for (let i = 0; i <= MAX_CROPS_PER_SECOND; i++) replies.push(await session.handle(identify(1, i)));
		expect(replies.filter((r) => r.type === 'identity')).toHaveLength(MAX_CROPS_PER_SECOND);
		expect(replies.at(-1)).toMatchObject({ code: 'rate-limited', requestId: MAX_CROPS_PER_SECOND, retryAfterMs: 1000 });
		t += 1000;
		expect(await session.handle(identify(1))).toMatchObject({ type: 'identity' });
	});

	it('queues every crop as a live job of its own session, with the deadline', async () => {
		const jobs: CropJob[] = [];
		const recognizer = createRecognizer({
			embedder: { describeCrop: async (_bytes, job) => (jobs.push(job), { descriptor: alice }) },
			gallery: { entries: () => entries },
			probe: (bytes) => ({ width: bytes[1] ?? 0, height: bytes[1] ?? 0 }),
			threshold: 0.5,
			recognizerId: 'rec',
			liveDeadlineMs: 300
		});
		const [a, b] = [recognizer.openSession({ address: '10.0.0.1' }), recognizer.openSession({ address: '10.0.0.1' })];
		b.close(); // no cancel port here: nothing to do, and nothing breaks
		await a.handle(identify(1));
		await b.handle(identify(1));
		await a.handle(identify(1));
		expect(jobs.map((j) => j.priority)).toEqual(['live', 'live', 'live']);
		expect(jobs.map((j) => j.withinMs)).toEqual([300, 300, 300]);
		expect(jobs[0]!.client).toBe(jobs[2]!.client);
		expect(jobs[0]!.client).not.toBe(jobs[1]!.client);
	});

	it('hands the browser’s keypoints on with the crop, and nothing when it sent none', async () => {
		const jobs: CropJob[] = [];
		const session = createRecognizer({
			embedder: { describeCrop: async (_bytes, job) => (jobs.push(job), { descriptor: alice }) },
			gallery: { entries: () => entries },
			probe: (bytes) => ({ width: bytes[1] ?? 0, height: bytes[1] ?? 0 }),
			threshold: 0.5,
			recognizerId: 'rec'
		}).openSession();
		const keypoints: Array<[number, number]> = [
			[30, 40],
			[60, 40],
			[45, 55],
			[45, 70],
			[15, 50],
			[75, 50]
		];
		const msg: IdentifyMessage = { type: 'identify', requestId: 3, trackId: 5, width: 100, height: 100, crop: Uint8Array.from([1, 100]), keypoints };
		expect(await session.handle(encodeClientMessage(msg))).toMatchObject({ type: 'identity', label: 'alice' });
		await session.handle(identify(1));
		expect(jobs[0]!.keypoints).toEqual(keypoints);
		expect(jobs[1]).not.toHaveProperty('keypoints');
	});

	it('passes the embedder’s overloaded on with its retry-after, and times every answer', async () => {
		const answers: string[] = [];
		let t = 0;
		const session = createRecognizer({
			embedder: {
				async describeCrop() {
					t += 40;
					throw new AppError('overloaded', 'busy', { retryAfterMs: 612.4 });
				}
			},
			gallery: { entries: () => entries },
			probe: (bytes) => ({ width: bytes[1] ?? 0, height: bytes[1] ?? 0 }),
			threshold: 0.5,
			recognizerId: 'rec',
			now: () => t,
			onAnswer: (ms, outcome) => answers.push(`${outcome} ${ms}`)
		}).openSession();
		expect(await session.handle(identify(1, 8))).toEqual({ type: 'error', code: 'overloaded', message: 'busy', requestId: 8, retryAfterMs: 612 });
		expect(await session.handle(identify(1, 9, 200))).toMatchObject({ code: 'too-large' });
		expect(answers).toEqual(['overloaded 40', 'too-large 0']);
	});

	it('drops a closed session’s waiting crops', async () => {
		const cancelled: string[] = [];
		const jobs: CropJob[] = [];
		const session = createRecognizer({
			embedder: { describeCrop: (_bytes, job) => (jobs.push(job), new Promise(() => {})), cancel: (client) => cancelled.push(client) },
			gallery: { entries: () => entries },
			probe: () => ({ width: 100, height: 100 }),
			threshold: 0.5,
			recognizerId: 'rec'
		}).openSession();
		void session.handle(identify(1));
		// The crop reaches the embedder after the header check (a microtask or two).
		await new Promise((resolve) => setImmediate(resolve));
		expect(jobs).toHaveLength(1);
		session.close();
		expect(cancelled).toEqual([jobs[0]!.client]);
	});

	it('tells learning which peer and which device each face came from', async () => {
		const seen: unknown[] = [];
		const device = { id: '0123456789abcdef0123456789abcdef', name: 'Firefox on Linux' };
		const { openSession } = createRecognizer({
			embedder,
			gallery: { entries: () => entries },
			probe: () => ({ width: 100, height: 100 }),
			threshold: 0.5,
			recognizerId: 'rec',
			learn: ({ peerId, device, trackId, match }) => (seen.push({ peerId, device, trackId }), match)
		});
		await openSession({ address: '10.0.0.1', peerId: 'peer-1', device }).handle(identify(1));
		await openSession({ address: '10.0.0.1', peerId: 'peer-2' }).handle(identify(1));
		expect(seen).toEqual([
			{ peerId: 'peer-1', device, trackId: 5 },
			{ peerId: 'peer-2', device: null, trackId: 5 }
		]);
	});
});

import { describe, expect, it } from 'vitest';
import type { Box } from '../geometry.ts';
import type { OverlayFace } from '../overlay/draw.ts';
import { createFakeLink, createFakeScene, createManualClock, settle, type SceneFrame } from './fake-ports.ts';
import type { ShownFace } from './frame-publisher.ts';
import { createLiveLoop } from './live-loop.ts';
import type { LoopStatus } from './loop-stats.ts';

const FRAME_MS = 66;
const at = (x: number, y = 120, size = 160): Box => ({ x, y, width: size, height: size });

/**
 * Runs a scripted scene through the loop, one frame at a time, answering every crop before the
 * next frame (`answerEvery` frames: slower answers). Returns what was drawn on each frame.
 */
async function run(frames: readonly SceneFrame[], { gallery = { A: 'alice', B: 'bob' }, weak = {}, answerEvery = 1, detectEvery = 1 } = {}) {
	const scene = createFakeScene();
	const fake = createFakeLink({ gallery, weak });
	const clock = createManualClock(1000);
	const drawn: Array<readonly OverlayFace[]> = [];
	const published: ShownFace[][] = [];
	const statuses: LoopStatus[] = [];
	const loop = createLiveLoop({
		clock,
		detector: scene.detector,
		capture: scene.capture,
		link: fake.link,
		frameSize: () => ({ width: 640, height: 480 }),
		draw: (faces) => drawn.push(faces),
		cropSettings: () => ({ maxSide: 112, quality: 0.5, type: 'image/webp' }),
		detectEvery,
		onFaces: (faces) => published.push(faces),
		onStatus: (s) => statuses.push(s)
	});
	for (const [i, frame] of frames.entries()) {
		scene.show(frame);
		loop.frame(clock.advance(FRAME_MS), i / 15);
		await settle();
		if ((i + 1) % answerEvery === 0) fake.deliver();
	}
	loop.stop();
	return { drawn, published, statuses, sent: fake.sent, shots: scene.shots, fake };
}

const repeat = (n: number, frame: SceneFrame) => Array.from({ length: n }, () => frame);
const labels = (faces: readonly OverlayFace[]) => faces.map((f) => (f.state === 'asking' ? '…' : f.label));

describe('live loop', () => {
	it('names a face within a few frames of its first detection, asking about it at once', async () => {
		const { drawn, sent } = await run(repeat(10, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }));
		// Frame 1: detected, crop sent, not yet confirmed; frame 2: confirmed and already named.
		expect(sent[0]?.who).toBe('A');
		expect(labels(drawn[0]!)).toEqual([]);
		expect(labels(drawn[1]!)).toEqual(['alice']);
		expect(drawn.slice(1).every((f) => labels(f).join() === 'alice')).toBe(true);
	});

	it('never shows the first name over the second face after a cut', async () => {
		// A, then a hard cut to B in exactly the same place (the tracker alone would carry A's track over).
		const frames = [
			...repeat(12, { picture: 'shot-1', faces: [{ who: 'A', box: at(200) }] }),
			...repeat(12, { picture: 'shot-2', faces: [{ who: 'B', box: at(204) }] })
		];
		const { drawn } = await run(frames);
		expect(drawn.slice(2, 12).every((f) => labels(f).join() === 'alice')).toBe(true);
		const afterCut = drawn.slice(12).map(labels);
		expect(afterCut.flat()).not.toContain('alice');
		expect(afterCut.at(-1)).toEqual(['bob']);
		// The new face is named within two frames of the cut.
		expect(afterCut.findIndex((l) => l.includes('bob'))).toBeLessThanOrEqual(2);
	});

	it('also clears names at a cut between two detection frames', async () => {
		const frames = [
			...repeat(12, { picture: 'shot-1', faces: [{ who: 'A', box: at(200) }] }),
			...repeat(12, { picture: 'shot-2', faces: [{ who: 'B', box: at(200) }] })
		];
		const { drawn } = await run(frames, { detectEvery: 3 });
		expect(drawn.slice(12).flatMap(labels)).not.toContain('alice');
		expect(labels(drawn.at(-1)!)).toEqual(['bob']);
	});

	it('ends a track whose box jumped onto somebody else without a cut', async () => {
		// Same picture (no cut): A leaves and B appears 130 px away at once (IoU 0.1: a jump).
		const frames = [
			...repeat(10, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }),
			...repeat(10, { picture: 'room', faces: [{ who: 'B', box: at(230) }] })
		];
		const { drawn } = await run(frames);
		expect(drawn.slice(10).flatMap(labels)).not.toContain('alice');
		expect(labels(drawn.at(-1)!)).toEqual(['bob']);
	});

	it('asks at once, and takes the answer at once, when somebody else steps into the same box', async () => {
		// No cut and no jump (IoU 0.3): only the face's looks say it changed.
		const frames = [
			...repeat(10, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }),
			...repeat(10, { picture: 'room', faces: [{ who: 'B', box: at(180) }] })
		];
		const { drawn } = await run(frames);
		const after = drawn.slice(10).map((f) => labels(f).join());
		// The frame B appears on still shows the track's name; the answer about B replaces it on the next.
		expect(after.slice(1).every((l) => l === 'bob')).toBe(true);
	});

	it('never sends a frame collected before the face changed as a crop of the new face', async () => {
		// A is named and settled; at the 2 s refresh a best-shot window opens on A's frames, and B
		// takes A's place (same box) in the middle of it.
		const frames = [
			...repeat(32, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }),
			...repeat(8, { picture: 'room', faces: [{ who: 'B', box: at(100) }] })
		];
		const { drawn, sent } = await run(frames);
		const refresh = sent.slice(1).map((s) => s.who);
		expect(refresh).not.toContain('A');
		expect(refresh[0]).toBe('B');
		expect(labels(drawn.at(-1)!)).toEqual(['bob']);
		expect(drawn.slice(33).map((f) => labels(f).join())).not.toContain('alice');
	});

	it('keeps the track, its id and its name through a jump of the same face', async () => {
		const frames = [
			...repeat(10, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }),
			...repeat(10, { picture: 'room', faces: [{ who: 'A', box: at(190) }] })
		];
		const { drawn, sent } = await run(frames);
		const ids = new Set(drawn.slice(1).flatMap((f) => f.map((face) => face.id)));
		expect(ids.size).toBe(1);
		expect(drawn.slice(1).every((f) => labels(f).join() === 'alice')).toBe(true);
		// No new questions for the same face after the jump.
		expect(sent.length).toBeLessThanOrEqual(2);
	});

	it('keeps the name through a missed detection', async () => {
		const face = { who: 'A', box: at(100) };
		const frames = [
			...repeat(6, { picture: 'room', faces: [face] }),
			{ picture: 'room', faces: [{ ...face, detected: false }] },
			...repeat(6, { picture: 'room', faces: [face] })
		];
		const { drawn } = await run(frames);
		expect(drawn.slice(1).map((f) => labels(f).join())).toEqual(Array(12).fill('alice'));
		expect(new Set(drawn.slice(1).flatMap((f) => f.map((x) => x.id))).size).toBe(1);
	});

	it('keeps the name when one answer comes back unknown', async () => {
		// Alice's first crop is named, her second one (a bad frame) is not.
		const { drawn } = await run(repeat(12, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }), { weak: {}, answerEvery: 1 });
		expect(drawn.slice(1).every((f) => labels(f).join() === 'alice')).toBe(true);
		const flaky = await run(repeat(12, { picture: 'room', faces: [{ who: 'A', box: at(100) }] }), { weak: { A: 1 } });
		// The first answer is a weak unknown, the next names her; once named she stays named.
		const shown = flaky.drawn.map((f) => labels(f).join());
		const named = shown.indexOf('alice');
		expect(named).toBeGreaterThan(0);
		expect(shown.slice(named).every((l) => l === 'alice')).toBe(true);
	});

	it("sends a new face's first crop before another face's second", async () => {
		// A's first answer is a weak unknown, so A wants a second crop just as B appears.
		const a = { who: 'A', box: at(60) };
		const b = { who: 'B', box: at(380) };
		const frames = [{ picture: 'room', faces: [a] }, ...repeat(4, { picture: 'room', faces: [a, b] })];
		const { sent } = await run(frames, { weak: { A: 1 } });
		expect(sent.map((s) => s.who)).toEqual(['A', 'B', 'A']);
	});

	it('never shows a box the server finds no face in as a person', async () => {
		const frames = repeat(20, {
			picture: 'room',
			faces: [
				{ who: 'A', box: at(60) },
				{ who: 'torso', box: at(380, 250, 140) }
			]
		});
		const { drawn, published, sent } = await run(frames);
		for (const faces of drawn) expect(faces.filter((f) => f.box.x > 300)).toEqual([]);
		expect(published.flat().some((f) => f.box.x > 300)).toBe(false);
		expect(labels(drawn.at(-1)!)).toEqual(['alice']);
		// Asked twice at once, then rarely: no crop per frame for a torso.
		expect(sent.filter((s) => s.who === 'torso').length).toBe(2);
	});

	it('shows … while asking and publishes no label before an answer', async () => {
		const { drawn, published } = await run(repeat(6, { picture: 'room', faces: [{ who: 'C', box: at(100) }] }), { answerEvery: 4 });
		expect(drawn[1]?.[0]?.state).toBe('asking');
		expect(published[0]?.[0]).toMatchObject({ state: 'asking', label: '' });
		expect(drawn.at(-1)?.[0]).toMatchObject({ state: 'unknown', label: 'unknown' });
	});

	it('merges a duplicate detection of one face instead of showing two', async () => {
		const face = { who: 'A', box: at(100) };
		const inner = { who: 'A', box: { x: 130, y: 150, width: 90, height: 90 } };
		const frames = [...repeat(5, { picture: 'room', faces: [face] }), ...repeat(5, { picture: 'room', faces: [face, inner] })];
		const { drawn } = await run(frames);
		expect(drawn.slice(1).map((f) => labels(f).join())).toEqual(Array(9).fill('alice'));
	});

	it('releases every frame it captured', async () => {
		const frames = [
			...repeat(8, {
				picture: 'one',
				faces: [
					{ who: 'A', box: at(100) },
					{ who: 'B', box: at(380) }
				]
			}),
			...repeat(8, { picture: 'two', faces: [{ who: 'C', box: at(200) }] })
		];
		const { shots } = await run(frames, { answerEvery: 3 });
		expect(shots.length).toBeGreaterThan(3);
		expect(shots.every((s) => s.released)).toBe(true);
	});

	it('reports a failed frame as a status and keeps going', async () => {
		const scene = createFakeScene();
		const fake = createFakeLink({ gallery: { A: 'alice' } });
		const clock = createManualClock();
		const statuses: LoopStatus[] = [];
		let throwNow = true;
		const drawn: Array<readonly OverlayFace[]> = [];
		const loop = createLiveLoop({
			clock,
			detector: {
				detect: (t) => {
					if (throwNow) throw new Error('detector died');
					return scene.detector.detect(t);
				}
			},
			capture: scene.capture,
			link: fake.link,
			frameSize: () => ({ width: 640, height: 480 }),
			draw: (faces) => drawn.push(faces),
			cropSettings: () => ({}),
			onFaces: () => {},
			onStatus: (s) => statuses.push(s)
		});
		scene.show({ picture: 'room', faces: [{ who: 'A', box: at(100) }] });
		loop.frame(clock.advance(FRAME_MS), null);
		expect(statuses.at(-1)?.error).toBe('detector died');
		throwNow = false;
		for (let i = 0; i < 3; i++) {
			loop.frame(clock.advance(FRAME_MS), null);
			await settle();
			fake.deliver();
		}
		expect(drawn.at(-1)?.map((f) => f.label)).toEqual(['alice']);
		loop.stop();
	});
});

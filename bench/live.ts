/**
 * `npm run bench:live`: the live page in Chromium against the real server, on three clips played
 * as a fake camera:
 *   - `tv`   built at bench time from ../shared/data/faces (the clip the live page's numbers were
 *            tuned on),
 *   - `real` built at bench time from ../shared/data/faces-real (reported on, never tuned on),
 *   - `dev`  the older synthetic clip of ../shared/data/video (a second source, never tuned on).
 * The hard clips (bench/clip/scripts.ts) have hard cuts between people, a second face entering,
 * shake, motion blur, zoom, turned heads; they are written to bench/.clips/ (ignored by git).
 *
 * For every video frame the page rendered it records what was drawn (`?record=frames`) and
 * prints: the share of frames with the right name on a visible enrolled face, wrong names, time
 * from a face's appearance to its first right name, names carried over cuts, flicker back to
 * `unknown`, and the uplink (crops per second per face, bytes per crop, against streaming).
 *
 * Environment: BENCH_BEFORE_BUILD=<dir> also runs an older build of the web app (the same server
 * serves it; `npm run build` into another folder first), interleaved with the current one;
 * BENCH_LIVE_CLIPS=tv,real,dev; BENCH_LIVE_LOOPS (default 2) passes through each hard clip;
 * BENCH_LIVE_REPEAT (default 1) runs of each (with more than one, a summary: mean and range); BENCH_LIVE_DUMP=<dir> writes each run's scored frames and truth there (JSON).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOOK_CHANGED_BELOW, SAME_FACE_ABOVE } from '../src/lib/track/appearance.ts';
import type { ChangeCue } from '../src/lib/track/track-identities.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { CLIP_SCRIPTS } from './clip/scripts.ts';
import { DATA_DIR, hasSharedData } from './data.ts';
import { tallyCrops } from './live/crops.ts';
import { builtClip, devClip, meanFrameJpegBytes, type BenchClip } from './live/clips.ts';
import { recordRun, type RecordedRun } from './live/record.ts';
import { assignFaces, isVisible, scoreFrames, VISIBLE_MIN_PX, type LiveScore, type ScoredFrame } from './live/score.ts';

const LOOPS = Number(process.env.BENCH_LIVE_LOOPS ?? 2);
const REPEAT = Number(process.env.BENCH_LIVE_REPEAT ?? 1);
const CLIPS = (process.env.BENCH_LIVE_CLIPS ?? 'tv,real,dev').split(',');
const BUILDS = [
	{ name: 'after', dir: resolve(process.env.BUILD_DIR ?? 'build') },
	...(process.env.BENCH_BEFORE_BUILD ? [{ name: 'before', dir: resolve(process.env.BENCH_BEFORE_BUILD) }] : [])
];
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const pct = (a: number, b: number) => `${fmt((100 * a) / b)} %`;

/** Rendered frames → clip frame indices, from the tags each clip frame carries (frame-tag.ts). */
function toScored(run: RecordedRun): ScoredFrame[] {
	// An untagged frame's crops move on to the next tagged one.
	let carried: NonNullable<ScoredFrame['crops']> = [];
	return run.frames.flatMap((f) => {
		carried = [...carried, ...(f.crops ?? [])];
		if (f.tag === null) return [];
		const crops = carried;
		carried = [];
		return [{ index: f.tag, faces: f.faces, ...(crops.length ? { crops } : {}) }];
	});
}

/** Detection scores and frontalness of the boxes drawn on faces (frontal or turned in the truth) and on nothing. */
function detectionFigures(clip: BenchClip, scored: ScoredFrame[]): string | null {
	const groups: Record<'frontal' | 'turned' | 'nothing', { score: number[]; frontal: number[] }> = {
		frontal: { score: [], frontal: [] },
		turned: { score: [], frontal: [] },
		nothing: { score: [], frontal: [] }
	};
	const likeness: number[] = [];
	for (const { index, faces } of scored) {
		const truth = clip.frames[index]?.faces ?? [];
		const owner = assignFaces(truth, faces);
		faces.forEach((face, i) => {
			const t = truth[owner[i]!];
			const group = !t ? 'nothing' : t.frontal ? 'frontal' : 'turned';
			if (face.score !== undefined) groups[group].score.push(face.score);
			if (t && face.likeness !== undefined) likeness.push(face.likeness);
			if (face.frontal !== undefined) groups[group].frontal.push(face.frontal);
		});
	}
	const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? NaN;
	const line = (name: string, g: { score: number[]; frontal: number[] }) =>
		g.score.length
			? `${name}(${g.score.length}) score p5/p10/p25/p50 ${[0.05, 0.1, 0.25, 0.5].map((p) => fmt(q(g.score, p), 2)).join('/')}, frontalness p5/p50 ${fmt(q(g.frontal, 0.05), 2)}/${fmt(q(g.frontal, 0.5), 2)}`
			: `${name}none`;
	if (!groups.frontal.score.length && !groups.nothing.score.length) return null;
	const looks = likeness.length
		? `; a face's look against its last (${likeness.length}) p1 ${fmt(q(likeness, 0.01), 2)} p5 ${fmt(q(likeness, 0.05), 2)}, under SAME_FACE_ABOVE ${SAME_FACE_ABOVE}: ${likeness.filter((x) => x < SAME_FACE_ABOVE).length}, under LOOK_CHANGED_BELOW ${LOOK_CHANGED_BELOW}: ${likeness.filter((x) => x < LOOK_CHANGED_BELOW).length}`
		: '';
	return `detections drawn on frontal faces: ${line('', groups.frontal)}; turned: ${line('', groups.turned)}; on no face: ${line('', groups.nothing)}${looks}`;
}

/** One run's headline figures, for the summary over repeated runs. */
/** The appearances first named after 0.5 s, as ` (name@shotN 750 ms, …)`: which to look at. */
function slowList(firsts: LiveScore['firstCorrect']): string {
	const slow = firsts.filter((f) => f.seconds !== null && f.seconds > 0.5);
	return slow.length ? ` (${slow.map((f) => `${f.name}@shot${f.shot + 1} ${fmt(f.seconds! * 1000, 0)} ms`).join(', ')})` : '';
}

type Headline = { right: number; goal: number; wrong: number; carried: number; upKBps: number };

function report(label: string, clip: BenchClip, run: RecordedRun, frameJpegBytes: number): Headline {
	const scored = toScored(run);
	if (process.env.BENCH_LIVE_DUMP) {
		const file = join(process.env.BENCH_LIVE_DUMP, `${clip.name}-${label.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify({ scored, truth: clip.frames }));
		console.log(`    (frames written to ${file})`);
	}
	const s: LiveScore = scoreFrames(clip, scored);
	const firsts = s.firstCorrect
		.map((f) => f.seconds)
		.filter((x): x is number => x !== null)
		.sort((a, b) => a - b);
	const never = s.firstCorrect.filter((f) => f.seconds === null);
	const slow = firsts.filter((x) => x > 0.5).length;
	const meanVisible = scored.reduce((n, f) => n + (clip.frames[f.index]?.faces.filter(isVisible).length ?? 0), 0) / Math.max(1, scored.length);
	const faceSeconds = run.seconds * meanVisible;
	const upPerS = run.bytesUp / run.seconds;
	const streamPerS = frameJpegBytes * clip.fps;
	console.log(`\n  ${label}: ${scored.length} frames rendered in ${fmt(run.seconds, 0)} s (${fmt(scored.length / run.seconds)} fps)`);
	console.log(
		`    right name on ${pct(s.right, s.goalFaceFrames)} of frames with a visible enrolled frontal face (${s.goalFaceFrames} face-frames); ${pct(s.rightAnyPose, s.enrolledFaceFrames)} with turned faces too`
	);
	const o = s.goalOutcomes;
	console.log(`      the others showed: unknown ${o.unknown}, … ${o.asking}, a wrong name ${o.wrong}, no box ${o.nothing}`);
	console.log(
		`      per shot, right / goal face-frames (no box): ${s.perShot
			.map((p, i) => (p ? `${i + 1}: ${p.right}/${p.goal} (${p.nothing})` : ''))
			.filter(Boolean)
			.join(', ')}`
	);
	console.log(
		`    wrong name on ${pct(s.wrong, s.visibleFaceFrames)} of visible face-frames (${s.wrong} of ${s.visibleFaceFrames}); a name on no face: ${s.namesOnNothing} frames; on a face partly out of the frame or under ${VISIBLE_MIN_PX} px: ${s.namesOnPartial.right} right, ${s.namesOnPartial.wrong} wrong; an \`unknown\` box on no face: ${s.unknownsOnNothing}`
	);
	console.log(
		`    first right name after a face appears: median ${fmt((firsts[Math.floor(firsts.length / 2)] ?? NaN) * 1000, 0)} ms, mean ${fmt((firsts.reduce((a, b) => a + b, 0) / firsts.length) * 1000, 0)} ms, max ${fmt((firsts.at(-1) ?? NaN) * 1000, 0)} ms; over 0.5 s: ${slow} of ${s.firstCorrect.length} appearances${slowList(s.firstCorrect)}; never named: ${never.length}${never.length ? ` (${never.map((f) => `${f.name}@shot${f.shot + 1}`).join(', ')})` : ''}`
	);
	const detectedCuts = run.frames.filter((f) => f.cut).length;
	const trueCuts = scored.filter((f, i) => i > 0 && clip.frames[f.index]?.shot !== clip.frames[scored[i - 1]!.index]?.shot).length;
	if (run.frames.some((f) => 'cut' in f) || detectedCuts === 0) console.log(`    cuts: ${trueCuts} in the frames played, ${detectedCuts} seen by the page`);
	const detection = detectionFigures(clip, scored);
	if (detection) console.log(`    ${detection}`);
	console.log(`    names carried over a cut: ${s.carriedFrames} frames (longest ${fmt(s.carriedLongestS * 1000, 0)} ms)`);
	console.log(
		`    a right name that gave way and came back: to unknown ${s.flickers.toUnknown}, to … ${s.flickers.toAsking}, to no box ${s.flickers.toNothing}`
	);
	console.log(
		`    uplink: ${run.crops} crops, ${fmt(run.crops / faceSeconds, 2)} per second per visible face; ${fmt(run.bytesUp / run.crops / 1000, 2)} KB per crop; ${fmt(upPerS / 1000, 2)} KB/s vs ${fmt(streamPerS / 1000, 0)} KB/s streaming ${clip.fps} fps JPEG q0.8: ${fmt(streamPerS / upPerS, 0)}× smaller; downlink ${fmt(run.bytesDown / run.seconds, 0)} B/s`
	);
	const tally = tallyCrops(clip.frames, scored);
	const reasons = Object.entries(tally.byReason).map(([reason, n]) => `${reason} ${n}`);
	if (reasons.length) {
		const c = tally.changed;
		console.log(
			`    crops by reason: ${reasons.join(', ')}; after a face change: on another face ${c.other}, the same face ${c.same}, unplaced ${c.unplaced}; crops of a new track on a face asked about earlier in the shot: first ${tally.reborn.first}, second ${tally.reborn.second}, reborn ${tally.reborn.reborn}; of tracks never shown: ${tally.unshown}`
		);
		const cues = (xs: ChangeCue[]) =>
			xs
				.map((x) => `${x.cause} ${x.likeLastCrop === null ? '–' : fmt(x.likeLastCrop, 2)}`)
				.sort()
				.join(', ');
		if (c.other + c.same)
			console.log(
				`      what set the change off (cause, look's likeness to the last crop): another face: ${cues(tally.cues.other)}; same face: ${cues(tally.cues.same)}`
			);
	}
	return { right: s.right, goal: s.goalFaceFrames, wrong: s.wrong, carried: s.carriedFrames, upKBps: upPerS / 1000 };
}

/** Repeated runs of one clip: the spread matters as much as the mean (one clip's runs differ by several points). */
function summarise(clip: string, headlines: ReadonlyMap<string, readonly Headline[]>): void {
	const spread = (xs: number[], d: number, unit = '') =>
		`${fmt(xs.reduce((a, b) => a + b, 0) / xs.length, d)}${unit} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;
	console.log(`\n  ${clip}, over ${REPEAT} runs: mean (min–max)`);
	for (const [key, runs] of headlines) {
		const share = runs.map((h) => (100 * h.right) / Math.max(1, h.goal));
		console.log(
			`    ${key}: right name ${spread(share, 1, ' %')}; wrong-name frames ${runs.map((h) => h.wrong).join(', ')}; carried over a cut ${runs.map((h) => h.carried).join(', ')}; uplink ${spread(
				runs.map((h) => h.upKBps),
				2,
				' KB/s'
			)}`
		);
	}
}

if (!hasSharedData()) {
	console.log(`bench:live: shared data absent at ${DATA_DIR}; skipped`);
	process.exit(0);
}
console.log(`FaceRTC live benchmark — ${new Date().toISOString()}; data ${DATA_DIR}; builds: ${BUILDS.map((b) => `${b.name} = ${b.dir}`).join(', ')}`);
console.log('(the machine is shared: timings are noisy; labels per rendered video frame, every frame the page drew)');

for (const name of CLIPS) {
	// Each clip gets its own server and gallery; the server restarts on the same data to serve another build.
	const first = await startTestServer({ buildDir: BUILDS[0]!.dir });
	let clip: BenchClip;
	try {
		clip = name === 'dev' ? devClip() : await builtClip(first.url, CLIP_SCRIPTS[name as keyof typeof CLIP_SCRIPTS]);
		const enrolled = await clip.enrol(first.url);
		console.log(
			`\n== ${name}: ${clip.file.startsWith(DATA_DIR) ? clip.file : join('bench/.clips', `${name}.y4m`)}, ${clip.frames.length} frames at ${clip.fps} fps; ${enrolled}`
		);
	} finally {
		await first.stop({ keepData: true });
	}
	const frameJpegBytes = await meanFrameJpegBytes(clip.file);
	const seconds = Math.ceil((LOOPS * clip.frames.length) / clip.fps);
	const modes = [
		{ label: 'as shipped', query: '' },
		...(name === 'tv' ? [] : [{ label: 'data saver on (?saver=1)', query: '?saver=1' }]),
		// Issue #2's reference: every face on every frame, the uplink the crop rules save.
		...(name === 'dev'
			? [{ label: 'every face on every frame (?crops=every-frame&detectEvery=1)', query: '?crops=every-frame&detectEvery=1', only: 'after' }]
			: [])
	];
	const headlines = new Map<string, Headline[]>();
	for (let r = 0; r < REPEAT; r++) {
		for (const mode of modes) {
			for (const build of BUILDS) {
				if ('only' in mode && mode.only !== build.name) continue;
				const server = await startTestServer({ buildDir: build.dir, dataDir: first.dataDir });
				try {
					const run = await recordRun({ serverUrl: server.url, clipFile: clip.file, query: mode.query, seconds });
					const headline = report(`${build.name}, ${mode.label}${REPEAT > 1 ? ` (run ${r + 1})` : ''}`, clip, run, frameJpegBytes);
					const key = `${build.name}, ${mode.label}`;
					headlines.set(key, [...(headlines.get(key) ?? []), headline]);
				} finally {
					await server.stop({ keepData: true });
				}
			}
		}
	}
	if (REPEAT > 1) summarise(name, headlines);
	const { rmSync } = await import('node:fs');
	rmSync(first.dataDir, { recursive: true, force: true });
}

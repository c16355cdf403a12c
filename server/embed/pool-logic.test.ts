// Pool mechanics with a scripted stand-in worker (a data: URL module, no models): results,
// transfers, crashes, timeouts, start-up failures, overload and close.
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbedPool, workerBootstrap, workerExecArgv, type EmbedPool, type EmbedPoolOptions } from './pool.ts';

// The first byte of a job says what the fake does with it.
const OK = 0;
const CRASH = 1;
const HANG = 2;
const BAD = 3;
const THROW = 4;
const PHOTO = 5;
const SLOW = 6; // answers after the number of ms in bytes 1–2 (a photo's answer)

const FAKE_WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
if (workerData.modelDir === 'fatal') parentPort.postMessage({ type: 'fatal', message: 'no weights here' });
else if (workerData.modelDir === 'die') process.exit(2);
else if (process.env.FACERTC_FAKE_WORKER_DIES === '1') process.exit(4);
else parentPort.postMessage({ type: 'ready', backend: 'fake' });
// A batch (describe-crops) is answered crop by crop; an answered crop's descriptor then carries the batch size third.
parentPort.on('message', (msg) => {
	if (msg.kind === 'describe-crops') for (const crop of msg.crops) run(crop, msg.crops.length);
	else run(msg, 0);
});
function run(job, batch) {
	const bytes = new Uint8Array(job.bytes);
	switch (bytes[0]) {
		case ${OK}: {
			const descriptor = new Float32Array(batch ? [bytes.length, 7, batch] : [bytes.length, 7]);
			parentPort.postMessage({ id: job.id, ok: true, descriptor, ms: 1 }, [descriptor.buffer]);
			break;
		}
		case ${CRASH}: process.exit(3);
		case ${HANG}: break;
		case ${BAD}: parentPort.postMessage({ id: job.id, ok: false, code: 'bad-image', message: 'not an image' }); break;
		case ${THROW}: throw new Error('boom');
		case ${PHOTO}: parentPort.postMessage({ id: job.id, ok: true, faces: [], width: 640, height: 480, ms: 2 }); break;
		case ${SLOW}: setTimeout(() => parentPort.postMessage({ id: job.id, ok: true, faces: [], width: 640, height: 480, ms: 2 }), bytes[1] * 256 + bytes[2]); break;
	}
}
`;
const fakeUrl = new URL(`data:text/javascript,${encodeURIComponent(FAKE_WORKER)}`);

const pools: EmbedPool[] = [];
function fakePool(options: Partial<EmbedPoolOptions> = {}): EmbedPool {
	const pool = createEmbedPool({ size: 1, modelDir: 'ok', workerUrl: fakeUrl, ...options });
	pools.push(pool);
	return pool;
}
const job = (op: number, length = 4) => new Uint8Array(length).fill(op, 0, 1);
/** A photo the fake answers after `ms`: keeps a one-worker pool busy while crops queue. */
const slow = (ms: number) => new Uint8Array([SLOW, ms >> 8, ms & 255, 0]);

afterEach(async () => {
	await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('createEmbedPool with a stand-in worker', () => {
	it('answers jobs and logs the backend once', async () => {
		const logs: string[] = [];
		const pool = fakePool({ size: 2, log: (m) => logs.push(m) });
		expect(await pool.ready()).toEqual({ backend: 'fake' });
		const { descriptor, ms } = await pool.describeCrop(job(OK, 9));
		expect(Array.from(descriptor!)).toEqual([9, 7]);
		expect(ms).toBe(1);
		expect(await pool.analyzePhoto(job(PHOTO))).toEqual({ faces: [], width: 640, height: 480, ms: 2 });
		expect(logs).toEqual(['embed: 2 workers, backend fake']);
		expect(pool.stats()).toMatchObject({ size: 2, ready: 2, queued: 0, busy: 0, done: 2, failed: 0 });
	});

	it('copies the input instead of detaching the caller’s buffer', async () => {
		const pool = fakePool();
		const backing = new Uint8Array(16);
		const view = backing.subarray(4, 10); // a view: only its 6 bytes may travel
		await expect(pool.describeCrop(view)).resolves.toMatchObject({ descriptor: new Float32Array([6, 7]) });
		expect(backing.byteLength).toBe(16);
		expect(view.byteLength).toBe(6);
	});

	it('spreads jobs over idle workers and queues the rest in order', async () => {
		const pool = fakePool({ size: 2, batch: 1 });
		await pool.ready();
		const results = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.describeCrop(job(OK, n))));
		expect(results.map((r) => r.descriptor![0])).toEqual([1, 2, 3, 4, 5]);
	});

	it('hands a free worker the crops that wait as one batch, each answered as its own', async () => {
		const pool = fakePool({ batch: 4 });
		await pool.ready();
		const blocker = pool.analyzePhoto(slow(150));
		const crops = [1, 2, 3, 4, 5, 6].map((n) => pool.describeCrop(job(OK, n + 10), { priority: 'live', client: `c${n}` }));
		const results = await Promise.all(crops);
		await blocker;
		// Four together once the photo is done, then the two left.
		expect(results.map((r) => Array.from(r.descriptor!))).toEqual([
			[11, 7, 4],
			[12, 7, 4],
			[13, 7, 4],
			[14, 7, 4],
			[15, 7, 2],
			[16, 7, 2]
		]);
	});

	it('fails only the bad crop of a batch', async () => {
		const pool = fakePool({ batch: 4 });
		await pool.ready();
		const blocker = pool.analyzePhoto(slow(150));
		const good = pool.describeCrop(job(OK, 9), { priority: 'live', client: 'a' });
		const bad = pool.describeCrop(job(BAD), { priority: 'live', client: 'b' });
		const alsoGood = pool.describeCrop(job(OK, 8), { priority: 'live', client: 'c' });
		await blocker;
		await expect(bad).rejects.toMatchObject({ code: 'bad-image' });
		expect(Array.from((await good).descriptor!)).toEqual([9, 7, 3]);
		expect(Array.from((await alsoGood).descriptor!)).toEqual([8, 7, 3]);
		expect(pool.stats()).toMatchObject({ restarts: 0, failed: 1 });
	});

	it('never holds a lone crop back for company, and shares crops out between free workers', async () => {
		const pool = fakePool({ size: 2, batch: 8 });
		await pool.ready();
		expect(Array.from((await pool.describeCrop(job(OK, 5), { priority: 'live', client: 'a' })).descriptor!)).toEqual([5, 7]);
		// Two crops, two free workers: one each, not both on one.
		const two = await Promise.all([5, 6].map((n) => pool.describeCrop(job(OK, n), { priority: 'live', client: `c${n}` })));
		expect(two.map((r) => Array.from(r.descriptor!))).toEqual([
			[5, 7],
			[6, 7]
		]);
	});

	it('batches only when more crops wait than there are workers', async () => {
		const pool = fakePool({ size: 2, batch: 8 });
		await pool.ready();
		const photos = [pool.analyzePhoto(slow(150)), pool.analyzePhoto(slow(150))];
		const crops = [1, 2, 3, 4, 5].map((n) => pool.describeCrop(job(OK, n), { priority: 'live', client: `c${n}` }));
		await Promise.all(photos);
		// The first worker free finds 5 waiting (2 each, rounded down), the second 3, then 2 at most.
		const sizes = (await Promise.all(crops)).map((r) => r.descriptor![2] ?? 1);
		expect(sizes).toEqual([2, 2, 1, 1, 1]);
	});

	it('fails every crop of a batch whose worker dies', async () => {
		const pool = fakePool({ batch: 4 });
		await pool.ready();
		const blocker = pool.analyzePhoto(slow(150));
		const crops = [job(OK), job(CRASH), job(OK)].map((bytes, n) =>
			pool.describeCrop(bytes, { priority: 'live', client: `c${n}` }).catch((err: unknown) => err)
		);
		await blocker;
		const answers = await Promise.all(crops);
		// The fake answers the first crop before it reaches the one that kills it.
		expect(answers[0]).toMatchObject({ descriptor: new Float32Array([4, 7, 3]) });
		expect(answers.slice(1)).toMatchObject([{ code: 'internal' }, { code: 'internal' }]);
	});

	it('passes bad-image through and keeps the worker', async () => {
		const pool = fakePool();
		await expect(pool.describeCrop(job(BAD))).rejects.toMatchObject({ code: 'bad-image', message: 'not an image' });
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
		expect(pool.stats()).toMatchObject({ restarts: 0, failed: 1, done: 1 });
	});

	it('fails the job of a worker that exits, and respawns it', async () => {
		const logs: string[] = [];
		const pool = fakePool({ log: (m) => logs.push(m) });
		await pool.ready();
		await expect(pool.describeCrop(job(CRASH))).rejects.toMatchObject({ code: 'internal' });
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
		expect(pool.stats()).toMatchObject({ restarts: 1, failed: 1, done: 1 });
		expect(logs).toContain('embed: worker 0 exited (code 3); restarting in 100 ms');
	});

	it('survives an uncaught exception in the worker', async () => {
		const pool = fakePool();
		await expect(pool.describeCrop(job(THROW))).rejects.toMatchObject({ code: 'internal' });
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
		expect(pool.stats().restarts).toBe(1);
	});

	it('times a job out, terminates its worker and respawns it', async () => {
		const pool = fakePool({ jobTimeoutMs: 300 });
		await pool.ready();
		await expect(pool.describeCrop(job(HANG))).rejects.toMatchObject({ code: 'timeout' });
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
		expect(pool.stats()).toMatchObject({ timeouts: 1, restarts: 1, done: 1 });
	});

	it('gives a photo its own, longer limit than a crop (no 504 for a big photo on a busy machine)', async () => {
		const pool = fakePool({ jobTimeoutMs: 200, photoTimeoutMs: 30_000 });
		await pool.ready();
		const slowMs = 800; // four crop limits; the photo limit is far above it, even on a slow machine
		const slow = Uint8Array.of(SLOW, slowMs >> 8, slowMs & 255, 0);
		await expect(pool.analyzePhoto(slow)).resolves.toMatchObject({ width: 640, faces: [] });
		await expect(pool.describeCrop(job(HANG))).rejects.toMatchObject({ code: 'timeout', message: 'embedding took over 200 ms' });
		expect(pool.stats()).toMatchObject({ timeouts: 1 });
	});

	it('times a photo out at its own limit', async () => {
		const pool = fakePool({ jobTimeoutMs: 30_000, photoTimeoutMs: 300 });
		await pool.ready();
		await expect(pool.analyzePhoto(job(HANG))).rejects.toMatchObject({ code: 'timeout', message: 'embedding took over 300 ms' });
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
	});

	it('rejects overloaded at once when the queue is full', async () => {
		const pool = fakePool({ maxQueue: 1 });
		const waiting = pool.describeCrop(job(OK)); // queued: the worker is not ready yet
		await expect(pool.describeCrop(job(OK))).rejects.toMatchObject({ code: 'overloaded' });
		await expect(waiting).resolves.toBeTruthy();
		expect(pool.stats()).toMatchObject({ overloaded: 1, done: 1 });
	});

	it('fails ready() and every job when the engine cannot load', async () => {
		const logs: string[] = [];
		const pool = fakePool({ modelDir: 'fatal', log: (m) => logs.push(m) });
		const queued = pool.describeCrop(job(OK));
		await expect(pool.ready()).rejects.toMatchObject({ code: 'internal', message: 'face engine failed to load: no weights here' });
		await expect(queued).rejects.toMatchObject({ code: 'internal' });
		await expect(pool.describeCrop(job(OK))).rejects.toMatchObject({ code: 'internal' });
		expect(logs).toEqual(['embed: worker 0 cannot load the face engine: no weights here']);
	});

	it('fails ready() when a worker dies during start-up, without respawning it', async () => {
		const pool = fakePool({ modelDir: 'die' });
		await expect(pool.ready()).rejects.toMatchObject({ code: 'internal' });
		expect(pool.stats()).toMatchObject({ ready: 0, restarts: 0 });
	});

	it('rejects running, waiting and later jobs with closed', async () => {
		const pool = fakePool({ maxQueue: 4 });
		await pool.ready();
		const running = pool.describeCrop(job(HANG));
		const waiting = pool.describeCrop(job(OK));
		const settled = Promise.allSettled([running, waiting]);
		await Promise.all([pool.close(), pool.close()]);
		for (const result of await settled) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'closed' } });
		await expect(pool.describeCrop(job(OK))).rejects.toMatchObject({ code: 'closed' });
		await expect(pool.analyzePhoto(job(OK))).rejects.toMatchObject({ code: 'closed' });
		await expect(pool.ready()).rejects.toMatchObject({ code: 'closed' });
	});

	it('refuses a size under 1', () => {
		expect(() => createEmbedPool({ size: 0, modelDir: 'x', workerUrl: fakeUrl })).toThrow(RangeError);
	});
});

describe('createEmbedPool: scheduling and restarts (stand-in worker)', () => {
	it('runs live crops before REST recognition before enrolment, whatever the order they came in', async () => {
		const free = fakePool();
		await free.ready();
		const started: string[] = [];
		// The first takes the idle worker at once; the rest queue behind it, in the order given.
		const hold = free.describeCrop(job(OK, 64), { priority: 'live', client: 'first' }).then(() => started.push('first'));
		await Promise.all([
			free.analyzePhoto(job(PHOTO), { priority: 'enrol' }).then(() => started.push('enrol')),
			free.analyzePhoto(job(PHOTO), { priority: 'recognize' }).then(() => started.push('recognize')),
			free.describeCrop(job(OK), { priority: 'live', client: 'phone' }).then(() => started.push('live')),
			hold
		]);
		expect(started).toEqual(['first', 'live', 'recognize', 'enrol']);
	});

	it('answers a live crop overloaded, with a retry-after, when it cannot be answered in time', async () => {
		const dropped: string[] = [];
		const pool = fakePool({ observer: { dropped: (priority, reason) => dropped.push(`${priority} ${reason}`) } });
		await pool.ready();
		const blocker = pool.describeCrop(job(HANG)).catch(() => {});
		// Fits when it comes (the worker is expected to free up in time), then waits too long.
		const late = pool.describeCrop(job(OK), { priority: 'live', client: 'phone', withinMs: 250 });
		await expect(late).rejects.toMatchObject({ code: 'overloaded', retryAfterMs: expect.any(Number) });
		expect(dropped).toEqual(['live late']);
		// With a job already waiting, the next crop cannot make a tight deadline: refused at once.
		const waiting = pool.describeCrop(job(OK), { priority: 'live', client: 'a', withinMs: 10_000 }).catch((err: unknown) => err);
		await expect(pool.describeCrop(job(OK), { priority: 'live', client: 'b', withinMs: 50 })).rejects.toMatchObject({ code: 'overloaded' });
		expect(dropped).toEqual(['live late', 'live would-be-late']);
		expect(pool.stats()).toMatchObject({ overloaded: 2, queuedBy: { live: 1 } });
		await pool.close();
		expect(await waiting).toMatchObject({ code: 'closed' });
		await blocker;
	});

	it('drops the waiting crops of a client that is gone', async () => {
		const pool = fakePool();
		await pool.ready();
		const blocker = pool.describeCrop(job(HANG)).catch(() => {});
		const gone = pool.describeCrop(job(OK), { priority: 'live', client: 'gone' });
		const stays = pool.describeCrop(job(OK), { priority: 'live', client: 'stays' }).catch((err: unknown) => err);
		pool.cancel('gone');
		await expect(gone).rejects.toMatchObject({ code: 'closed' });
		expect(pool.stats().queuedBy.live).toBe(1);
		await pool.close();
		await blocker;
		expect(await stays).toMatchObject({ code: 'closed' });
	});

	it('restarts a crashing worker with backoff, shows the crash loop, and clears it once the worker stays up', async () => {
		const logs: string[] = [];
		const exits: number[] = [];
		const pool = fakePool({
			log: (m) => logs.push(m),
			restart: { baseMs: 20, maxMs: 80, healthyAfterMs: 400, crashLoopAt: 3 },
			observer: { workerExit: ({ restartInMs }) => exits.push(restartInMs) }
		});
		await pool.ready();
		process.env.FACERTC_FAKE_WORKER_DIES = '1';
		try {
			await expect(pool.describeCrop(job(CRASH))).rejects.toMatchObject({ code: 'internal' });
			// Every restart dies during start-up: no worker is up, and the backoff grows to its cap.
			await expect.poll(() => pool.stats().crashLooping, { timeout: 20_000 }).toBe(1);
			await expect.poll(() => exits.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
			expect(exits.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
			expect(pool.stats()).toMatchObject({ ready: 0, restarting: 1 });
			expect(pool.stats().lastExit).toMatchObject({ slot: 0, code: 4 });
		} finally {
			delete process.env.FACERTC_FAKE_WORKER_DIES;
		}
		await expect.poll(() => pool.stats().ready, { timeout: 20_000 }).toBe(1);
		// Up, but not yet for long: still called a loop; then cleared.
		expect(pool.stats().crashLooping).toBe(1);
		await expect(pool.describeCrop(job(OK))).resolves.toBeTruthy();
		await expect.poll(() => pool.stats().crashLooping, { timeout: 20_000 }).toBe(0);
		expect(logs).toContain('embed: worker 0 exited (code 4); restarting in 40 ms');
	});
});

describe('worker start-up arguments', () => {
	it('registers tsx inside the worker for a .ts entry only', () => {
		const ts = workerBootstrap(new URL('file:///app/server/embed/worker.ts'));
		expect(ts).toMatch(
			/^import\("file:\/\/\/.*\/tsx\/dist\/esm\/api\/index\.mjs"\)\.then\(\(tsx\) => \{ tsx\.register\(\); return import\("file:\/\/\/app\/server\/embed\/worker\.ts"\); \}\);$/
		);
		expect(workerBootstrap(new URL('file:///app/worker.js'))).toBe('import("file:///app/worker.js");');
	});

	it('keeps the parent’s flags except inspector ports and tsx’s own hooks', () => {
		const argv = [
			'--require',
			'/app/node_modules/tsx/dist/preflight.cjs',
			'--import',
			'file:///app/node_modules/tsx/dist/loader.mjs',
			'--inspect=9229',
			'--enable-source-maps',
			'--conditions=development',
			'--import=file:///app/node_modules/tsx/dist/loader.mjs'
		];
		expect(workerExecArgv(argv)).toEqual(['--enable-source-maps', '--conditions=development']);
	});
});

import { describe, expect, it } from 'vitest';
import { createScheduler, type ClassLimits, type Drop, type Priority, type SchedulerOptions } from './scheduler.ts';

type Job = { id: string };

function setup(overrides: Partial<SchedulerOptions<Job>> & { workers?: () => number; running?: () => number } = {}) {
	const clock = { t: 0 };
	const dropped: Array<{ id: string } & Drop> = [];
	const limits: Record<Priority, ClassLimits> = {
		live: { maxQueued: 16, maxPerClient: 4 },
		recognize: { maxQueued: 8, maxPerClient: 8 },
		enrol: { maxQueued: 8, maxPerClient: 8 }
	};
	const scheduler = createScheduler<Job>({
		now: () => clock.t,
		workers: () => 2,
		running: () => 2,
		limits,
		agingMs: 1000,
		initialRunMs: 50,
		onDrop: (job, drop) => dropped.push({ id: job.id, ...drop }),
		...overrides
	});
	const take = () => scheduler.next()?.job.id ?? null;
	const takeAll = () => {
		const ids: string[] = [];
		for (let id = take(); id !== null; id = take()) ids.push(id);
		return ids;
	};
	return { clock, scheduler, dropped, take, takeAll };
}

describe('scheduler: fairness', () => {
	it('serves the clients of a class in turn, whatever each one sent', () => {
		const { scheduler, takeAll } = setup();
		for (const i of [1, 2, 3, 4]) scheduler.submit({ id: `a${i}` }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'b1' }, { priority: 'live', client: 'b' });
		scheduler.submit({ id: 'c1' }, { priority: 'live', client: 'c' });
		scheduler.submit({ id: 'b2' }, { priority: 'live', client: 'b' });
		expect(takeAll()).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
	});

	it('gives a greedy client no more than the others while all want more (equal shares over a busy period)', () => {
		const { scheduler, take } = setup({
			limits: { live: { maxQueued: 64, maxPerClient: 4 }, recognize: { maxQueued: 1, maxPerClient: 1 }, enrol: { maxQueued: 1, maxPerClient: 1 } }
		});
		const served = new Map<string, number>();
		const clients = ['greedy', 'b', 'c', 'd'];
		for (let round = 0; round < 100; round++) {
			// The greedy client keeps its queue full; the others add one job a round.
			for (const client of clients) {
				const n = client === 'greedy' ? 4 : 1;
				for (let i = 0; i < n; i++) scheduler.submit({ id: client }, { priority: 'live', client });
			}
			for (let i = 0; i < 4; i++) {
				const id = take();
				if (id) served.set(id, (served.get(id) ?? 0) + 1);
			}
		}
		const counts = clients.map((c) => served.get(c) ?? 0);
		expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
	});
});

describe('scheduler: fairness over time', () => {
	it('serves a client that was turned away before one that was just served', () => {
		const { scheduler, take } = setup();
		scheduler.submit({ id: 'a1' }, { priority: 'live', client: 'a' });
		expect(take()).toBe('a1');
		scheduler.submit({ id: 'a2' }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'b1' }, { priority: 'live', client: 'b' });
		expect(take()).toBe('b1');
		expect(take()).toBe('a2');
	});

	it('shares a full server between clients whose crops always arrive in the same order', () => {
		// One worker, always busy, one crop finishing every 50 ms; each tick `a` sends just before `b`.
		const { clock, scheduler, take } = setup({ workers: () => 1, running: () => 1 });
		const served = { a: 0, b: 0 };
		for (let tick = 0; tick < 200; tick++, clock.t += 50) {
			for (const client of ['a', 'b'] as const) scheduler.submit({ id: client }, { priority: 'live', client, deadline: clock.t + 100 });
			const id = take() as 'a' | 'b' | null;
			if (id) served[id]++;
		}
		expect(served.a + served.b).toBeGreaterThan(190);
		expect(Math.abs(served.a - served.b)).toBeLessThanOrEqual(2);
	});

	it('serves a client that kept away (backing off as told) whenever it comes back', () => {
		// Three busy phones keep the one worker full; a fourth sends once a second, after them.
		const { clock, scheduler, take } = setup({ workers: () => 1, running: () => 1 });
		const served = new Map<string, number>();
		let shySent = 0;
		for (let tick = 0; tick < 400; tick++, clock.t += 50) {
			for (const client of ['a', 'b', 'c']) scheduler.submit({ id: client }, { priority: 'live', client, deadline: clock.t + 100 });
			if (tick % 20 === 10) {
				shySent++;
				scheduler.submit({ id: 'shy' }, { priority: 'live', client: 'shy', deadline: clock.t + 100 });
			}
			const id = take();
			if (id) served.set(id, (served.get(id) ?? 0) + 1);
		}
		expect(served.get('shy')).toBe(shySent);
		const busy = ['a', 'b', 'c'].map((c) => served.get(c)!);
		expect(Math.max(...busy) - Math.min(...busy)).toBeLessThanOrEqual(2);
	});

	it('shares a full server between many clients arriving in the same order, each in its turn', () => {
		const clients = ['a', 'b', 'c', 'd', 'e'];
		const { clock, scheduler, take } = setup({ workers: () => 1, running: () => 1 });
		const served = new Map(clients.map((c) => [c, 0]));
		for (let tick = 0; tick < 300; tick++, clock.t += 50) {
			for (const client of clients) scheduler.submit({ id: client }, { priority: 'live', client, deadline: clock.t + 100 });
			const id = take();
			if (id) served.set(id, served.get(id)! + 1);
		}
		const counts = [...served.values()];
		expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(290);
		expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
	});
});

describe('scheduler: priorities', () => {
	it('serves live crops before REST recognition, and both before enrolment', () => {
		const { scheduler, takeAll } = setup();
		scheduler.submit({ id: 'enrol' }, { priority: 'enrol', client: 'x' });
		scheduler.submit({ id: 'recognize' }, { priority: 'recognize', client: 'x' });
		scheduler.submit({ id: 'live' }, { priority: 'live', client: 'y' });
		expect(takeAll()).toEqual(['live', 'recognize', 'enrol']);
	});

	it('starves nothing: under a steady live overload a REST job starts within one aging step, an enrolment within two', () => {
		const { clock, scheduler, take } = setup();
		scheduler.submit({ id: 'enrol' }, { priority: 'enrol', client: 'rest' });
		scheduler.submit({ id: 'recognize' }, { priority: 'recognize', client: 'rest' });
		const startedAt = new Map<string, number>();
		let n = 0;
		// Live crops keep arriving faster than they are served, one job started every 25 ms.
		for (clock.t = 0; clock.t <= 5000 && startedAt.size < 2; clock.t += 25) {
			for (let i = 0; i < 2; i++) scheduler.submit({ id: `live${n++}` }, { priority: 'live', client: `phone${n % 8}` });
			const id = take();
			if (id === 'enrol' || id === 'recognize') startedAt.set(id, clock.t);
		}
		expect(startedAt.get('recognize')).toBeGreaterThanOrEqual(1000);
		expect(startedAt.get('recognize')).toBeLessThan(1100);
		expect(startedAt.get('enrol')).toBeGreaterThanOrEqual(2000);
		expect(startedAt.get('enrol')).toBeLessThan(2100);
	});
});

describe('scheduler: a backlog of photos under a live overload', () => {
	it('gets a steady trickle, about one start per aging step and class, and live keeps the rest', () => {
		const { clock, scheduler, take } = setup({
			limits: { live: { maxQueued: 64, maxPerClient: 8 }, recognize: { maxQueued: 32, maxPerClient: 32 }, enrol: { maxQueued: 32, maxPerClient: 32 } }
		});
		for (let i = 0; i < 30; i++) {
			scheduler.submit({ id: 'recognize' }, { priority: 'recognize', client: 'rest' });
			scheduler.submit({ id: 'enrol' }, { priority: 'enrol', client: 'rest' });
		}
		const starts = { live: 0, recognize: 0, enrol: 0 } as Record<string, number>;
		let n = 0;
		for (clock.t = 0; clock.t < 10_000; clock.t += 25) {
			for (let i = 0; i < 2; i++) scheduler.submit({ id: 'live' }, { priority: 'live', client: `phone${n++ % 8}` });
			starts[take()!]!++;
		}
		expect(starts.recognize).toBeGreaterThanOrEqual(9);
		expect(starts.recognize).toBeLessThanOrEqual(11);
		expect(starts.enrol).toBeGreaterThanOrEqual(7);
		expect(starts.enrol).toBeLessThanOrEqual(10);
		expect(starts.live).toBeGreaterThan(375);
	});
});

describe('scheduler: a worker kept for live crops', () => {
	/** Two workers; `photos` is how many non-live jobs run, as the pool would count them. */
	function photosBeside(workers: number) {
		const running = { photos: 0 };
		const s = setup({ workers: () => workers, running: () => running.photos, runningNotLive: () => running.photos, liveReserveMs: 2000 });
		const startPhoto = () => {
			const id = s.take();
			if (id?.startsWith('photo')) running.photos++;
			return id;
		};
		for (let i = 0; i < 3; i++) s.scheduler.submit({ id: `photo${i}` }, { priority: 'recognize', client: 'rest' });
		return { ...s, running, startPhoto };
	}

	it('starts photos on every worker but one while live crops come, and on all once they stop', () => {
		const { clock, scheduler, running, startPhoto, take } = photosBeside(2);
		scheduler.submit({ id: 'live0' }, { priority: 'live', client: 'phone' });
		expect(take()).toBe('live0');
		expect(startPhoto()).toBe('photo0');
		// The other worker waits for the next crop, which starts at once.
		expect(startPhoto()).toBeNull();
		expect(scheduler.keptUntil()).toBe(2000);
		clock.t = 500;
		scheduler.submit({ id: 'live1' }, { priority: 'live', client: 'phone' });
		expect(take()).toBe('live1');
		expect(scheduler.keptUntil()).toBe(2500);
		// A photo that ends frees its worker for the next photo.
		running.photos--;
		expect(startPhoto()).toBe('photo1');
		expect(startPhoto()).toBeNull();
		// No crop for 2 s: photos take both workers.
		clock.t = 2500;
		expect(startPhoto()).toBe('photo2');
		expect(scheduler.keptUntil()).toBeNull();
	});

	it('keeps nothing back with one worker, or when no crop has come', () => {
		const one = photosBeside(1);
		one.scheduler.submit({ id: 'live0' }, { priority: 'live', client: 'phone' });
		expect(one.takeAll()).toEqual(['live0', 'photo0', 'photo1', 'photo2']);
		const quiet = photosBeside(2);
		expect([quiet.startPhoto(), quiet.startPhoto(), quiet.startPhoto()]).toEqual(['photo0', 'photo1', 'photo2']);
	});
});

describe('scheduler: deadlines', () => {
	it('drops a crop that can no longer be answered in time, with a retry-after, and runs the rest', () => {
		const { clock, scheduler, dropped, take } = setup();
		expect(scheduler.submit({ id: 'old' }, { priority: 'live', client: 'a', deadline: 400 })).toBeNull();
		expect(scheduler.submit({ id: 'patient' }, { priority: 'enrol', client: 'b' })).toBeNull();
		expect(scheduler.nextExpiry()).toBe(350); // deadline less the expected run (50 ms)
		clock.t = 351;
		expect(take()).toBe('patient');
		expect(dropped).toEqual([{ id: 'old', reason: 'late', retryAfterMs: 200 }]);
		expect(scheduler.nextExpiry()).toBeNull();
	});

	it('refuses at once a crop the queue ahead would make late, and takes one that fits', () => {
		// Both workers busy, 50 ms a job: the n-th job ahead starts after about (n + 0.5) × 25 ms.
		const { scheduler } = setup();
		for (let i = 0; i < 12; i++) expect(scheduler.submit({ id: `a${i}` }, { priority: 'live', client: `c${i}`, deadline: 1000 })).toBeNull();
		// 12 ahead: starts at ~312 ms, done at ~362: too late for a deadline of 300, in time for 400.
		expect(scheduler.submit({ id: 'late' }, { priority: 'live', client: 'new', deadline: 300 })).toMatchObject({ reason: 'would-be-late' });
		expect(scheduler.submit({ id: 'fits' }, { priority: 'live', client: 'new', deadline: 400 })).toBeNull();
		expect(scheduler.depth().live).toBe(13);
	});

	it('counts only the turns ahead: a quiet client is not held back by a busy one', () => {
		const { scheduler } = setup();
		for (let i = 0; i < 4; i++) scheduler.submit({ id: `busy${i}` }, { priority: 'live', client: 'busy', deadline: 10_000 });
		// The quiet client's crop is second in turn: starts at ~37 ms, done at ~87 ms.
		expect(scheduler.submit({ id: 'quiet' }, { priority: 'live', client: 'quiet', deadline: 100 })).toBeNull();
		// The busy client's fifth would wait behind its own four.
		expect(scheduler.submit({ id: 'busy4' }, { priority: 'live', client: 'busy', deadline: 100 })).toMatchObject({ reason: 'queue-full' });
	});

	it('still serves what it can when a job takes longer than the deadline, a little late, instead of refusing everything', () => {
		const busy = { n: 0 };
		const { clock, scheduler, dropped, take } = setup({ running: () => busy.n });
		for (let i = 0; i < 40; i++) scheduler.observe('live', 600);
		// A free worker: taken, whatever the estimate says (answered ~600 ms after arrival).
		expect(scheduler.submit({ id: 'now' }, { priority: 'live', client: 'a', deadline: 400 })).toBeNull();
		expect(take()).toBe('now');
		// Both workers busy: it may wait half its time (200 ms) for one; ~150 ms expected, so queued.
		busy.n = 2;
		expect(scheduler.submit({ id: 'soon' }, { priority: 'live', client: 'a', deadline: 400 })).toBeNull();
		expect(scheduler.nextExpiry()).toBe(200);
		clock.t = 201;
		scheduler.expire();
		expect(dropped).toMatchObject([{ id: 'soon', reason: 'late' }]);
	});

	it('learns the run time from measurements, and the retry-after grows with the clients waiting', () => {
		const { scheduler } = setup();
		for (let i = 0; i < 20; i++) scheduler.observe('live', 100);
		expect(scheduler.runMs('live')).toBeGreaterThan(95);
		expect(scheduler.runMs('live')).toBeLessThanOrEqual(100);
		scheduler.observe('live', Number.NaN);
		expect(scheduler.runMs('live')).toBeGreaterThan(95);
		for (let i = 0; i < 16; i++) scheduler.submit({ id: `c${i}` }, { priority: 'live', client: `c${i}` });
		// 16 clients waiting and this one, ~100 ms a job, 2 workers: its turn would come every ~850 ms.
		const refusal = scheduler.submit({ id: 'x' }, { priority: 'live', client: 'x', deadline: 0 });
		expect(refusal).toEqual({ reason: 'would-be-late', retryAfterMs: Math.round((17 * scheduler.runMs('live')) / 2) });
		expect(refusal?.retryAfterMs).toBeGreaterThan(800);
	});
});

describe('scheduler: bounded memory', () => {
	it('refuses a client over its own bound, and makes room in a full class from the longest queue', () => {
		const { scheduler, dropped } = setup({
			limits: { live: { maxQueued: 6, maxPerClient: 4 }, recognize: { maxQueued: 1, maxPerClient: 1 }, enrol: { maxQueued: 1, maxPerClient: 1 } }
		});
		for (let i = 0; i < 4; i++) expect(scheduler.submit({ id: `hog${i}` }, { priority: 'live', client: 'hog' })).toBeNull();
		expect(scheduler.submit({ id: 'hog4' }, { priority: 'live', client: 'hog' })).toMatchObject({ reason: 'queue-full' });
		expect(scheduler.submit({ id: 'b0' }, { priority: 'live', client: 'b' })).toBeNull();
		expect(scheduler.submit({ id: 'c0' }, { priority: 'live', client: 'c' })).toBeNull();
		// The class is full (6): a newcomer displaces the hog's oldest crop.
		expect(scheduler.submit({ id: 'd0' }, { priority: 'live', client: 'd' })).toBeNull();
		expect(dropped).toEqual([expect.objectContaining({ id: 'hog0', reason: 'displaced' })]);
		expect(scheduler.depth()).toEqual({ live: 6, recognize: 0, enrol: 0 });
		// Once nobody holds more than a newcomer would, the newcomer is refused instead.
		for (const c of ['e', 'f']) scheduler.submit({ id: `${c}0` }, { priority: 'live', client: c });
		expect(scheduler.depth().live).toBe(6);
		expect(scheduler.submit({ id: 'b1' }, { priority: 'live', client: 'b' })).toMatchObject({ reason: 'queue-full' });
	});

	it('drops the jobs of a client that is gone, and serves the others', () => {
		const { scheduler, takeAll } = setup();
		scheduler.submit({ id: 'a1' }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'b1' }, { priority: 'live', client: 'b' });
		scheduler.submit({ id: 'a2' }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'a3' }, { priority: 'enrol', client: 'a' });
		expect(scheduler.cancel('a').map((j) => j.id)).toEqual(['a1', 'a2', 'a3']);
		expect(scheduler.cancel('nobody')).toEqual([]);
		expect(takeAll()).toEqual(['b1']);
	});

	it('gives back every queued job on drain', () => {
		const { scheduler } = setup();
		scheduler.submit({ id: 'a' }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'b' }, { priority: 'enrol', client: 'b' });
		expect(
			scheduler
				.drain()
				.map((j) => j.id)
				.sort()
		).toEqual(['a', 'b']);
		expect(scheduler.depth()).toEqual({ live: 0, recognize: 0, enrol: 0 });
		expect(scheduler.next()).toBeNull();
	});
});

describe('scheduler: batches', () => {
	const ids = (batch: Array<{ job: Job }>) => batch.map((s) => s.job.id);
	const any = () => true;

	/** The same submissions, at the same times, into two schedulers. */
	function twins(fill: (s: ReturnType<typeof setup>) => void) {
		const one = setup();
		const other = setup();
		fill(one);
		fill(other);
		return { one, other };
	}

	it('is what next() would give one call after another: fairness and class order hold', () => {
		const { one, other } = twins(({ scheduler, clock }) => {
			for (const i of [1, 2, 3, 4]) scheduler.submit({ id: `a${i}` }, { priority: 'live', client: 'a' });
			scheduler.submit({ id: 'b1' }, { priority: 'live', client: 'b' });
			scheduler.submit({ id: 'r1' }, { priority: 'recognize', client: 'rest' });
			scheduler.submit({ id: 'c1' }, { priority: 'live', client: 'c' });
			scheduler.submit({ id: 'b2' }, { priority: 'live', client: 'b' });
			clock.t = 300;
		});
		const batches = [one.scheduler.nextBatch(3, any), one.scheduler.nextBatch(3, any), one.scheduler.nextBatch(3, any), one.scheduler.nextBatch(3, any)];
		expect(batches.map(ids)).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2', 'a3'], ['a4', 'r1'], []]);
		expect(batches.flat().map((s) => s.job.id)).toEqual(other.takeAll());
		expect(batches[0]!.map((s) => s.waitedMs)).toEqual([300, 300, 300]);
	});

	it('lets an aged REST job into its turn exactly where next() would run it', () => {
		const { one, other } = twins(({ scheduler, clock }) => {
			scheduler.submit({ id: 'rest' }, { priority: 'recognize', client: 'rest' });
			clock.t = 1500;
			for (let i = 0; i < 6; i++) scheduler.submit({ id: `live${i}` }, { priority: 'live', client: `phone${i}` });
		});
		expect(ids(one.scheduler.nextBatch(8, any))).toEqual(other.takeAll());
	});

	it('ends before the first job that does not fit the batch, and leaves it waiting', () => {
		const { scheduler, take } = setup();
		scheduler.submit({ id: 'crop1' }, { priority: 'live', client: 'a' });
		scheduler.submit({ id: 'photo' }, { priority: 'live', client: 'b' });
		scheduler.submit({ id: 'crop2' }, { priority: 'live', client: 'c' });
		const crops = (_first: Job, job: Job) => job.id.startsWith('crop');
		expect(ids(scheduler.nextBatch(8, crops))).toEqual(['crop1']);
		expect(take()).toBe('photo');
		expect(ids(scheduler.nextBatch(8, crops))).toEqual(['crop2']);
	});

	it('never waits for company: a lone job is a batch of one, nothing waiting is an empty batch', () => {
		const { scheduler } = setup();
		expect(scheduler.nextBatch(8, any)).toEqual([]);
		scheduler.submit({ id: 'lone' }, { priority: 'live', client: 'a', deadline: 400 });
		expect(ids(scheduler.nextBatch(8, any))).toEqual(['lone']);
		expect(scheduler.depth()).toEqual({ live: 0, recognize: 0, enrol: 0 });
	});

	it('grows only while every member, answered at its end, still is in time with a run to spare; drops late jobs first', () => {
		// Run time 50 ms a member; a batch of n is answered n × 50 ms after it starts.
		const { clock, scheduler, dropped } = setup();
		scheduler.submit({ id: 'late' }, { priority: 'live', client: 'z', deadline: 120 });
		scheduler.submit({ id: 'a' }, { priority: 'live', client: 'a', deadline: 1000 });
		scheduler.submit({ id: 'b' }, { priority: 'live', client: 'b', deadline: 1000 });
		// Must start by 200 − 50 = 150: as a 3rd member (answered at 250, 300 with the spare run) it would be late.
		scheduler.submit({ id: 'tight' }, { priority: 'live', client: 'c', deadline: 200 });
		scheduler.submit({ id: 'd' }, { priority: 'live', client: 'd', deadline: 1000 });
		clock.t = 100;
		const batch = scheduler.nextBatch(8, any);
		expect(dropped.map((d) => d.id)).toEqual(['late']);
		expect(ids(batch)).toEqual(['a', 'b']);
		// It leads the next batch, alone: with 'd' beside it, it would be answered at 200 with nothing to spare.
		expect(ids(scheduler.nextBatch(8, any))).toEqual(['tight']);
		expect(ids(scheduler.nextBatch(8, any))).toEqual(['d']);
	});

	it('respects the size asked for', () => {
		const { scheduler } = setup();
		for (let i = 0; i < 6; i++) scheduler.submit({ id: `c${i}` }, { priority: 'live', client: `c${i}` });
		expect(scheduler.nextBatch(4, any)).toHaveLength(4);
		expect(scheduler.nextBatch(1, any)).toHaveLength(1);
	});
});

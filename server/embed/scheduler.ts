/**
 * Which embedding job runs next (issue #10). Pure: the clock and the pool's worker counts are
 * handed in; the pool (pool.ts) runs what `next()` gives.
 *
 * - Classes, in order: `live` crops from the data channel, `recognize` (REST photos), `enrol`
 *   (enrolment, import and everything else). A class is served before the ones after it, but a
 *   waiting job climbs one class for every `agingMs` it has waited, and among equals the job that
 *   waited longest goes first: under a live overload a REST recognition still starts within about
 *   `agingMs`, an enrolment within about 2 × `agingMs`. A class may jump ahead that way at most
 *   once per `agingMs`, so a backlog of photos gets a steady trickle, not the whole server: nothing
 *   starves, and live crops keep the rest.
 * - Within a class, each client (a data channel; one REST address) has its own queue, and the
 *   client that has had the least service lately goes first: each job a client starts counts
 *   one, fading with a time constant of `serviceMemoryMs` (ties: the job that came first). With
 *   every client busy this is round robin; unlike round robin it remembers: a phone that was
 *   just answered waits behind one that was turned away, or that kept away as it was told (the
 *   page backs off), so a client that is refused once is not refused every time after. A client
 *   sending more than its share waits behind itself, and its crops are the ones that run late.
 * - A job may carry a deadline to be answered by (live crops: what an overlay can still use). It
 *   must start by the deadline less its expected run time, but may always wait half of its time
 *   (so a server slower than the deadline still answers what it can start at once, a little late,
 *   rather than refusing everything). It is refused at once when the work ahead of it means it
 *   cannot start in time (`would-be-late`; never when a worker is free), and dropped when its
 *   start time passes (`late`). A refusal says when to come back: the client's fair interval,
 *   (clients waiting × run time) ÷ workers.
 * - Batches (`nextBatch`): a free worker may take several jobs at once (pool.ts: live crops,
 *   described together for less work each). A batch is exactly the jobs `next()` would give one
 *   after another, cut short at the first that does not fit it; only jobs already waiting, so a
 *   lone job never waits for company. It grows only while every member, answered at the batch's
 *   end, still would be with a run time to spare (one run time a member: the class's, which the
 *   pool measures per job as a batch's time ÷ its size).
 * - One worker kept for live crops: while a live crop came within `liveReserveMs`, the other
 *   classes start only while fewer than workers − 1 of their jobs run (with two workers or more).
 *   The scheduler does not preempt, so without it a few clients' big photos (0.6 s each at 100
 *   megapixels) held every worker and 27 of 45 live crops beside them were refused (review, 3
 *   December). With no live crop lately, photos take every worker.
 * - Bounded: at most `maxPerClient` jobs per client and `maxQueued` per class. A client over its
 *   bound is refused (`queue-full`); a full class makes room by dropping the oldest job of the
 *   client with the longest queue when that client holds more than the newcomer would
 *   (`displaced`), so one client cannot fill a class and lock the others out.
 */

export const PRIORITIES = ['live', 'recognize', 'enrol'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type DropReason = 'queue-full' | 'would-be-late' | 'late' | 'displaced';
/** Why a job was refused or dropped, and when its client should try again. */
export type Drop = { reason: DropReason; retryAfterMs: number };

export type ClassLimits = { maxQueued: number; maxPerClient: number };

export type SchedulerOptions<T> = {
	now: () => number;
	/** Workers that can run jobs now (alive and ready). */
	workers: () => number;
	/** Jobs running now. */
	running: () => number;
	/** Jobs running now that are not live crops. */
	runningNotLive?: () => number;
	/** How long after a live crop one worker stays kept for live crops, ms. Default 2000. */
	liveReserveMs?: number;
	limits: Record<Priority, ClassLimits>;
	/** A waiting job climbs one class per this many ms. Default 1000. */
	agingMs?: number;
	/** How long a client's service is remembered (time constant of its fading), ms. Default 10 000. */
	serviceMemoryMs?: number;
	/** Expected run time of a job before any has been measured, ms. Default 100. */
	initialRunMs?: number;
	/** Bounds of the retry-after a refusal gives, ms. Default 200 and 5000. */
	retryAfterMs?: { min: number; max: number };
	/** A queued job dropped (`late`, `displaced`): the caller answers it. */
	onDrop: (job: T, drop: Drop) => void;
};

export type SubmitOptions = {
	priority: Priority;
	/** Whose job (a data channel, an address): the unit of fairness within the class. */
	client: string;
	/** When (clock ms) the answer must be ready by; none: the job waits its turn. */
	deadline?: number;
};

/** `startBy`: the job is dropped if it has not started by then (Infinity: never). */
type Entry<T> = { job: T; client: string; priority: Priority; enqueuedAt: number; startBy: number };

type ClassQueue<T> = {
	/** Clients with jobs waiting; each list oldest first. */
	clients: Map<string, Array<Entry<T>>>;
	size: number;
	/** Each client's recent service: jobs started, fading; `at` is when `score` was last brought up to date. */
	service: Map<string, { score: number; at: number }>;
};

export type Started<T> = { job: T; priority: Priority; waitedMs: number };

export type Scheduler<T> = {
	/** Queues a job; null when queued, or why it was refused (it is not queued then). */
	submit(job: T, options: SubmitOptions): Drop | null;
	/** The next job to run, dropping late ones on the way; null when none waits. */
	next(): Started<T> | null;
	/**
	 * The next jobs to run together: what `next()` would give one call after another, at most
	 * `max`, ending before the first job that `fits(first, job)` refuses or that could no longer
	 * start in time behind the others. Empty when none waits.
	 */
	nextBatch(max: number, fits: (first: T, job: T) => boolean): Array<Started<T>>;
	/** Drops every job that can no longer make its deadline. */
	expire(): void;
	/** When the worker kept for live crops is let go (clock ms), if a job of another class waits on it; else null. */
	keptUntil(): number | null;
	/** When the first queued job with a deadline must start by (clock ms); null when no job has one. */
	nextExpiry(): number | null;
	/** A measured run time (ms) of a job of this class, to estimate waits. */
	observe(priority: Priority, runMs: number): void;
	/** The expected run time of a job of this class, ms. */
	runMs(priority: Priority): number;
	/** Removes and returns the queued jobs of `client` (of every class): its answers have nowhere to go. */
	cancel(client: string): T[];
	/** Removes and returns every queued job. */
	drain(): T[];
	depth(): Record<Priority, number>;
};

/** Weight of a new run time in the running estimate. */
const RUN_EWMA = 0.2;

export function createScheduler<T>(options: SchedulerOptions<T>): Scheduler<T> {
	const { now, limits, onDrop } = options;
	const agingMs = options.agingMs ?? 1000;
	const retryBounds = options.retryAfterMs ?? { min: 200, max: 5000 };
	const queues = Object.fromEntries(PRIORITIES.map((p) => [p, { clients: new Map(), size: 0, service: new Map() }])) as Record<Priority, ClassQueue<T>>;
	const serviceMemoryMs = options.serviceMemoryMs ?? 10_000;
	const runEstimate = Object.fromEntries(PRIORITIES.map((p) => [p, options.initialRunMs ?? 100])) as Record<Priority, number>;
	const workers = () => Math.max(1, options.workers());
	const liveReserveMs = options.liveReserveMs ?? 2000;
	let lastLiveAt = -Infinity;
	/** Whether a job of another class than live may not start now: the last worker free is kept for live crops. */
	const keptForLive = (t: number) => t - lastLiveAt < liveReserveMs && workers() >= 2 && (options.runningNotLive?.() ?? 0) >= workers() - 1;
	/** When each class last started a job ahead of a higher class by aging. */
	const promotedAt = Object.fromEntries(PRIORITIES.map((p) => [p, -Infinity])) as Record<Priority, number>;

	/** A client's fair interval in this class: how often its turn comes round, ms. */
	function retryAfter(priority: Priority, extraClients = 0): number {
		const clients = queues[priority].clients.size + extraClients;
		const ms = (Math.max(1, clients) * runEstimate[priority]) / workers();
		return Math.round(Math.min(retryBounds.max, Math.max(retryBounds.min, ms)));
	}

	/** A client's recent service at `t`: jobs started, each fading with time constant serviceMemoryMs. */
	function serviceOf(q: ClassQueue<T>, client: string, t: number): number {
		const s = q.service.get(client);
		return s ? s.score * Math.exp(-(t - s.at) / serviceMemoryMs) : 0;
	}

	/**
	 * Expected wait (ms) before a new job of `client` starts. Its place: behind its own waiting
	 * jobs, and behind every job of another client whose service (counting that client's jobs
	 * ahead of it as served) is not above this one's.
	 */
	function expectedWait(priority: Priority, client: string): number {
		const q = queues[priority];
		const t = now();
		const own = q.clients.get(client)?.length ?? 0;
		const key = serviceOf(q, client, t) + own;
		let ahead = own;
		for (const [other, list] of q.clients) {
			if (other !== client) ahead += Math.max(0, Math.min(list.length, Math.floor(key - serviceOf(q, other, t)) + 1));
		}
		// Higher classes go first (aging aside).
		for (const p of PRIORITIES) {
			if (p === priority) break;
			ahead += queues[p].size;
		}
		const free = workers() - options.running();
		if (ahead < free) return 0;
		// Jobs start as workers free up, about one every run ÷ workers; the first after half of that.
		return (ahead - free + 0.5) * (runEstimate[priority] / workers());
	}

	function remove(entry: Entry<T>): void {
		const q = queues[entry.priority];
		const list = q.clients.get(entry.client);
		if (!list) return;
		const i = list.indexOf(entry);
		if (i < 0) return;
		list.splice(i, 1);
		q.size--;
		if (list.length === 0) q.clients.delete(entry.client);
	}

	/** When a job due by `deadline` must start: its run time before, but never less than half its time from now. */
	const startByOf = (priority: Priority, t: number, deadline: number) =>
		deadline === Infinity ? Infinity : deadline - Math.min(runEstimate[priority], Math.max(0, deadline - t) / 2);

	function expire(): void {
		const t = now();
		for (const p of PRIORITIES) {
			for (const list of [...queues[p].clients.values()]) {
				for (const entry of [...list]) {
					if (t <= entry.startBy) continue;
					remove(entry);
					onDrop(entry.job, { reason: 'late', retryAfterMs: retryAfter(p, 1) });
				}
			}
		}
	}

	/**
	 * The class to serve: the lowest rank, where a class's rank drops by one per `agingMs` its
	 * oldest job has waited (unless it jumped ahead within the last `agingMs`); oldest first among
	 * equals.
	 */
	function pickClass(t: number): { p: Priority; promoted: boolean } | null {
		let best: { p: Priority; base: number; rank: number; since: number } | null = null;
		let firstWaiting: number | null = null;
		const kept = keptForLive(t);
		for (const [base, p] of PRIORITIES.entries()) {
			const q = queues[p];
			if (q.size === 0 || (kept && p !== 'live')) continue;
			firstWaiting ??= base;
			let since = Infinity;
			for (const list of q.clients.values()) since = Math.min(since, list[0]!.enqueuedAt);
			const aged = t - promotedAt[p] >= agingMs ? Math.floor((t - since) / agingMs) : 0;
			const rank = Math.max(0, base - aged);
			if (!best || rank < best.rank || (rank === best.rank && since < best.since)) best = { p, base, rank, since };
		}
		return best && { p: best.p, promoted: firstWaiting !== null && best.base > firstWaiting };
	}

	/** The job to start next at `t` and its client's service (nothing changes); null when none waits. */
	function choose(t: number): { p: Priority; promoted: boolean; client: string; served: number; entry: Entry<T> } | null {
		const picked = pickClass(t);
		if (!picked) return null;
		let best: { client: string; served: number; entry: Entry<T> } | null = null;
		for (const [client, list] of queues[picked.p].clients) {
			const served = serviceOf(queues[picked.p], client, t);
			const entry = list[0]!;
			if (!best || served < best.served || (served === best.served && entry.enqueuedAt < best.entry.enqueuedAt)) best = { client, served, entry };
		}
		return { ...picked, ...best! };
	}

	/** Starts the chosen job: out of its queue, counted to its client's service. */
	function start(t: number, { p, promoted, client, served, entry }: NonNullable<ReturnType<typeof choose>>): Started<T> {
		const q = queues[p];
		if (promoted) promotedAt[p] = t;
		remove(entry);
		q.service.set(client, { score: served + 1, at: t });
		// Forget clients whose service has faded to nothing (and who wait for nothing): bounded memory.
		if (q.service.size > q.clients.size + 64) {
			for (const c of q.service.keys()) if (!q.clients.has(c) && serviceOf(q, c, t) < 0.01) q.service.delete(c);
		}
		return { job: entry.job, priority: p, waitedMs: t - entry.enqueuedAt };
	}

	return {
		submit(job, { priority, client, deadline = Infinity }) {
			const t = now();
			const q = queues[priority];
			const limit = limits[priority];
			const own = q.clients.get(client);
			if ((own?.length ?? 0) >= limit.maxPerClient) return { reason: 'queue-full', retryAfterMs: retryAfter(priority) };
			const startBy = startByOf(priority, t, deadline);
			const wait = startBy === Infinity ? 0 : expectedWait(priority, client);
			if (wait > 0 && t + wait > startBy) return { reason: 'would-be-late', retryAfterMs: retryAfter(priority, own ? 0 : 1) };
			if (q.size >= limit.maxQueued) {
				let longest: Array<Entry<T>> | null = null;
				for (const list of q.clients.values()) if (!longest || list.length > longest.length) longest = list;
				if (!longest || longest.length <= (own?.length ?? 0) + 1) return { reason: 'queue-full', retryAfterMs: retryAfter(priority) };
				const victim = longest[0]!;
				remove(victim);
				onDrop(victim.job, { reason: 'displaced', retryAfterMs: retryAfter(priority) });
			}
			if (priority === 'live') lastLiveAt = t;
			const entry: Entry<T> = { job, client, priority, enqueuedAt: t, startBy };
			const list = q.clients.get(client);
			if (list) list.push(entry);
			else q.clients.set(client, [entry]);
			q.size++;
			return null;
		},

		next() {
			expire();
			const t = now();
			const chosen = choose(t);
			return chosen && start(t, chosen);
		},

		nextBatch(max, fits) {
			expire();
			const t = now();
			const batch: Array<Started<T>> = [];
			let startBy = Infinity;
			while (batch.length < max) {
				const chosen = choose(t);
				if (!chosen) break;
				if (batch.length > 0) {
					if (!fits(batch[0]!.job, chosen.entry.job)) break;
					// Every member is answered at the batch's end: one run time a member. A batch's time
					// varies more than one job's, so keep one run time to spare (bench:load at
					// saturation, load average 7–13: 8–13 % of crops answered after 400 ms without it,
					// 4–5 % with one crop at a time).
					const by = Math.min(startBy, chosen.entry.startBy);
					if (t + (batch.length + 1) * runEstimate[chosen.p] > by) break;
				}
				startBy = Math.min(startBy, chosen.entry.startBy);
				batch.push(start(t, chosen));
			}
			return batch;
		},

		expire,

		keptUntil() {
			const t = now();
			if (!keptForLive(t) || (queues.recognize.size === 0 && queues.enrol.size === 0)) return null;
			return lastLiveAt + liveReserveMs;
		},

		nextExpiry() {
			let earliest = Infinity;
			for (const p of PRIORITIES) {
				for (const list of queues[p].clients.values()) {
					for (const entry of list) earliest = Math.min(earliest, entry.startBy);
				}
			}
			return earliest === Infinity ? null : earliest;
		},

		observe(priority, runMs) {
			if (!(runMs >= 0) || !Number.isFinite(runMs)) return;
			runEstimate[priority] = runEstimate[priority] * (1 - RUN_EWMA) + runMs * RUN_EWMA;
		},

		runMs: (priority) => runEstimate[priority],

		cancel(client) {
			const jobs: T[] = [];
			for (const p of PRIORITIES) {
				for (const entry of [...(queues[p].clients.get(client) ?? [])]) {
					remove(entry);
					jobs.push(entry.job);
				}
			}
			return jobs;
		},

		drain() {
			const jobs: T[] = [];
			for (const p of PRIORITIES) {
				for (const list of queues[p].clients.values()) for (const entry of list) jobs.push(entry.job);
				queues[p].clients.clear();
				queues[p].size = 0;
				queues[p].service.clear();
			}
			return jobs;
		},

		depth() {
			return Object.fromEntries(PRIORITIES.map((p) => [p, queues[p].size])) as Record<Priority, number>;
		}
	};
}

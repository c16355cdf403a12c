// A fixed-size pool of embed worker threads (worker.ts), each running its own face engine.
//
// - Jobs wait in the scheduler (scheduler.ts): live crops first, then REST recognition, then
//   enrolment; the clients of a class in turn; live crops with a deadline are refused or dropped
//   `overloaded` (with a retry-after) when they cannot be answered in time; every queue bounded.
// - A job running longer than its limit (jobTimeoutMs for a crop, photoTimeoutMs for a photo: a
//   big photo takes many times a crop's work, more on a busy machine) rejects with 'timeout'; its
//   worker is terminated and restarted. A worker that dies fails its job with 'internal' and is restarted after a backoff
//   that grows with its crashes in a row (restart-policy.ts): a crash loop shows in stats().
// - Start-up: a worker that cannot load the engine ('fatal') or dies before it is ready fails
//   ready() and is not restarted (a broken install, not a crash); with none left every job fails.
// - After close(), every call rejects with 'closed'.
// - Input bytes are copied, then the copy's buffer is transferred, so the caller keeps its own.
// - Batches: a free worker takes up to `batch` waiting crops at once (scheduler.ts nextBatch: in
//   the order they would be served one by one), described together for less work each
//   (face-engine.ts describeCrops): only crops already waiting, and only when more wait than
//   there are workers (queued ÷ workers, rounded down), so a lone crop never waits for company
//   and a light load is answered one crop at a time.
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
import { createRestartPolicy, type RestartPolicyOptions } from './restart-policy.ts';
import { createScheduler, PRIORITIES, type DropReason, type Priority } from './scheduler.ts';
import type { CropDescription, PhotoAnalysis } from './types.ts';
import type { CropKeypoints, LandmarkUse, WorkerBatch, WorkerInit, WorkerJob, WorkerReply } from './worker.ts';
import { workerBootstrap, workerExecArgv } from './worker-bootstrap.ts';

export { workerBootstrap, workerExecArgv } from './worker-bootstrap.ts';
export type { Priority } from './scheduler.ts';

/** Live crops waiting per client (a data channel): as many as it may have in flight. */
export const LIVE_QUEUE_PER_CLIENT = 4;
/** Live crops waiting in all: 8 MB of crops at most, far more than a deadline lets wait. */
export const LIVE_QUEUE_MAX = 128;
/**
 * Crops a worker describes together at most. `npm run bench:batch` on face-api's demo crops
 * (tuning; CPU ms a crop, one thread, wasm): 32.8 alone, 30.2 by 2, 29.4 by 4, 28.5 by 8. By 8
 * saves 0.9 ms more than by 4 but doubles what the first crop of a full batch waits for the last;
 * the labelled faces of ../shared/data (held out) gave 26.7 / 25.2 / 24.6 / 24.7.
 */
export const EMBED_BATCH_DEFAULT = 4;

export interface EmbedPoolOptions {
	/** Number of worker threads (≥ 1). */
	size: number;
	/** Folder with the face-api weights, handed to each worker. */
	modelDir: string;
	/** Which embedder the workers run (EMBEDDER); face-api's own when absent. */
	embedder?: WorkerInit['embedder'];
	/** What runs face-api's nets (SSD, landmarks, recognition) in the workers (FACE_NETS; 'auto' when absent). */
	nets?: WorkerInit['nets'];
	/** Per-crop limit once a worker has it (default 10 s). */
	jobTimeoutMs?: number;
	/**
	 * Per-photo limit once a worker has it (REST recognize, enrolment, import; default 60 s): a
	 * 12-megapixel photo is decoded, searched by the detector and aligned, which on a loaded 2-core
	 * machine took longer than a crop's limit (a 504 under bench:load's overload phase).
	 */
	photoTimeoutMs?: number;
	/**
	 * Crops a worker may describe together (EMBED_BATCH; default EMBED_BATCH_DEFAULT; 1: one at a
	 * time). Photos are always one at a time.
	 */
	batch?: number;
	/** Jobs that may wait, per class other than live (default 64). */
	maxQueue?: number;
	/** The worker entry (default ./worker.ts beside this file). */
	workerUrl?: URL;
	/** Where the pool reports start-up (info) and worker failures and restarts (warn); silent without it. */
	log?: (msg: string, level?: 'info' | 'warn') => void;
	/** What the pool did, for metrics. */
	observer?: PoolObserver;
	/** Restart backoff (restart-policy.ts); tests shorten it. */
	restart?: Omit<RestartPolicyOptions, 'now'>;
	now?: () => number;
}

export type PoolObserver = {
	/** A job finished in a worker: how long it waited, and ran (dispatch to reply, ms), and the size of the batch it ran in (1: alone). */
	jobDone?(info: { priority: Priority; kind: WorkerJob['kind']; waitedMs: number; runMs: number; ok: boolean; batch: number }): void;
	/** A live crop described: how its landmarks were found (keypoints used or not, landmark net runs). */
	cropLandmarks?(use: LandmarkUse): void;
	/** A job refused at submission or dropped from the queue, answered `overloaded`. */
	dropped?(priority: Priority, reason: DropReason): void;
	/** A worker ended unexpectedly (crash, hang); it restarts after `restartInMs`. */
	workerExit?(info: { slot: number; code: number; restartInMs: number }): void;
};

/** How to queue a job. Default: class `enrol`, one client, no deadline. */
export type JobOptions = {
	priority?: Priority;
	/** Whose job: the unit of fairness within its class (a data channel, an address). */
	client?: string;
	/** The answer is of no use after this many ms from now: refused or dropped `overloaded` rather than late. */
	withinMs?: number;
	/** A crop's keypoints from the browser's detector (crop pixels): where the worker starts looking. */
	keypoints?: CropKeypoints;
};

export interface EmbedPoolStats {
	size: number;
	/** Workers that loaded the engine and are alive. */
	ready: number;
	/** Workers starting, or waiting out their restart backoff. */
	restarting: number;
	/** Workers whose crashes in a row make a crash loop (restart-policy.ts). */
	crashLooping: number;
	/** Jobs waiting, by class. */
	queuedBy: Record<Priority, number>;
	queued: number;
	busy: number;
	done: number;
	failed: number;
	timeouts: number;
	/** Jobs refused or dropped `overloaded`. */
	overloaded: number;
	restarts: number;
	/** The last unexpected worker exit. */
	lastExit: { slot: number; code: number; atMs: number } | null;
}

export interface EmbedPool {
	/** Resolves once every worker has loaded the engine; rejects if one cannot. */
	ready(): Promise<{ backend: string }>;
	/** The descriptor of a face crop (JPEG/PNG/WebP bytes); null when no usable face. */
	describeCrop(bytes: Uint8Array, options?: JobOptions): Promise<CropDescription>;
	/** Every face in a photo, boxes in the photo's own pixels, each with its descriptor. */
	analyzePhoto(bytes: Uint8Array, options?: JobOptions): Promise<PhotoAnalysis>;
	/** Drops the waiting jobs of `client` (rejected 'closed'): it is gone, its answers would be wasted work. */
	cancel(client: string): void;
	stats(): EmbedPoolStats;
	/** Rejects waiting and running jobs with 'closed' and ends the workers. */
	close(): Promise<void>;
}

type Kind = WorkerJob['kind'];

interface Job {
	id: number;
	kind: Kind;
	priority: Priority;
	bytes: Uint8Array;
	keypoints?: CropKeypoints;
	waitedMs: number;
	startedAt: number;
	/** Jobs in the batch it ran in (1: alone). */
	batchSize: number;
	resolve(value: unknown): void;
	reject(err: Error): void;
}

interface Slot {
	index: number;
	worker: Worker | null;
	state: 'starting' | 'idle' | 'busy' | 'waiting' | 'failed';
	/** What it runs: one job, or a batch of crops; empty when idle. */
	jobs: Job[];
	timer: NodeJS.Timeout | null;
	/** Set when the pool itself terminates the worker (timeout, close): its exit is expected. */
	retiring: boolean;
}

const DEFAULT_WORKER_URL = new URL('./worker.ts', import.meta.url);

function poolError(code: ErrorCode, message: string, retryAfterMs?: number): AppError {
	return new AppError(code, message, retryAfterMs === undefined ? undefined : { retryAfterMs });
}

const DROP_MESSAGES: Record<DropReason, string> = {
	'queue-full': 'too many faces waiting to be embedded',
	'would-be-late': 'the recognizer is busy: this face could not be answered in time',
	late: 'the recognizer is busy: this face waited too long',
	displaced: 'the recognizer is busy: this face gave way to other clients'
};

export function createEmbedPool(options: EmbedPoolOptions): EmbedPool {
	const { modelDir, embedder, nets, log, observer } = options;
	const size = Math.floor(options.size);
	if (!(size >= 1)) throw new RangeError(`embed pool size must be ≥ 1, got ${options.size}`);
	const now = options.now ?? (() => performance.now());
	const jobTimeoutMs = options.jobTimeoutMs ?? 10_000;
	const photoTimeoutMs = options.photoTimeoutMs ?? 60_000;
	const limitOf = (kind: Kind) => (kind === 'analyze-photo' ? photoTimeoutMs : jobTimeoutMs);
	const maxQueue = options.maxQueue ?? 64;
	const batchMax = Math.max(1, Math.floor(options.batch ?? EMBED_BATCH_DEFAULT));
	const workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
	const bootstrap = workerBootstrap(workerUrl);
	const execArgv = workerExecArgv();
	const init: WorkerInit = { modelDir, ...(embedder ? { embedder } : {}), ...(nets ? { nets } : {}) };

	const slots: Slot[] = [];
	const restarts = createRestartPolicy({ now, ...options.restart });
	const respawnTimers = new Set<NodeJS.Timeout>();
	let nextId = 1;
	let closed = false;
	let backend: string | null = null;
	let startupError: Error | null = null;
	let lastExit: EmbedPoolStats['lastExit'] = null;
	const counts = { done: 0, failed: 0, timeouts: 0, overloaded: 0, restarts: 0 };
	const readyCount = () => slots.filter((s) => s.state === 'idle' || s.state === 'busy').length;

	const scheduler = createScheduler<Job>({
		now,
		// While workers restart, estimate waits as if they were there: their crops are dropped if late.
		workers: () => Math.max(1, readyCount()),
		// Jobs, not workers: a worker running a batch of 4 has 4 runs to go before it takes another.
		running: () => slots.reduce((n, s) => n + (s.state === 'busy' ? s.jobs.length : 0), 0),
		runningNotLive: () => slots.reduce((n, s) => n + (s.state === 'busy' ? s.jobs.filter((j) => j.priority !== 'live').length : 0), 0),
		limits: {
			live: { maxQueued: LIVE_QUEUE_MAX, maxPerClient: LIVE_QUEUE_PER_CLIENT },
			recognize: { maxQueued: maxQueue, maxPerClient: maxQueue },
			enrol: { maxQueued: maxQueue, maxPerClient: maxQueue }
		},
		onDrop: (job, drop) => {
			counts.overloaded++;
			observer?.dropped?.(job.priority, drop.reason);
			job.reject(poolError('overloaded', DROP_MESSAGES[drop.reason], drop.retryAfterMs));
		}
	});

	let resolveReady!: (v: { backend: string }) => void;
	let rejectReady!: (err: Error) => void;
	const readyPromise = new Promise<{ backend: string }>((resolve, reject) => {
		resolveReady = resolve;
		rejectReady = reject;
	});
	readyPromise.catch(() => {}); // observed through ready(); never an unhandled rejection
	let startedUp = false;

	function spawn(slot: Slot): void {
		const worker = new Worker(bootstrap, { eval: true, workerData: init, execArgv });
		slot.worker = worker;
		slot.state = 'starting';
		slot.retiring = false;
		worker.on('message', (msg: WorkerReply) => onMessage(slot, worker, msg));
		worker.on('error', (err) => {
			// An uncaught exception in the worker; 'exit' follows and handles the job and restart.
			if (slot.worker === worker) log?.(`embed: worker ${slot.index} failed: ${err.stack ?? err.message}`, 'warn');
		});
		worker.on('exit', (code) => onExit(slot, worker, code));
	}

	/** Every slot failed for good: nothing will ever run the queue. */
	const allFailed = () => slots.every((s) => s.state === 'failed');

	function onReady(slot: Slot, workerBackend: string): void {
		backend ??= workerBackend;
		slot.state = 'idle';
		restarts.ready(slot.index);
		if (!startedUp && slots.every((s) => s.state === 'idle' || s.state === 'busy')) {
			startedUp = true;
			log?.(`embed: ${size} worker${size === 1 ? '' : 's'}, backend ${backend}`);
			resolveReady({ backend });
		}
		pump();
	}

	function onMessage(slot: Slot, worker: Worker, msg: WorkerReply): void {
		if (slot.worker !== worker) return;
		if ('type' in msg) {
			if (msg.type === 'ready') return onReady(slot, msg.backend);
			log?.(`embed: worker ${slot.index} cannot load the face engine: ${msg.message}`, 'warn');
			if (startedUp) {
				// It loaded before: a passing failure (memory, files); its exit restarts it with backoff.
				void worker.terminate();
				return;
			}
			slot.state = 'failed';
			slot.retiring = true;
			void worker.terminate();
			startupError ??= poolError('internal', `face engine failed to load: ${msg.message}`);
			rejectReady(startupError);
			if (allFailed()) failQueue('internal', 'no embed worker could load the face engine');
			return;
		}
		const job = slot.jobs.find((j) => j.id === msg.id);
		if (!job) return; // a reply to a job that already timed out
		slot.jobs.splice(slot.jobs.indexOf(job), 1);
		if (slot.jobs.length === 0) finish(slot);
		const runMs = now() - job.startedAt;
		// A batch's crops all answer at its end: each costs its share of the batch's time.
		scheduler.observe(job.priority, runMs / job.batchSize);
		observer?.jobDone?.({ priority: job.priority, kind: job.kind, waitedMs: job.waitedMs, runMs, ok: msg.ok, batch: job.batchSize });
		if (msg.ok) {
			counts.done++;
			if ('faces' in msg) {
				job.resolve({ faces: msg.faces, width: msg.width, height: msg.height, ms: msg.ms } satisfies PhotoAnalysis);
			} else {
				if (msg.landmark) observer?.cropLandmarks?.(msg.landmark);
				job.resolve({ descriptor: msg.descriptor, ms: msg.ms } satisfies CropDescription);
			}
		} else {
			counts.failed++;
			job.reject(poolError(msg.code === 'bad-image' || msg.code === 'too-large' ? msg.code : 'internal', msg.message));
		}
		if (slot.jobs.length === 0) pump();
	}

	function onExit(slot: Slot, worker: Worker, code: number): void {
		if (slot.worker !== worker) return;
		slot.worker = null;
		for (const job of finish(slot)) {
			counts.failed++;
			job.reject(poolError('internal', `embed worker exited (code ${code})`));
		}
		if (closed || slot.state === 'failed') return;
		if (!startedUp && slot.state === 'starting' && !slot.retiring) {
			// Died before it was ever ready: a broken install, not a crash to retry forever.
			slot.state = 'failed';
			log?.(`embed: worker ${slot.index} exited during start-up (code ${code})`, 'warn');
			startupError ??= poolError('internal', `embed worker exited during start-up (code ${code})`);
			rejectReady(startupError);
			if (allFailed()) failQueue('internal', 'no embed worker could start');
			return;
		}
		const delay = restarts.crashed(slot.index);
		counts.restarts++;
		if (!slot.retiring) {
			lastExit = { slot: slot.index, code, atMs: Date.now() };
			log?.(`embed: worker ${slot.index} exited (code ${code}); restarting${delay > 0 ? ` in ${delay} ms` : ''}`, 'warn');
		}
		observer?.workerExit?.({ slot: slot.index, code, restartInMs: delay });
		slot.state = 'waiting';
		const timer = setTimeout(() => {
			respawnTimers.delete(timer);
			if (!closed) spawn(slot);
		}, delay);
		respawnTimers.add(timer);
	}

	/** Clears a slot's jobs and timer, and returns the jobs it still had; the slot goes back to idle if it was busy. */
	function finish(slot: Slot): Job[] {
		if (slot.timer) clearTimeout(slot.timer);
		slot.timer = null;
		const left = slot.jobs;
		slot.jobs = [];
		if (slot.state === 'busy') slot.state = 'idle';
		return left;
	}

	function onTimeout(slot: Slot, jobs: readonly Job[]): void {
		if (!jobs.some((j) => slot.jobs.includes(j))) return;
		const worker = slot.worker;
		const kind = jobs[0]!.kind;
		const limit = limitOf(kind);
		for (const job of finish(slot)) {
			counts.timeouts++;
			counts.failed++;
			job.reject(poolError('timeout', `embedding took over ${limit} ms`));
		}
		log?.(`embed: worker ${slot.index} timed out after ${limit} ms (${kind}); restarting`, 'warn');
		slot.state = 'starting';
		slot.retiring = true;
		// The 'exit' handler restarts it.
		if (worker) void worker.terminate();
	}

	/** A timer that runs `fn` at a clock time (`set` replaces the time before; null: none). */
	function alarm(fn: () => void) {
		let timer: NodeJS.Timeout | null = null;
		const clear = () => {
			if (timer) clearTimeout(timer);
			timer = null;
		};
		return {
			clear,
			set(at: number | null) {
				clear();
				if (at === null || closed) return;
				timer = setTimeout(
					() => {
						timer = null;
						fn();
					},
					Math.max(0, at - now()) + 1
				);
				timer.unref();
			}
		};
	}

	// Crops that can no longer be answered in time are dropped when their time comes, not when a
	// worker frees up: the client hears `overloaded` promptly and can back off.
	const expiry = alarm(() => {
		scheduler.expire();
		scheduleExpiry();
	});
	const scheduleExpiry = () => expiry.set(scheduler.nextExpiry());

	// A photo held back for live crops (scheduler.ts) starts when no live crop has come for a while,
	// which no job's end or arrival may mark: wake up then.
	const letGo = alarm(() => pump());
	const wakeWhenLetGo = () => letGo.set(scheduler.keptUntil());

	/** Crops go in batches; a photo runs alone. */
	const batchable = (first: Job, job: Job) => first.kind === 'describe-crop' && job.kind === 'describe-crop';

	function pump(): void {
		for (const slot of slots) {
			if (slot.state !== 'idle' || !slot.worker) continue;
			// A crop takes company only when more wait than there are workers: it would have
			// waited for a worker anyway. With fewer, a batch would hold back answers another
			// worker frees up in time for (bench:load's 20-client phase: p95 258–264 ms alone,
			// 364–384 ms with batches of whatever waited).
			const queued = PRIORITIES.reduce((sum, p) => sum + scheduler.depth()[p], 0);
			const started = scheduler.nextBatch(Math.min(batchMax, Math.max(1, Math.floor(queued / Math.max(1, readyCount())))), batchable);
			if (started.length === 0) break;
			const t = now();
			const jobs = started.map(({ job, waitedMs }) => Object.assign(job, { waitedMs, startedAt: t, batchSize: started.length }));
			slot.state = 'busy';
			slot.jobs = jobs;
			slot.timer = setTimeout(() => onTimeout(slot, jobs), limitOf(jobs[0]!.kind));
			const buffers = jobs.map((job) => job.bytes.buffer as ArrayBuffer);
			const message: WorkerJob | WorkerBatch =
				jobs.length === 1
					? { id: jobs[0]!.id, kind: jobs[0]!.kind, bytes: buffers[0]!, ...(jobs[0]!.keypoints ? { keypoints: jobs[0]!.keypoints } : {}) }
					: {
							kind: 'describe-crops',
							crops: jobs.map((job, i) => ({ id: job.id, bytes: buffers[i]!, ...(job.keypoints ? { keypoints: job.keypoints } : {}) }))
						};
			slot.worker.postMessage(message, buffers);
		}
		scheduleExpiry();
		wakeWhenLetGo();
	}

	function failQueue(code: ErrorCode, message: string): void {
		for (const job of scheduler.drain()) {
			counts.failed++;
			job.reject(poolError(code, message));
		}
	}

	function submit<T>(kind: Kind, bytes: Uint8Array, o: JobOptions = {}): Promise<T> {
		if (closed) return Promise.reject(poolError('closed', 'the embed pool is closed'));
		if (allFailed()) return Promise.reject(startupError ?? poolError('internal', 'no embed worker is running'));
		const priority = o.priority ?? 'enrol';
		return new Promise<T>((resolve, reject) => {
			// A private copy: its buffer is transferred to the worker.
			const copy = new Uint8Array(bytes.byteLength);
			copy.set(bytes);
			const job: Job = {
				id: nextId++,
				kind,
				priority,
				bytes: copy,
				...(o.keypoints ? { keypoints: o.keypoints } : {}),
				waitedMs: 0,
				startedAt: 0,
				batchSize: 1,
				resolve: resolve,
				reject
			};
			const refused = scheduler.submit(job, {
				priority,
				client: o.client ?? '',
				...(o.withinMs === undefined ? {} : { deadline: now() + o.withinMs })
			});
			if (refused) {
				counts.overloaded++;
				observer?.dropped?.(priority, refused.reason);
				return reject(poolError('overloaded', DROP_MESSAGES[refused.reason], refused.retryAfterMs));
			}
			pump();
		});
	}

	for (let index = 0; index < size; index++) {
		const slot: Slot = { index, worker: null, state: 'starting', jobs: [], timer: null, retiring: false };
		slots.push(slot);
		spawn(slot);
	}

	let closing: Promise<void> | null = null;

	return {
		ready() {
			if (closed) return Promise.reject(poolError('closed', 'the embed pool is closed'));
			return readyPromise;
		},

		describeCrop(bytes, o) {
			return submit<CropDescription>('describe-crop', bytes, o);
		},

		analyzePhoto(bytes, o) {
			return submit<PhotoAnalysis>('analyze-photo', bytes, o);
		},

		cancel(client) {
			for (const job of scheduler.cancel(client)) job.reject(poolError('closed', 'the client is gone'));
			scheduleExpiry();
		},

		stats() {
			const queuedBy = scheduler.depth();
			return {
				size,
				ready: readyCount(),
				restarting: slots.filter((s) => s.state === 'starting' || s.state === 'waiting').length,
				crashLooping: slots.filter((s) => s.state !== 'failed' && restarts.crashLooping(s.index)).length,
				queuedBy,
				queued: PRIORITIES.reduce((sum, p) => sum + queuedBy[p], 0),
				busy: slots.filter((s) => s.state === 'busy').length,
				...counts,
				lastExit
			};
		},

		close() {
			if (closing) return closing;
			closed = true;
			if (!startedUp) rejectReady(poolError('closed', 'the embed pool is closed'));
			expiry.clear();
			letGo.clear();
			for (const timer of respawnTimers) clearTimeout(timer);
			respawnTimers.clear();
			failQueue('closed', 'the embed pool is closed');
			const exits: Promise<unknown>[] = [];
			for (const slot of slots) {
				for (const job of finish(slot)) {
					counts.failed++;
					job.reject(poolError('closed', 'the embed pool is closed'));
				}
				slot.retiring = true;
				if (slot.worker) exits.push(slot.worker.terminate());
			}
			closing = Promise.allSettled(exits).then(() => undefined);
			return closing;
		}
	};
}

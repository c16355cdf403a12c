// A fixed-size pool of embed worker threads (worker.ts), each running its own face engine.
//
// - Jobs wait in one FIFO queue of at most maxQueue jobs (beyond: reject 'overloaded' at once)
//   and go to the first idle, ready worker.
// - A job running longer than jobTimeoutMs rejects with 'timeout'; its worker is terminated and
//   respawned. A worker that dies fails its job with 'internal' and is respawned. A worker that
//   cannot load the engine ('fatal') is not respawned; with none left, every job fails.
// - After close(), every call rejects with 'closed'.
// - Input bytes are copied, then the copy's buffer is transferred, so the caller keeps its own.
//
// Workers run TypeScript: each worker starts from a small eval'd bootstrap that registers tsx's
// ESM hooks inside the worker and then imports worker.ts. That works the same under `tsx` (npm
// start), plain node and vitest (whose in-process transform does not reach worker threads).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
import type { CropDescription, PhotoAnalysis } from './types.ts';
import type { WorkerInit, WorkerJob, WorkerReply } from './worker.ts';

export interface EmbedPoolOptions {
	/** Number of worker threads (≥ 1). */
	size: number;
	/** Folder with the face-api weights, handed to each worker. */
	modelDir: string;
	/** Which embedder the workers run (EMBEDDER); face-api's own when absent. */
	embedder?: WorkerInit['embedder'];
	/** Per-job limit once a worker has it (default 10 s). */
	jobTimeoutMs?: number;
	/** Jobs that may wait for a worker (default 64). */
	maxQueue?: number;
	/** The worker entry (default ./worker.ts beside this file). */
	workerUrl?: URL;
	/** Where the pool reports start-up and worker restarts; silent without it. */
	log?: (msg: string) => void;
}

export interface EmbedPoolStats {
	size: number;
	/** Workers that loaded the engine and are alive. */
	ready: number;
	queued: number;
	busy: number;
	done: number;
	failed: number;
	timeouts: number;
	overloaded: number;
	restarts: number;
}

export interface EmbedPool {
	/** Resolves once every worker has loaded the engine; rejects if one cannot. */
	ready(): Promise<{ backend: string }>;
	/** The descriptor of a face crop (JPEG/PNG/WebP bytes); null when no usable face. */
	describeCrop(bytes: Uint8Array): Promise<CropDescription>;
	/** Every face in a photo, boxes in the photo's own pixels, each with its descriptor. */
	analyzePhoto(bytes: Uint8Array): Promise<PhotoAnalysis>;
	stats(): EmbedPoolStats;
	/** Rejects waiting and running jobs with 'closed' and ends the workers. */
	close(): Promise<void>;
}

type Kind = WorkerJob['kind'];

interface Job {
	id: number;
	kind: Kind;
	bytes: Uint8Array;
	resolve(value: unknown): void;
	reject(err: Error): void;
}

interface Slot {
	index: number;
	worker: Worker | null;
	state: 'starting' | 'idle' | 'busy' | 'failed';
	job: Job | null;
	timer: NodeJS.Timeout | null;
	/** Set when the pool itself terminates the worker (timeout, close): its exit is expected. */
	retiring: boolean;
}

const DEFAULT_WORKER_URL = new URL('./worker.ts', import.meta.url);

/** tsx's ESM API module (the `import` condition of its "./esm/api" export). */
function tsxEsmApiUrl(): string {
	const require = createRequire(import.meta.url);
	const pkgFile = require.resolve('tsx/package.json');
	const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
		exports: Record<string, { import?: { default?: string } }>;
	};
	const entry = pkg.exports['./esm/api']?.import?.default;
	if (!entry) throw new Error('tsx has no ./esm/api export');
	return pathToFileURL(path.join(path.dirname(pkgFile), entry)).href;
}

/**
 * The worker's (eval'd, CommonJS) bootstrap: for a TypeScript entry, register tsx in the worker
 * itself, then import the entry. `execArgv: ['--import', 'tsx']` is no use here: Node 20 ignores
 * loaders given to a Worker through execArgv ("Unknown file extension .ts", nodejs/node#47747).
 */
export function workerBootstrap(entry: URL): string {
	const target = JSON.stringify(entry.href);
	if (entry.protocol !== 'file:' || !/\.[mc]?ts$/.test(entry.pathname)) return `import(${target});`;
	return `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${target}); });`;
}

/** The parent's execArgv minus inspector flags (a port cannot be shared) and tsx's own hooks. */
export function workerExecArgv(parentArgv: readonly string[] = process.execArgv): string[] {
	const out: string[] = [];
	for (let i = 0; i < parentArgv.length; i++) {
		const arg = parentArgv[i]!;
		if (/^--(inspect|inspect-brk|inspect-port|debug-port)(=|$)/.test(arg)) continue;
		if (/^--(require|import|loader|experimental-loader)$/.test(arg) && /[\\/]tsx[\\/]/.test(parentArgv[i + 1] ?? '')) {
			i++;
			continue;
		}
		if (/^--(require|import|loader|experimental-loader)=.*[\\/]tsx[\\/]/.test(arg)) continue;
		out.push(arg);
	}
	return out;
}

function poolError(code: ErrorCode, message: string): AppError {
	return new AppError(code, message);
}

export function createEmbedPool(options: EmbedPoolOptions): EmbedPool {
	const { modelDir, embedder, log } = options;
	const size = Math.floor(options.size);
	if (!(size >= 1)) throw new RangeError(`embed pool size must be ≥ 1, got ${options.size}`);
	const jobTimeoutMs = options.jobTimeoutMs ?? 10_000;
	const maxQueue = options.maxQueue ?? 64;
	const workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL;
	const bootstrap = workerBootstrap(workerUrl);
	const execArgv = workerExecArgv();
	const init: WorkerInit = { modelDir, ...(embedder ? { embedder } : {}) };

	const queue: Job[] = [];
	const slots: Slot[] = [];
	let nextId = 1;
	let closed = false;
	let backend: string | null = null;
	let startupError: Error | null = null;
	const counts = { done: 0, failed: 0, timeouts: 0, overloaded: 0, restarts: 0 };

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
			// An uncaught exception in the worker; 'exit' follows and handles the job and respawn.
			if (slot.worker === worker) log?.(`embed: worker ${slot.index} failed: ${err.message}`);
		});
		worker.on('exit', (code) => onExit(slot, worker, code));
	}

	function onMessage(slot: Slot, worker: Worker, msg: WorkerReply): void {
		if (slot.worker !== worker) return;
		if ('type' in msg) {
			if (msg.type === 'ready') {
				backend ??= msg.backend;
				slot.state = 'idle';
				if (!startedUp && slots.every((s) => s.state === 'idle' || s.state === 'busy')) {
					startedUp = true;
					log?.(`embed: ${size} worker${size === 1 ? '' : 's'}, backend ${backend}`);
					resolveReady({ backend });
				}
				pump();
			} else {
				slot.state = 'failed';
				log?.(`embed: worker ${slot.index} cannot load the face engine: ${msg.message}`);
				slot.retiring = true;
				void worker.terminate();
				if (!startedUp) {
					startupError ??= poolError('internal', `face engine failed to load: ${msg.message}`);
					rejectReady(startupError);
				}
				if (slots.every((s) => s.state === 'failed')) failQueue('internal', 'no embed worker could load the face engine');
			}
			return;
		}
		const job = slot.job;
		if (!job || job.id !== msg.id) return; // a reply to a job that already timed out
		finish(slot);
		if (msg.ok) {
			counts.done++;
			if ('faces' in msg) {
				job.resolve({ faces: msg.faces, width: msg.width, height: msg.height, ms: msg.ms } satisfies PhotoAnalysis);
			} else {
				job.resolve({ descriptor: msg.descriptor, ms: msg.ms } satisfies CropDescription);
			}
		} else {
			counts.failed++;
			job.reject(poolError(msg.code === 'bad-image' || msg.code === 'too-large' ? msg.code : 'internal', msg.message));
		}
		pump();
	}

	function onExit(slot: Slot, worker: Worker, code: number): void {
		if (slot.worker !== worker) return;
		slot.worker = null;
		const job = slot.job;
		finish(slot);
		if (job) {
			counts.failed++;
			job.reject(poolError('internal', `embed worker exited (code ${code})`));
		}
		if (closed || slot.state === 'failed') return;
		if (slot.state === 'starting' && !slot.retiring) {
			// Died before it was ready: a start-up failure, not a crash to retry forever.
			slot.state = 'failed';
			log?.(`embed: worker ${slot.index} exited during start-up (code ${code})`);
			if (!startedUp) {
				startupError ??= poolError('internal', `embed worker exited during start-up (code ${code})`);
				rejectReady(startupError);
			}
			if (slots.every((s) => s.state === 'failed')) failQueue('internal', 'no embed worker could start');
			return;
		}
		if (!slot.retiring) log?.(`embed: worker ${slot.index} exited (code ${code}); restarting`);
		counts.restarts++;
		spawn(slot);
	}

	/** Clears a slot's job and timer; the slot goes back to idle if it was busy. */
	function finish(slot: Slot): void {
		if (slot.timer) clearTimeout(slot.timer);
		slot.timer = null;
		slot.job = null;
		if (slot.state === 'busy') slot.state = 'idle';
	}

	function onTimeout(slot: Slot, job: Job): void {
		if (slot.job !== job) return;
		const worker = slot.worker;
		finish(slot);
		counts.timeouts++;
		counts.failed++;
		job.reject(poolError('timeout', `embedding took over ${jobTimeoutMs} ms`));
		log?.(`embed: worker ${slot.index} timed out after ${jobTimeoutMs} ms; restarting`);
		slot.state = 'starting';
		slot.retiring = true;
		// The 'exit' handler respawns it.
		if (worker) void worker.terminate();
	}

	function pump(): void {
		for (const slot of slots) {
			if (queue.length === 0) return;
			if (slot.state !== 'idle' || !slot.worker) continue;
			const job = queue.shift()!;
			slot.state = 'busy';
			slot.job = job;
			slot.timer = setTimeout(() => onTimeout(slot, job), jobTimeoutMs);
			const buffer = job.bytes.buffer as ArrayBuffer;
			const message: WorkerJob = { id: job.id, kind: job.kind, bytes: buffer };
			slot.worker.postMessage(message, [buffer]);
		}
	}

	function failQueue(code: ErrorCode, message: string): void {
		for (const job of queue.splice(0)) {
			counts.failed++;
			job.reject(poolError(code, message));
		}
	}

	function submit<T>(kind: Kind, bytes: Uint8Array): Promise<T> {
		if (closed) return Promise.reject(poolError('closed', 'the embed pool is closed'));
		if (slots.every((s) => s.state === 'failed')) {
			return Promise.reject(startupError ?? poolError('internal', 'no embed worker is running'));
		}
		if (queue.length >= maxQueue) {
			counts.overloaded++;
			return Promise.reject(poolError('overloaded', 'too many faces waiting to be embedded'));
		}
		return new Promise<T>((resolve, reject) => {
			// A private copy: its buffer is transferred to the worker.
			const copy = new Uint8Array(bytes.byteLength);
			copy.set(bytes);
			queue.push({ id: nextId++, kind, bytes: copy, resolve: resolve, reject });
			pump();
		});
	}

	for (let index = 0; index < size; index++) {
		const slot: Slot = { index, worker: null, state: 'starting', job: null, timer: null, retiring: false };
		slots.push(slot);
		spawn(slot);
	}

	let closing: Promise<void> | null = null;

	return {
		ready() {
			if (closed) return Promise.reject(poolError('closed', 'the embed pool is closed'));
			return readyPromise;
		},

		describeCrop(bytes) {
			return submit<CropDescription>('describe-crop', bytes);
		},

		analyzePhoto(bytes) {
			return submit<PhotoAnalysis>('analyze-photo', bytes);
		},

		stats() {
			return {
				size,
				ready: slots.filter((s) => s.state === 'idle' || s.state === 'busy').length,
				queued: queue.length,
				busy: slots.filter((s) => s.state === 'busy').length,
				...counts
			};
		},

		close() {
			if (closing) return closing;
			closed = true;
			if (!startedUp) rejectReady(poolError('closed', 'the embed pool is closed'));
			failQueue('closed', 'the embed pool is closed');
			const exits: Promise<unknown>[] = [];
			for (const slot of slots) {
				const job = slot.job;
				finish(slot);
				if (job) {
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

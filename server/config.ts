/** The only reader of `process.env`: environment in, frozen typed Config out. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export type IceServer = { urls: string | string[]; username?: string; credential?: string };

export type Config = Readonly<{
	/** TCP port of the one HTTP server (app, REST, PeerServer). 0 picks a free one. */
	port: number;
	host: string;
	/** Where the SQLite gallery (and later TLS material) lives. */
	dataDir: string;
	/** Prepared model files (`npm ci` fills it). */
	modelsDir: string;
	/** Built SvelteKit app. */
	buildDir: string;
	/** When set, gallery changes need `Authorization: Bearer <adminToken>`. */
	adminToken: string | null;
	/** Euclidean distance under which a face counts as a gallery person. */
	matchThreshold: number;
	/** Embedding worker threads. */
	embedWorkers: number;
	/** Given to browsers for WebRTC; empty on a LAN, where host candidates suffice. */
	iceServers: readonly IceServer[];
	/** Prefix of the recognizer's peer id; a random suffix keeps others from squatting it. */
	recognizerIdPrefix: string;
	/** Largest upload to the REST API, bytes. */
	maxUploadBytes: number;
	logLevel: 'silent' | 'info' | 'debug';
}>;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
	}
	return value;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min || value > max) {
		throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
	}
	return value;
}

function iceServers(raw: string | undefined): IceServer[] {
	if (!raw) return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw new Error('ICE_SERVERS must be JSON, e.g. [{"urls":"stun:stun.example.org"}]');
	}
	const ok =
		Array.isArray(parsed) &&
		parsed.every((s) => typeof s === 'object' && s !== null && ('urls' in s));
	if (!ok) throw new Error('ICE_SERVERS must be a JSON array of {urls, username?, credential?}');
	return parsed as IceServer[];
}

/** Throws an Error naming the variable when a value is out of range. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
	const logLevel = env.LOG_LEVEL ?? 'info';
	if (logLevel !== 'silent' && logLevel !== 'info' && logLevel !== 'debug') {
		throw new Error(`LOG_LEVEL must be silent, info or debug, got "${logLevel}"`);
	}
	return Object.freeze({
		port: int(env, 'PORT', 8080, 0, 65535),
		host: env.HOST || '0.0.0.0',
		dataDir: resolve(cwd, env.DATA_DIR || 'data'),
		modelsDir: resolve(cwd, env.MODELS_DIR || 'models'),
		buildDir: resolve(cwd, env.BUILD_DIR || 'build'),
		adminToken: env.ADMIN_TOKEN || null,
		matchThreshold: num(env, 'MATCH_THRESHOLD', 0.5, 0.05, 2),
		embedWorkers: int(env, 'EMBED_WORKERS', Math.max(1, availableParallelism()), 1, 64),
		iceServers: Object.freeze(iceServers(env.ICE_SERVERS)),
		recognizerIdPrefix: env.RECOGNIZER_ID || 'facertc-recognizer',
		maxUploadBytes: int(env, 'MAX_UPLOAD_MB', 10, 1, 200) * 1024 * 1024,
		logLevel
	});
}

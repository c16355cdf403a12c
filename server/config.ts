/** The only reader of `process.env`: environment in, frozen typed Config out. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export type IceServer = { urls: string | string[]; username?: string; credential?: string };

export type Config = Readonly<{
	/** TCP port of the one HTTP server (app, REST, PeerServer). 0 picks a free one. */
	port: number;
	host: string;
	/** Where the SQLite gallery and the generated TLS certificate live. */
	dataDir: string;
	/** postgres://…: the gallery lives in PostgreSQL, shared by every server given the same URL; null: SQLite in dataDir. */
	databaseUrl: string | null;
	/** Prepared model files (`npm ci` fills it). */
	modelsDir: string;
	/** Built SvelteKit app. */
	buildDir: string;
	/** When set, gallery changes need `Authorization: Bearer <adminToken>`. */
	adminToken: string | null;
	/** When set, recognition (`POST /api/recognize` and the data channel) needs this token or the admin token. */
	recognizeToken: string | null;
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
	/**
	 * Serve HTTPS (and wss for signalling) instead of HTTP, on the same port. With no files given,
	 * a self-signed certificate is made on first start and kept in `<dataDir>/tls/`.
	 */
	https: boolean;
	/** PEM certificate (chain) and private key files to serve instead of the generated pair. */
	tls: Readonly<{ certFile: string; keyFile: string }> | null;
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

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
	const raw = (env[name] ?? '').toLowerCase();
	if (raw === '' || raw === '0' || raw === 'false') return false;
	if (raw === '1' || raw === 'true') return true;
	throw new Error(`${name} must be 1 or 0, got "${env[name]}"`);
}

/** Command-line options: only `--https` (as in `npm start -- --https`). */
function parseArgs(argv: readonly string[]): { https: boolean } {
	const unknown = argv.filter((arg) => arg !== '--https');
	if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (the only one is --https)`);
	return { https: argv.includes('--https') };
}

function tlsFiles(env: NodeJS.ProcessEnv, cwd: string): Config['tls'] {
	const cert = env.TLS_CERT || '';
	const key = env.TLS_KEY || '';
	if (!cert && !key) return null;
	if (!cert || !key) throw new Error('TLS_CERT and TLS_KEY go together: set both PEM files, or neither');
	return Object.freeze({ certFile: resolve(cwd, cert), keyFile: resolve(cwd, key) });
}

function databaseUrl(raw: string | undefined): string | null {
	if (!raw) return null;
	if (!/^postgres(ql)?:\/\/./.test(raw)) throw new Error('DATABASE_URL must be a postgres:// URL (unset: SQLite in DATA_DIR)');
	return raw;
}

/** Throws an Error naming the variable (or option) when a value is out of range. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), argv: readonly string[] = []): Config {
	const logLevel = env.LOG_LEVEL ?? 'info';
	if (logLevel !== 'silent' && logLevel !== 'info' && logLevel !== 'debug') {
		throw new Error(`LOG_LEVEL must be silent, info or debug, got "${logLevel}"`);
	}
	const tls = tlsFiles(env, cwd);
	return Object.freeze({
		port: int(env, 'PORT', 8080, 0, 65535),
		host: env.HOST || '0.0.0.0',
		dataDir: resolve(cwd, env.DATA_DIR || 'data'),
		databaseUrl: databaseUrl(env.DATABASE_URL),
		modelsDir: resolve(cwd, env.MODELS_DIR || 'models'),
		buildDir: resolve(cwd, env.BUILD_DIR || 'build'),
		adminToken: env.ADMIN_TOKEN || null,
		recognizeToken: env.RECOGNIZE_TOKEN || null,
		matchThreshold: num(env, 'MATCH_THRESHOLD', 0.55, 0.05, 2),
		embedWorkers: int(env, 'EMBED_WORKERS', Math.max(1, availableParallelism()), 1, 64),
		iceServers: Object.freeze(iceServers(env.ICE_SERVERS)),
		recognizerIdPrefix: env.RECOGNIZER_ID || 'facertc-recognizer',
		maxUploadBytes: int(env, 'MAX_UPLOAD_MB', 10, 1, 200) * 1024 * 1024,
		logLevel,
		// Given certificate files mean HTTPS: serving them over HTTP would be a silent surprise.
		https: parseArgs(argv).https || flag(env, 'HTTPS') || tls !== null,
		tls
	});
}

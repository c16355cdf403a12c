/**
 * The only reader of `process.env`: environment in, frozen typed Config out. One valibot schema
 * describes every variable; an error names the variable and what it accepts.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { MAX_CROPS_PER_SECOND } from '../src/lib/protocol/messages.ts';
import { DEFAULT_EMBEDDER, EMBEDDER_IDS, EMBEDDERS, type EmbedderId } from './embed/embedders/registry.ts';
import { FACE_NETS, type FaceNets } from './embed/onnx/nets-choice.ts';
import { EMBED_BATCH_DEFAULT } from './embed/pool.ts';
import { LIVE_DEADLINE_MS } from './recognizer/recognizer.ts';

export type IceServer = { urls: string | string[]; username?: string; credential?: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Caps on WebRTC peer connections, checked at the signalling offer (see server/signalling/admission.ts). */
export type ChannelLimits = Readonly<{
	/** Data channels open at once, from all clients. */
	total: number;
	/** Data channels open at once from one client address (an IPv6 /64 counts as one). */
	perAddress: number;
	/** Peer connections being set up (offer relayed, channel not yet open), from all clients. */
	pendingTotal: number;
	/** Peer connections being set up from one address. */
	pendingPerAddress: number;
}>;

export type Config = Readonly<{
	/** TCP port of the one HTTP server (app, REST, PeerServer). 0 picks a free one. */
	port: number;
	host: string;
	/** Where the SQLite gallery, the generated tokens and the generated TLS certificate live. */
	dataDir: string;
	/**
	 * postgres://…: the gallery lives in PostgreSQL, shared by every server given the same URL, and
	 * so do the tokens the server makes; null: SQLite (and token files) in dataDir.
	 */
	databaseUrl: string | null;
	/** Prepared model files (`npm ci` fills it). */
	modelsDir: string;
	/** Built SvelteKit app. */
	buildDir: string;
	/** `ADMIN_TOKEN`; null: the server makes one on first start and keeps it in `<dataDir>/admin-token`. */
	adminToken: string | null;
	/** `RECOGNIZE_TOKEN`; null: made like the admin token (`<dataDir>/recognize-token`) unless recognition is open. */
	recognizeToken: string | null;
	/** `OPEN_RECOGNITION=1`: recognition needs no token (a trusted network); the gallery stays closed. */
	openRecognition: boolean;
	/** `TRUST_PROXY=1`: the client address is the last `X-Forwarded-For` hop (one reverse proxy in front). */
	trustProxy: boolean;
	/**
	 * Euclidean distance under which a face counts as a gallery person. Default: the embedder's own
	 * (embed/embedders/registry.ts; face-api 0.55, chosen on ../shared/data/faces, checked on
	 * held-out people of faces + faces-real by bench:accuracy S, N).
	 */
	matchThreshold: number;
	/** `EMBEDDER`: which face embedder the workers run; `modelFile` is `ARCFACE_MODEL` (arcface-onnx only). */
	embedder: { id: EmbedderId; modelFile: string | null };
	/**
	 * `FACE_NETS`: 'auto' (default) runs face-api's nets (SSD, landmarks, recognition) on
	 * onnxruntime-node when it loads, else tfjs; 'tfjs' always tfjs (embed/onnx/nets-choice.ts).
	 */
	faceNets: FaceNets;
	/** Embedding worker threads. */
	embedWorkers: number;
	/** `EMBED_BATCH`: live crops an embedding worker describes together at most (1: one at a time; embed/pool.ts). */
	embedBatch: number;
	/** `FUSE_CROPS`: a live track's recent descriptors whose mean may rescue a near miss (1: each crop alone; recognizer/track-fusion.ts). */
	fuseCrops: number;
	/** Given to browsers for WebRTC; empty on a LAN, where host candidates suffice. */
	iceServers: readonly IceServer[];
	/** Prefix of the recognizer's peer id (a random suffix is added); only the server may register it. */
	recognizerIdPrefix: string;
	/** Largest upload to the REST API, bytes. */
	maxUploadBytes: number;
	channels: ChannelLimits;
	/**
	 * Crops a second one client address may send over all its channels (bursts up to the same
	 * count). Default MAX_CROPS_PER_SECOND; raise it for a venue of phones behind one NAT, or a
	 * load test from one machine (`npm run bench:load`).
	 */
	cropsPerSecondPerAddress: number;
	/** A live crop that cannot be answered within this many ms of its arrival is answered `overloaded` instead. */
	liveDeadlineMs: number;
	logLevel: LogLevel;
	/**
	 * Serve HTTPS (and wss for signalling) instead of HTTP, on the same port. With no files given,
	 * a self-signed certificate is made on first start and kept in `<dataDir>/tls/`.
	 */
	https: boolean;
	/** PEM certificate (chain) and private key files to serve instead of the generated pair. */
	tls: Readonly<{ certFile: string; keyFile: string }> | null;
	/** Things worth saying at start that do not stop it (a short token). */
	warnings: readonly string[];
	/** `TEST_HOOKS=1`, for the test suite only: SIGUSR2 drops and holds (then restores) the recognizer's signalling. */
	testHooks: boolean;
	/** `RETENTION_DAYS` (default 7) in ms: how long unknown faces and sightings are kept. */
	retentionMs: number;
	/** `SIGHTINGS=off`: no sighting is followed, stored, streamed or posted. */
	sightings: boolean;
	/** `WEBHOOK_URL`: receives a JSON POST per sighting; null: none. */
	webhookUrl: string | null;
	/** `EMBED_WORKER_ENTRY` (only with TEST_HOOKS=1): another embed worker module, e.g. one made to crash. */
	embedWorkerEntry: string | null;
}>;

/** An unset or empty variable is `undefined`: `FOO=` means the default, as before. */
const unset = (raw: unknown) => (typeof raw !== 'string' || raw.trim() === '' ? undefined : raw.trim());
/**
 * A variable as given (a string, or absent). `v.unknown()` rather than `v.optional()` first, so
 * the parsed object's keys are not optional: each pipe below ends in a value or its default.
 */
const variable = () => v.pipe(v.unknown(), v.transform(unset));

/** Decimal digits only: Number() would also take `0x4970`, `1e4` or `0b1`, and run on a value no one meant. */
function integer(name: string, fallback: number, min: number, max: number) {
	const message = `${name} must be an integer from ${min} to ${max}`;
	return v.pipe(
		variable(),
		v.check((raw) => raw === undefined || /^[0-9]+$/.test(raw), message),
		v.transform((raw) => (raw === undefined ? fallback : Number(raw))),
		v.number(message),
		v.integer(message),
		v.minValue(min, message),
		v.maxValue(max, message)
	);
}

function decimal(name: string, fallback: number, min: number, max: number) {
	const message = `${name} must be a number from ${min} to ${max}`;
	return v.pipe(
		variable(),
		v.transform((raw) => (raw === undefined ? fallback : Number(raw))),
		v.number(message),
		v.finite(message),
		v.minValue(min, message),
		v.maxValue(max, message)
	);
}

/** A number, or null when unset (the caller picks a default that depends on other settings). */
function optionalDecimal(name: string, min: number, max: number) {
	return v.pipe(
		variable(),
		v.transform((raw) => (raw === undefined ? null : Number(raw))),
		v.check((x) => x === null || (Number.isFinite(x) && x >= min && x <= max), `${name} must be a number from ${min} to ${max}`)
	);
}

function flag(name: string) {
	return v.pipe(
		variable(),
		v.transform((raw) => raw?.toLowerCase() ?? '0'),
		v.picklist(['0', '1', 'false', 'true'], `${name} must be 1 or 0`),
		v.transform((raw) => raw === '1' || raw === 'true')
	);
}

const text = (fallback: string) =>
	v.pipe(
		variable(),
		v.transform((raw) => raw ?? fallback)
	);
const optionalText = v.pipe(
	variable(),
	v.transform((raw) => raw ?? null)
);
/**
 * Unset, or a value: set but empty is refused, where taking it for unset would silently do
 * something else (an empty DATABASE_URL from a template would start on a new, empty SQLite gallery).
 */
const unsetOrGiven = (message: string) =>
	v.pipe(
		v.unknown(),
		v.check((raw) => typeof raw !== 'string' || raw.trim() !== '', message),
		v.transform(unset),
		v.transform((raw) => raw ?? null)
	);

/** Shorter given tokens still work (existing settings keep working) but get a warning at start. */
export const MIN_TOKEN_CHARS = 16;

/** A shared secret: printable, no spaces (it travels in a header). */
function token(name: string) {
	return v.pipe(
		optionalText,
		v.check(
			(raw) => raw === null || /^[\x21-\x7e]{1,256}$/.test(raw),
			`${name} must be up to 256 printable ASCII characters without spaces (or unset, and the server makes one)`
		)
	);
}

/** What RTCPeerConnection takes as an ICE server; anything else fails in every browser, far from here. */
const ICE_URL = /^(stun|stuns|turn|turns):\S+$/i;
const IceServerSchema = v.object({
	urls: v.pipe(
		v.union([v.string(), v.array(v.string())]),
		v.check(
			(urls) => [urls].flat().every((url) => ICE_URL.test(url)),
			'ICE_SERVERS urls must be stun:, stuns:, turn: or turns: URLs, e.g. [{"urls":"stun:stun.example.org"}]'
		)
	),
	username: v.optional(v.string()),
	credential: v.optional(v.string())
});
const ICE_MESSAGE = 'ICE_SERVERS must be a JSON array of {urls, username?, credential?}, e.g. [{"urls":"stun:stun.example.org"}]';
const iceServers = v.pipe(
	variable(),
	v.rawTransform(({ dataset, addIssue, NEVER }) => {
		if (dataset.value === undefined) return [];
		try {
			return JSON.parse(dataset.value) as unknown;
		} catch {
			addIssue({ message: ICE_MESSAGE });
			return NEVER;
		}
	}),
	v.array(IceServerSchema, ICE_MESSAGE)
);

/** Every variable the server reads, and what each accepts. */
export const EnvSchema = v.object({
	PORT: integer('PORT', 8080, 0, 65535),
	HOST: text('0.0.0.0'),
	DATA_DIR: text('data'),
	DATABASE_URL: v.pipe(
		unsetOrGiven('DATABASE_URL is set but empty: give a postgres:// URL, or unset it for the SQLite gallery in DATA_DIR'),
		v.check((raw) => raw === null || /^postgres(ql)?:\/\/./.test(raw), 'DATABASE_URL must be a postgres:// URL (or unset: SQLite in DATA_DIR)')
	),
	MODELS_DIR: text('models'),
	BUILD_DIR: text('build'),
	ADMIN_TOKEN: token('ADMIN_TOKEN'),
	RECOGNIZE_TOKEN: token('RECOGNIZE_TOKEN'),
	OPEN_RECOGNITION: flag('OPEN_RECOGNITION'),
	TRUST_PROXY: flag('TRUST_PROXY'),
	MATCH_THRESHOLD: optionalDecimal('MATCH_THRESHOLD', 0.05, 2),
	EMBEDDER: v.pipe(text(DEFAULT_EMBEDDER), v.picklist(EMBEDDER_IDS, `EMBEDDER must be one of ${EMBEDDER_IDS.join(', ')}`)),
	ARCFACE_MODEL: optionalText,
	FACE_NETS: v.pipe(text('auto'), v.picklist(FACE_NETS, `FACE_NETS must be one of ${FACE_NETS.join(', ')}`)),
	EMBED_WORKERS: integer('EMBED_WORKERS', Math.max(1, availableParallelism()), 1, 64),
	EMBED_BATCH: integer('EMBED_BATCH', EMBED_BATCH_DEFAULT, 1, 16),
	// Off by default (1): with it on, `tv` runs still showed a wrong name now and then (README, track fusion).
	FUSE_CROPS: integer('FUSE_CROPS', 1, 1, 16),
	ICE_SERVERS: iceServers,
	RECOGNIZER_ID: v.pipe(
		text('facertc-recognizer'),
		v.regex(/^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$/, 'RECOGNIZER_ID must be letters and digits, joined by - or _')
	),
	MAX_UPLOAD_MB: integer('MAX_UPLOAD_MB', 10, 1, 200),
	MAX_CHANNELS: integer('MAX_CHANNELS', 32, 1, 1000),
	MAX_CHANNELS_PER_ADDRESS: integer('MAX_CHANNELS_PER_ADDRESS', 6, 1, 1000),
	CROP_RATE_PER_ADDRESS: integer('CROP_RATE_PER_ADDRESS', MAX_CROPS_PER_SECOND, 1, 100_000),
	LIVE_DEADLINE_MS: integer('LIVE_DEADLINE_MS', LIVE_DEADLINE_MS, 50, 10_000),
	LOG_LEVEL: v.pipe(text('info'), v.picklist(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)),
	HTTPS: flag('HTTPS'),
	TLS_CERT: optionalText,
	TLS_KEY: optionalText,
	TEST_HOOKS: flag('TEST_HOOKS'),
	RETENTION_DAYS: decimal('RETENTION_DAYS', 7, 0.0001, 3650),
	SIGHTINGS: v.pipe(
		text('on'),
		v.transform((raw) => raw.toLowerCase()),
		v.picklist(['on', 'off'], 'SIGHTINGS must be on or off')
	),
	WEBHOOK_URL: v.pipe(
		optionalText,
		v.check((raw) => raw === null || /^https?:\/\/[^\s]+$/.test(raw), 'WEBHOOK_URL must be an http:// or https:// URL (or unset)')
	),
	EMBED_WORKER_ENTRY: optionalText
});

/** Command-line options: only `--https` (as in `npm start -- --https`). */
function parseArgs(argv: readonly string[]): { https: boolean } {
	const unknown = argv.filter((arg) => arg !== '--https');
	if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (the only one is --https)`);
	return { https: argv.includes('--https') };
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
	const name = issue.path?.[0]?.key;
	// Messages of our own name their variable; valibot's generic ones get the name in front.
	return typeof name === 'string' && !issue.message.startsWith(name) ? `${name}: ${issue.message}` : issue.message;
}

/** Throws an Error naming the variable (or option) when a value is not acceptable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), argv: readonly string[] = []): Config {
	const args = parseArgs(argv);
	// Every variable present (unset ones as undefined): the schema gives each its default.
	const input = Object.fromEntries(Object.keys(EnvSchema.entries).map((name) => [name, env[name]]));
	const parsed = v.safeParse(EnvSchema, input);
	if (!parsed.success) throw new Error(describeIssue(parsed.issues[0]));
	const e = parsed.output;
	if (!e.TLS_CERT !== !e.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY go together: set both PEM files, or neither');
	if (e.EMBED_WORKER_ENTRY && !e.TEST_HOOKS) throw new Error('EMBED_WORKER_ENTRY is for the test suite only: it needs TEST_HOOKS=1');
	const tls = e.TLS_CERT && e.TLS_KEY ? Object.freeze({ certFile: resolve(cwd, e.TLS_CERT), keyFile: resolve(cwd, e.TLS_KEY) }) : null;
	const warnings: string[] = (['ADMIN_TOKEN', 'RECOGNIZE_TOKEN'] as const)
		.filter((name) => e[name] !== null && e[name].length < MIN_TOKEN_CHARS)
		.map((name) => `${name} is shorter than ${MIN_TOKEN_CHARS} characters: easy to guess`);
	const total = e.MAX_CHANNELS;
	const perAddress = Math.min(e.MAX_CHANNELS_PER_ADDRESS, total);
	if (unset(env.MAX_CHANNELS_PER_ADDRESS) !== undefined && e.MAX_CHANNELS_PER_ADDRESS > total) {
		warnings.push(`MAX_CHANNELS_PER_ADDRESS ${e.MAX_CHANNELS_PER_ADDRESS} is above MAX_CHANNELS ${total}: one address may open ${total} at most`);
	}
	if (e.ARCFACE_MODEL !== null && e.EMBEDDER !== 'arcface-onnx') {
		warnings.push(`ARCFACE_MODEL is ignored: it is read only with EMBEDDER=arcface-onnx (EMBEDDER is ${e.EMBEDDER})`);
	}
	return Object.freeze({
		port: e.PORT,
		host: e.HOST,
		dataDir: resolve(cwd, e.DATA_DIR),
		databaseUrl: e.DATABASE_URL,
		modelsDir: resolve(cwd, e.MODELS_DIR),
		buildDir: resolve(cwd, e.BUILD_DIR),
		adminToken: e.ADMIN_TOKEN,
		recognizeToken: e.RECOGNIZE_TOKEN,
		openRecognition: e.OPEN_RECOGNITION,
		trustProxy: e.TRUST_PROXY,
		matchThreshold: e.MATCH_THRESHOLD ?? EMBEDDERS[e.EMBEDDER].threshold,
		embedder: Object.freeze({ id: e.EMBEDDER, modelFile: e.ARCFACE_MODEL === null ? null : resolve(cwd, e.ARCFACE_MODEL) }),
		faceNets: e.FACE_NETS,
		embedWorkers: e.EMBED_WORKERS,
		embedBatch: e.EMBED_BATCH,
		fuseCrops: e.FUSE_CROPS,
		iceServers: Object.freeze(e.ICE_SERVERS as IceServer[]),
		recognizerIdPrefix: e.RECOGNIZER_ID,
		maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
		// Setting up a peer connection (ICE, DTLS, SCTP) is the costly, attackable moment: a quarter
		// of the open caps, at least 1 and 2, may be in flight.
		channels: Object.freeze({
			total,
			perAddress,
			pendingTotal: Math.max(2, Math.ceil(total / 4)),
			pendingPerAddress: Math.max(1, Math.ceil(perAddress / 2))
		}),
		cropsPerSecondPerAddress: e.CROP_RATE_PER_ADDRESS,
		liveDeadlineMs: e.LIVE_DEADLINE_MS,
		logLevel: e.LOG_LEVEL,
		// Given certificate files mean HTTPS: serving them over HTTP would be a silent surprise.
		https: args.https || e.HTTPS || tls !== null,
		tls,
		warnings: Object.freeze(warnings),
		testHooks: e.TEST_HOOKS,
		retentionMs: Math.round(e.RETENTION_DAYS * 24 * 60 * 60 * 1000),
		sightings: e.SIGHTINGS === 'on',
		webhookUrl: e.WEBHOOK_URL,
		embedWorkerEntry: e.EMBED_WORKER_ENTRY ? resolve(cwd, e.EMBED_WORKER_ENTRY) : null
	});
}

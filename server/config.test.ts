import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig: HTTPS', () => {
	it('serves HTTP unless asked', () => {
		expect(loadConfig({}, '/srv')).toMatchObject({ https: false, tls: null });
	});

	it('turns HTTPS on with --https or HTTPS=1', () => {
		expect(loadConfig({}, '/srv', ['--https']).https).toBe(true);
		expect(loadConfig({ HTTPS: '1' }, '/srv').https).toBe(true);
		expect(loadConfig({ HTTPS: 'true' }, '/srv').https).toBe(true);
		expect(loadConfig({ HTTPS: '0' }, '/srv').https).toBe(false);
		expect(() => loadConfig({ HTTPS: 'yes please' }, '/srv')).toThrow(/HTTPS must be 1 or 0/);
		expect(() => loadConfig({}, '/srv', ['--htps'])).toThrow(/unknown option --htps/);
	});

	it('serves given certificate files over HTTPS, both or neither', () => {
		const config = loadConfig({ TLS_CERT: 'tls/c.pem', TLS_KEY: '/etc/k.pem' }, '/srv');
		expect(config).toMatchObject({ https: true, tls: { certFile: '/srv/tls/c.pem', keyFile: '/etc/k.pem' } });
		expect(() => loadConfig({ TLS_CERT: 'c.pem' }, '/srv')).toThrow(/TLS_CERT and TLS_KEY go together/);
		expect(() => loadConfig({ TLS_KEY: 'k.pem' }, '/srv')).toThrow(/TLS_CERT and TLS_KEY go together/);
	});
});

describe('loadConfig: the env schema', () => {
	it('gives every variable its default, and an empty one means the default', () => {
		const config = loadConfig({ PORT: '', ADMIN_TOKEN: '' }, '/srv');
		expect(config).toMatchObject({
			port: 8080,
			host: '0.0.0.0',
			dataDir: '/srv/data',
			adminToken: null,
			recognizeToken: null,
			openRecognition: false,
			trustProxy: false,
			logLevel: 'info',
			channels: { total: 32, perAddress: 6, pendingTotal: 8, pendingPerAddress: 3 },
			cropsPerSecondPerAddress: 20,
			liveDeadlineMs: 400,
			fuseCrops: 1,
			embedWorkerEntry: null,
			warnings: []
		});
		expect(Object.isFrozen(config)).toBe(true);
	});

	it('names the variable in every error', () => {
		const cases: Array<[Record<string, string>, RegExp]> = [
			[{ PORT: 'eighty' }, /^PORT must be an integer from 0 to 65535/],
			[{ PORT: '70000' }, /^PORT must be an integer/],
			// Number() reads these, and the server ran on a port (or a cap) no one wrote.
			[{ PORT: '0x4970' }, /^PORT must be an integer from 0 to 65535/],
			[{ PORT: '1e4' }, /^PORT must be an integer/],
			[{ PORT: '-1' }, /^PORT must be an integer/],
			[{ MAX_CHANNELS: '0b11' }, /^MAX_CHANNELS must be an integer/],
			[{ EMBED_WORKERS: '2.0' }, /^EMBED_WORKERS must be an integer/],
			[{ ICE_SERVERS: '[{"urls":"http://x"}]' }, /^ICE_SERVERS urls must be stun:, stuns:, turn: or turns: URLs/],
			[{ ICE_SERVERS: '[{"urls":["stun:a.example.org","https://b"]}]' }, /^ICE_SERVERS urls must be/],
			[{ MATCH_THRESHOLD: 'NaN' }, /^MATCH_THRESHOLD must be a number/],
			[{ OPEN_RECOGNITION: 'yes' }, /^OPEN_RECOGNITION must be 1 or 0/],
			[{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
			[{ ICE_SERVERS: '[{' }, /^ICE_SERVERS must be a JSON array/],
			[{ ICE_SERVERS: '[{"url":"stun:x"}]' }, /ICE_SERVERS/],
			[{ ADMIN_TOKEN: 'has a space' }, /^ADMIN_TOKEN must be/],
			[{ RECOGNIZER_ID: 'bad id!' }, /^RECOGNIZER_ID must be/],
			[{ MAX_CHANNELS: '0' }, /^MAX_CHANNELS must be an integer from 1/],
			[{ CROP_RATE_PER_ADDRESS: '0' }, /^CROP_RATE_PER_ADDRESS must be an integer from 1/],
			[{ LIVE_DEADLINE_MS: '10' }, /^LIVE_DEADLINE_MS must be an integer from 50/],
			[{ FUSE_CROPS: '0' }, /^FUSE_CROPS must be an integer from 1/],
			[{ EMBED_WORKER_ENTRY: 'x.ts' }, /^EMBED_WORKER_ENTRY is for the test suite only/]
		];
		for (const [env, message] of cases) expect(() => loadConfig(env, '/srv'), JSON.stringify(env)).toThrow(message);
	});

	it('keeps existing settings working: a short token is accepted with a warning', () => {
		const config = loadConfig({ ADMIN_TOKEN: 'sesame', OPEN_RECOGNITION: 'true', LOG_LEVEL: 'silent' }, '/srv');
		expect(config).toMatchObject({ adminToken: 'sesame', openRecognition: true, logLevel: 'silent' });
		expect(config.warnings).toEqual([expect.stringMatching(/^ADMIN_TOKEN is shorter than 16/)]);
		expect(loadConfig({ ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]' }, '/srv').iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
	});

	it('derives the set-up caps from the channel caps, never above them', () => {
		expect(loadConfig({ MAX_CHANNELS: '4', MAX_CHANNELS_PER_ADDRESS: '10' }, '/srv').channels).toEqual({
			total: 4,
			perAddress: 4,
			pendingTotal: 2,
			pendingPerAddress: 2
		});
	});

	it('warns about a value it cannot honour as written, and takes the rest as they are', () => {
		expect(loadConfig({ MAX_CHANNELS: '10', MAX_CHANNELS_PER_ADDRESS: '50' }, '/srv').warnings).toEqual([
			'MAX_CHANNELS_PER_ADDRESS 50 is above MAX_CHANNELS 10: one address may open 10 at most'
		]);
		// The default per-address cap (6) under a small total is no one's mistake.
		expect(loadConfig({ MAX_CHANNELS: '4' }, '/srv').warnings).toEqual([]);
		expect(loadConfig({ ARCFACE_MODEL: 'm/fr.onnx' }, '/srv').warnings).toEqual([
			'ARCFACE_MODEL is ignored: it is read only with EMBEDDER=arcface-onnx (EMBEDDER is face-api)'
		]);
		expect(loadConfig({ EMBEDDER: 'arcface-onnx', ARCFACE_MODEL: 'm/fr.onnx' }, '/srv').warnings).toEqual([]);
		const ice = '[{"urls":["stun:stun.example.org:3478","turns:turn.example.org:443?transport=tcp"],"username":"u","credential":"c"}]';
		expect(loadConfig({ ICE_SERVERS: ice }, '/srv').iceServers).toHaveLength(1);
		expect(loadConfig({ PORT: '08080' }, '/srv').port).toBe(8080);
	});

	it('keeps the gallery in SQLite unless DATABASE_URL names a PostgreSQL database', () => {
		expect(loadConfig({}, '/srv').databaseUrl).toBeNull();
		// Set but empty (a template's `DATABASE_URL=`) would have started on a new, empty SQLite gallery.
		for (const empty of ['', ' ']) expect(() => loadConfig({ DATABASE_URL: empty }, '/srv')).toThrow(/^DATABASE_URL is set but empty/);
		expect(loadConfig({ DATABASE_URL: 'postgres://facertc:pw@db:5432/facertc' }, '/srv').databaseUrl).toBe('postgres://facertc:pw@db:5432/facertc');
		expect(loadConfig({ DATABASE_URL: 'postgresql://db/facertc' }, '/srv').databaseUrl).toBe('postgresql://db/facertc');
		expect(() => loadConfig({ DATABASE_URL: 'mysql://db/facertc' }, '/srv')).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
	});
});

describe('loadConfig: EMBEDDER', () => {
	it('runs face-api at 0.55 by default; another embedder brings its own threshold, MATCH_THRESHOLD overrides', () => {
		expect(loadConfig({}, '/srv')).toMatchObject({ embedder: { id: 'face-api', modelFile: null }, matchThreshold: 0.55 });
		expect(loadConfig({ EMBEDDER: 'arcface-onnx', ARCFACE_MODEL: 'm/fr.onnx' }, '/srv')).toMatchObject({
			embedder: { id: 'arcface-onnx', modelFile: '/srv/m/fr.onnx' },
			matchThreshold: 1.08
		});
		expect(loadConfig({ EMBEDDER: 'arcface-onnx', MATCH_THRESHOLD: '0.9' }, '/srv').matchThreshold).toBe(0.9);
		expect(() => loadConfig({ EMBEDDER: 'dlib' }, '/srv')).toThrow(/EMBEDDER must be one of face-api, arcface-onnx/);
		expect(() => loadConfig({ MATCH_THRESHOLD: '3' }, '/srv')).toThrow(/MATCH_THRESHOLD must be a number from 0.05 to 2/);
	});
});

describe('loadConfig: FACE_NETS', () => {
	it('is auto by default, tfjs on request, and a typo stops the start', () => {
		expect(loadConfig({}, '/srv').faceNets).toBe('auto');
		expect(loadConfig({ FACE_NETS: 'tfjs' }, '/srv').faceNets).toBe('tfjs');
		expect(() => loadConfig({ FACE_NETS: 'onnx' }, '/srv')).toThrow(/FACE_NETS must be one of auto, tfjs/);
	});
});

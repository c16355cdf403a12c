/**
 * Starts the real server (`server/main.ts`) as a child process on a free port with its own DATA_DIR.
 *
 * Like every tool (DESIGN.md), a test server gets a known admin token (TEST_ADMIN_TOKEN) and open
 * recognition (OPEN_RECOGNITION=1) unless the test says otherwise in `env`: `OPEN_RECOGNITION: '0'`
 * closes recognition, `ADMIN_TOKEN: ''` lets the server make its own token as in production (then
 * `server.adminToken` holds it). `server.api(path, init)` is `fetch` with the admin token sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The admin token a test server gets unless the test gives `env.ADMIN_TOKEN`. */
export const TEST_ADMIN_TOKEN = 'facertc-test-admin-token-0123456789';

/** `Authorization: Bearer <token>` (the test admin token by default), to spread into fetch headers. */
export const authHeaders = (token: string = TEST_ADMIN_TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });

export type TestServer = {
	url: string;
	/** The admin token in force: the one given in env, or the one the server made in DATA_DIR. */
	adminToken: string;
	/** `fetch(url + path, init)` with `Authorization: Bearer <adminToken>` unless init sets one. */
	api(path: string, init?: RequestInit): Promise<Response>;
	port: number;
	dataDir: string;
	child: ChildProcess;
	logs: string[];
	/** SIGTERM, wait for exit; returns the exit code. A DATA_DIR this helper made is removed unless `keepData`. */
	stop(options?: { keepData?: boolean }): Promise<number | null>;
};

const START_TIMEOUT_MS = 120_000;

/**
 * `port`: 0 (default) picks a free one; give the port of an earlier server to keep the same
 * origin (a service worker, for one, is per origin). `buildDir`: the web app to serve (BUILD_DIR).
 * `args`: command-line options, e.g. `['--https']`; `url` then starts with `https:`.
 */
export async function startTestServer(
	options: { env?: Record<string, string>; dataDir?: string; port?: number; buildDir?: string; args?: readonly string[] } = {}
): Promise<TestServer> {
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'facertc-test-'));
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...(options.args ?? [])], {
		env: {
			...process.env,
			PORT: String(options.port ?? 0),
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			EMBED_WORKERS: '2',
			ADMIN_TOKEN: TEST_ADMIN_TOKEN,
			OPEN_RECOGNITION: '1',
			TEST_HOOKS: '1',
			...(options.buildDir ? { BUILD_DIR: options.buildDir } : {}),
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const logs: string[] = [];
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

	const { scheme, port } = await new Promise<{ scheme: string; port: number }>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('')}`)), START_TIMEOUT_MS);
		const onData = (chunk: Buffer) => {
			const text = chunk.toString();
			logs.push(text);
			const match = /listening on (https?):\/\/localhost:(\d+)/.exec(text);
			if (match) {
				clearTimeout(timer);
				resolve({ scheme: match[1]!, port: Number(match[2]) });
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
		void exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${logs.join('')}`));
		});
	});

	const env = { ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...options.env };
	// A made token is in DATA_DIR, or with DATABASE_URL in the database (read it there: '' here).
	const tokenFile = join(dataDir, 'admin-token');
	const adminToken = env.ADMIN_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
	const url = `${scheme}://127.0.0.1:${port}`;
	return {
		url,
		adminToken,
		api(path, init = {}) {
			const headers = new Headers(init.headers);
			if (!headers.has('authorization')) headers.set('authorization', `Bearer ${adminToken}`);
			return fetch(`${url}${path}`, { ...init, headers });
		},
		port,
		dataDir,
		child,
		logs,
		async stop({ keepData = false } = {}) {
			if (child.exitCode === null) child.kill('SIGTERM');
			const code = await exited;
			if (!options.dataDir && !keepData) rmSync(dataDir, { recursive: true, force: true });
			return code;
		}
	};
}

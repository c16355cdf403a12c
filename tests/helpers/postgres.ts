/**
 * A throwaway PostgreSQL server for tests and benchmarks: `initdb` into a temporary folder (as the
 * `postgres` user when we are root: initdb refuses root), `postgres` on a free loopback port, one
 * database per `createDatabase`. `stop()` ends it (by the postmaster's pid) and removes the folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestPostgres = {
	/** postgres://postgres@127.0.0.1:PORT/postgres */
	url: string;
	port: number;
	/** A new empty database; its URL. */
	createDatabase(name?: string): Promise<string>;
	/** Fast shutdown (SIGINT to the postmaster); `start()` brings the same cluster back on the same port. */
	pause(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
};

/** The newest installed server's bin folder, or null. `PG_BIN` overrides. */
export function findPostgresBin(): string | null {
	const given = process.env.PG_BIN;
	if (given) return existsSync(join(given, 'postgres')) ? given : null;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const versions = readdirSync(root)
		.filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresMissing(): string | null {
	return findPostgresBin() ? null : 'no PostgreSQL server installed (apt-get install -y postgresql, or set PG_BIN)';
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

function userIds(name: string): { uid: number; gid: number } | null {
	try {
		return { uid: Number(execFileSync('id', ['-u', name]).toString()), gid: Number(execFileSync('id', ['-g', name]).toString()) };
	} catch {
		return null;
	}
}

/** `durable`: keep fsync on (benchmarks of write cost); off by default, as these clusters live for one run. */
export async function startPostgres({ durable = false }: { durable?: boolean } = {}): Promise<TestPostgres> {
	const bin = findPostgresBin();
	if (!bin) throw new Error(postgresMissing()!);
	const root = process.getuid?.() === 0;
	const owner = root ? userIds('postgres') : null;
	if (root && !owner) throw new Error('running as root, and there is no postgres user to run initdb as');
	const dir = mkdtempSync(join(tmpdir(), 'facertc-pg-'));
	if (owner) chownSync(dir, owner.uid, owner.gid);
	const data = join(dir, 'data');
	// As the postgres user when root; run directly otherwise.
	const asOwner = (cmd: string, args: string[]): [string, string[]] => (owner ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
	const [initCmd, initArgs] = asOwner(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
	execFileSync(initCmd, initArgs, { stdio: 'pipe' });
	const port = await freePort();
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	let child: ChildProcess | null = null;
	let log = '';

	/** The postmaster's pid (first line of postmaster.pid), or null when it is not running. */
	function postmasterPid(): number | null {
		const pidFile = join(data, 'postmaster.pid');
		if (!existsSync(pidFile)) return null;
		const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
		try {
			process.kill(pid, 0);
			return pid;
		} catch {
			return null;
		}
	}

	async function start(): Promise<void> {
		if (postmasterPid() !== null) return; // already running: a second postmaster would fail and be mistaken for it
		// Durability off unless asked: the FaceRTC servers get killed in tests, never PostgreSQL.
		const fast = durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'];
		const [cmd, args] = asOwner(join(bin!, 'postgres'), [
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			dir,
			'-c',
			'listen_addresses=127.0.0.1',
			...fast,
			'-c',
			'max_connections=200'
		]);
		child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
		child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
		const deadline = Date.now() + 60_000;
		for (;;) {
			const client = new pg.Client({ connectionString: url });
			client.on('error', () => {});
			try {
				await client.connect();
				await client.end();
				return;
			} catch {
				await client.end().catch(() => {});
				if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start:\n${log}`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		}
	}

	async function pause(): Promise<void> {
		// The postmaster itself (runuser would not pass the signal on), by its pid.
		const pid = postmasterPid();
		const running = child;
		if (pid !== null) process.kill(pid, 'SIGINT');
		if (running && running.exitCode === null) await new Promise((resolve) => running.once('exit', resolve));
		const deadline = Date.now() + 30_000;
		while (postmasterPid() !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		child = null;
	}

	await start();
	let databases = 0;
	return {
		url,
		port,
		async createDatabase(name = `facertc_${++databases}_${process.pid}`) {
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			try {
				await client.query(`CREATE DATABASE ${name}`);
			} finally {
				await client.end();
			}
			return url.replace(/\/postgres$/, `/${name}`);
		},
		pause,
		start,
		async stop() {
			await pause();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

/**
 * The only module that talks to PostgreSQL (`pg`): connection pools with bounded waits, schema
 * migrations (migrations.ts), transactions, LISTEN, the copy port (copy.ts), and the one place
 * where a lost database becomes AppError('unavailable').
 */
import pg from 'pg';
import { AppError } from '../../src/lib/protocol/errors.ts';
import { nameKey } from '../../src/lib/protocol/names.ts';
import { COPIED_TABLES, type Row, type TableStore } from './copy.ts';
import { SILENT_STORE_LOG, type StoreLog } from './gallery.ts';
import { loadMigrations, pendingMigrations } from './migrations.ts';
import { NAME_KEYS_SETTING, nameKeysVersion } from './name-keys.ts';
import { storageFault } from './storage-errors.ts';

/** A query runner: the pool, or one transaction's client. */
export type Sql = <R extends Row = Row>(text: string, values?: readonly unknown[]) => Promise<R[]>;

export type PgDatabase = {
	sql: Sql;
	/** Runs `fn` in one transaction (READ COMMITTED unless `readOnlySnapshot`: REPEATABLE READ, read only). */
	transaction<T>(fn: (sql: Sql) => Promise<T>, options?: { readOnlySnapshot?: boolean }): Promise<T>;
	/** Calls `onNotify` for every NOTIFY on `channel`, reconnecting by itself; `onConnect` after each (re)connect. */
	listen(channel: string, handlers: { onNotify(payload: string): void; onConnect(): void; onError(err: Error): void }): () => Promise<void>;
	close(): Promise<void>;
};

/** How long to wait for a connection before calling the database unreachable, ms. */
export const CONNECT_TIMEOUT_MS = 3000;
/** Longest a single statement may run before the client gives up, ms (an import page, a load page). */
const QUERY_TIMEOUT_MS = 60_000;
/** A transaction left open this long by a vanished client is ended by the server, ms. */
const IDLE_IN_TRANSACTION_MS = 60_000;
const LISTEN_RETRY_MS = 1000;
/** One advisory lock id for migrations, so servers starting together migrate once. */
const MIGRATION_LOCK = 7_210_001;

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
	try {
		const u = new URL(url);
		if (u.password) u.password = '***';
		return u.toString();
	} catch {
		return 'postgres://…';
	}
}

/** Node's socket errors: the database's host cannot be reached, or the connection went. */
const NETWORK_ERRORS = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'EHOSTDOWN',
	'ENETUNREACH',
	'ENETDOWN',
	'ENOTFOUND',
	'EAI_AGAIN'
]);
/** The driver's own words for a connection lost or never made (pg/lib/client.js, pg-pool): they carry no code. */
const DRIVER_CONNECTION_ERROR =
	/^(Connection terminated|timeout expired|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * Lost connections, timeouts, a server shutting down or out of resources: the database is
 * unavailable. Anything else (a schema newer than this code, a refused password, a bug) is not,
 * and is not said to be.
 */
function isUnavailable(err: unknown): boolean {
	const e = err as { code?: unknown; message?: unknown; errors?: unknown } | null;
	const code = e?.code;
	if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|57P|53)/.test(code);
	if (typeof code === 'string' && NETWORK_ERRORS.has(code)) return true;
	// Every address of a host name refused: Node's AggregateError holds one error each.
	if (Array.isArray(e?.errors) && e.errors.some(isUnavailable)) return true;
	return typeof e?.message === 'string' && DRIVER_CONNECTION_ERROR.test(e.message);
}

export function toAppError(err: unknown): unknown {
	if (err instanceof AppError) return err;
	const full = storageFault(err); // disk_full (53100): the database's disk, not its reach
	if (full) return full;
	if (!isUnavailable(err)) return err;
	return new AppError('unavailable', `gallery database unreachable: ${(err as Error).message || String(err)}`, { cause: err });
}

function clientConfig(url: string, queryTimeoutMs = QUERY_TIMEOUT_MS): pg.ClientConfig {
	return {
		connectionString: url,
		connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
		query_timeout: queryTimeoutMs,
		idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
		keepAlive: true,
		application_name: 'facertc'
	};
}

function runner(client: pg.Pool | pg.PoolClient): Sql {
	return async <R extends Row>(text: string, values?: readonly unknown[]) => {
		try {
			return (await client.query<R>(text, values as unknown[])).rows;
		} catch (err) {
			throw toAppError(err);
		}
	};
}

/** Sets `people.name_key` (name-keys.ts) where it is missing, or everywhere when made by another rule; inside the migration's transaction. */
async function fillNameKeys(client: pg.PoolClient): Promise<void> {
	const version = nameKeysVersion();
	const stored = (await client.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [NAME_KEYS_SETTING])).rows[0]?.value;
	const missing = (await client.query<{ id: string; name: string }>(`SELECT id, name FROM people${stored === version ? ' WHERE name_key IS NULL' : ''}`)).rows;
	for (let i = 0; i < missing.length; i += 5000) {
		const chunk = missing.slice(i, i + 5000);
		await client.query('UPDATE people p SET name_key = t.key FROM unnest($1::text[], $2::text[]) AS t(id, key) WHERE p.id = t.id', [
			chunk.map((r) => r.id),
			chunk.map((r) => nameKey(r.name))
		]);
	}
	// An empty gallery records nothing: a copy into it brings its own settings (copy.ts).
	if (stored !== version && missing.length > 0) {
		await client.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
			NAME_KEYS_SETTING,
			version
		]);
	}
}

async function migrate(pool: pg.Pool, where: string): Promise<void> {
	const client = await pool.connect().catch((err: unknown) => {
		throw toAppError(err);
	});
	const lost = () => {}; // the running query rejects; see transaction()
	client.on('error', lost);
	try {
		await client.query('BEGIN');
		await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
		await client.query('CREATE TABLE IF NOT EXISTS facertc_schema (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)');
		const rows = (await client.query<{ version: number }>('SELECT version FROM facertc_schema')).rows;
		const current = rows[0]?.version ?? 0;
		for (const migration of pendingMigrations(current, loadMigrations('postgres'), where)) {
			await client.query(migration.sql);
		}
		await fillNameKeys(client);
		const latest = loadMigrations('postgres').length;
		if (latest !== current) {
			await client.query('INSERT INTO facertc_schema (version) VALUES ($1) ON CONFLICT (only_row) DO UPDATE SET version = excluded.version', [latest]);
		}
		await client.query('COMMIT');
	} catch (err) {
		await client.query('ROLLBACK').catch(() => {});
		throw toAppError(err);
	} finally {
		client.off('error', lost);
		client.release();
	}
}

/**
 * Connects (failing within CONNECT_TIMEOUT_MS when the database cannot be reached) and brings the
 * schema up to date. `poolSize`: connections at most. `log` hears about idle-connection errors (warn).
 */
export async function openPostgres(url: string, { poolSize = 10, log = SILENT_STORE_LOG }: { poolSize?: number; log?: StoreLog } = {}): Promise<PgDatabase> {
	const where = redactUrl(url);
	const pool = new pg.Pool({ ...clientConfig(url), max: poolSize, idleTimeoutMillis: 30_000 });
	// An idle connection that dies (server restart) is reported here; without a listener it would crash the process.
	pool.on('error', (err) => log.warn(`gallery: idle database connection lost (${err.message})`));
	try {
		await migrate(pool, where);
	} catch (err) {
		await pool.end().catch(() => {});
		throw err;
	}
	const listeners = new Set<() => Promise<void>>();

	return {
		sql: runner(pool),
		async transaction(fn, { readOnlySnapshot = false } = {}) {
			let client: pg.PoolClient;
			try {
				client = await pool.connect();
			} catch (err) {
				throw toAppError(err);
			}
			let broken = false;
			// A checked-out client has no pool listener: a connection lost now would be an unhandled 'error'
			// (the running query rejects on its own).
			const lost = () => (broken = true);
			client.on('error', lost);
			try {
				await client.query(readOnlySnapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
				const result = await fn(runner(client));
				await client.query('COMMIT');
				return result;
			} catch (err) {
				await client.query('ROLLBACK').catch(() => (broken = true));
				throw toAppError(err);
			} finally {
				client.off('error', lost);
				client.release(broken);
			}
		},
		listen(channel, { onNotify, onConnect, onError }) {
			let client: pg.Client | null = null;
			let stopped = false;
			let retry: ReturnType<typeof setTimeout> | undefined;
			const connect = async () => {
				if (stopped) return;
				const c = new pg.Client(clientConfig(url));
				client = c;
				const again = (err: Error) => {
					if (client !== c) return;
					client = null;
					onError(err);
					c.end().catch(() => {});
					if (!stopped) retry = setTimeout(() => void connect(), LISTEN_RETRY_MS);
				};
				c.on('error', again);
				c.on('end', () => again(new Error('notification connection closed')));
				c.on('notification', (msg) => onNotify(msg.payload ?? ''));
				try {
					await c.connect();
					await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
					onConnect();
				} catch (err) {
					again(err as Error);
				}
			};
			void connect();
			const stop = async () => {
				stopped = true;
				clearTimeout(retry);
				const c = client;
				client = null;
				await c?.end().catch(() => {});
			};
			listeners.add(stop);
			return stop;
		},
		async close() {
			await Promise.all([...listeners].map((stop) => stop()));
			await pool.end();
		}
	};
}

const PAGE_ROWS = 2000;
/** Rows a multi-row INSERT carries (PostgreSQL allows 65 535 parameters a statement). */
const INSERT_ROWS = 500;

/** The gallery's tables row by row, for a lossless copy to or from another store. */
export async function postgresTables(url: string): Promise<TableStore> {
	const db = await openPostgres(url, { poolSize: 2 });
	// Insertion order where there is one (`seq`), else the key.
	const SEQUENCED = ['faces', 'negatives', 'corrections', 'unknown_faces', 'sightings'];
	const orderOf = (table: string) => (SEQUENCED.includes(table) ? 'seq' : COPIED_TABLES.find((t) => t.name === table)!.key);
	return {
		where: redactUrl(url),
		async count(table) {
			const [row] = await db.sql<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
			return Number(row?.n ?? 0);
		},
		async *read(table) {
			const { columns } = COPIED_TABLES.find((t) => t.name === table)!;
			const order = orderOf(table);
			let after: unknown = null;
			for (;;) {
				const rows: Row[] = await db.sql(
					`SELECT ${order} AS _after, ${columns.join(', ')} FROM ${table}
					 ${after === null ? '' : `WHERE ${order} > $1`} ORDER BY ${order} LIMIT ${PAGE_ROWS}`,
					after === null ? [] : [after]
				);
				if (rows.length === 0) return;
				after = rows[rows.length - 1]!._after;
				yield rows.map(({ _after, ...row }) => row);
			}
		},
		async write(source, { replace }) {
			return db.transaction(async (sql) => {
				const counts: Record<string, number> = {};
				if (replace) await sql(`TRUNCATE ${COPIED_TABLES.map((t) => t.name).join(', ')}`);
				for (const { name, columns } of COPIED_TABLES) {
					counts[name] = 0;
					for await (const rows of source(name)) {
						for (let i = 0; i < rows.length; i += INSERT_ROWS) {
							const chunk = rows.slice(i, i + INSERT_ROWS);
							const values = chunk.flatMap((row) => columns.map((c) => row[c] ?? null));
							const tuples = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
							await sql(`INSERT INTO ${name} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
						}
						counts[name] += rows.length;
					}
				}
				// Servers following this gallery reload it whole (see 003_shared_state.sql).
				await sql('UPDATE gallery_state SET version = version + 1, pruned_below = version + 2');
				await sql("SELECT pg_notify('facertc_gallery', 'all')");
				return counts;
			});
		},
		close: () => db.close()
	};
}

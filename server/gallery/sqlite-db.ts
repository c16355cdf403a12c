/** Opens a SQLite gallery file: pragmas, schema migrations (migrations.ts), and the copy port (copy.ts). */
import Database from 'better-sqlite3';
import { nameKey } from '../../src/lib/protocol/names.ts';
import { loadMigrations, pendingMigrations } from './migrations.ts';
import { NAME_KEYS_SETTING, nameKeysVersion } from './name-keys.ts';
import { COPIED_TABLES, type Row, type TableStore } from './copy.ts';
import { SILENT_STORE_LOG, type StoreLog } from './gallery.ts';
import { isFull, isLocked } from './storage-errors.ts';

export type SqliteDatabase = Database.Database;

/**
 * How long a statement waits for another process's write lock (an `sqlite3` shell, `npm run
 * gallery -- copy`), ms. better-sqlite3 is synchronous: the wait blocks the event loop, and with it
 * recognition, `/healthz` and every other request, so it is short: enough for another writer's
 * quick transaction to end. Past it the write fails (SQLITE_BUSY), and the request is answered 503
 * `unavailable` with Retry-After (storage-errors.ts) rather than the whole server freezing.
 */
export const BUSY_TIMEOUT_MS = 100;

/**
 * Makes `db.transaction(fn)` begin IMMEDIATE (a transaction that only reads asks for `.deferred`). A
 * deferred one starts as a reader, and its first write must upgrade the lock: while another
 * process holds the write lock, SQLite fails that upgrade at once with SQLITE_BUSY, without the
 * busy wait (waiting there could deadlock). An immediate one takes the write lock at BEGIN, so it
 * waits BUSY_TIMEOUT_MS like a single statement does, and what it reads is what it writes over.
 */
function immediateTransactions(db: SqliteDatabase): void {
	const transaction = db.transaction.bind(db);
	db.transaction = (fn) => {
		const tx = transaction(fn);
		return Object.assign((...params: Parameters<typeof tx>) => tx.immediate(...params), {
			default: tx.immediate,
			deferred: tx.deferred,
			immediate: tx.immediate,
			exclusive: tx.exclusive
		});
	};
}

const sqliteCode = (err: unknown): string => {
	const code = (err as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : '';
};

/**
 * A SQLite error met while opening the gallery, said with the file's path and what to do (SQLite's
 * own words name neither); any other error as it is.
 */
export function openError(file: string, err: unknown): unknown {
	const code = sqliteCode(err);
	if (!code.startsWith('SQLITE_') && code !== 'ENOSPC') return err;
	const said = `(${(err as Error).message})`;
	const advice = (() => {
		if (code.startsWith('SQLITE_CANTOPEN'))
			return `cannot be opened ${said}: check that DATA_DIR exists and that the user running FaceRTC may read and write the folder and the file`;
		if (code.startsWith('SQLITE_READONLY'))
			return `cannot be written ${said}: the user running FaceRTC must be able to write the file and its folder (DATA_DIR)`;
		if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
			return `is damaged ${said}: stop FaceRTC and restore the file from a backup, or move it away to start with an empty gallery`;
		if (isLocked(err))
			return `is locked by another process ${said}: stop that process (an sqlite3 shell, \`npm run gallery -- copy\`, another FaceRTC on the same DATA_DIR) and start again`;
		if (isFull(err)) return `cannot grow: its disk is full ${said}: free some space, then start again`;
		if (code.startsWith('SQLITE_IOERR')) return `could not be read or written ${said}: check the disk it is on`;
		return `could not be opened ${said}`;
	})();
	return new Error(`the gallery file ${file} ${advice}`, { cause: err });
}

/** `log` hears about a start step skipped (warn). Errors name the file (openError). */
export function openSqlite(file: string, { log = SILENT_STORE_LOG }: { log?: StoreLog } = {}): SqliteDatabase {
	let db: SqliteDatabase;
	try {
		db = new Database(file);
	} catch (err) {
		throw openError(file, err);
	}
	try {
		immediateTransactions(db);
		db.pragma('journal_mode = WAL');
		db.pragma('foreign_keys = ON');
		// With WAL, NORMAL loses no committed transaction when the process dies (only on power loss).
		db.pragma('synchronous = NORMAL');
		// Another process (e.g. `npm run gallery -- copy`) holding the write lock: wait a little,
		// then fail with SQLITE_BUSY rather than hold up the event loop (BUSY_TIMEOUT_MS).
		db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
		const current = db.pragma('user_version', { simple: true }) as number;
		for (const migration of pendingMigrations(current, loadMigrations('sqlite'), file)) {
			db.transaction(() => {
				db.exec(migration.sql);
				db.pragma(`user_version = ${migration.version}`);
			})();
		}
		try {
			fillNameKeys(db);
		} catch (err) {
			// Reads cope with rows without a key (name-keys.ts). Failing the start here (a full disk, a
			// locked file) would only have a supervisor restart it in a loop, recognition down meanwhile.
			// A damaged or read-only file is another matter: it stops the start, said below.
			if (!isLocked(err) && !isFull(err)) throw err;
			log.warn(`gallery: could not fill the name keys in ${file} (${(err as Error).message}); going on without them, tried again at the next start`);
		}
		return db;
	} catch (err) {
		db.close();
		throw openError(file, err);
	}
}

/** Sets `people.name_key` (name-keys.ts) where it is missing, or everywhere when made by another rule; one transaction. */
function fillNameKeys(db: SqliteDatabase): void {
	const version = nameKeysVersion();
	const stored = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(NAME_KEYS_SETTING)?.value;
	const missing = db.prepare<[], { id: string; name: string }>('SELECT id, name FROM people WHERE name_key IS NULL');
	const all = db.prepare<[], { id: string; name: string }>('SELECT id, name FROM people');
	const set = db.prepare('UPDATE people SET name_key = ? WHERE id = ?');
	// Nothing to write, no write lock to ask for (another process may hold it).
	const pending = stored === version ? 'SELECT 1 FROM people WHERE name_key IS NULL LIMIT 1' : 'SELECT 1 FROM people LIMIT 1';
	if (!db.prepare(pending).get()) return;
	db.transaction(() => {
		const rows = (stored === version ? missing : all).all();
		for (const { id, name } of rows) set.run(nameKey(name), id);
		// An empty gallery records nothing: a copy into it brings its own settings (copy.ts).
		if (stored !== version && rows.length > 0) {
			db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(NAME_KEYS_SETTING, version);
		}
	})();
}

const PAGE_ROWS = 2000;

/** The gallery's tables row by row, for a lossless copy to or from another store. */
export function sqliteTables(file: string): TableStore {
	const db = openSqlite(file);
	// A command-line copy holds up no one while it waits: give a running server's write time to end.
	db.pragma('busy_timeout = 5000');
	return {
		where: file,
		async count(table) {
			return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
		},
		async *read(table) {
			const { columns } = COPIED_TABLES.find((t) => t.name === table)!;
			const page = db.prepare<[number], Row & { _rowid: number }>(
				`SELECT rowid AS _rowid, ${columns.join(', ')} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE_ROWS}`
			);
			let after = -Infinity;
			for (;;) {
				const rows = page.all(after === -Infinity ? Number.MIN_SAFE_INTEGER : after);
				if (rows.length === 0) return;
				after = rows[rows.length - 1]!._rowid;
				yield rows.map(({ _rowid, ...row }) => row);
			}
		},
		async write(source, { replace }) {
			// One transaction for the whole copy; better-sqlite3's helper cannot span awaits.
			const counts: Record<string, number> = {};
			db.exec('BEGIN IMMEDIATE');
			try {
				if (replace) for (const { name } of [...COPIED_TABLES].reverse()) db.exec(`DELETE FROM ${name}`);
				for (const { name, columns } of COPIED_TABLES) {
					const insert = db.prepare(`INSERT INTO ${name} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
					counts[name] = 0;
					for await (const rows of source(name)) {
						for (const row of rows) insert.run(row);
						counts[name] += rows.length;
					}
				}
				db.exec('COMMIT');
			} catch (err) {
				if (db.inTransaction) db.exec('ROLLBACK');
				throw err;
			}
			return counts;
		},
		async close() {
			db.close();
		}
	};
}

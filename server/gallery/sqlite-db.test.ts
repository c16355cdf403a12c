import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqlite } from './sqlite-db.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';
import { storageFault } from './storage-errors.ts';

let dir: string;
let file: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'facertc-sqlite-db-'));
	file = join(dir, 'gallery.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Another process's connection (here: another connection in this one) that never waits for a lock. */
const otherConnection = () => new Database(file, { timeout: 0 });

/** Holds the file's write lock as an `sqlite3` shell with `BEGIN IMMEDIATE` and an INSERT would. */
function holdWriteLock(): () => void {
	const other = otherConnection();
	other.exec('BEGIN IMMEDIATE');
	other.prepare("INSERT INTO settings (key, value) VALUES ('held', '1')").run();
	return () => {
		other.exec('ROLLBACK');
		other.close();
	};
}

describe('openSqlite: another process holding the write lock', () => {
	it('begins every transaction IMMEDIATE: the write lock is taken at BEGIN, not at the first write', () => {
		const db = openSqlite(file);
		const other = otherConnection();
		try {
			db.transaction(() => {
				// A deferred transaction holds no lock yet, and would let the other writer in first.
				expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
			})();
		} finally {
			other.close();
			db.close();
		}
	});

	it('keeps the event loop blocked for a short wait only, then fails with an error said as 503 unavailable', async () => {
		const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 });
		const { person } = await gallery.enrolPerson('kim', [{ embedding: Float32Array.from([1, 0, 0, 0]) }]);
		const release = holdWriteLock();
		try {
			for (const write of [() => gallery.deletePerson(person.id), () => gallery.addPerson('lee'), () => gallery.renamePerson(person.id, 'kay')]) {
				const started = performance.now();
				const err: unknown = await write().then(
					() => null,
					(e: unknown) => e
				);
				const waited = performance.now() - started;
				expect(err).toMatchObject({ code: 'SQLITE_BUSY' });
				expect(storageFault(err)).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/locked by another process/), retryAfterMs: 1000 });
				// Was 5 s on the synchronous driver, every other request frozen meanwhile; now BUSY_TIMEOUT_MS.
				// The bound sits far from both, for a slow, busy machine.
				expect(waited).toBeLessThan(2500);
			}
		} finally {
			release();
		}
		// Once the other process lets go, writes go through again.
		expect(await gallery.addPerson('lee')).toMatchObject({ name: 'lee' });
		await gallery.close();
	});
});

describe('openSqlite: a start that cannot write', () => {
	/** A gallery of three whose name keys an older server never filled (name-keys.ts). */
	async function galleryWithoutNameKeys(): Promise<void> {
		const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 });
		for (const name of ['Kim', 'Lee', 'Ann']) await gallery.enrolPerson(name, [{ embedding: Float32Array.from([name.length, 1, 0, 0]) }]);
		await gallery.close();
		const raw = new Database(file);
		raw.exec("UPDATE people SET name_key = NULL; DELETE FROM settings WHERE key = 'name_keys'");
		raw.close();
	}

	it('goes on with a warning when the name keys cannot be filled (here: the file locked), and still finds names', async () => {
		await galleryWithoutNameKeys();
		const release = holdWriteLock();
		const log = { info: vi.fn(), warn: vi.fn() };
		try {
			// Was: the start failed ("database is locked"), and a supervisor restarted it in a loop.
			const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0, log });
			expect(log.warn).toHaveBeenCalledWith(expect.stringMatching(/^gallery: could not fill the name keys in .*gallery\.db \(database is locked\)/));
			expect(gallery.entries()).toHaveLength(3);
			expect(await gallery.findByName('kim')).toMatchObject({ name: 'Kim' });
			await gallery.close();
		} finally {
			release();
		}
		// The next start that can write fills them.
		const db = openSqlite(file);
		expect(db.prepare('SELECT COUNT(*) AS n FROM people WHERE name_key IS NULL').get()).toEqual({ n: 0 });
		db.close();
	});

	it('stops a start that must migrate a locked file, naming the file and what to do', async () => {
		await createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 }).close();
		const raw = new Database(file);
		const version = raw.pragma('user_version', { simple: true }) as number;
		raw.pragma(`user_version = ${version - 1}`); // the last migration to do again: a write at start
		raw.close();
		const release = holdWriteLock();
		try {
			expect(() => openSqlite(file)).toThrow(
				`the gallery file ${file} is locked by another process (database is locked): stop that process (an sqlite3 shell, \`npm run gallery -- copy\`, another FaceRTC on the same DATA_DIR) and start again`
			);
		} finally {
			release();
		}
	});

	it('says a full disk (SQLITE_FULL) as 507 storage-full, and a locked file as 503 unavailable', () => {
		const db = openSqlite(file);
		// The portable way to fill a disk: the file may not grow past its pages now.
		db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
		const err: unknown = (() => {
			try {
				db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('filler', 'x'.repeat(64 * 1024));
				return null;
			} catch (e) {
				return e;
			}
		})();
		db.close();
		expect(err).toMatchObject({ code: 'SQLITE_FULL' });
		expect(storageFault(err)).toMatchObject({ code: 'storage-full', message: expect.stringMatching(/disk is full/) });
		expect(storageFault(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))).toMatchObject({ code: 'storage-full' });
		expect(storageFault(Object.assign(new Error('database table is locked'), { code: 'SQLITE_LOCKED_SHAREDCACHE' }))).toMatchObject({ code: 'unavailable' });
		expect(storageFault(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeNull();
	});
});

import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageOf } from '../../src/lib/protocol/pose.ts';
import { galleryContract } from './gallery.contract.ts';
import { learnContract } from './learn.contract.ts';
import { peoplePageContract } from './people-page.contract.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';
import { PAGE_AFTER_SQL } from './sqlite-people.ts';

const sqliteFixture = async () => {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
	const file = join(dir, 'gallery.db');
	return {
		// A short poll: the contract's second opener follows writes through PRAGMA data_version.
		open: async ({ model = 'm1' } = {}) => createSqliteGallery({ file, model, dim: 4, pollMs: 50 }),
		cleanup: async () => rmSync(dir, { recursive: true, force: true }),
		exec: async (statement: string) => {
			const db = new Database(file);
			db.exec(statement);
			db.close();
		}
	};
};
galleryContract('sqlite', sqliteFixture);
learnContract('sqlite', sqliteFixture);
peoplePageContract('sqlite', sqliteFixture);

describe('sqlite gallery schema', () => {
	it('refuses a file written by a newer FaceRTC, and leaves it alone', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		const file = join(dir, 'gallery.db');
		try {
			await createSqliteGallery({ file, model: 'm1', dim: 4 }).close();
			const db = new Database(file);
			db.pragma('user_version = 99');
			db.close();
			expect(() => createSqliteGallery({ file, model: 'm1', dim: 4 })).toThrow(/schema version 99 is newer/);
			const again = new Database(file);
			expect(again.pragma('user_version', { simple: true })).toBe(99);
			again.close();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('sqlite gallery migration to poses', () => {
	it('opens a gallery made before poses were stored, keeping every face (pose and source unknown)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		const file = join(dir, 'gallery.db');
		try {
			// The schema as migrations 001–004 left it, with a face in it.
			const old = new Database(file);
			for (const m of ['001_init.sql', '002_thumbnails_settings.sql', '003_shared_state.sql', '004_pairing_codes.sql']) {
				old.exec(readFileSync(new URL(`./migrations/sqlite/${m}`, import.meta.url), 'utf8'));
			}
			old.pragma('user_version = 4');
			old.prepare('INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)').run('p1', 'old timer', 1);
			old
				.prepare('INSERT INTO faces (id, person_id, model, dim, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?)')
				.run('f1', 'p1', 'm1', 4, Buffer.from(Float32Array.from([1, 0, 0, 0]).buffer), 2);
			old.close();
			const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 });
			try {
				expect(await gallery.listPeople()).toEqual([{ id: 'p1', name: 'old timer', faces: 1, coverage: { frontal: 0, left: 0, right: 0, unknown: 1 } }]);
				expect(await gallery.listFaces('p1')).toEqual([{ id: 'f1', createdAt: 2, thumbnail: null, yaw: null, source: null }]);
				expect(gallery.entries()).toHaveLength(1);
			} finally {
				await gallery.close();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('sqlite gallery migration to device labels', () => {
	it('opens a gallery whose sightings and corrections name devices by peer id only, keeping them (no label)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		const file = join(dir, 'gallery.db');
		try {
			// The schema as migrations 001–007 left it, with a sighting and a correction in it.
			const old = new Database(file);
			const before = readdirSync(new URL('./migrations/sqlite/', import.meta.url))
				.filter((m) => m < '008')
				.sort();
			for (const m of before) old.exec(readFileSync(new URL(`./migrations/sqlite/${m}`, import.meta.url), 'utf8'));
			old.pragma(`user_version = ${before.length}`);
			old.prepare('INSERT INTO people (id, name, name_key, created_at) VALUES (?, ?, ?, ?)').run('p1', 'Ann', 'ann', 1);
			old
				.prepare('INSERT INTO sightings (id, person_id, label, device, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)')
				.run('s1', 'p1', 'Ann', 'peer-3f9a', 5, 6);
			old
				.prepare('INSERT INTO corrections (id, person_id, kind, device, by_token, created_at) VALUES (?, ?, ?, ?, ?, ?)')
				.run('c1', 'p1', 'not', 'peer-3f9a', 'admin', 7);
			old.close();
			const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 });
			try {
				expect(await gallery.learn.listSightings(0, 10)).toEqual([
					{ id: 's1', personId: 'p1', groupId: null, label: 'Ann', device: 'peer-3f9a', deviceName: null, firstSeen: 5, lastSeen: 6 }
				]);
				expect(await gallery.learn.getCorrection('c1')).toMatchObject({ device: 'peer-3f9a', deviceName: null });
			} finally {
				await gallery.close();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('sqlite people list', () => {
	const withGallery = async (fn: (file: string, gallery: ReturnType<typeof createSqliteGallery>) => Promise<void>) => {
		const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		const file = join(dir, 'gallery.db');
		const gallery = createSqliteGallery({ file, model: 'm1', dim: 4, pollMs: 0 });
		try {
			await fn(file, gallery);
		} finally {
			await gallery.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};

	it('seeks a page in the index of the list order (migration 009), wherever the cursor is', async () => {
		await withGallery(async (file) => {
			const db = new Database(file);
			const plan = db
				.prepare<[{ name: string; id: string; limit: number }], { detail: string }>(`EXPLAIN QUERY PLAN ${PAGE_AFTER_SQL}`)
				.all({ name: 'm', id: 'x', limit: 101 });
			db.close();
			expect(plan.map((row) => row.detail)).toEqual([expect.stringMatching(/^SEARCH p USING COVERING INDEX people_order \(/)]);
		});
	});

	it('counts as unknown what only SQLite can hold in a REAL column: infinities, text, a blob', async () => {
		await withGallery(async (file, gallery) => {
			const yaws = ['9e999', '-9e999', "'abc'", "X'00'", "'0.3'", '1'];
			const { person, faceIds } = await gallery.enrolPerson(
				'odd',
				yaws.map((_, i) => ({ embedding: Float32Array.from([i + 1, 0, 0, 0]), yaw: 0 }))
			);
			const db = new Database(file);
			for (const [i, yaw] of yaws.entries()) db.exec(`UPDATE faces SET yaw = ${yaw} WHERE id = '${faceIds[i]}'`);
			db.close();
			const stored = ((await gallery.listFaces(person.id)) ?? []).map((f) => f.yaw);
			// '0.3' is converted to a number by the column's affinity; 1 is kept as an integer.
			expect(stored).toEqual([null, null, null, null, 0.3, 1]);
			const coverage = { frontal: 0, left: 2, right: 0, unknown: 4 };
			expect(coverageOf(stored)).toEqual(coverage);
			expect((await gallery.listPeople())[0]?.coverage).toEqual(coverage);
			expect((await gallery.pagePeople({ limit: 1, after: null, q: '' })).people[0]?.coverage).toEqual(coverage);
		});
	});
});

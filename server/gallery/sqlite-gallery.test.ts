import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { galleryContract } from './gallery.contract.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

galleryContract('sqlite', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
	const file = join(dir, 'gallery.db');
	return {
		// A short poll: the contract's second opener follows writes through PRAGMA data_version.
		open: async ({ model = 'm1' } = {}) => createSqliteGallery({ file, model, dim: 4, pollMs: 50 }),
		cleanup: async () => rmSync(dir, { recursive: true, force: true })
	};
});

describe('sqlite gallery schema', () => {
	it('refuses a file written by a newer FaceRTC, and leaves it alone', () => {
		const dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		const file = join(dir, 'gallery.db');
		try {
			createSqliteGallery({ file, model: 'm1', dim: 4 }).close();
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

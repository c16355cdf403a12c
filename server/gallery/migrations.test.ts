import { describe, expect, it } from 'vitest';
import { loadMigrations, pendingMigrations } from './migrations.ts';

describe('schema migrations', () => {
	it('keeps the same numbered files for both stores, so a table added to one is added to the other', () => {
		const names = (store: 'sqlite' | 'postgres') => loadMigrations(store).map((m) => m.file);
		expect(names('sqlite').length).toBeGreaterThanOrEqual(3);
		expect(names('postgres')).toEqual(names('sqlite'));
	});

	it('applies only what is missing, and refuses a gallery newer than this code', () => {
		const all = loadMigrations('sqlite');
		expect(pendingMigrations(0, all, 'x').map((m) => m.version)).toEqual(all.map((_, i) => i + 1));
		expect(pendingMigrations(all.length, all, 'x')).toEqual([]);
		expect(() => pendingMigrations(all.length + 1, all, 'gallery.db')).toThrow(/gallery\.db: gallery schema version \d+ is newer/);
		expect(() => pendingMigrations(-1, all, 'x')).toThrow(/bad schema version/);
	});
});

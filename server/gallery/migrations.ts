/**
 * Schema versions, the same rules for every store: migrations are numbered SQL files
 * (`migrations/<store>/NNN_what.sql`, 001 up, no gaps), the schema version is the number of the
 * last one applied, each is applied in its own transaction together with the new version, and a
 * gallery whose version is newer than this code knows is refused rather than misread. Both stores
 * keep the same file names, so a table added to one is added to the other (a unit test checks).
 */
import { readdirSync, readFileSync } from 'node:fs';

export type StoreKind = 'sqlite' | 'postgres';
export type Migration = { version: number; file: string; sql: string };

const FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export function loadMigrations(store: StoreKind): Migration[] {
	const dir = new URL(`./migrations/${store}/`, import.meta.url);
	const files = readdirSync(dir)
		.filter((f) => f.endsWith('.sql'))
		.sort();
	return files.map((file, i) => {
		const match = FILE.exec(file);
		if (!match || Number(match[1]) !== i + 1) {
			throw new Error(`migrations/${store}/${file}: migrations are named 001_what.sql, 002_…, without gaps`);
		}
		return { version: i + 1, file, sql: readFileSync(new URL(file, dir), 'utf8') };
	});
}

/** The migrations still to apply to a gallery at `current`; throws for a gallery newer than this code. */
export function pendingMigrations(current: number, all: readonly Migration[], where: string): Migration[] {
	if (!Number.isInteger(current) || current < 0) throw new Error(`${where}: bad schema version ${current}`);
	if (current > all.length) {
		throw new Error(
			`${where}: gallery schema version ${current} is newer than this FaceRTC knows (${all.length}); ` +
				'run a FaceRTC at least as new as the one that wrote it'
		);
	}
	return all.slice(current);
}

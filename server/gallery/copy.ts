/**
 * A lossless copy of a gallery from one store to another (SQLite file ⇄ PostgreSQL): every row of
 * every table below, bytes as they are (embeddings bit-exact, thumbnails, settings, secrets, ids,
 * times), written in one transaction on the target, then read back and compared by digest. Both
 * stores keep these tables with these columns (migrations/); a table added to the gallery is
 * added here too, in an order where a row's parents come first.
 */
import { createHash } from 'node:crypto';

export type Row = Record<string, unknown>;

/** Tables in parent-first order; `columns` are copied as they are. */
export const COPIED_TABLES: ReadonlyArray<{ name: string; columns: readonly string[]; key: string }> = [
	{ name: 'settings', columns: ['key', 'value'], key: 'key' },
	{ name: 'secrets', columns: ['name', 'value', 'created_at'], key: 'name' },
	{ name: 'people', columns: ['id', 'name', 'name_key', 'created_at'], key: 'id' },
	{ name: 'faces', columns: ['id', 'person_id', 'model', 'dim', 'embedding', 'thumbnail', 'created_at', 'yaw', 'source'], key: 'id' },
	{ name: 'negatives', columns: ['id', 'person_id', 'model', 'dim', 'embedding', 'created_at'], key: 'id' },
	{
		name: 'corrections',
		columns: ['id', 'person_id', 'kind', 'face_id', 'negative_id', 'was_person_id', 'device', 'device_name', 'by_token', 'created_at', 'undone_at'],
		key: 'id'
	},
	{ name: 'unknown_groups', columns: ['id', 'first_seen', 'last_seen'], key: 'id' },
	{ name: 'unknown_faces', columns: ['id', 'group_id', 'model', 'dim', 'embedding', 'thumbnail', 'created_at'], key: 'id' },
	{ name: 'sightings', columns: ['id', 'person_id', 'group_id', 'label', 'device', 'device_name', 'first_seen', 'last_seen'], key: 'id' }
];

/** One store's side of a copy (sqlite-db.ts, pg-db.ts). */
export type TableStore = {
	/** For messages: a file path, or a URL without its password. */
	where: string;
	count(table: string): Promise<number>;
	/** Rows in insertion order, a page at a time. */
	read(table: string): AsyncIterable<Row[]>;
	/**
	 * Inserts every table's rows from `source` in one transaction; `replace` first deletes what is
	 * there. Returns the rows written per table.
	 */
	write(source: (table: string) => AsyncIterable<Row[]>, options: { replace: boolean }): Promise<Record<string, number>>;
	close(): Promise<void>;
};

/** One value as comparable bytes: numbers and numeric strings alike (PostgreSQL sends bigint as text). */
function canonical(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
	if (typeof value === 'number' || typeof value === 'bigint') return `n:${String(value)}`;
	if (typeof value === 'string' && /^-?\d+$/.test(value)) return `n:${BigInt(value).toString()}`;
	// Both schemas hold only nulls, numbers, text and bytes (no json or date columns), all handled above.
	// eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
	return `s:${String(value)}`;
}

/** Digest of a table's rows, independent of their order and of the store (sha256, hex). */
export async function tableDigest(store: TableStore, table: string): Promise<{ rows: number; digest: string }> {
	const { columns } = COPIED_TABLES.find((t) => t.name === table)!;
	const digests: string[] = [];
	for await (const rows of store.read(table)) {
		for (const row of rows) {
			digests.push(
				createHash('sha256')
					.update(columns.map((c) => canonical(row[c])).join('\u0000'))
					.digest('hex')
			);
		}
	}
	const all = createHash('sha256');
	for (const d of digests.sort()) all.update(d);
	return { rows: digests.length, digest: all.digest('hex') };
}

export type CopyReport = { tables: Array<{ name: string; rows: number; digest: string }> };

/**
 * Copies every table from `from` to `to` and checks the result. Refuses a target that already
 * holds people unless `replace`. Throws (with nothing written) on any fault.
 */
export async function copyGallery(
	from: TableStore,
	to: TableStore,
	{ replace = false, progress = () => {} }: { replace?: boolean; progress?: (table: string, rows: number, of: number) => void } = {}
): Promise<CopyReport> {
	const existing = await to.count('people');
	if (existing > 0 && !replace) {
		throw new Error(`${to.where} already holds ${existing} people: copy into an empty gallery, or pass --replace`);
	}
	const totals = new Map<string, number>();
	for (const { name } of COPIED_TABLES) totals.set(name, await from.count(name));
	await to.write(
		async function* (table) {
			let done = 0;
			for await (const rows of from.read(table)) {
				yield rows;
				done += rows.length;
				progress(table, done, totals.get(table) ?? done);
			}
		},
		{ replace }
	);
	const tables: CopyReport['tables'] = [];
	for (const { name } of COPIED_TABLES) {
		const [a, b] = await Promise.all([tableDigest(from, name), tableDigest(to, name)]);
		if (a.rows !== b.rows || a.digest !== b.digest) {
			throw new Error(`${name}: the copy differs from the source (${a.rows} rows → ${b.rows}); the source was written to during the copy?`);
		}
		tables.push({ name, rows: b.rows, digest: b.digest });
	}
	return { tables };
}

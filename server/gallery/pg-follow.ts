/**
 * Keeps one server's in-memory snapshot equal to the shared PostgreSQL gallery. Every write bumps
 * `gallery_state.version` and names the people it touched in `changes` (003_shared_state.sql), then
 * NOTIFYs; a follower hears that (LISTEN) or, failing that, finds the new version at its next
 * poll, and reloads just those people in one consistent read. The snapshot is vouched for while a
 * check succeeded within `staleAfterMs`; past that `entries()` throws AppError('unavailable'):
 * a server cut off from the database may hold people deleted elsewhere, so it names nobody.
 */
import { AppError } from '../../src/lib/protocol/errors.ts';
import { SILENT_STORE_LOG, type GalleryHealth, type StoreLog } from './gallery.ts';
import type { GalleryEntry } from './matcher.ts';
import type { PgDatabase, Sql } from './pg-db.ts';
import { toEntries, type Snapshot } from './snapshot.ts';

export const NOTIFY_CHANNEL = 'facertc_gallery';
/** Poll interval, ms: the fallback when a notification is lost; also the database liveness check. */
export const DEFAULT_POLL_MS = 1000;
/**
 * Names stop this long after the last successful check, ms: a few polls (1 s) and connect
 * timeouts (3 s), so one slow query does not take a server out, but a lost database does quickly.
 */
export const DEFAULT_STALE_AFTER_MS = 5000;
/** More changed people than this since the last check: reload everyone (one pass is then cheaper). */
const FULL_RELOAD_PEOPLE = 20_000;
/** Faces per page of a full load. */
const LOAD_PAGE_ROWS = 20_000;

type EntryRow = { seq: string; person_id: string; name: string; embedding: Buffer };

export type Follower = {
	/** Brings the snapshot up to date; concurrent calls share one run (and one queued after it). */
	refresh(): Promise<void>;
	/** Throws AppError('unavailable') when the snapshot cannot be vouched for. */
	assertFresh(): void;
	health(): GalleryHealth;
	close(): Promise<void>;
};

export type FollowerOptions = {
	db: PgDatabase;
	snapshot: Snapshot;
	model: string;
	dim: number;
	pollMs?: number | undefined;
	staleAfterMs?: number | undefined;
	/** Losing the database is a warning, its coming back news. */
	log?: StoreLog;
	now?: () => number;
};

const toStored = (row: EntryRow) => ({ personId: row.person_id, name: row.name, embedding: row.embedding });

/** Loads the snapshot (at start: throws when the database cannot be read) and follows it from then on. */
export async function followGallery(options: FollowerOptions): Promise<Follower> {
	const { db, snapshot, model, dim, log = SILENT_STORE_LOG, now = Date.now } = options;
	const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
	const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
	let known: number | null = null;
	let syncedAt = 0;
	let lastError: string | null = null;
	let closed = false;

	async function loadAll(sql: Sql): Promise<GalleryEntry[]> {
		const entries: GalleryEntry[] = [];
		let after = '0';
		for (;;) {
			const rows = await sql<EntryRow>(
				`SELECT f.seq, f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id
				 WHERE f.model = $1 AND f.dim = $2 AND f.seq > $3 ORDER BY f.seq LIMIT ${LOAD_PAGE_ROWS}`,
				[model, dim, after]
			);
			for (const entry of toEntries(rows.map(toStored))) entries.push(entry);
			if (rows.length < LOAD_PAGE_ROWS) return entries;
			after = rows[rows.length - 1]!.seq;
		}
	}

	async function refreshOnce(): Promise<void> {
		await db.transaction(
			async (sql) => {
				const [state] = await sql<{ version: string; pruned_below: string }>('SELECT version, pruned_below FROM gallery_state');
				const version = Number(state!.version);
				if (version === known) return;
				let people: string[] | null = null;
				if (known !== null && known + 1 >= Number(state!.pruned_below)) {
					const rows = await sql<{ person_id: string }>('SELECT DISTINCT person_id FROM changes WHERE version > $1', [known]);
					if (rows.length <= FULL_RELOAD_PEOPLE) people = rows.map((r) => r.person_id);
				}
				if (people) {
					const rows = await sql<EntryRow>(
						`SELECT f.seq, f.person_id, p.name, f.embedding FROM faces f JOIN people p ON p.id = f.person_id
						 WHERE f.person_id = ANY($1) AND f.model = $2 AND f.dim = $3 ORDER BY f.seq`,
						[people, model, dim]
					);
					snapshot.replacePeople(people, toEntries(rows.map(toStored)));
				} else {
					snapshot.replaceAll(await loadAll(sql));
				}
				known = version;
			},
			{ readOnlySnapshot: true }
		);
		// Vouched for from the end of the read: the database answered throughout. A write committed
		// during it is newer than the snapshot, and its NOTIFY has already queued the next refresh.
		syncedAt = now();
		if (lastError) log.info(`gallery: database reachable again`);
		lastError = null;
	}

	let running: Promise<void> = Promise.resolve();
	let queued: Promise<void> | null = null;
	function refresh(): Promise<void> {
		if (closed) return Promise.resolve();
		if (queued) return queued;
		const next = running
			.catch(() => {})
			.then(() => {
				queued = null;
				return refreshOnce();
			});
		next.catch((err: unknown) => {
			// The driver's own words ("connect ECONNREFUSED 10.0.0.5:5432"), not the AppError's wrapping.
			const message = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
			if (message !== lastError) log.warn(`gallery: could not follow the database (${message})`);
			lastError = message;
		});
		queued = next;
		running = next;
		return next;
	}

	await refresh();
	let listening = true; // said once per outage, not at every retry
	const stopListening = db.listen(NOTIFY_CHANNEL, {
		onNotify: () => void refresh().catch(() => {}),
		onConnect() {
			if (!listening) log.info('gallery: notification connection back');
			listening = true;
			// Anything written while the connection was down is picked up now.
			void refresh().catch(() => {});
		},
		onError(err) {
			if (listening) log.warn(`gallery: notification connection lost (${err.message}); polling every ${pollMs} ms`);
			listening = false;
		}
	});
	const poll = setInterval(() => void refresh().catch(() => {}), pollMs);
	poll.unref();

	const staleMs = () => now() - syncedAt;
	const reason = () => `gallery database unreachable for ${Math.round(staleMs() / 1000)} s${lastError ? ` (${lastError})` : ''}`;

	return {
		refresh,
		assertFresh() {
			if (staleMs() > staleAfterMs) throw new AppError('unavailable', `${reason()}: names are not given until it is back`);
		},
		health() {
			const ok = staleMs() <= staleAfterMs;
			return {
				store: 'postgres',
				ok,
				...(ok ? {} : { reason: reason() }),
				people: snapshot.people,
				embeddings: snapshot.embeddings,
				syncedAgoMs: Math.max(0, staleMs())
			};
		},
		async close() {
			closed = true;
			clearInterval(poll);
			await stopListening();
			await running.catch(() => {});
		}
	};
}

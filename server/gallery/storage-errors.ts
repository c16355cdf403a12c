/**
 * A store's failures that a client or an operator can act on, said as AppErrors: the gallery file
 * locked by another process (wait and try again), the disk full (free space). Knows the drivers'
 * error codes as strings only: better-sqlite3's `SqliteError.code` (`SQLITE_BUSY`,
 * `SQLITE_BUSY_SNAPSHOT`, …), Node's `ENOSPC`, PostgreSQL's SQLSTATE `53100`.
 */
import { AppError } from '../../src/lib/protocol/errors.ts';

/** What a client is told to wait before trying a locked gallery file again, ms (Retry-After). */
export const LOCKED_RETRY_AFTER_MS = 1000;

export const LOCKED_MESSAGE = 'the gallery file is locked by another process: try again in a moment';
export const FULL_MESSAGE = "the server's disk is full: nothing was saved; free some space on it and try again";

const codeOf = (err: unknown): string | null => {
	const code = (err as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : null;
};

/** SQLITE_BUSY or SQLITE_LOCKED, with their extended codes. */
export const isLocked = (err: unknown): boolean => /^SQLITE_(BUSY|LOCKED)(_|$)/.test(codeOf(err) ?? '');

/** SQLite's "database or disk is full", the system's ENOSPC, PostgreSQL's disk_full. */
export const isFull = (err: unknown): boolean => ['SQLITE_FULL', 'ENOSPC', '53100'].includes(codeOf(err) ?? '');

/** The AppError for a locked file or a full disk (the original kept as `cause`); null for anything else. */
export function storageFault(err: unknown): AppError | null {
	if (err instanceof AppError) return null;
	if (isLocked(err)) return new AppError('unavailable', LOCKED_MESSAGE, { cause: err, retryAfterMs: LOCKED_RETRY_AFTER_MS });
	if (isFull(err)) return new AppError('storage-full', FULL_MESSAGE, { cause: err });
	return null;
}

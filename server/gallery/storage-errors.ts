/**
 * A store's failures that a client can act on, said as AppErrors: the gallery file locked by
 * another process (wait and try again). Knows the driver's error codes as strings only:
 * better-sqlite3's `SqliteError.code` (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`, …).
 */
import { AppError } from '../../src/lib/protocol/errors.ts';

/** What a client is told to wait before trying a locked gallery file again, ms (Retry-After). */
export const LOCKED_RETRY_AFTER_MS = 1000;

export const LOCKED_MESSAGE = 'the gallery file is locked by another process: try again in a moment';

const codeOf = (err: unknown): string | null => {
	const code = (err as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : null;
};

/** SQLITE_BUSY or SQLITE_LOCKED, with their extended codes. */
export const isLocked = (err: unknown): boolean => /^SQLITE_(BUSY|LOCKED)(_|$)/.test(codeOf(err) ?? '');

/** The AppError for a locked file (the original kept as `cause`); null for anything else. */
export function storageFault(err: unknown): AppError | null {
	if (err instanceof AppError) return null;
	if (isLocked(err)) return new AppError('unavailable', LOCKED_MESSAGE, { cause: err, retryAfterMs: LOCKED_RETRY_AFTER_MS });
	return null;
}

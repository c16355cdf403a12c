/**
 * The one error catalogue shared by the data channel and the REST API. Codes are stable:
 * clients branch on them; the human text beside them may change.
 */
export const ERROR_CODES = [
	'bad-message',
	'unsupported-version',
	'too-large',
	'rate-limited',
	'overloaded',
	'timeout',
	'bad-image',
	'no-face',
	'several-faces',
	'unsupported-media-type',
	'not-found',
	'bad-request',
	'unauthorized',
	'conflict',
	'closed',
	'unavailable',
	'storage-full',
	'internal'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
	return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * An error that carries a stable code; `message` is safe to show a user, `cause` is not.
 * `retryAfterMs`: for `overloaded`, `rate-limited` and `unavailable`, when trying again is worth it.
 */
export class AppError extends Error {
	readonly code: ErrorCode;
	readonly retryAfterMs: number | undefined;

	constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
		super(message, options);
		this.name = 'AppError';
		this.code = code;
		this.retryAfterMs = options?.retryAfterMs;
	}

	static badMessage(message = 'malformed message'): AppError {
		return new AppError('bad-message', message);
	}

	static tooLarge(message: string): AppError {
		return new AppError('too-large', message);
	}

	static from(err: unknown): AppError {
		if (err instanceof AppError) return err;
		const code = (err as { code?: unknown } | null)?.code;
		if (isErrorCode(code)) return new AppError(code, (err as Error).message, { cause: err });
		return new AppError('internal', 'internal error', { cause: err });
	}
}

/** Maps the shared error catalogue to HTTP and renders `{ error, code, ...details }` bodies. */
import type { ErrorRequestHandler, Response } from 'express';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
import { storageFault } from '../gallery/storage-errors.ts';
import type { Logger } from '../log.ts';

const STATUS: Record<ErrorCode, number> = {
	'bad-message': 400,
	'bad-request': 400,
	'unsupported-version': 400,
	unauthorized: 401,
	'not-found': 404,
	conflict: 409,
	'too-large': 413,
	'unsupported-media-type': 415,
	'bad-image': 422,
	'no-face': 422,
	'several-faces': 422,
	'rate-limited': 429,
	internal: 500,
	overloaded: 503,
	closed: 503,
	unavailable: 503,
	'storage-full': 507,
	timeout: 504
};

/** An AppError with extra fields for the JSON body (`index` of the image, `near` person, …). */
export class DetailedError extends AppError {
	constructor(
		code: ErrorCode,
		message: string,
		readonly details: Record<string, unknown>
	) {
		super(code, message);
	}
}

/** Renders `{ error, code }` with the catalogue's status, plus a DetailedError's fields; `Retry-After` (s) when the error says when. */
export function sendError(res: Response, err: AppError): void {
	const details = err instanceof DetailedError ? err.details : {};
	if (err.retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
	res.status(STATUS[err.code]).json({ ...details, error: err.message, code: err.code });
}

/** body-parser's errors (their `type`), said in our words. */
const BODY_ERRORS: Record<string, [ErrorCode, string]> = {
	'entity.too.large': ['too-large', 'upload too large'],
	'entity.parse.failed': ['bad-request', 'body is not valid JSON'],
	'charset.unsupported': ['unsupported-media-type', 'unsupported charset: send UTF-8'],
	'encoding.unsupported': ['unsupported-media-type', 'unsupported Content-Encoding: send the body uncompressed, or as gzip or deflate'],
	'request.aborted': ['bad-request', 'the request body ended early'],
	'request.size.invalid': ['bad-request', 'the request body is not as long as its Content-Length']
};

/**
 * A client's fault that Express or a library threw with an HTTP status of 4xx (a bad %-escape in
 * the path, a static file not there or outside its folder): an answer, not a 500 with a stack in
 * the log. 403 is said as 404: a path outside a folder is, to a client, a file that is not there.
 */
function clientFault(err: unknown): AppError | null {
	const e = err as { status?: unknown; statusCode?: unknown; type?: unknown } | null;
	const status = Number(e?.status ?? e?.statusCode);
	if (!(status >= 400 && status < 500)) return null;
	const known = typeof e?.type === 'string' ? BODY_ERRORS[e.type] : undefined;
	if (known) return new AppError(known[0], known[1]);
	if (status === 403 || status === 404) return new AppError('not-found', 'no such file or endpoint');
	if (status === 413) return new AppError('too-large', 'upload too large');
	if (status === 415) return new AppError('unsupported-media-type', 'unsupported body');
	if (err instanceof URIError) return new AppError('bad-request', 'the address has a bad %-escape');
	return new AppError('bad-request', 'bad request');
}

/**
 * Last express middleware: a client's faults with their status, the store's faults a client can
 * wait out or an operator must fix (a locked gallery file: 503 with Retry-After; a full disk:
 * 507), AppErrors, and anything else as a 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
	return (err: unknown, _req, res, _next) => {
		const fault = err instanceof AppError ? null : clientFault(err);
		if (fault) return sendError(res, fault);
		const stored = storageFault(err);
		if (stored?.code === 'storage-full') log.error({ err }, 'http: a write failed: the disk is full');
		else if (stored) log.warn({ err: (err as Error).message }, 'http: the gallery file is locked by another process');
		const appError = stored ?? AppError.from(err);
		if (appError.code === 'internal') log.error({ err }, 'http: request failed');
		sendError(res, appError);
	};
}

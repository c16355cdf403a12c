/** Maps the shared error catalogue to HTTP and renders `{ error, code, ...details }` bodies. */
import type { ErrorRequestHandler, Response } from 'express';
import { AppError, type ErrorCode } from '../../src/lib/protocol/errors.ts';
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

/** Renders `{ error, code }` with the catalogue's status, plus a DetailedError's fields. */
export function sendError(res: Response, err: AppError): void {
	const details = err instanceof DetailedError ? err.details : {};
	res.status(STATUS[err.code]).json({ ...details, error: err.message, code: err.code });
}

/** Last express middleware: body-parser's own errors, AppErrors, and anything else as a 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
	return (err: unknown, _req, res, _next) => {
		const type = (err as { type?: string } | null)?.type;
		if (type === 'entity.too.large') return sendError(res, new AppError('too-large', 'upload too large'));
		if (type === 'entity.parse.failed') return sendError(res, new AppError('bad-request', 'body is not valid JSON'));
		const appError = AppError.from(err);
		if (appError.code === 'internal') log.error({ err }, 'http: request failed');
		sendError(res, appError);
	};
}

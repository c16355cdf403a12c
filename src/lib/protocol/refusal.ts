/**
 * How the server refuses a data channel before any peer connection exists: at the signalling
 * offer, it answers the client's PeerJS socket with an `ERROR` whose `msg` is this JSON text.
 * PeerJS hands `msg` to the client as a `server-error`'s message; `decodeRefusal` reads it back.
 */
import * as v from 'valibot';
import { ERROR_CODES, type ErrorCode } from './errors.ts';

export type Refusal = {
	code: ErrorCode;
	/** Safe to show a user. */
	message: string;
	/** Seconds before trying again is worth it (0: do not retry without a change, e.g. a token). */
	retryAfterS: number;
};

const RefusalSchema = v.strictObject({
	facertc: v.literal('refused'),
	code: v.picklist(ERROR_CODES),
	message: v.pipe(v.string(), v.maxLength(256)),
	retryAfterS: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3600))
});

export function encodeRefusal(refusal: Refusal): string {
	return JSON.stringify({ facertc: 'refused', ...refusal });
}

/** The refusal in a PeerJS server-error message, or null when it is some other error. Never throws. */
export function decodeRefusal(text: unknown): Refusal | null {
	if (typeof text !== 'string' || !text.startsWith('{')) return null;
	try {
		const parsed = v.safeParse(RefusalSchema, JSON.parse(text));
		if (!parsed.success) return null;
		const { code, message, retryAfterS } = parsed.output;
		return { code, message, retryAfterS };
	} catch {
		return null;
	}
}

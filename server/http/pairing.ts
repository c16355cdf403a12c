/**
 * Pairing a browser without typing a token: the server hands out short-lived, single-use codes
 * (in the start log, and on the People page for an admin) inside a link `…/pair#code=<code>`.
 * The page at /pair sends the code once to `POST /api/pair` and stores the token it gets back.
 *
 * Why a code and not the token itself in the link: a link ends up in browser history, a QR code
 * in a photo, a terminal in a scroll-back. A code is worth nothing once used or after
 * PAIRING_CODE_TTL_MS; it sits in the URL fragment, which browsers never send to a server nor in
 * a Referer; and the page drops it from the address bar at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Codes outstanding at once; past that the oldest is dropped. */
const MAX_CODES = 64;

export type PairingRole = 'admin' | 'recognize';
export type PairingCode = { code: string; role: PairingRole; expiresAt: number };

export type Pairing = {
	create(role: PairingRole): PairingCode;
	/** The role of a valid code, which is used up; null for an unknown, used or expired one. */
	redeem(code: unknown): PairingRole | null;
};

export function createPairing({ now = () => Date.now(), ttlMs = PAIRING_CODE_TTL_MS } = {}): Pairing {
	const codes = new Map<string, PairingCode>();

	function sweep(t: number): void {
		for (const [code, entry] of codes) if (entry.expiresAt <= t) codes.delete(code);
	}

	return {
		create(role) {
			const t = now();
			sweep(t);
			while (codes.size >= MAX_CODES) codes.delete(codes.keys().next().value!);
			// 128 bits: no guessing within a code's life, even unthrottled.
			const entry = { code: randomBytes(16).toString('base64url'), role, expiresAt: t + ttlMs };
			codes.set(entry.code, entry);
			return entry;
		},
		redeem(code) {
			const t = now();
			sweep(t);
			if (typeof code !== 'string' || code.length !== 22) return null;
			for (const [known, entry] of codes) {
				if (timingSafeEqual(Buffer.from(known), Buffer.from(code))) {
					codes.delete(known);
					return entry.role;
				}
			}
			return null;
		}
	};
}

/** The link a browser opens to pair: the code in the fragment, which never reaches a server. */
export const pairingLink = (origin: string, code: string) => `${origin}/pair#code=${code}`;

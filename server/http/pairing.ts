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
import { createHash, randomBytes } from 'node:crypto';
import { sameSecret } from './auth.ts';

export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Codes outstanding at once; past that the oldest is dropped. */
const MAX_CODES = 64;

export type PairingRole = 'admin' | 'recognize';
export type PairingCode = { code: string; role: PairingRole; expiresAt: number };

export type Pairing = {
	create(role: PairingRole): Promise<PairingCode>;
	/** The role of a valid code, which is used up; null for an unknown, used or expired one. */
	redeem(code: unknown): Promise<PairingRole | null>;
};

/**
 * Where codes live when several servers share one gallery (DATABASE_URL): a code made on one
 * server must be good on the one the phone's request reaches. Codes are kept by their SHA-256.
 */
export type SharedCodes = {
	savePairingCode(codeHash: string, role: string, expiresAt: number): Promise<void>;
	takePairingCode(codeHash: string, now: number): Promise<string | null>;
};

const newCode = () => randomBytes(16).toString('base64url');
const isCode = (code: unknown): code is string => typeof code === 'string' && /^[A-Za-z0-9_-]{22}$/.test(code);
const hashOf = (code: string) => createHash('sha256').update(code).digest('hex');

/** Codes in the shared gallery database: one DELETE takes a code, so it works once across all servers. */
function sharedPairing(shared: SharedCodes, now: () => number, ttlMs: number): Pairing {
	return {
		async create(role) {
			const entry = { code: newCode(), role, expiresAt: now() + ttlMs };
			await shared.savePairingCode(hashOf(entry.code), role, entry.expiresAt);
			return entry;
		},
		async redeem(code) {
			if (!isCode(code)) return null;
			const role = await shared.takePairingCode(hashOf(code), now());
			return role === 'admin' || role === 'recognize' ? role : null;
		}
	};
}

export function createPairing({
	now = () => Date.now(),
	ttlMs = PAIRING_CODE_TTL_MS,
	shared = null
}: { now?: () => number; ttlMs?: number; shared?: SharedCodes | null } = {}): Pairing {
	if (shared) return sharedPairing(shared, now, ttlMs);
	const codes = new Map<string, PairingCode>();

	function sweep(t: number): void {
		for (const [code, entry] of codes) if (entry.expiresAt <= t) codes.delete(code);
	}

	return {
		async create(role) {
			const t = now();
			sweep(t);
			while (codes.size >= MAX_CODES) codes.delete(codes.keys().next().value!);
			// 128 bits: no guessing within a code's life, even unthrottled.
			const entry = { code: newCode(), role, expiresAt: t + ttlMs };
			codes.set(entry.code, entry);
			return entry;
		},
		async redeem(code) {
			const t = now();
			sweep(t);
			if (!isCode(code)) return null;
			for (const [known, entry] of codes) {
				if (sameSecret(code, known)) {
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

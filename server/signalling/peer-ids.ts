/**
 * Server-assigned PeerJS ids. Clients never choose their id: PeerJS asks `GET <path>/<key>/id`
 * when it is given none, and the answer is a random id with a MAC under a key only this process
 * knows. The signalling guard accepts a socket only for an id that carries a valid MAC, or for
 * the recognizer's own id with the recognizer's secret token. Stateless, so handing out ids costs
 * no memory.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const CLIENT_PREFIX = 'c';

export type PeerIds = {
	/** A new client id, e.g. `c-5f0c9a1e2b3d4c5e-8a1f…` (PeerJS accepts letters, digits and `-`). */
	issue(): string;
	/** True when `id` was issued by `issue()` of this object. */
	isIssued(id: string): boolean;
};

export function createPeerIds(key: Buffer = randomBytes(32)): PeerIds {
	const mac = (nonce: string) => createHmac('sha256', key).update(nonce).digest('hex').slice(0, 24);
	return {
		issue() {
			const nonce = randomBytes(8).toString('hex');
			return `${CLIENT_PREFIX}-${nonce}-${mac(nonce)}`;
		},
		isIssued(id) {
			const match = /^c-([0-9a-f]{16})-([0-9a-f]{24})$/.exec(id);
			if (!match) return false;
			return timingSafeEqual(Buffer.from(mac(match[1]!)), Buffer.from(match[2]!));
		}
	};
}

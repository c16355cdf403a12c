/**
 * Which data channels the recognizer takes on, decided at the signalling offer, before a native
 * peer connection exists (each costs ~18 file descriptors and several MB in @roamhq/wrtc). Counts
 * channels being set up and open, per client address and in all, and how fast one address makes
 * new ones. Pure but for `now`; the signalling guard asks, the recognizer's peer endpoint reports
 * `opened` and `release`.
 */
import type { ChannelLimits } from '../config.ts';
import type { RefusalReason } from '../metrics.ts';
import { createKeyedLimiter, type Clock } from '../rate-limit.ts';

/** A channel admitted at the offer must open within this, or its slot is given back (and the endpoint closes it). */
export const PENDING_TIMEOUT_MS = 10_000;

export type AdmissionRefusal = { reason: RefusalReason; message: string; retryAfterS: number };

export type Admission = {
	/** Admits channel `key` (`<peer id>/<connection id>`) from `address`, or says why not. */
	tryAdmit(key: string, address: string): AdmissionRefusal | null;
	/** The channel opened; false when it was never admitted (or its slot expired). */
	opened(key: string): boolean;
	/** The channel is gone; its slot is free. Unknown keys are ignored. */
	release(key: string): void;
	/** The address a channel was admitted from. */
	addressOf(key: string): string | undefined;
	counts(): { open: number; pending: number };
};

type Entry = { address: string; open: boolean; since: number };

export function createAdmission(limits: ChannelLimits, { now = () => performance.now() }: { now?: Clock } = {}): Admission {
	const entries = new Map<string, Entry>();
	// New channels per address: a burst of twice the per-address cap, then the cap every 10 s.
	const connects = createKeyedLimiter({ capacity: limits.perAddress * 2, perSecond: limits.perAddress / 10, now });

	function sweep(t: number): void {
		for (const [key, e] of entries) if (!e.open && t - e.since > PENDING_TIMEOUT_MS) entries.delete(key);
	}

	function count(address?: string) {
		let open = 0;
		let pending = 0;
		for (const e of entries.values()) {
			if (address !== undefined && e.address !== address) continue;
			if (e.open) open++;
			else pending++;
		}
		return { open, pending };
	}

	return {
		tryAdmit(key, address) {
			const t = now();
			sweep(t);
			if (entries.has(key)) return { reason: 'per-address', message: 'this channel is already being set up', retryAfterS: 1 };
			const mine = count(address);
			const all = count();
			if (mine.open + mine.pending >= limits.perAddress) {
				return { reason: 'per-address', message: `at most ${limits.perAddress} channels from one address`, retryAfterS: 5 };
			}
			if (all.open + all.pending >= limits.total) {
				return { reason: 'total', message: 'the recognizer is serving as many clients as it can', retryAfterS: 10 };
			}
			if (mine.pending >= limits.pendingPerAddress) {
				return { reason: 'pending-per-address', message: 'wait for your other channels to open', retryAfterS: 2 };
			}
			if (all.pending >= limits.pendingTotal) {
				return { reason: 'pending-total', message: 'many clients are connecting at once', retryAfterS: 2 };
			}
			const rate = connects.take(address);
			if (!rate.ok) return { reason: 'connect-rate', message: 'too many new channels from one address', retryAfterS: rate.retryAfterS };
			entries.set(key, { address, open: false, since: t });
			return null;
		},
		opened(key) {
			sweep(now());
			const e = entries.get(key);
			if (!e) return false;
			e.open = true;
			return true;
		},
		release(key) {
			entries.delete(key);
		},
		addressOf: (key) => entries.get(key)?.address,
		counts() {
			sweep(now());
			return count();
		}
	};
}

/** The admission key of a PeerJS data channel. */
export const channelKey = (peerId: string, connectionId: string) => `${peerId}/${connectionId}`;

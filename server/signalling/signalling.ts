/**
 * The signalling side, put together: the PeerServer behind its guard, server-issued ids, and the
 * admission of data channels at their offer (the recognize token first, then the caps).
 */
import type { Server } from 'node:http';
import type { ChannelLimits } from '../config.ts';
import type { TokenCheck } from '../http/auth.ts';
import { newToken } from '../http/tokens.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { createAdmission, type Admission } from './admission.ts';
import { createSignallingGuard, type SignallingGuard } from './guard.ts';
import { createPeerIds } from './peer-ids.ts';
import { createPeerServer } from './peer-server.ts';

export type Signalling = {
	/** Mount at PEER_PATH. */
	router: ReturnType<typeof createPeerServer>;
	admission: Admission;
	guard: SignallingGuard;
	/** The recognizer's secret PeerJS token: with it, and only with it, `recognizerId` registers. */
	recognizerToken: string;
};

export function createSignalling({
	server,
	channels,
	trustProxy,
	recognizerId,
	recognizerIdPrefix,
	recognizeCheck,
	metrics,
	log
}: {
	server: Server;
	channels: ChannelLimits;
	trustProxy: boolean;
	recognizerId: string;
	recognizerIdPrefix: string;
	/** Null when recognition is open. */
	recognizeCheck: TokenCheck | null;
	metrics: Metrics;
	log: Logger;
}): Signalling {
	const admission = createAdmission(channels);
	const peerIds = createPeerIds();
	const recognizerToken = newToken();
	// Sockets: a page makes one at a time (a reconnect replaces it); leave room for several tabs and devices.
	const socketsPerAddress = Math.max(8, channels.perAddress * 2);
	const socketsTotal = Math.max(64, channels.total * 4);
	const guard = createSignallingGuard({
		recognizerId,
		recognizerIdPrefix,
		recognizerToken,
		peerIds,
		trustProxy,
		socketsPerAddress,
		socketsTotal,
		admitOffer({ key, address, metadata }) {
			if (recognizeCheck && !recognizeCheck((metadata as { token?: unknown } | null)?.token)) {
				return { reason: 'unauthorized', code: 'unauthorized', message: 'this recognizer needs a paired device (a recognize token)', retryAfterS: 0 };
			}
			const refused = admission.tryAdmit(key, address);
			metrics.channelsPending.set(admission.counts().pending);
			if (!refused) return null;
			const code = refused.reason === 'total' || refused.reason === 'pending-total' ? 'overloaded' : 'rate-limited';
			return { ...refused, code };
		},
		holds: (key) => admission.addressOf(key) !== undefined,
		log,
		onRefused: (reason) => {
			if (reason.startsWith('offer-')) metrics.channelsRefused.inc({ reason: reason.slice('offer-'.length) });
			else metrics.signallingRefused.inc({ reason });
		},
		onClients: (n) => metrics.signallingClients.set(n),
		onRecognizer: (registered) => metrics.recognizerRegistered.set(registered ? 1 : 0)
	});
	const router = createPeerServer(server, { guard, peerIds, maxClients: socketsTotal, log });
	return { router, admission, guard, recognizerToken };
}

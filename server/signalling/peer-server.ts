/**
 * Mounts the PeerJS signalling server (`peer`) on the app's own HTTP server, behind the guard
 * (guard.ts), with server-assigned client ids (peer-ids.ts) and its own limits set.
 */
import type { Server } from 'node:http';
import { ExpressPeerServer } from 'peer';
import type { Logger } from '../log.ts';
import type { SignallingGuard } from './guard.ts';
import type { PeerIds } from './peer-ids.ts';

export const PEER_PATH = '/peerjs';
export const PEER_KEY = 'peerjs';
/** A client that sent nothing (PeerJS pings every 5 s) for this long is dropped by the PeerServer. */
const ALIVE_TIMEOUT_MS = 30_000;

export function createPeerServer(
	server: Server,
	{ guard, peerIds, maxClients, log }: { guard: SignallingGuard; peerIds: PeerIds; maxClients: number; log: Logger }
) {
	const peerServer = ExpressPeerServer(server, {
		path: '/',
		key: PEER_KEY,
		allow_discovery: false,
		concurrent_limit: maxClients,
		alive_timeout: ALIVE_TIMEOUT_MS,
		// Messages for an id that is not connected wait at most this long (only the recognizer's can
		// wait at all: the guard drops clients' messages to anyone else).
		expire_timeout: 5_000,
		cleanup_out_msgs: 1_000,
		generateClientId: () => peerIds.issue(),
		// Only this server's pages use it: no CORS headers for other sites.
		corsOptions: { origin: false },
		createWebSocketServer: (options) => guard.createWebSocketServer(options)
	});
	// An EventEmitter 'error' without a listener throws: one bad socket must not take the server down.
	peerServer.on('error', (err) => log.warn({ err: err.message }, 'signalling: error'));
	peerServer.on('connection', (client) => log.debug({ peer: client.getId() }, 'signalling: + client'));
	peerServer.on('disconnect', (client) => log.debug({ peer: client.getId() }, 'signalling: - client'));
	return peerServer;
}

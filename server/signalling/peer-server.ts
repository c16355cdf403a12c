/** Mounts the PeerJS signalling server (`peer`) on the app's own HTTP server. */
import type { Server } from 'node:http';
import { ExpressPeerServer } from 'peer';

export const PEER_PATH = '/peerjs';
export const PEER_KEY = 'peerjs';

export function createPeerServer(server: Server, { log, onCount }: { log: (msg: string) => void; onCount?: (n: number) => void }) {
	const peerServer = ExpressPeerServer(server, { path: '/', key: PEER_KEY, allow_discovery: false });
	let clients = 0;
	// An EventEmitter 'error' without a listener throws: one bad socket must not take the server down.
	peerServer.on('error', (err) => log(`signalling: ${err.message}`));
	peerServer.on('connection', (client) => {
		clients++;
		onCount?.(clients);
		log(`signalling: + ${client.getId()} (${clients} connected)`);
	});
	peerServer.on('disconnect', (client) => {
		clients = Math.max(0, clients - 1);
		onCount?.(clients);
		log(`signalling: - ${client.getId()} (${clients} connected)`);
	});
	return peerServer;
}

/**
 * PeerJS in Node: the only module that knows the WebRTC runtime (@roamhq/wrtc). PeerJS expects a
 * browser, so WebRTC classes, WebSocket and a `location` go on globalThis before PeerJS loads.
 */
import wrtc from '@roamhq/wrtc';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

let peerjs: typeof import('peerjs') | null = null;

/** PeerJS's CommonJS build, loaded once the globals it needs are in place. */
export function loadPeerJs(): typeof import('peerjs') {
	if (peerjs) return peerjs;
	Object.assign(globalThis, {
		RTCPeerConnection: wrtc.RTCPeerConnection,
		RTCSessionDescription: wrtc.RTCSessionDescription,
		RTCIceCandidate: wrtc.RTCIceCandidate,
		WebSocket
	});
	if (!('location' in globalThis)) {
		Object.assign(globalThis, { location: { protocol: 'http:', hostname: 'localhost', href: 'http://localhost/' } });
	}
	peerjs = createRequire(import.meta.url)('peerjs') as typeof import('peerjs');
	return peerjs;
}

// Everything runs in the browser (camera, detector, PeerJS): no server rendering, one static shell.
export const ssr = false;
export const prerender = false;

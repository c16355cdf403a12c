/**
 * Who a request comes from, for per-address limits: the socket's peer address, or with
 * TRUST_PROXY the last `X-Forwarded-For` hop (what the one trusted proxy in front saw). IPv6
 * clients are grouped by /64, the block one household or phone usually gets, so one client cannot
 * dodge a limit by walking through its own addresses.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The key per-address limits count under: an IPv4 address or an IPv6 /64 prefix (`2001:db8:1:2::/64`). */
export function addressKey(address: string | undefined): string {
	if (!address) return 'unknown';
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) return mapped[1]!;
	if (isIPv4(address)) return address;
	if (!isIPv6(address)) return 'unknown';
	if (address === '::1') return address;
	return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
	const [head = '', tail = ''] = address.split('%')[0]!.split('::');
	const left = head ? head.split(':') : [];
	const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
	const missing = 8 - left.length - right.length;
	return [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** The client address of a request (HTTP or WebSocket upgrade), as a limit key. */
export function clientAddress(
	req: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> },
	trustProxy: boolean
): string {
	if (trustProxy) {
		const header = req.headers['x-forwarded-for'];
		const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
			.split(',')
			.map((h) => h.trim())
			.filter(Boolean);
		const last = hops.at(-1);
		if (last) return addressKey(last);
	}
	return addressKey(req.socket.remoteAddress);
}

import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from './client-address.ts';

describe('client address keys', () => {
	it('keeps IPv4, unmaps IPv4-mapped IPv6, groups IPv6 by /64', () => {
		expect(addressKey('192.168.1.20')).toBe('192.168.1.20');
		expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
		expect(addressKey('::1')).toBe('::1');
		expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
		expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
		expect(addressKey(undefined)).toBe('unknown');
	});

	it('reads X-Forwarded-For only behind a trusted proxy, taking the hop the proxy saw', () => {
		const req = { socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-forwarded-for': '6.6.6.6, 10.0.0.7' } };
		expect(clientAddress(req, false)).toBe('127.0.0.1');
		expect(clientAddress(req, true)).toBe('10.0.0.7');
		expect(clientAddress({ socket: { remoteAddress: '127.0.0.1' }, headers: {} }, true)).toBe('127.0.0.1');
	});
});

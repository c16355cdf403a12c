import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig: HTTPS', () => {
	it('serves HTTP unless asked', () => {
		expect(loadConfig({}, '/srv')).toMatchObject({ https: false, tls: null });
	});

	it('turns HTTPS on with --https or HTTPS=1', () => {
		expect(loadConfig({}, '/srv', ['--https']).https).toBe(true);
		expect(loadConfig({ HTTPS: '1' }, '/srv').https).toBe(true);
		expect(loadConfig({ HTTPS: 'true' }, '/srv').https).toBe(true);
		expect(loadConfig({ HTTPS: '0' }, '/srv').https).toBe(false);
		expect(() => loadConfig({ HTTPS: 'yes please' }, '/srv')).toThrow(/HTTPS must be 1 or 0/);
		expect(() => loadConfig({}, '/srv', ['--htps'])).toThrow(/unknown option --htps/);
	});

	it('serves given certificate files over HTTPS, both or neither', () => {
		const config = loadConfig({ TLS_CERT: 'tls/c.pem', TLS_KEY: '/etc/k.pem' }, '/srv');
		expect(config).toMatchObject({ https: true, tls: { certFile: '/srv/tls/c.pem', keyFile: '/etc/k.pem' } });
		expect(() => loadConfig({ TLS_CERT: 'c.pem' }, '/srv')).toThrow(/TLS_CERT and TLS_KEY go together/);
		expect(() => loadConfig({ TLS_KEY: 'k.pem' }, '/srv')).toThrow(/TLS_CERT and TLS_KEY go together/);
	});
});

import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLE_MAX_VALIDITY_DAYS, CERT_VALIDITY_DAYS, generateSelfSigned, loadTls } from './tls.ts';

const dirs: string[] = [];
const tempDir = () => {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-tls-'));
	dirs.push(dir);
	return dir;
};
afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('self-signed certificate', () => {
	it('is a valid X.509 server certificate for the names and addresses asked', () => {
		const now = new Date('2030-06-01T12:00:00Z');
		const { cert, key } = generateSelfSigned({ dnsNames: ['localhost', 'box.local'], ips: ['127.0.0.1', '192.168.1.20', '::1'], now, days: 30 });
		const x509 = new X509Certificate(cert);
		expect(x509.verify(x509.publicKey)).toBe(true);
		expect(x509.issuer).toBe(x509.subject);
		expect(x509.ca).toBe(false);
		expect(x509.checkHost('box.local')).toBe('box.local');
		expect(x509.checkIP('192.168.1.20')).toBe('192.168.1.20');
		expect(x509.checkIP('10.0.0.1')).toBeUndefined();
		expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
		expect(new Date(x509.validFrom).getTime()).toBe(now.getTime() - 24 * 3600 * 1000);
		expect(new Date(x509.validTo).getTime()).toBe(now.getTime() + 29 * 24 * 3600 * 1000);
		expect(key).toContain('BEGIN PRIVATE KEY');
	});

	it('is valid no longer than iPhones accept: 825 days in all, counting the day of clock-skew slack', () => {
		const { cert } = generateSelfSigned({ dnsNames: ['localhost'], ips: [] });
		const x509 = new X509Certificate(cert);
		const days = (new Date(x509.validTo).getTime() - new Date(x509.validFrom).getTime()) / (24 * 3600 * 1000);
		expect(days).toBe(CERT_VALIDITY_DAYS);
		expect(days).toBeLessThanOrEqual(APPLE_MAX_VALIDITY_DAYS);
		expect(new Date(x509.validFrom).getTime()).toBeLessThan(Date.now());
	});

	it('is made once, kept in DATA_DIR with a private key file, and reused', () => {
		const dataDir = tempDir();
		const logs: string[] = [];
		const first = loadTls({ dataDir, given: null, log: (m) => logs.push(m) });
		expect(first.origin).toBe('generated');
		expect(first.names).toContain('localhost');
		expect(statSync(join(dataDir, 'tls/key.pem')).mode & 0o077).toBe(0);
		const second = loadTls({ dataDir, given: null, log: (m) => logs.push(m) });
		expect(second.origin).toBe('reused');
		expect(second.fingerprint).toBe(first.fingerprint);
		expect(logs).toEqual([]);
	});

	it('is replaced when about to expire', () => {
		const dataDir = tempDir();
		const first = loadTls({ dataDir, given: null, log: () => {} });
		const logs: string[] = [];
		const later = loadTls({ dataDir, given: null, log: (m) => logs.push(m), now: new Date(Date.now() + 824 * 24 * 3600 * 1000) });
		expect(later.origin).toBe('generated');
		expect(later.fingerprint).not.toBe(first.fingerprint);
		expect(logs[0]).toMatch(/replacing .*cert\.pem: it expires/);
	});

	it('serves given files as they are, and refuses a key of another certificate', () => {
		const a = loadTls({ dataDir: tempDir(), given: null, log: () => {} });
		const b = loadTls({ dataDir: tempDir(), given: null, log: () => {} });
		const aDir = join(a.certFile, '..');
		const given = loadTls({ dataDir: tempDir(), given: { certFile: a.certFile, keyFile: join(aDir, 'key.pem') }, log: () => {} });
		expect(given.origin).toBe('given');
		expect(given.cert).toBe(readFileSync(a.certFile, 'utf8'));
		const mismatched = { certFile: a.certFile, keyFile: join(b.certFile, '..', 'key.pem') };
		expect(() => loadTls({ dataDir: tempDir(), given: mismatched, log: () => {} })).toThrow(/does not belong/);
		expect(() => loadTls({ dataDir: tempDir(), given: { certFile: '/nonexistent.pem', keyFile: '/x.pem' }, log: () => {} })).toThrow(/cannot read/);
	});
});

import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSharedTokens, loadTokens } from './tokens.ts';

const dirs: string[] = [];
const dataDir = () => {
	const dir = mkdtempSync(join(tmpdir(), 'facertc-tokens-'));
	dirs.push(dir);
	return dir;
};
afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('tokens', () => {
	it('makes the admin and recognize tokens on first start, mode 0600, and keeps them', () => {
		const dir = dataDir();
		const first = loadTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: false });
		expect(first.admin).toMatchObject({ source: 'generated', file: join(dir, 'admin-token') });
		expect(first.admin.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
		expect(statSync(join(dir, 'recognize-token')).mode & 0o777).toBe(0o600);
		const again = loadTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: false });
		expect(again.admin).toMatchObject({ source: 'file', value: first.admin.value });
		expect(again.recognize?.value).toBe(first.recognize?.value);
		expect(again.recognize?.value).not.toBe(first.admin.value);
	});

	it('uses tokens from the environment, and needs none for open recognition', () => {
		const dir = dataDir();
		const tokens = loadTokens({ dataDir: dir, adminToken: 'given-admin', recognizeToken: null, openRecognition: true });
		expect(tokens).toMatchObject({ admin: { value: 'given-admin', source: 'env' }, recognize: null });
		expect(() => readFileSync(join(dir, 'admin-token'))).toThrow();
	});

	it('closes a token file others could read, and refuses one that holds no token', () => {
		const dir = dataDir();
		writeFileSync(join(dir, 'admin-token'), 'a-token-of-enough-length\n');
		chmodSync(join(dir, 'admin-token'), 0o644);
		const tokens = loadTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: true });
		expect(tokens.admin.value).toBe('a-token-of-enough-length');
		expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
		expect(tokens.notes).toEqual([expect.stringMatching(/now mode 0600/)]);
		writeFileSync(join(dir, 'admin-token'), '\n');
		expect(() => loadTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: true })).toThrow(/does not hold a token/);
	});
});

describe('shared tokens (DATABASE_URL)', () => {
	const store = () => {
		const kept = new Map<string, string>();
		return { kept, shared: async (name: string, make: () => string) => (kept.has(name) ? kept.get(name)! : (kept.set(name, make()), kept.get(name)!)) };
	};

	it('makes tokens once in the shared store, so a second server gets the same, and writes no file', async () => {
		const { kept, shared } = store();
		const a = await loadSharedTokens({ dataDir: dataDir(), adminToken: null, recognizeToken: null, openRecognition: false, shared });
		const b = await loadSharedTokens({ dataDir: dataDir(), adminToken: null, recognizeToken: null, openRecognition: false, shared });
		expect(a.admin).toMatchObject({ source: 'database', file: null });
		expect(a.admin.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(b.admin.value).toBe(a.admin.value);
		expect(b.recognize?.value).toBe(a.recognize?.value);
		expect([...kept.keys()].sort()).toEqual(['admin-token', 'recognize-token']);
	});

	it('seeds the store with the token a server kept in its data folder, and leaves given tokens alone', async () => {
		const { kept, shared } = store();
		const dir = dataDir();
		const own = loadTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: true });
		const moved = await loadSharedTokens({ dataDir: dir, adminToken: null, recognizeToken: null, openRecognition: true, shared });
		expect(moved.admin.value).toBe(own.admin.value);
		expect(moved.recognize).toBeNull();
		const given = await loadSharedTokens({ dataDir: dir, adminToken: 'given-admin-token-0123', recognizeToken: null, openRecognition: true, shared });
		expect(given.admin).toMatchObject({ source: 'env', value: 'given-admin-token-0123' });
		expect(kept.get('admin-token')).toBe(own.admin.value);
	});
});

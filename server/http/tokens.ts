/**
 * The server's shared secrets. A token not given in the environment is made on first start
 * (32 random bytes, base64url) and kept in `$DATA_DIR/<name>` with mode 0600, so it survives
 * restarts and only the server's user can read it. The only module that touches those files.
 * With several servers on one PostgreSQL gallery (DATABASE_URL) they must all accept the same
 * tokens: one not given is kept in the database instead (`loadSharedTokens`).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin-token';
export const RECOGNIZE_TOKEN_FILE = 'recognize-token';

export type TokenSource = 'env' | 'file' | 'generated' | 'database';
export type Secret = { value: string; source: TokenSource; file: string | null };
export type Tokens = {
	admin: Secret;
	/** Null when recognition is open (OPEN_RECOGNITION=1). */
	recognize: Secret | null;
	/** Things to tell the operator (a token file others could read, now fixed). */
	notes: string[];
};

export const newToken = () => randomBytes(32).toString('base64url');

function kept(dataDir: string, name: string, notes: string[]): Secret {
	const file = join(dataDir, name);
	try {
		writeFileSync(file, `${newToken()}\n`, { mode: 0o600, flag: 'wx' });
		return { value: readFileSync(file, 'utf8').trim(), source: 'generated', file };
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
	}
	if ((statSync(file).mode & 0o077) !== 0) {
		chmodSync(file, 0o600);
		notes.push(`${file} could be read by other users: now mode 0600 (consider a new token: delete the file and restart)`);
	}
	const value = readFileSync(file, 'utf8').trim();
	if (!/^[\x21-\x7e]{16,256}$/.test(value)) {
		throw new Error(`${file} does not hold a token (16 to 256 printable characters): delete it to have a new one made`);
	}
	return { value, source: 'file', file };
}

export function loadTokens({
	dataDir,
	adminToken,
	recognizeToken,
	openRecognition
}: {
	dataDir: string;
	adminToken: string | null;
	recognizeToken: string | null;
	openRecognition: boolean;
}): Tokens {
	const notes: string[] = [];
	const admin: Secret = adminToken ? { value: adminToken, source: 'env', file: null } : kept(dataDir, ADMIN_TOKEN_FILE, notes);
	const recognize: Secret | null = openRecognition
		? null
		: recognizeToken
			? { value: recognizeToken, source: 'env', file: null }
			: kept(dataDir, RECOGNIZE_TOKEN_FILE, notes);
	return { admin, recognize, notes };
}

/** Gets the value stored under a name, or stores `make()` there first (atomic across servers). */
export type SharedSecrets = (name: string, make: () => string) => Promise<string>;

/**
 * Tokens for a server sharing its gallery (DATABASE_URL): given ones as they are (every server
 * must be given the same), the others made once and kept in the database, so every server
 * accepts every paired browser. The first server to start seeds the database with the token it
 * already kept in `$DATA_DIR` (a server going from one machine to two keeps its paired browsers);
 * the files are not written.
 */
export async function loadSharedTokens({
	dataDir,
	adminToken,
	recognizeToken,
	openRecognition,
	shared
}: {
	dataDir: string;
	adminToken: string | null;
	recognizeToken: string | null;
	openRecognition: boolean;
	shared: SharedSecrets;
}): Promise<Tokens> {
	const notes: string[] = [];
	const fromFile = (name: string) => {
		const file = join(dataDir, name);
		const value = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
		return /^[\x21-\x7e]{16,256}$/.test(value) ? value : null;
	};
	const secret = async (given: string | null, name: string): Promise<Secret> =>
		given ? { value: given, source: 'env', file: null } : { value: await shared(name, () => fromFile(name) ?? newToken()), source: 'database', file: null };
	const admin = await secret(adminToken, ADMIN_TOKEN_FILE);
	const recognize = openRecognition ? null : await secret(recognizeToken, RECOGNIZE_TOKEN_FILE);
	return { admin, recognize, notes };
}

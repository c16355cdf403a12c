/**
 * TLS for phones: browsers give the camera only to secure pages, so a phone on the LAN needs
 * `https://<this machine>:<port>`. Loads the certificate and key given, or makes a self-signed one
 * on first start and keeps it in `<dataDir>/tls/` for the next starts.
 *
 * The certificate is built with node:crypto alone (an ECDSA P-256 key, the X.509 structure
 * written as DER below), so no crypto package is added for one self-signed certificate.
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { isIPv4, type Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

/**
 * How long a generated certificate is valid, from its first to its last second. Apple refuses TLS
 * server certificates valid for more than 825 days in all, even ones a user trusts
 * (support.apple.com/HT210176); a few days under it, as mkcert does, leaves room for rounding.
 */
export const CERT_VALIDITY_DAYS = 820;
/** Apple's limit, days. */
export const APPLE_MAX_VALIDITY_DAYS = 825;
/** A stored certificate this close to its end is replaced at start. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export type TlsMaterial = {
	cert: string;
	key: string;
	/** `given`: TLS_CERT/TLS_KEY; `generated`: made now; `reused`: generated on an earlier start. */
	origin: 'given' | 'generated' | 'reused';
	certFile: string;
	/** SHA-256 fingerprint, `AA:BB:…`, as browsers show it on their certificate warning. */
	fingerprint: string;
	/** DNS names and IP addresses the certificate is valid for. */
	names: string[];
};

// ---- DER, just what a certificate needs ----

function derLength(n: number): Buffer {
	if (n < 0x80) return Buffer.from([n]);
	const bytes: number[] = [];
	for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
	const body = Buffer.concat(content);
	return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
const seq = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const bits = (bytes: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), bytes);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const contextExplicit = (n: number, content: Buffer) => tlv(0xa0 | n, content);
function oid(dotted: string): Buffer {
	const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
	const bytes = [first * 40 + second];
	for (const arc of rest) {
		const group = [arc & 0x7f];
		for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift((v & 0x7f) | 0x80);
		bytes.push(...group);
	}
	return tlv(0x06, Buffer.from(bytes));
}
/** A positive INTEGER from big-endian bytes. */
function unsignedInteger(bytes: Buffer): Buffer {
	let i = 0;
	while (i < bytes.length - 1 && bytes[i] === 0) i++;
	const trimmed = bytes.subarray(i);
	return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}
/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
	const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
	return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
function extension(id: string, critical: boolean, value: Buffer): Buffer {
	return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));
}
function ipBytes(ip: string): Buffer | null {
	if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
	if (ip === '::1') return Buffer.from([...new Array<number>(15).fill(0), 1]);
	return null; // other IPv6 addresses: phones on a LAN reach IPv4, and the name covers the rest
}

const OID = {
	commonName: '2.5.4.3',
	organization: '2.5.4.10',
	ecdsaWithSha256: '1.2.840.10045.4.3.2',
	subjectKeyIdentifier: '2.5.29.14',
	keyUsage: '2.5.29.15',
	subjectAltName: '2.5.29.17',
	basicConstraints: '2.5.29.19',
	extKeyUsage: '2.5.29.37',
	serverAuth: '1.3.6.1.5.5.7.3.1'
};

/**
 * A self-signed server certificate (not a CA: Firefox refuses a CA certificate as a server's)
 * for `dnsNames` and `ips`, valid from a day before `now` (clock skew) for `days` days in all.
 */
export function generateSelfSigned({
	dnsNames,
	ips,
	now = new Date(),
	days = CERT_VALIDITY_DAYS
}: {
	dnsNames: readonly string[];
	ips: readonly string[];
	now?: Date;
	days?: number;
}): { cert: string; key: string } {
	const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
	const spki = publicKey.export({ type: 'spki', format: 'der' });
	const name = seq(set(seq(oid(OID.organization), utf8('FaceRTC'))), set(seq(oid(OID.commonName), utf8(dnsNames[0] ?? 'localhost'))));
	const altNames = [
		...dnsNames.map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
		...ips.flatMap((ip) => {
			const bytes = ipBytes(ip);
			return bytes ? [tlv(0x87, bytes)] : [];
		})
	];
	const serial = randomBytes(16);
	serial[0] = (serial[0] ?? 0) & 0x7f || 0x01; // positive and non-zero
	const signatureAlgorithm = seq(oid(OID.ecdsaWithSha256));
	const tbs = seq(
		contextExplicit(0, unsignedInteger(Buffer.from([2]))), // v3
		unsignedInteger(serial),
		signatureAlgorithm,
		name,
		seq(time(new Date(now.getTime() - DAY_MS)), time(new Date(now.getTime() + (days - 1) * DAY_MS))),
		name,
		spki,
		contextExplicit(
			3,
			seq(
				extension(OID.basicConstraints, true, seq()),
				extension(OID.keyUsage, true, bits(Buffer.from([0x80]), 7)), // digitalSignature
				extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
				extension(OID.subjectAltName, false, seq(...altNames)),
				extension(OID.subjectKeyIdentifier, false, octets(createHash('sha1').update(spki).digest()))
			)
		)
	);
	const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature
	const der = seq(tbs, signatureAlgorithm, bits(signature));
	const base64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
	return {
		cert: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
		key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
	};
}

/** Names a phone on the LAN may use for this machine: its host name and every IPv4 address. */
export function localNames(): { dnsNames: string[]; ips: string[] } {
	const host = hostname().toLowerCase();
	const dnsNames = ['localhost'];
	if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host) && host !== 'localhost') {
		dnsNames.push(host);
		if (!host.includes('.')) dnsNames.push(`${host}.local`);
	}
	const lan = Object.values(networkInterfaces())
		.flatMap((list) => list ?? [])
		.filter((net) => !net.internal && net.family === 'IPv4')
		.map((net) => net.address);
	return { dnsNames, ips: ['127.0.0.1', '::1', ...new Set(lan)] };
}

/** LAN IPv4 addresses a phone can open this server on. */
export function lanAddresses(): string[] {
	return localNames().ips.filter((ip) => isIPv4(ip) && ip !== '127.0.0.1');
}

function describe(cert: string, key: string, origin: TlsMaterial['origin'], certFile: string): TlsMaterial {
	const x509 = new X509Certificate(cert);
	if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error(`${certFile}: the key does not belong to the certificate`);
	const names = (x509.subjectAltName ?? '')
		.split(', ')
		.map((entry) => entry.replace(/^(DNS|IP Address):/, '').replace(/^0:0:0:0:0:0:0:1$/, '::1'))
		.filter(Boolean);
	return { cert, key, origin, certFile, fingerprint: x509.fingerprint256, names };
}

/** Why a stored certificate cannot be served any more, or null when it can. */
function staleReason(cert: string, now: Date): string | null {
	const validTo = new Date(new X509Certificate(cert).validTo).getTime();
	return validTo - now.getTime() < RENEW_BEFORE_MS ? `it expires ${new Date(validTo).toISOString()}` : null;
}

/**
 * The certificate and key to serve: the given files; else `<dataDir>/tls/{cert,key}.pem`, made on
 * first start and again when unreadable or about to expire (`log` says why). Throws on given files
 * that are unreadable or do not match.
 */
export function loadTls({
	dataDir,
	given,
	log,
	now = new Date()
}: {
	dataDir: string;
	given: Readonly<{ certFile: string; keyFile: string }> | null;
	log: (msg: string) => void;
	now?: Date;
}): TlsMaterial {
	if (given) {
		const read = (file: string) => {
			try {
				return readFileSync(file, 'utf8');
			} catch (err) {
				throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
			}
		};
		return describe(read(given.certFile), read(given.keyFile), 'given', given.certFile);
	}
	const dir = join(dataDir, 'tls');
	const certFile = join(dir, 'cert.pem');
	const keyFile = join(dir, 'key.pem');
	if (existsSync(certFile) && existsSync(keyFile)) {
		try {
			const cert = readFileSync(certFile, 'utf8');
			const reason = staleReason(cert, now);
			if (!reason) return describe(cert, readFileSync(keyFile, 'utf8'), 'reused', certFile);
			log(`https: replacing ${certFile}: ${reason}`);
		} catch (err) {
			log(`https: replacing ${certFile}: ${(err as Error).message}`);
		}
	}
	const { cert, key } = generateSelfSigned({ ...localNames(), now });
	mkdirSync(dir, { recursive: true, mode: 0o700 });
	// Key first and each file renamed into place, so a crash never leaves a cert without its key.
	writeFileSync(`${keyFile}.tmp`, key, { mode: 0o600 });
	chmodSync(`${keyFile}.tmp`, 0o600);
	renameSync(`${keyFile}.tmp`, keyFile);
	writeFileSync(`${certFile}.tmp`, cert);
	renameSync(`${certFile}.tmp`, certFile);
	return describe(cert, key, 'generated', certFile);
}

/**
 * Behind HTTPS, the in-process recognizer peer still signals over plain `ws://127.0.0.1` (it
 * would not trust a self-signed certificate): a loopback-only HTTP listener with the same app,
 * whose WebSocket upgrades go to the PeerServer on the public server. Resolves once listening.
 */
export async function listenLoopback(app: RequestListener, publicServer: Server): Promise<Server> {
	const loopback = createHttpServer(app);
	loopback.on('clientError', (_err, socket) => socket.destroy());
	loopback.on('upgrade', (req, socket, head) => publicServer.emit('upgrade', req, socket, head));
	await new Promise<void>((resolve, reject) => {
		loopback.once('error', reject);
		loopback.listen(0, '127.0.0.1', () => {
			loopback.off('error', reject);
			resolve();
		});
	});
	return loopback;
}

/** A TLS record starts with its content type; a handshake (every TLS connection's first record) is 22. */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing for this long is dropped before it is classified. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/**
 * Lets `http://host:port/…` typed against the HTTPS port get a redirect to `https://` instead of an
 * empty reply: the first byte of each connection tells a TLS handshake from a plain HTTP request
 * (ASCII), which a tiny HTTP server answers with 308 to the same host, port and path. TLS
 * connections go on to `server` exactly as before. Call before `listen`.
 */
export function redirectPlainHttp(server: HttpsServer): void {
	const tlsHandlers = server.listeners('connection') as Array<(socket: Socket) => void>;
	server.removeAllListeners('connection');
	const plain = createHttpServer((req, res) => {
		// The Host the client used, when it is one; a redirect never points anywhere else.
		const host = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(req.headers.host ?? '') ? req.headers.host : null;
		const local = server.address();
		const target = host ?? `localhost${typeof local === 'object' && local ? `:${local.port}` : ''}`;
		res.writeHead(308, { location: `https://${target}${req.url?.startsWith('/') ? req.url : '/'}`, connection: 'close', 'content-type': 'text/plain' });
		res.end('This server speaks HTTPS only.\n');
	});
	plain.on('clientError', (_err, socket) => socket.destroy());
	server.on('connection', (socket: Socket) => {
		socket.on('error', () => socket.destroy());
		socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
		socket.once('data', (first: Buffer) => {
			socket.setTimeout(0);
			socket.pause();
			// Put the bytes back. The TLS socket made on top reads what is buffered first and then
			// reads the connection itself (resuming the plain socket under it would lose the
			// handshake); the HTTP parser reads through the socket's stream, which must flow again.
			socket.unshift(first);
			if (first[0] === TLS_HANDSHAKE) {
				for (const handler of tlsHandlers) handler.call(server, socket);
			} else {
				plain.emit('connection', socket);
				socket.resume();
			}
		});
	});
}

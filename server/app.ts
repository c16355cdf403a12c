/**
 * Composition root: builds the whole server from a Config. No side effects on import;
 * `createServer` opens nothing until `start()`.
 */
import express from 'express';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createEmbedPool, type EmbedPool } from './embed/pool.ts';
import { probeImage } from './embed/probe.ts';
import type { Gallery } from './gallery/gallery.ts';
import { createSqliteGallery } from './gallery/sqlite-gallery.ts';
import { createApi } from './http/api.ts';
import { tokenCheck } from './http/auth.ts';
import { errorHandler } from './http/errors.ts';
import { createStatic } from './http/static.ts';
import { createMetrics } from './metrics.ts';
import { startPeerEndpoint, type PeerEndpoint } from './recognizer/peer-endpoint.ts';
import { createRecognizer } from './recognizer/recognizer.ts';
import { PEER_KEY, PEER_PATH, createPeerServer } from './signalling/peer-server.ts';
import { lanAddresses, listenLoopback, loadTls, redirectPlainHttp } from './tls.ts';

/** Identifies the embedding model stored beside every vector. */
export const EMBEDDING_MODEL = 'face-api@1.7/face_recognition_model';
export const EMBEDDING_DIM = 128;

export type RunningServer = { port: number; url: string; backend: string; recognizerId: string; close(): Promise<void> };

export async function startServer(config: Config, log: (msg: string) => void): Promise<RunningServer> {
	mkdirSync(config.dataDir, { recursive: true });
	const metrics = createMetrics();
	const recognizerId = `${config.recognizerIdPrefix}-${randomBytes(6).toString('hex')}`;
	const cleanups: Array<() => unknown> = [];
	const closeAll = async () => {
		for (const cleanup of cleanups.splice(0).reverse()) {
			try {
				await cleanup();
			} catch (err) {
				log(`shutdown: ${(err as Error).message}`);
			}
		}
	};

	try {
		const gallery: Gallery = createSqliteGallery({
			file: join(config.dataDir, 'gallery.db'),
			model: EMBEDDING_MODEL,
			dim: EMBEDDING_DIM
		});
		cleanups.push(() => gallery.close());

		const pool: EmbedPool = createEmbedPool({
			size: config.embedWorkers,
			modelDir: join(config.modelsDir, 'face-api'),
			log
		});
		cleanups.push(() => pool.close());
		const { backend } = await pool.ready();

		const app = express();
		app.disable('x-powered-by');
		const tls = config.https ? loadTls({ dataDir: config.dataDir, given: config.tls, log }) : null;
		const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app) : createHttpServer(app);
		if (tls) redirectPlainHttp(server as HttpsServer);
		server.on('clientError', (_err, socket) => socket.destroy());

		const peerServer = createPeerServer(server, {
			log: config.logLevel === 'debug' ? log : () => {},
			onCount: () => {}
		});
		app.use(PEER_PATH, peerServer);

		const clientConfig = () => ({ peerPath: PEER_PATH, peerKey: PEER_KEY, recognizerId, iceServers: config.iceServers });
		app.get('/healthz', (_req, res) => {
			res.json({ ok: true, backend, recognizerId, people: gallery.listPeople().length });
		});
		app.get('/metrics', (_req, res) => {
			res.type('text/plain; version=0.0.4').send(metrics.render());
		});
		app.use(
			'/api',
			createApi({
				gallery,
				analyzePhoto: (bytes) => pool.analyzePhoto(bytes),
				matchThreshold: config.matchThreshold,
				adminToken: config.adminToken,
				recognizeToken: config.recognizeToken,
				log,
				maxUploadBytes: config.maxUploadBytes,
				clientConfig,
				metrics
			})
		);
		app.use(createStatic({ buildDir: config.buildDir, modelsDir: config.modelsDir }));
		app.use(errorHandler(log));

		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(config.port, config.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		cleanups.push(
			() =>
				new Promise<void>((resolve) => {
					server.close(() => resolve());
					server.closeAllConnections();
				})
		);
		const { port } = server.address() as AddressInfo;
		let peerPort = port;
		if (tls) {
			const loopback = await listenLoopback(app, server);
			cleanups.push(() => new Promise<void>((resolve) => loopback.close(() => resolve())));
			peerPort = (loopback.address() as AddressInfo).port;
		}

		const recognizer = createRecognizer({
			embedder: pool,
			gallery,
			probe: probeImage,
			threshold: config.matchThreshold,
			recognizerId,
			onIdentify: (outcome) => metrics.inc('facertc_identify_total', 'Crops answered, by outcome', { outcome })
		});
		// The data channel is as open as /api/recognize: RECOGNIZE_TOKEN (or ADMIN_TOKEN) when set.
		const recognizeCheck = config.recognizeToken ? tokenCheck(config.recognizeToken, config.adminToken) : null;
		let peers = 0;
		metrics.gauge('facertc_peers_connected', 'Data channels open to the recognizer', () => peers);
		const endpoint: PeerEndpoint = await startPeerEndpoint({
			host: '127.0.0.1',
			port: peerPort,
			path: PEER_PATH,
			key: PEER_KEY,
			id: recognizerId,
			iceServers: config.iceServers,
			openSession: () => recognizer.openSession(),
			authorize: recognizeCheck ? (metadata) => recognizeCheck((metadata as { token?: unknown } | null)?.token) : undefined,
			log,
			onConnections: (n) => (peers = n),
			onFrame: (direction, bytes) =>
				metrics.inc('facertc_datachannel_bytes_total', 'Data-channel bytes', { direction }, bytes)
		});
		cleanups.push(() => endpoint.close());

		const scheme = tls ? 'https' : 'http';
		log(`facertc: listening on ${scheme}://localhost:${port} (tfjs backend ${backend}, ${config.embedWorkers} embed workers, data ${config.dataDir})`);
		if (tls) {
			log(`https: ${tls.origin} certificate ${tls.certFile}, SHA-256 ${tls.fingerprint}, for ${tls.names.join(', ')}`);
			for (const ip of lanAddresses()) log(`https: from a phone on this network open https://${ip}:${port}`);
		}
		return { port, url: `${scheme}://127.0.0.1:${port}`, backend, recognizerId, close: closeAll };
	} catch (err) {
		await closeAll();
		throw err;
	}
}

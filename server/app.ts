/**
 * Composition root: builds the whole server from a Config and a logger. No side effects on
 * import; nothing opens until `startServer`.
 */
import express from 'express';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { DEFAULT_EMBEDDER, EMBEDDERS } from './embed/embedders/registry.ts';
import { createEmbedPool, type EmbedPool } from './embed/pool.ts';
import { probeImage } from './embed/probe.ts';
import { health } from './health.ts';
import type { Gallery } from './gallery/gallery.ts';
import { openGallery } from './gallery/open-gallery.ts';
import { createApi } from './http/api.ts';
import { thumbnailOfCrop } from './http/enrol/thumbnail.ts';
import { createLearnApi, sightingInfo } from './http/learn-api.ts';
import { createLearner } from './learn/learner.ts';
import { createSseHub } from './learn/sse.ts';
import { createWebhook } from './learn/webhook.ts';
import { requireToken, tokenCheck, type TokenCheck } from './http/auth.ts';
import { errorHandler } from './http/errors.ts';
import { defaultConnectionLimits, limitConnections } from './http/connection-limits.ts';
import { securityHeaders } from './http/headers.ts';
import { createPairApi } from './http/pair-api.ts';
import { createPairing, pairingLink } from './http/pairing.ts';
import { createRestLimits } from './http/rate-limits.ts';
import { buildProblem, createStatic } from './http/static.ts';
import { loadSharedTokens, loadTokens, type Tokens } from './http/tokens.ts';
import { reembedOtherModels, type ModelChangeReport } from './gallery/model-change.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { startPeerEndpoint, type PeerEndpoint } from './recognizer/peer-endpoint.ts';
import { createRecognizer } from './recognizer/recognizer.ts';
import { addLearningToExport, checkLearningImport, planLearningImport } from './learn/transfer.ts';
import { PEER_KEY, PEER_PATH } from './signalling/peer-server.ts';
import { createSignalling } from './signalling/signalling.ts';
import { lanAddresses, listenLoopback, loadTls, redirectPlainHttp } from './tls.ts';

/** The default embedder's model name (stored beside every vector) and dimension; EMBEDDER picks another. */
export const EMBEDDING_MODEL = EMBEDDERS[DEFAULT_EMBEDDER].model;
export const EMBEDDING_DIM = EMBEDDERS[DEFAULT_EMBEDDER].dim;
/** How long a shutdown waits for answers in flight and HTTP requests before it cuts them. */
export const DRAIN_TIMEOUT_MS = 5_000;

export type RunningServer = {
	port: number;
	url: string;
	backend: string;
	recognizerId: string;
	tokens: Tokens;
	/** One-time pairing links made at start (admin role): this machine, and a LAN address for a phone. */
	pairing: { local: string; phone: string | null; expiresAt: number };
	/** Test hooks (TEST_HOOKS=1): drop the recognizer's signalling socket and hold it off, or let it back. */
	dropRecognizer(hold: boolean): void;
	releaseRecognizer(): void;
	/** Stops taking work, drains what is in flight (at most DRAIN_TIMEOUT_MS), closes everything; says what it had to cut. */
	close(): Promise<DrainReport>;
};

/** What a shutdown cut when its drain time was up: all 0 when the drain finished. */
export type DrainReport = { requests: number; crops: number };

const isLoopbackHost = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host);

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
	mkdirSync(config.dataDir, { recursive: true });
	const log = (component: string) => logger.child({ component });
	const metrics = createMetrics(new Registry());
	const recognizerId = `${config.recognizerIdPrefix}-${randomBytes(6).toString('hex')}`;
	const cleanups: Array<() => unknown> = [];
	const drain: DrainReport = { requests: 0, crops: 0 };
	const closeAll = async () => {
		for (const cleanup of cleanups.splice(0).reverse()) {
			try {
				await cleanup();
			} catch (err) {
				logger.warn({ err }, 'shutdown step failed');
			}
		}
	};

	const embedder = EMBEDDERS[config.embedder.id];
	try {
		const galleryLog = log('gallery');
		const gallery: Gallery = await openGallery({
			databaseUrl: config.databaseUrl,
			dataDir: config.dataDir,
			model: embedder.model,
			dim: embedder.dim,
			// Losing PostgreSQL is a warning, so LOG_LEVEL=warn still shows an outage.
			log: { info: (msg) => galleryLog.info(msg), warn: (msg) => galleryLog.warn(msg) }
		});
		cleanups.push(() => gallery.close());

		const tokenOptions = {
			dataDir: config.dataDir,
			adminToken: config.adminToken,
			recognizeToken: config.recognizeToken,
			openRecognition: config.openRecognition
		};
		// Servers sharing a gallery must accept the same tokens: made ones live in the database then.
		const tokens = config.databaseUrl
			? await loadSharedTokens({ ...tokenOptions, shared: (name, make) => gallery.sharedSecret(name, make) })
			: loadTokens(tokenOptions);
		for (const note of [...config.warnings, ...tokens.notes]) logger.warn(note);
		const adminCheck = tokenCheck(tokens.admin.value) as TokenCheck;
		const recognizeCheck = tokens.recognize ? tokenCheck(tokens.recognize.value, tokens.admin.value) : null;

		const embedLog = log('embed');
		const pool: EmbedPool = createEmbedPool({
			size: config.embedWorkers,
			batch: config.embedBatch,
			nets: config.faceNets,
			modelDir: join(config.modelsDir, 'face-api'),
			...(embedder.id === DEFAULT_EMBEDDER ? {} : { embedder: config.embedder }),
			...(config.embedWorkerEntry ? { workerUrl: pathToFileURL(config.embedWorkerEntry) } : {}),
			log: (msg, level = 'info') => embedLog[level](msg),
			observer: {
				jobDone: ({ priority, waitedMs, runMs, batch }) => {
					if (batch > 1) metrics.cropsBatched.inc();
					metrics.embedSeconds.observe({ priority }, runMs / 1000);
					metrics.embedQueueSeconds.observe({ priority }, waitedMs / 1000);
				},
				dropped: (priority, reason) => metrics.overloaded.inc({ priority, reason }),
				cropLandmarks: ({ keypoints, passes }) => {
					metrics.cropsDescribed.inc({ keypoints });
					metrics.landmarkPasses.inc({ keypoints }, passes);
				},
				workerExit: () => metrics.workerRestarts.inc()
			}
		});
		metrics.sources.pool = () => pool.stats();
		cleanups.push(() => pool.close());
		const { backend } = await pool.ready();
		embedLog.info(
			`embedder ${embedder.id} (${embedder.model}, ${embedder.dim} numbers), match threshold ${config.matchThreshold}${embedder.optIn ? '; opt-in: see the README on its licence' : ''}`
		);

		// Faces of another embedding model are never matched: re-embed them from their thumbnails
		// in the background, and keep the list of people who must be enrolled again.
		let modelChange: ModelChangeReport = { reembedded: 0, reEnrol: [] };
		const modelLog = log('gallery');
		reembedOtherModels({
			gallery,
			describeThumbnail: async (jpeg) => {
				const { faces } = await pool.analyzePhoto(jpeg);
				return faces.length === 1 ? (faces[0]?.descriptor ?? null) : null;
			},
			log: (msg) => modelLog.info(msg)
		}).then(
			(report) => (modelChange = report),
			(err: unknown) => modelLog.error({ err }, 're-embedding faces of another model failed')
		);

		// Learning from what people confirm (issue 11): negatives, unknown groups, corrections, sightings.
		const learnLog = log('learn');
		const hub = createSseHub();
		const webhook = config.webhookUrl ? createWebhook({ url: config.webhookUrl, log: (msg) => learnLog.warn(msg) }) : null;
		const toThumbnail = (crop: Uint8Array) => thumbnailOfCrop(crop).catch(() => null);
		const learner = createLearner({
			store: gallery.learn,
			gallery,
			retentionMs: config.retentionMs,
			sightings: config.sightings,
			toThumbnail,
			onSighting: ({ type, sighting }) => {
				const info = sightingInfo(sighting);
				hub.publish(type, info);
				if (type === 'sighting') webhook?.post({ type, ...info });
			},
			log: { info: (msg) => learnLog.info(msg), warn: (msg) => learnLog.warn(msg) }
		});
		await learner.start();
		cleanups.push(() => learner.close());

		const app = express();
		app.disable('x-powered-by');
		const tlsLog = log('https');
		const tls = config.https ? loadTls({ dataDir: config.dataDir, given: config.tls, log: (msg) => tlsLog.info(msg) }) : null;
		const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app) : createHttpServer(app);
		if (tls) redirectPlainHttp(server as HttpsServer);
		server.on('clientError', (_err, socket) => socket.destroy());
		limitConnections(server, {
			...defaultConnectionLimits(config.channels.perAddress, config.trustProxy, config.maxUploadBytes),
			onRefused: () => metrics.rateLimited.inc({ route: 'connections' })
		});
		app.use(securityHeaders({ https: tls !== null }));

		// Signalling: server-assigned ids, the recognizer's id kept for the recognizer, every
		// data channel admitted at its offer (before a native peer connection exists).
		const {
			router: peerServer,
			admission,
			guard,
			recognizerToken
		} = createSignalling({
			server,
			channels: config.channels,
			trustProxy: config.trustProxy,
			recognizerId,
			recognizerIdPrefix: config.recognizerIdPrefix,
			recognizeCheck,
			metrics,
			log: log('signalling')
		});
		app.use(PEER_PATH, peerServer);

		let endpoint: PeerEndpoint | null = null;
		const clientConfig = () => ({ peerPath: PEER_PATH, peerKey: PEER_KEY, recognizerId, iceServers: config.iceServers });
		app.get('/healthz', (_req, res) => {
			// `people` (in health.ts): those the recognizer can name, from memory (cheap to poll); the
			// gallery says whether it can vouch for them (PostgreSQL reachable).
			const { status, body } = health({ endpoint: endpoint?.health() ?? null, pool: pool.stats(), gallery: gallery.health(), backend, recognizerId });
			res.status(status).json(body);
		});
		app.get('/metrics', (_req, res, next) => {
			metrics.render().then((text) => res.type(metrics.contentType).send(text), next);
		});

		const restLimits = createRestLimits({ trustProxy: config.trustProxy, onLimited: (route) => metrics.rateLimited.inc({ route }) });
		const admin = requireToken(adminCheck, 'this needs the admin token');
		// Several servers on one gallery: a code made on one must be good on whichever the phone reaches.
		const pairing = createPairing({ shared: config.databaseUrl ? gallery : null });
		let port = 0;
		const scheme = tls ? 'https' : 'http';
		const lanOrigins = () => lanAddresses().map((ip) => `${scheme}://${ip}:${port}`);
		app.use(
			'/api',
			createPairApi({
				pairing,
				tokens,
				admin,
				limit: restLimits('pair'),
				origins: (req) => {
					const host = req.get('host');
					const own = host && !isLoopbackHost(host) ? [`${scheme}://${host}`] : [];
					const all = [...new Set([...own, ...lanOrigins()])];
					return all.length ? all : [`${scheme}://localhost:${port}`];
				},
				log: log('pairing')
			})
		);
		app.use(
			'/api',
			createApi({
				gallery,
				// REST recognition before enrolment and import (the scheduler's classes); live crops before both.
				analyzePhoto: (bytes, priority = 'enrol', client) => pool.analyzePhoto(bytes, { priority, ...(client ? { client } : {}) }),
				trustProxy: config.trustProxy,
				matchThreshold: config.matchThreshold,
				adminCheck,
				recognizeCheck,
				limit: restLimits,
				log: log('gallery'),
				maxUploadBytes: config.maxUploadBytes,
				model: () => ({ embeddingModel: embedder.model, reEnrol: modelChange.reEnrol }),
				clientConfig,
				metrics,
				learning: {
					router: createLearnApi({
						gallery,
						learner,
						hub,
						matchThreshold: config.matchThreshold,
						admin,
						limit: restLimits,
						trustProxy: config.trustProxy,
						sightings: config.sightings,
						toThumbnail,
						log: learnLog,
						onEnrolled: (faces) => metrics.enrolments.inc(faces)
					}),
					refine: (embedding, match) => learner.refine(embedding, match),
					settings: async () => ({
						rememberUnknowns: (await gallery.learn.learnSettings()).rememberUnknowns,
						retentionDays: config.retentionMs / 86_400_000,
						sightings: config.sightings
					}),
					async update(patch) {
						if (patch.rememberUnknowns !== undefined) await gallery.learn.updateLearnSettings({ rememberUnknowns: patch.rememberUnknowns });
						if (patch.keepThumbnails === false) await gallery.learn.dropUnknownThumbnails();
						await learner.reloadSettings();
					},
					exportWith: (doc, { unknowns }) => addLearningToExport(doc, { store: gallery.learn, people: gallery, unknowns }),
					prepareImport(doc) {
						const checked = checkLearningImport(doc, doc.dim);
						if (checked.negatives.length === 0 && checked.unknowns.length === 0) return null;
						return {
							wants: { negatives: checked.negatives.length > 0, unknowns: checked.unknowns.length > 0 },
							plan: (seen) => planLearningImport(checked, seen, { now: Date.now(), retentionMs: config.retentionMs }),
							async committed() {
								await learner.reloadNegatives();
								await learner.reloadGroups();
							}
						};
					}
				}
			})
		);
		const httpLog = log('http');
		const noApp = buildProblem(config.buildDir);
		if (noApp) httpLog.warn(noApp);
		app.use(
			createStatic({
				buildDir: config.buildDir,
				modelsDir: config.modelsDir,
				onCompressError: (file, err) => httpLog.warn({ err, file }, 'static: could not compress a file; serving it plain')
			})
		);
		app.use(errorHandler(httpLog));

		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(config.port, config.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		// Shutdown, HTTP side: stop accepting, let requests in flight finish (bounded), then cut
		// them, and say how many (a WebSocket or an idle keep-alive connection is no request).
		const answering = new Set<ServerResponse>();
		server.on('request', (_req, res: ServerResponse) => {
			answering.add(res);
			res.once('close', () => answering.delete(res));
		});
		let httpClosed: Promise<void> | null = null;
		const stopHttp = () =>
			(httpClosed ??= new Promise<void>((resolve) => {
				const cut = setTimeout(() => {
					drain.requests = answering.size;
					if (drain.requests > 0) httpLog.warn(`http: the drain took over ${DRAIN_TIMEOUT_MS / 1000} s: cut ${drain.requests} request(s) in flight`);
					server.closeAllConnections();
				}, DRAIN_TIMEOUT_MS);
				server.close(() => {
					clearTimeout(cut);
					resolve();
				});
				server.closeIdleConnections();
			}));
		cleanups.push(stopHttp);
		port = (server.address() as AddressInfo).port;
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
			cropsPerSecond: config.cropsPerSecondPerAddress,
			liveDeadlineMs: config.liveDeadlineMs,
			fusion: { maxDescriptors: config.fuseCrops },
			onIdentify: (outcome) => metrics.identify.inc({ outcome }),
			onAnswer: (ms, outcome) => metrics.cropAnswerSeconds.observe({ outcome }, ms / 1000),
			learn: (answer) => learner.answer(answer),
			onRateLimited: () => metrics.rateLimited.inc({ route: 'crops' })
		});
		const running = (endpoint = await startPeerEndpoint({
			host: '127.0.0.1',
			port: peerPort,
			path: PEER_PATH,
			key: PEER_KEY,
			id: recognizerId,
			token: recognizerToken,
			iceServers: config.iceServers,
			admission,
			openSession: (client) => recognizer.openSession(client),
			log: log('recognizer'),
			onConnections: (n) => {
				metrics.peersConnected.set(n);
				metrics.channelsPending.set(admission.counts().pending);
			},
			onFrame: (direction, bytes) => metrics.datachannelBytes.inc({ direction }, bytes),
			onClosed: (reason) => metrics.channelsClosed.inc({ reason }),
			onInFlightRefused: () => metrics.overloaded.inc({ priority: 'live', reason: 'in-flight' }),
			onFloodDropped: () => metrics.rateLimited.inc({ route: 'frames' }),
			cropsPerSecond: config.cropsPerSecondPerAddress
		}));
		metrics.sources.peerConnections = () => running.peerConnections();
		// Shutdown runs these last-pushed first: stop taking work (new offers, new HTTP connections);
		// answer the crops in flight, tell clients, close channels; then wait for HTTP requests in
		// flight; then the pool and the gallery.
		cleanups.push(async () => {
			drain.crops = await running.drain(DRAIN_TIMEOUT_MS);
			guard.closeSockets();
		});
		cleanups.push(() => {
			guard.stopAdmitting();
			void stopHttp();
		});

		// Runs first at shutdown: event streams end with a `close` event (an open stream would hold
		// the HTTP server's close until it is cut), and the webhook stops retrying.
		cleanups.push(() => {
			hub.close();
			webhook?.close();
		});

		// Made before the line below, which tools (and the test suite) take to mean the start is done.
		const local = await pairing.create('admin');
		const phone = lanOrigins()[0] ? await pairing.create('admin') : null;
		logger.info(`facertc: listening on ${scheme}://localhost:${port} (nets on ${backend}, ${config.embedWorkers} embed workers, data ${config.dataDir})`);
		logger.info(
			{ admin: tokens.admin.source, recognize: tokens.recognize?.source ?? 'open' },
			config.openRecognition
				? 'auth: the gallery needs the admin token; recognition is OPEN to anyone who can reach this server (OPEN_RECOGNITION=1)'
				: 'auth: the gallery needs the admin token; recognition needs a paired device (recognize or admin token)'
		);
		if (tls) {
			tlsLog.info(`https: ${tls.origin} certificate ${tls.certFile}, SHA-256 ${tls.fingerprint}, for ${tls.names.join(', ')}`);
			for (const origin of lanOrigins()) tlsLog.info(`https: from a phone on this network open ${origin}`);
		}
		return {
			port,
			url: `${scheme}://127.0.0.1:${port}`,
			backend,
			recognizerId,
			tokens,
			pairing: {
				local: pairingLink(`${scheme}://localhost:${port}`, local.code),
				phone: phone ? pairingLink(lanOrigins()[0]!, phone.code) : null,
				expiresAt: local.expiresAt
			},
			dropRecognizer: (hold) => guard.dropRecognizer({ hold }),
			releaseRecognizer: () => guard.release(),
			async close() {
				await closeAll();
				return { ...drain };
			}
		};
	} catch (err) {
		await closeAll();
		throw err;
	}
}

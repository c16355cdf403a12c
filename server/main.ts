/**
 * Process entry: env → Config → logger → server; the only place with process-level handlers.
 *
 * Crash policy: an uncaught exception or unhandled rejection is logged (always, even at
 * LOG_LEVEL=silent) and ends the process with code 1, to be restarted by a supervisor (see
 * README: a systemd unit, a container restart policy). SIGTERM and SIGINT drain first: new work is
 * refused, answers in flight are sent, clients are told, then the process exits 0 (or 1 if the
 * drain did not finish in time).
 */
import { DRAIN_TIMEOUT_MS, startServer, type RunningServer } from './app.ts';
import { loadConfig } from './config.ts';
import { createCrashLogger, createLogger } from './log.ts';
import { pairingBanner } from './pairing-banner.ts';

const crashLog = createCrashLogger();
let server: RunningServer | null = null;

function crash(kind: string, err: unknown): never {
	crashLog.fatal({ err }, `facertc: ${kind}; exiting for the supervisor to restart`);
	process.exit(1);
}
process.on('uncaughtException', (err) => crash('uncaught exception', err));
process.on('unhandledRejection', (err) => crash('unhandled rejection', err));

let config;
try {
	config = loadConfig(process.env, process.cwd(), process.argv.slice(2));
} catch (err) {
	crashLog.fatal(`facertc: ${(err as Error).message}`);
	process.exit(2);
}

const logger = createLogger(config.logLevel);
try {
	server = await startServer(config, logger);
} catch (err) {
	crashLog.fatal({ err }, `facertc: could not start: ${(err as Error).message}`);
	process.exit(1);
}

if (server.tokens.admin.source !== 'env') process.stdout.write(`${pairingBanner(server)}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	logger.info(`facertc: ${signal}, closing (drain at most ${DRAIN_TIMEOUT_MS / 1000} s)`);
	// Past the drain budget and a margin for the pool and the gallery: go anyway.
	const force = setTimeout(
		() => {
			crashLog.fatal('facertc: shutdown took too long; exiting');
			process.exit(1);
		},
		DRAIN_TIMEOUT_MS * 2 + 2_000
	);
	force.unref();
	const cut = await server?.close();
	if (cut && cut.requests + cut.crops > 0) {
		// A supervisor (and README) reads code 1 as "the drain did not finish": answers were lost.
		logger.warn(`facertc: closed; the drain did not finish: cut ${cut.requests} HTTP request(s) and ${cut.crops} crop(s) in flight`);
		process.exit(1);
	}
	logger.info('facertc: closed');
	process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

if (config.testHooks) {
	// The test suite's way to drop the recognizer's signalling socket and hold it off (first
	// SIGUSR2), then let it back (second): see tests/integration/security.int.test.ts.
	let held = false;
	process.on('SIGUSR2', () => {
		held = !held;
		if (held) server?.dropRecognizer(true);
		else server?.releaseRecognizer();
		logger.info(`facertc: test hook: recognizer signalling ${held ? 'dropped and held' : 'released'}`);
	});
}

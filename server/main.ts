/** Process entry: env → Config → server; the only place with process-level handlers. */
import { loadConfig } from './config.ts';
import { startServer } from './app.ts';

const log = (msg: string) => console.log(msg);

let config;
try {
	config = loadConfig(process.env, process.cwd(), process.argv.slice(2));
} catch (err) {
	console.error(`facertc: ${(err as Error).message}`);
	process.exit(2);
}

const quiet = config.logLevel === 'silent' ? () => {} : log;
const server = await startServer(config, quiet).catch((err: unknown) => {
	console.error(`facertc: could not start: ${(err as Error).stack ?? String(err)}`);
	process.exit(1);
});

let stopping = false;
async function stop(signal: string) {
	if (stopping) return;
	stopping = true;
	quiet(`facertc: ${signal}, closing`);
	const force = setTimeout(() => process.exit(1), 10_000);
	force.unref();
	await server.close();
	process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// Last line of defence: a bug in a dependency's event handler must not take everyone's session down.
process.on('uncaughtException', (err) => console.error(`facertc: uncaught: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => console.error(`facertc: unhandled rejection: ${String(err)}`));

/**
 * A test-only embed worker (`EMBED_WORKER_ENTRY`, accepted with TEST_HOOKS=1): the real worker
 * (server/embed/worker.ts), but while the file named by FACERTC_SLOW_FILE exists every reply is
 * held back FACERTC_SLOW_JOB_MS ms, so to the pool each job takes that much longer. A test that
 * needs the server short of room whatever the machine's speed creates the file: on a fast machine
 * the nets answer a crop in ~15 ms, and the scheduler (which serves the client with the least
 * service first) then fits a lightly loaded page's crops in between a flood's.
 */
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const file = process.env.FACERTC_SLOW_FILE;
const delayMs = Number(process.env.FACERTC_SLOW_JOB_MS ?? 600);
const port = parentPort;
if (port && file) {
	const post = port.postMessage.bind(port);
	port.postMessage = (...args: Parameters<typeof post>) => {
		if (existsSync(file)) setTimeout(() => post(...args), delayMs);
		else post(...args);
	};
}
await import('../../server/embed/worker.ts');

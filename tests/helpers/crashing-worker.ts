/**
 * A test-only embed worker (`EMBED_WORKER_ENTRY`, accepted with TEST_HOOKS=1): the real worker
 * (server/embed/worker.ts), except while the file named by FACERTC_CRASH_FILE exists: then it
 * exits with code 7 as it starts, or at its next job if already running. The test creates and
 * removes the file to put the pool in a crash loop and take it out.
 */
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const file = process.env.FACERTC_CRASH_FILE;
const crashing = () => Boolean(file) && existsSync(file!);

if (crashing()) process.exit(7);
// Registered before the real worker's handler, so it runs first.
parentPort?.on('message', () => {
	if (crashing()) process.exit(7);
});
await import('../../server/embed/worker.ts');

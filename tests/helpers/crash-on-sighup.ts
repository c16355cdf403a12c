/**
 * Preloaded into a test server (`node --import tsx --import ./tests/helpers/crash-on-sighup.ts
 * server/main.ts`): on SIGHUP, throws from a timer, an uncaught exception as a bug in a
 * dependency's callback would be, to test the crash policy.
 */
process.on('SIGHUP', () => {
	setImmediate(() => {
		throw new Error('crash test: thrown from a timer');
	});
});

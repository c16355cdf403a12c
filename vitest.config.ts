import { defineConfig } from 'vitest/config';

// Three projects: `unit` is pure logic beside its module; `integration` starts the real server
// (PeerServer, recognizer, SQLite) as a child process; `e2e` drives Debian's Chromium.
export default defineConfig({
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				test: {
					name: 'unit',
					// Real worker threads and image codecs run here: room for a slow, busy 2-core machine.
					testTimeout: 30_000,
					environment: 'node',
					include: ['src/lib/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts']
				}
			},
			{
				test: {
					name: 'integration',
					environment: 'node',
					include: ['tests/integration/**/*.int.test.ts'],
					testTimeout: 120_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'e2e',
					environment: 'node',
					include: ['tests/e2e/**/*.e2e.ts'],
					testTimeout: 180_000,
					hookTimeout: 300_000,
					fileParallelism: false
				}
			}
		]
	}
});

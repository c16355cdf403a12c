import { describe, expect, it } from 'vitest';
import type { EmbedPoolStats } from './embed/pool.ts';
import { health, type HealthInput } from './health.ts';

const pool = (over: Partial<EmbedPoolStats> = {}): EmbedPoolStats => ({
	size: 2,
	ready: 2,
	restarting: 0,
	crashLooping: 0,
	queuedBy: { live: 0, recognize: 0, enrol: 0 },
	queued: 0,
	busy: 0,
	done: 0,
	failed: 0,
	timeouts: 0,
	overloaded: 0,
	restarts: 0,
	lastExit: null,
	...over
});
const input = (over: Partial<HealthInput> = {}): HealthInput => ({
	endpoint: { registered: true },
	pool: pool(),
	gallery: { store: 'sqlite', ok: true, people: 3, embeddings: 7, syncedAgoMs: 0 },
	backend: 'wasm',
	recognizerId: 'rec-1',
	...over
});

describe('health', () => {
	it('is ok, and says how many workers are up, when everything works', () => {
		const { status, body } = health(input());
		expect(status).toBe(200);
		expect(body).toMatchObject({
			ok: true,
			backend: 'wasm',
			recognizerId: 'rec-1',
			people: 3,
			gallery: { store: 'sqlite', syncedAgoMs: 0 },
			workers: { configured: 2, alive: 2, restarting: 0 }
		});
		expect(body.reason).toBeUndefined();
		expect(body.warnings).toBeUndefined();
	});

	it('is 503 when no embed worker is alive, saying why', () => {
		const { status, body } = health(input({ pool: pool({ ready: 0, restarting: 2, crashLooping: 2, restarts: 9, lastExit: { slot: 1, code: 7, atMs: 0 } }) }));
		expect(status).toBe(503);
		expect(body.ok).toBe(false);
		expect(body.reason).toBe('no embed worker is alive (2 of 2 restarting, crashing in a loop; last exit code 7)');
	});

	it('warns of a crash loop while other workers still serve', () => {
		const { status, body } = health(input({ pool: pool({ ready: 1, restarting: 1, crashLooping: 1 }) }));
		expect(status).toBe(200);
		expect(body.warnings).toEqual(['1 embed worker of 2 crashing in a loop; 1 alive']);
	});

	it('is 503 while the recognizer does not hold its id, or is starting; both reasons when both fail', () => {
		expect(health(input({ endpoint: { registered: false, reason: 'recognizer not registered with signalling: lost' } }))).toMatchObject({
			status: 503,
			body: { reason: 'recognizer not registered with signalling: lost' }
		});
		expect(health(input({ endpoint: null })).body.reason).toBe('recognizer starting');
		expect(health(input({ endpoint: null, pool: pool({ ready: 0, restarting: 2 }) })).body.reason).toBe(
			'no embed worker is alive (2 of 2 restarting); recognizer starting'
		);
	});

	it('is 503 when the gallery cannot vouch for its people', () => {
		const down = { store: 'postgres' as const, ok: false, reason: 'gallery database unreachable for 6 s', people: 3, embeddings: 7, syncedAgoMs: 6000 };
		expect(health(input({ gallery: down }))).toMatchObject({
			status: 503,
			body: { ok: false, reason: 'gallery database unreachable for 6 s', gallery: { store: 'postgres', syncedAgoMs: 6000 } }
		});
	});
});

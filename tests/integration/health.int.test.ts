/**
 * Operability of the real server (issue #10): `/healthz` and `/metrics` through an embed worker
 * crash loop and out of it. The workers are the real ones, wrapped by a test-only entry
 * (tests/helpers/crashing-worker.ts) that exits while a file exists.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropFromPhoto, samplePhotoPath } from '../helpers/faces.ts';
import { findFaces } from '../helpers/gallery.ts';
import { connectTestPeer } from '../helpers/node-peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Health = {
	ok: boolean;
	reason?: string;
	workers: { configured: number; alive: number; restarting: number; crashLooping: number; restarts: number; lastExit: { code: number } | null };
};

let server: TestServer;
const dataDir = mkdtempSync(join(tmpdir(), 'facertc-health-'));
const crashFile = join(dataDir, 'crash-workers');

const healthz = async () => {
	const res = await fetch(`${server.url}/healthz`);
	return { status: res.status, body: (await res.json()) as Health };
};
/** One sample's value from /metrics, e.g. `facertc_embed_workers{state="alive"}`. */
const metric = async (series: string) => {
	const text = await (await fetch(`${server.url}/metrics`)).text();
	const line = text.split('\n').find((l) => l.startsWith(`${series} `));
	return Number(line?.slice(series.length + 1) ?? NaN);
};
const recognize = () =>
	server.api('/api/recognize', { method: 'POST', body: new Uint8Array(readFileSync(samplePhotoPath(1))), headers: { 'content-type': 'image/jpeg' } });

beforeAll(async () => {
	server = await startTestServer({
		dataDir,
		env: { EMBED_WORKERS: '1', EMBED_WORKER_ENTRY: 'tests/helpers/crashing-worker.ts', FACERTC_CRASH_FILE: crashFile }
	});
});

afterAll(async () => {
	await server?.stop();
	rmSync(dataDir, { recursive: true, force: true });
});

describe('health and metrics through an embed worker crash loop', () => {
	it('is healthy, and counts its one worker, while it is up', async () => {
		const { status, body } = await healthz();
		expect(status).toBe(200);
		expect(body).toMatchObject({ ok: true, workers: { configured: 1, alive: 1, crashLooping: 0, restarts: 0, lastExit: null } });
		expect(await metric('facertc_embed_workers{state="alive"}')).toBe(1);
		expect(await metric('facertc_embed_workers{state="crash_looping"}')).toBe(0);
		expect((await recognize()).status).toBe(200);
		// The REST recognition ran in a worker: its time is in the histogram.
		expect(await metric('facertc_embed_seconds_count{priority="recognize"}')).toBe(1);
	});

	it('answers 503 saying why while no worker is alive, and shows the crash loop', async () => {
		writeFileSync(crashFile, '');
		// The running worker dies at its next job; every restart dies as it starts.
		expect((await recognize()).status).toBe(500);
		await expect.poll(async () => (await healthz()).body.workers.crashLooping, { timeout: 60_000, interval: 200 }).toBe(1);
		const { status, body } = await healthz();
		expect(status).toBe(503);
		expect(body.ok).toBe(false);
		expect(body.reason).toMatch(/^no embed worker is alive \(1 of 1 restarting, crashing in a loop; last exit code 7\)/);
		expect(body.workers).toMatchObject({ alive: 0, restarting: 1, lastExit: { code: 7 } });
		expect(body.workers.restarts).toBeGreaterThanOrEqual(3);
		expect(await metric('facertc_embed_workers{state="crash_looping"}')).toBe(1);
		expect(await metric('facertc_embed_workers{state="alive"}')).toBe(0);
		expect(await metric('facertc_embed_worker_restarts_total')).toBeGreaterThanOrEqual(3);
		// The server itself keeps serving.
		expect((await fetch(`${server.url}/api/config`)).status).toBe(200);
	});

	it('recovers by itself once the worker can start again', async () => {
		rmSync(crashFile);
		// The backoff in force at most (capped at 30 s), then the engine loads.
		await expect.poll(async () => (await healthz()).status, { timeout: 90_000, interval: 250 }).toBe(200);
		expect((await healthz()).body.workers).toMatchObject({ alive: 1 });
		expect((await recognize()).status).toBe(200);
	});

	it('times crops over the data channel, and counts the peer connections', async () => {
		const photo = readFileSync(samplePhotoPath(1));
		const [box] = await findFaces(server.url, photo);
		const crop = new Uint8Array(await cropFromPhoto(photo, box!, { margin: 0.25, maxSide: 112, quality: 50, format: 'webp' }));
		const peer = await connectTestPeer(server.url);
		try {
			await expect.poll(() => metric('facertc_peer_connections')).toBe(1);
			peer.send({ type: 'identify', requestId: 1, trackId: 1, width: 112, height: 112, crop });
			expect(await peer.next()).toMatchObject({ type: 'identity', requestId: 1 });
			expect(await metric('facertc_crop_answer_seconds_count{outcome="identity"}')).toBe(1);
			expect(await metric('facertc_embed_seconds_count{priority="live"}')).toBe(1);
			expect(await metric('facertc_embed_queue_depth{priority="live"}')).toBe(0);
		} finally {
			peer.close();
		}
		await expect.poll(() => metric('facertc_peer_connections'), { timeout: 30_000 }).toBe(0);
	});
});

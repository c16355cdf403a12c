/**
 * `npm run bench:flood`: what one address can do to the server (issue #8). Opens BENCH_FLOOD
 * (default 60, the issue's figure) PeerJS data channels at once from this process to a fresh
 * server, and prints how many were opened and refused, /healthz latency during the flood, the
 * server's file descriptors (baseline, peak, after the clients close) and how long it took to
 * give them back. Loopback only; bounded.
 *
 * Measured on the shared 2-core machine (load ~15–20 from other work), 60 connects at once:
 * before (main at a87e685, this script): 20 channels opened, 40 never did; /healthz 2 of 8 checks
 * unanswered, median 725 ms; the server's descriptors peaked at 19 996 (the ulimit), 10 766 were
 * still held 60 s after the clients closed; a second run killed the server. After: 3 opened, 57
 * refused at the offer (`rate-limited`), /healthz always answered (median 148–246 ms, max
 * 339–501 ms), descriptors 48 → peak 197–264 (signalling and HTTP sockets, not peer connections)
 * → 49 within 3 s of the clients closing.
 */
import { readdirSync } from 'node:fs';
import { connectTestPeer, type TestPeer } from '../tests/helpers/node-peer.ts';
import { startTestServer } from '../tests/helpers/server.ts';

const FLOOD = Number(process.env.BENCH_FLOOD ?? 60);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => n.toFixed(0);

const server = await startTestServer({ env: { EMBED_WORKERS: '1' } });
const pid = server.child.pid!;
const fds = () => readdirSync(`/proc/${pid}/fd`).length;
const peersConnected = async () => Number(/facertc_peers_connected (\d+)/.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? NaN);
try {
	await sleep(1000);
	const baseline = fds();
	let peak = baseline;
	let flooding = true;
	const latencies: number[] = [];
	let unanswered = 0;
	const health = (async () => {
		while (flooding) {
			const t0 = performance.now();
			const ok = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(20_000) }).then(
				(r) => r.ok,
				() => false
			);
			if (ok) latencies.push(performance.now() - t0);
			else unanswered++;
			peak = Math.max(peak, fds());
			await sleep(25);
		}
	})();
	const t0 = performance.now();
	const results = await Promise.allSettled(Array.from({ length: FLOOD }, () => connectTestPeer(server.url)));
	const floodMs = performance.now() - t0;
	flooding = false;
	await health;
	const open = results.flatMap<TestPeer>((r) => (r.status === 'fulfilled' ? [r.value] : []));
	const codes = new Map<string, number>();
	for (const r of results) {
		if (r.status !== 'rejected') continue;
		const reason = r.reason as { type?: string; code?: string; message?: string };
		const key = reason.type === 'refused' ? `refused ${reason.code}` : `failed: ${reason.message}`;
		codes.set(key, (codes.get(key) ?? 0) + 1);
	}
	latencies.sort((a, b) => a - b);
	const withChannels = fds();
	const closedAt = performance.now();
	for (const p of open) p.close();
	while ((await peersConnected()) > 0 || fds() > baseline + 2) {
		if (performance.now() - closedAt > 60_000) break;
		await sleep(100);
	}
	const cleanMs = performance.now() - closedAt;
	console.log(`FaceRTC flood benchmark — ${new Date().toISOString()}; ${FLOOD} connects at once from one address (loopback; shared 2-core machine)`);
	console.log(
		`   opened ${open.length}; not opened ${FLOOD - open.length} (${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}); all settled in ${fmt(floodMs)} ms`
	);
	console.log(
		`   /healthz during the flood: ${latencies.length} answers, ${unanswered} unanswered; median ${fmt(latencies[latencies.length >> 1] ?? NaN)} ms, max ${fmt(latencies.at(-1) ?? NaN)} ms`
	);
	console.log(
		`   server file descriptors: ${baseline} before, peak ${peak}, ${withChannels} with ${open.length} channels open, ${fds()} after they closed (${fmt(cleanMs)} ms to give them back)`
	);
	console.log(`   server alive afterwards: ${(await fetch(`${server.url}/healthz`)).ok}`);
} finally {
	await server.stop();
}

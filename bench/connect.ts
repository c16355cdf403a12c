/**
 * `npm run bench:connect`: how many fresh data channels get their first reply from the
 * recognizer, with and without a token (without one, the offer is refused before any peer
 * connection is made), while busy loops load the CPU (BENCH_LOAD busy
 * processes, default 2, the machine's core count here). Under load @roamhq/wrtc may deliver a
 * client's first message before the channel's open event; before the reply gate
 * (server/recognizer/reply-gate.ts) 2–7 % of the channels with a token never got their welcome
 * (5 of 75 in a run of 150 channels; 0 of 75 after).
 */
import { spawn } from 'node:child_process';
import { firstReply } from '../tests/helpers/node-peer.ts';
import { startTestServer } from '../tests/helpers/server.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const LOAD = Number(process.env.BENCH_LOAD ?? 2);
const WAIT_MS = 10_000;

/** The first thing the recognizer says on a new channel: a message type (and code), 'closed', or 'nothing'. */
async function firstWord(baseUrl: string, metadata: unknown): Promise<string> {
	try {
		const reply = await firstReply(baseUrl, { metadata, timeoutMs: WAIT_MS });
		if (reply === 'closed') return reply;
		return reply.type === 'error' || reply.type === 'refused' ? `${reply.type} ${reply.code}` : reply.type;
	} catch {
		return 'nothing';
	}
}

const burners = Array.from({ length: LOAD }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
// Closed recognition, and channel caps lifted: this measures first replies, not the flood limits.
const server = await startTestServer({
	env: { RECOGNIZE_TOKEN: 'bench-token', OPEN_RECOGNITION: '0', MAX_CHANNELS: '1000', MAX_CHANNELS_PER_ADDRESS: '1000', EMBED_WORKERS: '1' }
});
try {
	const tally = new Map<string, number>();
	for (let i = 0; i < CONNECTIONS; i++) {
		const withToken = i % 2 === 0;
		const key = `${withToken ? 'with the token' : 'without'} → ${await firstWord(server.url, withToken ? { token: 'bench-token' } : {})}`;
		tally.set(key, (tally.get(key) ?? 0) + 1);
	}
	console.log(
		`FaceRTC connect benchmark — ${new Date().toISOString()}; ${CONNECTIONS} channels, ${LOAD} busy processes; first reply within ${WAIT_MS / 1000} s:`
	);
	for (const [key, n] of [...tally].sort()) console.log(`   ${key}: ${n} (${((100 * n) / (CONNECTIONS / 2)).toFixed(1)}%)`);
} finally {
	for (const b of burners) b.kill();
	await server.stop();
}

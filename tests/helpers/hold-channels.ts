/**
 * A client in a process of its own, to be killed: opens `count` data channels to the recognizer
 * at `url`, prints `open <n>` once they are open (or refused), then waits forever.
 * Usage: node --import tsx tests/helpers/hold-channels.ts <url> <count>
 */
import { connectTestPeer } from './node-peer.ts';

const [url, count] = process.argv.slice(2);
if (!url || !count) throw new Error('usage: hold-channels.ts <url> <count>');
const results = await Promise.allSettled(Array.from({ length: Number(count) }, () => connectTestPeer(url)));
const open = results.filter((r) => r.status === 'fulfilled').length;
process.stdout.write(`open ${open}\n`);
setInterval(() => {}, 1 << 30);

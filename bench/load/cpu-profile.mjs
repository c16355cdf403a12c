// Preloaded into the server by `npm run bench:load` when BENCH_PROFILE_DIR is set
// (NODE_OPTIONS=--import …; `--cpu-prof` is not allowed there): profiles the server's main thread
// with the inspector and writes a .cpuprofile when the process exits.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir && isMainThread) {
	const session = new Session();
	session.connect();
	session.post('Profiler.enable');
	session.post('Profiler.setSamplingInterval', { interval: 1000 });
	session.post('Profiler.start');
	process.on('exit', () => {
		// On the main thread the inspector answers synchronously, so this runs before the exit.
		session.post('Profiler.stop', (err, result) => {
			if (!err) writeFileSync(join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
		});
	});
}

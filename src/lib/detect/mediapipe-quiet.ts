/**
 * MediaPipe Tasks sends usage statistics to Google (odml.pa.googleapis.com/v1/log) every minute
 * and when a task closes, and 1.1.0 has no option to turn that off. This app talks to its own
 * server only (its Content-Security-Policy refuses the request, which then shows as console
 * errors), so the task's usage logger is found and silenced: nothing is queued or sent.
 *
 * The logger is recognised by what it does, not by its (minified) name: an object held by the
 * task, or by an object it holds, whose `flush` posts to googleapis.com. Should a MediaPipe update
 * change that, nothing is silenced and the browser test watching for the request fails.
 */

type Logger = { flush: (...args: unknown[]) => unknown; error?: unknown; h?: unknown };

function isUsageLogger(value: unknown): value is Logger {
	if (typeof value !== 'object' || value === null) return false;
	const flush = (value as { flush?: unknown }).flush;
	return typeof flush === 'function' && Function.prototype.toString.call(flush).includes('googleapis.com');
}

/** Silences the usage logger of a MediaPipe task; returns whether one was found. */
export function silenceUsageLogging(task: object): boolean {
	const seen = new Set<unknown>();
	const queue: Array<{ value: unknown; depth: number }> = [{ value: task, depth: 0 }];
	let found = false;
	while (queue.length) {
		const { value, depth } = queue.shift()!;
		if (typeof value !== 'object' || value === null || seen.has(value)) continue;
		seen.add(value);
		if (isUsageLogger(value)) {
			// A logger with an error set queues nothing and sends nothing; its timer goes too.
			value.error = new Error('usage logging is off in this app');
			if (typeof value.h === 'number') clearInterval(value.h);
			value.flush = () => {};
			found = true;
			continue;
		}
		if (depth < 2) for (const child of Object.values(value)) queue.push({ value: child, depth: depth + 1 });
	}
	return found;
}

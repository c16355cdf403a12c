import { describe, expect, it } from 'vitest';
import { silenceUsageLogging } from './mediapipe-quiet.ts';

/** Shaped like MediaPipe Tasks 1.1.0's minified task → usage stats → sender. */
class Sender {
	i: unknown[] = [];
	error: unknown;
	h: ReturnType<typeof setInterval> | undefined = setInterval(() => this.flush(), 60_000);
	sent = 0;
	flush() {
		if (this.error) return;
		// The real one posts here: fetch("https://odml.pa.googleapis.com/v1/log", …)
		const url = 'https://odml.pa.googleapis.com/v1/log';
		if (url) this.sent++;
	}
}

describe('MediaPipe usage logging', () => {
	it('finds the task’s logger by what it does and silences it', () => {
		const sender = new Sender();
		const task = { h: { wasm: {} }, o: { m: sender, v: 1 }, close() {} };
		expect(silenceUsageLogging(task)).toBe(true);
		(task.o.m as { flush(): void }).flush();
		expect(sender.sent).toBe(0);
		expect(sender.error).toBeInstanceOf(Error);
	});

	it('leaves other objects alone and says when it found nothing', () => {
		const other = { flush: () => 'local' };
		expect(silenceUsageLogging({ a: other, b: null, c: [1, 2] })).toBe(false);
		expect(other.flush()).toBe('local');
	});
});

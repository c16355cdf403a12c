import { describe, expect, it } from 'vitest';
import { createPacer } from './pacer.ts';

function run(detectMs: number, intervalMs: number, frames = 200) {
	const pacer = createPacer();
	let detected = 0;
	for (let i = 0; i < frames; i++) {
		if (pacer.frame(i * intervalMs)) {
			detected++;
			pacer.measured(detectMs);
		}
	}
	return { every: pacer.every, share: detected / frames };
}

describe('detection pacer', () => {
	it('detects on every frame when detection is cheap', () => {
		expect(run(5, 33)).toEqual({ every: 1, share: 1 });
	});

	it('skips frames when detection is slow, within the limit', () => {
		const slow = run(40, 33);
		expect(slow.every).toBe(3);
		expect(slow.share).toBeGreaterThan(0.3);
		expect(slow.share).toBeLessThan(0.4);
		expect(run(500, 33).every).toBe(4);
	});

	it('never leaves more than maxGapMs between detections on a slow video', () => {
		expect(run(500, 125).every).toBe(1);
		expect(run(500, 66).every).toBe(3);
	});

	it('keeps a fixed N when asked', () => {
		const pacer = createPacer({ fixedEvery: 2 });
		const detected = [0, 33, 66, 99].map((t) => pacer.frame(t));
		pacer.measured(100);
		expect(detected).toEqual([true, false, true, false]);
		expect(pacer.every).toBe(2);
	});

	it('speeds back up when detection gets faster', () => {
		const pacer = createPacer({ smoothing: 1 });
		pacer.frame(0);
		pacer.frame(33);
		pacer.measured(60);
		expect(pacer.every).toBe(4);
		pacer.measured(5);
		expect(pacer.every).toBe(1);
	});
});

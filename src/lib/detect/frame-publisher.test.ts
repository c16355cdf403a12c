import { describe, expect, it } from 'vitest';
import type { OverlayFace } from '../overlay/draw.ts';
import type { RecordedFrame } from './frame-record.ts';
import { createFramePublisher, type ShownFace } from './frame-publisher.ts';
import { createLoopStats, type LoopStatus } from './loop-stats.ts';

const box = { x: 1, y: 2, width: 30, height: 30 };
const asking: OverlayFace = { id: 1, box, label: 'unknown', state: 'asking' };
const named: OverlayFace = { id: 1, box, label: 'alice', state: 'known' };

describe('frame publisher', () => {
	it('draws every frame, lists only changes, records every frame', () => {
		const drawn: Array<readonly OverlayFace[]> = [];
		const listed: ShownFace[][] = [];
		const recorded: RecordedFrame[] = [];
		const publisher = createFramePublisher({ draw: (f) => drawn.push(f), onFaces: (f) => listed.push(f), onRendered: (f) => recorded.push(f) });
		publisher.publish([asking], 0.1);
		publisher.publish([{ ...asking, box: { ...box, x: 5 } }], 0.2);
		publisher.publish([named], 0.3);
		publisher.publish([], 0.4);
		expect(drawn).toHaveLength(4);
		expect(listed).toEqual([[{ trackId: 1, label: '', state: 'asking', box }], [{ trackId: 1, label: 'alice', state: 'known', box }], []]);
		expect(recorded.map((r) => [r.mediaTime, r.faces.map((f) => f.state)])).toEqual([
			[0.1, ['asking']],
			[0.2, ['asking']],
			[0.3, ['known']],
			[0.4, []]
		]);
	});
});

describe('loop stats', () => {
	it('reports frames per second once a second, and errors at once', () => {
		let now = 0;
		const statuses: LoopStatus[] = [];
		const stats = createLoopStats({ clock: { now: () => now }, onStatus: (s) => statuses.push(s) });
		const figures = { detectMs: 9, detectEvery: 2, rttMs: 80 };
		for (let i = 0; i < 30; i++) {
			now += 50;
			stats.frame(figures);
		}
		expect(statuses).toHaveLength(1);
		expect(statuses[0]).toEqual({ fps: 20, ...figures });
		stats.error(new Error('boom'), figures);
		expect(statuses[1]).toMatchObject({ fps: 0, error: 'boom' });
	});
});

/**
 * Plays a clip to the live page in Chromium and records, for every video frame the page
 * rendered, what it drew (`?record=frames`, see src/lib/detect/frame-record.ts) and which frame
 * of the clip it was (the frame tag written into the picture, read in the page by a second
 * requestVideoFrameCallback on the same video; both callbacks see the same media time).
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../tests/helpers/browser.ts';
import { startFrameTags, TAGGED_FRAMES_SOURCE } from '../../tests/helpers/frame-record.ts';
import type { RecordedCrop } from '../../src/lib/detect/frame-record.ts';
import type { DrawnFace } from './score.ts';

export type RecordedRun = {
	/** Per rendered frame: the clip frame's tag (null: no tag in the picture) and media time. */
	frames: Array<{ tag: number | null; mediaTime: number; faces: DrawnFace[]; cut?: boolean; crops?: RecordedCrop[] }>;
	/** Link totals over the recording. */
	crops: number;
	bytesUp: number;
	bytesDown: number;
	seconds: number;
};

export type RecordOptions = {
	serverUrl: string;
	clipFile: string;
	/** Page query, e.g. '?saver=1'; `record=frames` is added. */
	query?: string;
	seconds: number;
	viewport?: { width: number; height: number };
};

const STAT_SOURCE = `(name) => Number(document.querySelector('[data-stat="' + name + '"]')?.getAttribute('data-value') ?? 0)`;
const START_SOURCE = `(() => {
	const stat = ${STAT_SOURCE};
	window.__benchStart = { crops: stat('crops-sent'), up: stat('bytes-up'), down: stat('bytes-down'), at: performance.now() };
})()`;
const STOP_SOURCE = `(() => {
	const stat = ${STAT_SOURCE};
	const start = window.__benchStart;
	return {
		frames: ${TAGGED_FRAMES_SOURCE},
		crops: stat('crops-sent') - start.crops,
		bytesUp: stat('bytes-up') - start.up,
		bytesDown: stat('bytes-down') - start.down,
		seconds: (performance.now() - start.at) / 1000
	};
})()`;

export async function recordRun({ serverUrl, clipFile, query = '', seconds, viewport = { width: 1000, height: 700 } }: RecordOptions): Promise<RecordedRun> {
	const browser: Browser = await launchChromium({ cameraFile: clipFile });
	try {
		const page = await browser.newPage({ viewport });
		const sep = query.includes('?') ? '&' : '?';
		await page.goto(`${serverUrl}/${query}${sep}record=frames`);
		await page.waitForSelector('[data-ready="true"]', { timeout: 90_000 });
		await page.waitForSelector('[data-stat="link"][data-value="connected"]', { timeout: 60_000 });
		await startFrameTags(page);
		await page.evaluate(START_SOURCE);
		await page.waitForTimeout(seconds * 1000);
		return await page.evaluate<RecordedRun>(STOP_SOURCE);
	} finally {
		await browser.close();
	}
}

/**
 * Per-frame records of the live page (`?record=frames`, src/lib/detect/frame-record.ts) joined
 * with the clip frame each one showed (the frame tag written into the picture, frame-tag.ts, read
 * by a second requestVideoFrameCallback on the same video: both see the same media time).
 */
import type { Page } from 'playwright-core';
import { READ_FRAME_TAG_SOURCE } from './frame-tag.ts';

export type TaggedFace = { id: number; label: string; state: 'known' | 'unknown' | 'asking'; box: { x: number; y: number; width: number; height: number } };
export type TaggedFrame = { tag: number | null; mediaTime: number; faces: TaggedFace[]; cut?: boolean };

/** Starts tagging the page's video frames and clears what the page recorded so far. */
export async function startFrameTags(page: Page): Promise<void> {
	// A string, not a function: the test runner's transpiler adds helpers that do not exist in the page.
	await page.evaluate(`(() => {
		const readTag = ${READ_FRAME_TAG_SOURCE};
		const video = document.querySelector('video');
		const tags = (window.__frameTags = new Map());
		const onFrame = (_now, meta) => {
			tags.set(meta.mediaTime, readTag(video));
			video.requestVideoFrameCallback(onFrame);
		};
		video.requestVideoFrameCallback(onFrame);
		window.__facertcFrames.length = 0;
	})()`);
}

/** Source of an expression giving the recorded frames with their tags, for page.evaluate or waitForFunction. */
export const TAGGED_FRAMES_SOURCE = `window.__facertcFrames.map((f) => ({ ...f, tag: window.__frameTags.get(f.mediaTime) ?? null }))`;

export async function taggedFrames(page: Page): Promise<TaggedFrame[]> {
	return (await page.evaluate(TAGGED_FRAMES_SOURCE)) as TaggedFrame[];
}

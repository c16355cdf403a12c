/**
 * Per-frame records of the live page (`?record=frames`, src/lib/detect/frame-record.ts), each with
 * the clip frame it was checked against (the frame tag written into the picture, frame-tag.ts,
 * read by the page's loop itself through its frame probe).
 */
import type { Page } from 'playwright-core';
import { READ_FRAME_TAG_SOURCE } from './frame-tag.ts';

export type TaggedFace = { id: number; label: string; state: 'known' | 'unknown' | 'asking'; box: { x: number; y: number; width: number; height: number } };
export type TaggedFrame = { tag: number | null; mediaTime: number; faces: TaggedFace[]; cut?: boolean };

/**
 * Starts reading each frame's tag where the page's loop reads the picture (its frame probe, see
 * frame-record.ts), and clears what the page recorded so far.
 */
export async function startFrameTags(page: Page): Promise<void> {
	// A string, not a function: the test runner's transpiler adds helpers that do not exist in the page.
	await page.evaluate(`(() => {
		window.__facertcFrameProbe = ${READ_FRAME_TAG_SOURCE};
		window.__facertcFrames.length = 0;
	})()`);
}

/** Source of an expression giving the recorded frames with their tags, for page.evaluate or waitForFunction. */
export const TAGGED_FRAMES_SOURCE = `window.__facertcFrames.map((f) => ({ ...f, tag: typeof f.probe === 'number' ? f.probe : null }))`;

export async function taggedFrames(page: Page): Promise<TaggedFrame[]> {
	return await page.evaluate<TaggedFrame[]>(TAGGED_FRAMES_SOURCE);
}

/**
 * Waits until the expression `source` (page-side JavaScript, may use TAGGED_FRAMES_SOURCE) is true.
 * The page's CSP forbids eval, so a string predicate cannot go to waitForFunction: it is installed
 * by an evaluate (which the CSP does not govern) and waited on through a function.
 */
export async function waitInPage(page: Page, source: string, timeoutMs: number): Promise<void> {
	await page.evaluate(`window.__waitPredicate = () => (${source})`);
	await page.waitForFunction(() => (window as unknown as { __waitPredicate: () => boolean }).__waitPredicate(), undefined, {
		timeout: timeoutMs,
		polling: 250
	});
}

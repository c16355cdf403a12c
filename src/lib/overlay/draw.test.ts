import { describe, expect, it } from 'vitest';
import { fitLabel, labelLeft, labelMaxWidth, placeLabel } from './draw.ts';

/** A monospace stand-in for measureText: 10 px a character (emoji count as one). */
const measure = (s: string) => Array.from(s).length * 10;

describe('overlay labels', () => {
	it('cut a long name with an ellipsis to the width given, never splitting a character', () => {
		expect(fitLabel('Ann', 100, measure)).toBe('Ann');
		expect(fitLabel('Maximilian Alexander von Humboldt', 100, measure)).toBe('Maximilia…');
		expect(measure(fitLabel('Maximilian Alexander von Humboldt', 100, measure))).toBeLessThanOrEqual(100);
		expect(fitLabel('🦊🦊🦊🦊🦊🦊', 40, measure)).toBe('🦊🦊🦊…');
		expect(fitLabel('Ann Lee', 55, measure)).toBe('Ann…');
		expect(fitLabel('Ann', 5, measure)).toBe('…');
	});

	it('stay inside the canvas', () => {
		expect(labelLeft(50, 100, 640)).toBe(50);
		expect(labelLeft(600, 100, 640)).toBe(540);
		expect(labelLeft(-20, 100, 640)).toBe(0);
		expect(labelLeft(10, 900, 640)).toBe(0);
	});

	it('are about as wide as their face, not the whole picture', () => {
		expect(labelMaxWidth(100, 640, 4)).toBe(192);
		expect(labelMaxWidth(300, 640, 4)).toBe(450);
		expect(labelMaxWidth(600, 640, 4)).toBe(632);
	});

	it('go below their box when the place above is taken by another label, or off the canvas', () => {
		const canvas = { width: 640, height: 480 };
		const size = { width: 180, height: 22 };
		const first = placeLabel({ x: 100, y: 100, width: 120, height: 120 }, size, canvas, []);
		expect(first).toEqual({ left: 100, top: 78, width: 180, height: 22 });
		// A face beside it at the same height: its label would cover the first one's.
		expect(placeLabel({ x: 230, y: 100, width: 120, height: 120 }, size, canvas, [first])).toEqual({ left: 230, top: 220, width: 180, height: 22 });
		// Far enough away: above its box as usual.
		expect(placeLabel({ x: 420, y: 100, width: 120, height: 120 }, size, canvas, [first]).top).toBe(78);
		// At the top edge: below; at the bottom edge too: inside its top.
		expect(placeLabel({ x: 0, y: 5, width: 100, height: 100 }, size, canvas, []).top).toBe(105);
		expect(placeLabel({ x: 0, y: 5, width: 100, height: 470 }, size, canvas, []).top).toBe(5);
	});
});

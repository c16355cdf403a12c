import { describe, expect, it } from 'vitest';
import { fitLabel, labelLeft } from './draw.ts';

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
});

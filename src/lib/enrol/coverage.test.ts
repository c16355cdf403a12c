import { describe, expect, it } from 'vitest';
import { adviseCoverage, describeCoverage } from './coverage.ts';

const c = (frontal: number, left: number, right: number, unknown = 0) => ({ frontal, left, right, unknown });

describe('coverage advice', () => {
	it('asks for what recall needs most, in order', () => {
		expect(adviseCoverage(0, c(0, 0, 0))).toEqual({ level: 'none', text: 'Not recognised until a face is added.' });
		expect(adviseCoverage(1, c(1, 0, 0))).toEqual({
			level: 'weak',
			text: 'Only 1 face: add 2 more, one turned slightly to their left and one to their right.'
		});
		expect(adviseCoverage(2, c(1, 1, 0))).toEqual({ level: 'weak', text: 'Only 2 faces: add 1 more, one turned slightly to their right.' });
		// As many more as the turns it asks for.
		expect(adviseCoverage(2, c(2, 0, 0))).toEqual({
			level: 'weak',
			text: 'Only 2 faces: add 2 more, one turned slightly to their left and one to their right.'
		});
		expect(adviseCoverage(2, c(0, 1, 1))).toMatchObject({ level: 'weak', text: expect.stringMatching(/facing/) });
		expect(adviseCoverage(5, c(5, 0, 0))).toEqual({ level: 'fair', text: 'Add a photo with the head turned slightly to their left and one to their right.' });
		expect(adviseCoverage(4, c(3, 0, 1))).toEqual({ level: 'fair', text: 'Add a photo with the head turned slightly to their left.' });
		expect(adviseCoverage(5, c(3, 1, 1))).toEqual({ level: 'good', text: 'Well covered: facing the camera and turned both ways.' });
	});

	it('copes with faces whose pose was never measured', () => {
		expect(adviseCoverage(4, c(0, 0, 0, 4)).level).toBe('fair');
		expect(adviseCoverage(1, c(0, 0, 0, 1)).level).toBe('weak');
		expect(adviseCoverage(2, undefined).level).toBe('weak');
		expect(adviseCoverage(6, c(2, 1, 1, 2)).level).toBe('good');
		expect(describeCoverage(c(2, 1, 0, 3))).toBe('2 frontal · 1 left · 0 right · 3 unknown');
	});
});

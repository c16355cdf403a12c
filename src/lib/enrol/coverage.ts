/**
 * How well a person is covered for recognition, and what to add: a face seen from one angle only
 * is recognised less well when the head turns, and one or two faces leave little to match against
 * (issue #13: one photo per person named 91 % of their other photos). From the counts of the
 * person's faces by pose (src/lib/protocol/pose.ts), in words for the People page.
 */
import type { Coverage } from '../protocol/rest.ts';

/** `good`: several faces, frontal and turned both ways; `fair`: one thing missing; `weak`: few faces or no frontal one. */
export type CoverageLevel = 'none' | 'weak' | 'fair' | 'good';
export type Advice = { level: CoverageLevel; text: string };

/** Fewer faces than this and the page asks for more. */
export const ENOUGH_FACES = 3;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function adviseCoverage(faces: number, coverage: Coverage | undefined): Advice {
	if (faces === 0) return { level: 'none', text: 'Not recognised until a face is added.' };
	const { frontal, left, right, unknown } = coverage ?? { frontal: 0, left: 0, right: 0, unknown: faces };
	if (unknown === faces) {
		return faces < ENOUGH_FACES
			? { level: 'weak', text: `Only ${plural(faces, 'face')}: add a few more, with a slight turn left and right.` }
			: { level: 'fair', text: 'Poses not known (enrolled before they were recorded).' };
	}
	if (frontal === 0) return { level: 'weak', text: 'No face looking at the camera: add one facing it.' };
	const missing = [left === 0 && 'to their left', right === 0 && 'to their right'].filter(Boolean) as string[];
	if (faces < ENOUGH_FACES) {
		const turns = missing.length ? `, one turned slightly ${missing.join(' and one ')}` : '';
		// Never fewer than the turns it names ("add 1 more, one turned left and one right" was said).
		return { level: 'weak', text: `Only ${plural(faces, 'face')}: add ${Math.max(ENOUGH_FACES - faces, missing.length)} more${turns}.` };
	}
	if (missing.length) return { level: 'fair', text: `Add a photo with the head turned slightly ${missing.join(' and one ')}.` };
	return { level: 'good', text: 'Well covered: facing the camera and turned both ways.' };
}

/** "3 frontal · 1 left · 1 right" (and "2 unknown" when some poses were not measured). */
export function describeCoverage(coverage: Coverage | undefined): string {
	if (!coverage) return '';
	const parts = [`${coverage.frontal} frontal`, `${coverage.left} left`, `${coverage.right} right`];
	if (coverage.unknown) parts.push(`${coverage.unknown} unknown`);
	return parts.join(' · ');
}

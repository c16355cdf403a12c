import { describe, expect, it } from 'vitest';
import { nameKey, planImport } from './import-plan.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const entry = (personId: string, name: string, embedding: Float32Array) => ({ personId, name, embedding });

describe('import plan', () => {
	it('treats names equal after normalisation, case folding and spacing as one person', () => {
		expect(nameKey('  Zoë   Smith ')).toBe(nameKey('zoe\u0308 smith'));
		expect(nameKey('ＡＮＮ')).toBe('ann');
		expect(nameKey('Ann')).not.toBe(nameKey('Anna'));
	});

	it('adds only faces a person lacks, merges the document’s own repeats, and counts what it did', () => {
		const existing = {
			people: [
				{ id: 'a', name: 'Ann' },
				{ id: 'a2', name: 'ann' }, // an older gallery may hold the name twice: the first one gets new faces
				{ id: 'b', name: 'Bo' },
				{ id: 'c', name: 'Cy' }
			],
			entries: [entry('a', 'Ann', v(1, 0)), entry('b', 'Bo', v(0, 1)), entry('a2', 'ann', v(2, 2))]
		};
		const plan = planImport(
			[
				{ name: 'ANN', faces: [{ embedding: v(1, 0) }, { embedding: v(2, 2) }, { embedding: v(3, 3) }] },
				{ name: 'Bo', faces: [{ embedding: v(0, 1) }] },
				{ name: 'Dee', faces: [{ embedding: v(5, 5) }] },
				{ name: 'dee', faces: [{ embedding: v(5, 5) }, { embedding: v(6, 6) }] },
				{ name: 'Eve', faces: [] }
			],
			existing
		);
		expect(plan.create.map((p) => [p.name, p.faces.length])).toEqual([
			['Dee', 2],
			['Eve', 0]
		]);
		expect(plan.extend.map((e) => [e.personId, e.faces.map((f) => Array.from(f.embedding))])).toEqual([['a', [[3, 3]]]]);
		expect(plan.counts).toEqual({ imported: 2, merged: 1, unchanged: 1, facesAdded: 3, facesSkipped: 4 });
	});

	it('adds everything to an empty gallery', () => {
		const plan = planImport([{ name: 'Ann', faces: [{ embedding: v(1, 0) }] }], { people: [], entries: [] });
		expect(plan.counts).toEqual({ imported: 1, merged: 0, unchanged: 0, facesAdded: 1, facesSkipped: 0 });
	});
});

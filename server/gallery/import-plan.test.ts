import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, nameKey } from '../../src/lib/protocol/names.ts';
import { documentNames, planImport } from './import-plan.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const entry = (personId: string, name: string, embedding: Float32Array) => ({ personId, name, embedding });

describe('import plan', () => {
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
				{ name: 'Ｄee', faces: [{ embedding: v(7, 7) }] },
				{ name: 'Eve', faces: [] }
			],
			existing
		);
		// A name twice in one document is two people, the later ones numbered.
		expect(plan.create.map((p) => [p.name, p.faces.length])).toEqual([
			['Dee', 1],
			['dee (2)', 2],
			['Ｄee (3)', 1],
			['Eve', 0]
		]);
		expect(plan.extend.map((e) => [e.personId, e.faces.map((f) => Array.from(f.embedding))])).toEqual([['a', [[3, 3]]]]);
		expect(plan.counts).toEqual({ imported: 4, merged: 1, unchanged: 1, facesAdded: 5, facesSkipped: 3, renamed: 2 });
	});

	it('numbers thousands of people of one name in order, stepping over a number the document already uses', () => {
		const people = Array.from({ length: 3000 }, (_, i) => ({ name: i === 10 ? 'Ann (5)' : 'Ann', faces: [] }));
		const plan = planImport(people, { people: [], entries: [] });
		const names = plan.create.map((p) => p.name);
		expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3000);
		expect(names.slice(0, 6)).toEqual(['Ann', 'Ann (2)', 'Ann (3)', 'Ann (4)', 'Ann (5)', 'Ann (6)']);
		// 'Ann (5)' as written came after the fifth Ann took that number: it is numbered in its turn.
		expect(names[10]).toBe('Ann (5) (2)');
		expect(names[11]).toBe('Ann (11)');
		expect(names.at(-1)).toBe('Ann (2999)');
		expect(plan.counts.renamed).toBe(2999);
	});

	it('numbers thousands of long names that are cut to the same stem, each once', () => {
		// 64 characters, alike in the first 60: numbered, each is cut to the same 60 or 59 (review, 3 December).
		const stem = 'n'.repeat(60);
		const names = Array.from({ length: 6000 }, (_, i) => stem + i.toString(36).padStart(4, '0'));
		const plan = planImport(
			names.flatMap((name) => [
				{ name, faces: [] },
				{ name, faces: [] }
			]),
			{ people: [], entries: [] }
		);
		const made = plan.create.map((p) => p.name);
		expect(new Set(made).size).toBe(12_000);
		expect(made.every((name) => [...name].length <= 64)).toBe(true);
		expect(made.slice(0, 4)).toEqual([names[0], `${stem} (2)`, names[1], `${stem} (3)`]);
		expect(made.at(-1)).toBe(`${'n'.repeat(57)} (6001)`);
		expect(plan.counts.renamed).toBe(6000);
	});

	it('gives every person of any document a name of its own within the limit (random documents)', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
		for (let round = 0; round < 30; round++) {
			// Names near the limit from a tiny alphabet, some already numbered, in any case: many collide once cut.
			const names = Array.from({ length: 400 }, () => {
				const length = 55 + Math.floor(random() * 10);
				const name =
					Array.from({ length }, () => 'aA b'[Math.floor(random() * 4)])
						.join('')
						.trim() || 'a';
				return random() < 0.1 ? `${name.slice(0, 58)} (${2 + Math.floor(random() * 12)})` : name;
			});
			const made = documentNames(names);
			expect(new Set(made.map(nameKey)).size).toBe(names.length);
			expect(made.every((name) => [...name].length <= MAX_NAME_CHARS)).toBe(true);
			expect(documentNames(names)).toEqual(made);
		}
	});

	it('numbers the same way every time, so importing the file again finds those people', () => {
		const doc = [
			{ name: 'Ann', faces: [{ embedding: v(1, 0) }] },
			{ name: 'ANN', faces: [{ embedding: v(0, 1) }] }
		];
		const first = planImport(doc, { people: [], entries: [] });
		expect(first.create.map((p) => p.name)).toEqual(['Ann', 'ANN (2)']);
		const again = planImport(doc, {
			people: [
				{ id: 'a', name: 'Ann' },
				{ id: 'b', name: 'ANN (2)' }
			],
			entries: [entry('a', 'Ann', v(1, 0)), entry('b', 'ANN (2)', v(0, 1))]
		});
		expect(again.counts).toEqual({ imported: 0, merged: 0, unchanged: 2, facesAdded: 0, facesSkipped: 2, renamed: 1 });
		const long = 'x'.repeat(64);
		const cut = planImport(
			[
				{ name: long, faces: [] },
				{ name: long, faces: [] }
			],
			{ people: [], entries: [] }
		);
		expect(cut.create[1]?.name).toBe(`${'x'.repeat(60)} (2)`);
	});

	it('adds everything to an empty gallery', () => {
		const plan = planImport([{ name: 'Ann', faces: [{ embedding: v(1, 0) }] }], { people: [], entries: [] });
		expect(plan.counts).toEqual({ imported: 1, merged: 0, unchanged: 0, facesAdded: 1, facesSkipped: 0, renamed: 0 });
	});
});

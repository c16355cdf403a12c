import { describe, expect, it } from 'vitest';
import { findMatch, rankPeople } from './matcher.ts';
import { centroidBlocks } from './people-index.ts';
import { createSnapshot, toEntries } from './snapshot.ts';

const bytes = (...xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

describe('gallery snapshot', () => {
	it('replaces just the people a change touched, and hands out one array until the next change', () => {
		const snapshot = createSnapshot();
		snapshot.replaceAll(
			toEntries([
				{ personId: 'a', name: 'ann', embedding: bytes(1, 0) },
				{ personId: 'b', name: 'bob', embedding: bytes(0, 1) },
				{ personId: 'a', name: 'ann', embedding: bytes(1, 1) }
			])
		);
		const first = snapshot.entries();
		expect(snapshot.entries()).toBe(first);
		expect(first.map((e) => e.personId)).toEqual(['a', 'a', 'b']);
		expect([snapshot.people, snapshot.embeddings]).toEqual([2, 3]);
		snapshot.replacePeople(['a', 'c'], toEntries([{ personId: 'c', name: 'cy', embedding: bytes(2, 2) }]));
		expect(snapshot.entries()).not.toBe(first);
		expect(snapshot.entries().map((e) => [e.name, ...e.embedding])).toEqual([
			['bob', 0, 1],
			['cy', 2, 2]
		]);
		expect([snapshot.people, snapshot.embeddings]).toEqual([2, 2]);
	});

	it('copies embeddings from unaligned driver bytes into one shared buffer, one id string a person', () => {
		const raw = new Uint8Array(17);
		raw.set(bytes(Math.PI, -2), 1);
		const [x, y] = toEntries([
			{ personId: 'p', name: 'pat', embedding: raw.subarray(1, 9) },
			{ personId: 'p', name: 'pat', embedding: bytes(3, 4) }
		]);
		expect(Array.from(x!.embedding)).toEqual([Math.fround(Math.PI), -2]);
		expect(Array.from(y!.embedding)).toEqual([3, 4]);
		expect(x!.embedding.buffer).toBe(y!.embedding.buffer);
		raw.fill(0);
		expect(x!.embedding[1]).toBe(-2);
	});
});

describe('the snapshot’s entries in the matcher, indexed person by person', () => {
	/** A seeded generator, so a failure can be replayed. */
	function random(seed: number) {
		let s = seed >>> 0;
		return () => {
			s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
			return s / 2 ** 32;
		};
	}

	it('ranks and names exactly as the same entries built in one go, change after change', () => {
		const next = random(7);
		const DIM = 8;
		const row = (personId: string) => ({ personId, name: `n-${personId}`, embedding: bytes(...Array.from({ length: DIM }, () => next())) });
		const snapshot = createSnapshot();
		snapshot.replaceAll(toEntries(Array.from({ length: 60 }, (_, i) => row(`p${i % 20}`))));
		for (let change = 0; change < 40; change++) {
			const people = Array.from({ length: 1 + Math.floor(next() * 3) }, () => `p${Math.floor(next() * 26)}`);
			// Some people get new rows, some are deleted (no rows), one in four changes also brings a
			// row of somebody not listed.
			const rows = people.filter(() => next() < 0.7).flatMap((id) => Array.from({ length: 1 + Math.floor(next() * 3) }, () => row(id)));
			if (change % 4 === 0) rows.push(row(`p${Math.floor(next() * 26)}`));
			snapshot.replacePeople(people, toEntries(rows));
			const grouped = snapshot.entries();
			const flat = [...grouped];
			for (let q = 0; q < 5; q++) {
				const query = Float32Array.from({ length: DIM }, () => next());
				expect(rankPeople(query, grouped)).toEqual(rankPeople(query, flat));
				expect(findMatch(query, grouped, 0.9, { margin: 0.01 })).toEqual(findMatch(query, flat, 0.9, { margin: 0.01 }));
			}
		}
	});

	it('ranks and names as the same entries built in one go over many blocks, and keeps the blocks a change did not touch', () => {
		const next = random(11);
		const DIM = 4;
		const row = (personId: string) => ({ personId, name: `n-${personId}`, embedding: bytes(...Array.from({ length: DIM }, () => next())) });
		const snapshot = createSnapshot();
		snapshot.replaceAll(toEntries(Array.from({ length: 3000 }, (_, i) => row(`p${i}`))));
		let before = centroidBlocks(snapshot.entries(), DIM);
		expect(before.length).toBeGreaterThan(5);
		const changes: Array<[string[], Array<ReturnType<typeof row>>]> = [
			[['p1500'], [row('p1500')]], // a new face: the person moves to the end
			[['p700'], []], // deleted
			[['p3000'], [row('p3000')]], // somebody new
			[
				['p10', 'p2900'],
				[row('p10'), row('p2900'), row('p2900')]
			]
		];
		for (const [people, rows] of changes) {
			snapshot.replacePeople(people, toEntries(rows));
			const grouped = snapshot.entries();
			const after = centroidBlocks(grouped, DIM);
			const kept = after.filter((b) => before.includes(b)).length;
			// Each person touched remakes the block they were in, and the last block takes the new rows.
			expect(kept).toBeGreaterThanOrEqual(after.length - 2 * people.length - 1);
			expect(kept).toBeLessThan(after.length);
			const flat = [...grouped];
			for (let q = 0; q < 5; q++) {
				const query = Float32Array.from({ length: DIM }, () => next());
				expect(rankPeople(query, grouped)).toEqual(rankPeople(query, flat));
				expect(findMatch(query, grouped, 0.3, { margin: 0.01 })).toEqual(findMatch(query, flat, 0.3, { margin: 0.01 }));
			}
			before = after;
		}
	});
});

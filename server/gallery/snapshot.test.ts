import { describe, expect, it } from 'vitest';
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

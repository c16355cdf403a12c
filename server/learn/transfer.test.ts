import { describe, expect, it } from 'vitest';
import { embeddingKey } from '../gallery/import-plan.ts';
import { planLearningImport, type Checked } from './transfer.ts';
import type { LearningSeen } from './store.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 1, 0xff, 0xd9]);
const DAY = 86_400_000;
const NOW = 100 * DAY;

function seenWith(over: Partial<LearningSeen> = {}): LearningSeen {
	const ids = new Map([
		['ann', 'p-ann'],
		['bo (2)', 'p-bo2']
	]);
	return {
		personIdOf: (name) => ids.get(name.toLowerCase()),
		negativeKeys: new Set([`p-ann:${embeddingKey(vec(1, 0, 0, 0))}`]),
		unknownKeys: new Set([embeddingKey(vec(0, 0, 1, 0))]),
		rememberUnknowns: true,
		keepThumbnails: true,
		...over
	};
}

describe('planLearningImport', () => {
	it('gives each negative to the person the import named, once, and skips what is stored or has nobody', () => {
		const checked: Checked = {
			negatives: [
				{ name: 'Ann', embedding: vec(1, 0, 0, 0) },
				{ name: 'Ann', embedding: vec(0, 1, 0, 0) },
				{ name: 'bo (2)', embedding: vec(0, 1, 0, 0) },
				{ name: 'bo (2)', embedding: vec(0, 1, 0, 0) },
				{ name: 'Zed', embedding: vec(0, 0, 0, 1) }
			],
			unknowns: []
		};
		const plan = planLearningImport(checked, seenWith(), { now: NOW, retentionMs: 30 * DAY });
		expect(plan.negatives.map((n) => [n.personId, Array.from(n.embedding)])).toEqual([
			['p-ann', [0, 1, 0, 0]],
			['p-bo2', [0, 1, 0, 0]]
		]);
		expect(plan.result).toEqual({ negativesAdded: 2, unknownFacesAdded: 0 });
	});

	it('takes unknown faces within retention and not stored, dated now at the latest, thumbnails as the gallery keeps them', () => {
		const checked: Checked = {
			negatives: [],
			unknowns: [
				[
					{ embedding: vec(0, 0, 1, 0), at: NOW - DAY, thumbnail: jpeg },
					{ embedding: vec(0, 0, 0.5, 0.5), at: NOW - DAY, thumbnail: jpeg },
					{ embedding: vec(0, 0.5, 0.5, 0), at: NOW + 365 * DAY }
				],
				[{ embedding: vec(0.5, 0, 0, 0.5), at: NOW - 31 * DAY }],
				[{ embedding: vec(0, 0, 0.5, 0.5), at: NOW }]
			]
		};
		const kept = planLearningImport(checked, seenWith(), { now: NOW, retentionMs: 30 * DAY });
		expect(kept.unknownGroups).toHaveLength(1);
		const [group] = kept.unknownGroups;
		expect(group!.faces.map((f) => [Array.from(f.embedding), f.at, f.thumbnail !== null, f.groupId])).toEqual([
			[[0, 0, 0.5, 0.5], NOW - DAY, true, group!.groupId],
			[[0, 0.5, 0.5, 0], NOW, false, group!.groupId]
		]);
		expect(kept.result).toEqual({ negativesAdded: 0, unknownFacesAdded: 2 });

		const bare = planLearningImport(checked, seenWith({ keepThumbnails: false }), { now: NOW, retentionMs: 30 * DAY });
		expect(bare.unknownGroups[0]!.faces.every((f) => f.thumbnail === null)).toBe(true);
	});

	it('keeps no unknown face while rememberUnknowns is off, and says how many it left out', () => {
		const checked: Checked = { negatives: [], unknowns: [[{ embedding: vec(0, 1, 1, 0), at: NOW }], [{ embedding: vec(1, 1, 0, 0), at: NOW }]] };
		const plan = planLearningImport(checked, seenWith({ rememberUnknowns: false }), { now: NOW, retentionMs: 30 * DAY });
		expect(plan.unknownGroups).toEqual([]);
		expect(plan.result).toEqual({ negativesAdded: 0, unknownFacesAdded: 0, unknownsSkipped: 2 });
	});
});

// A model change on a real SQLite file: faces of the old model are never matched, those with a
// thumbnail are re-embedded, and the people left are reported for re-enrolment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reembedOtherModels } from './model-change.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);

describe('a change of embedding model', () => {
	let dir: string;
	let file: string;
	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'facertc-model-'));
		file = join(dir, 'gallery.db');
		const old = createSqliteGallery({ file, model: 'old', dim: 3, pollMs: 0 });
		await old.updateSettings({ keepThumbnails: true });
		await old.enrolPerson('ann', [
			{ embedding: Float32Array.of(1, 0, 0), thumbnail: jpeg(1) },
			{ embedding: Float32Array.of(0.9, 0.1, 0), thumbnail: jpeg(2) }
		]);
		await old.enrolPerson('bo', [{ embedding: Float32Array.of(0, 1, 0), thumbnail: jpeg(3) }, { embedding: Float32Array.of(0, 0.9, 0.1) }]);
		await old.enrolPerson('cy', [{ embedding: Float32Array.of(0, 0, 1), thumbnail: jpeg(9) }]);
		await old.close();
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('never matches old vectors, re-embeds from thumbnails, and names who must be enrolled again', async () => {
		const gallery = createSqliteGallery({ file, model: 'new', dim: 4, pollMs: 0 });
		try {
			expect(gallery.entries()).toEqual([]);
			expect((await gallery.otherModelFaces()).map((f) => [f.name, f.model, f.dim, f.thumbnail !== null])).toEqual([
				['ann', 'old', 3, true],
				['ann', 'old', 3, true],
				['bo', 'old', 3, true],
				['bo', 'old', 3, false],
				['cy', 'old', 3, true]
			]);
			const logs: string[] = [];
			// The thumbnail's first fill byte stands for its face; 9 is a thumbnail with no face found.
			const report = await reembedOtherModels({
				gallery,
				describeThumbnail: async (t) => (t[4] === 9 ? null : Float32Array.of(t[4]!, 0, 0, 1)),
				log: (m) => logs.push(m)
			});
			expect(report.reembedded).toBe(3);
			const people = await gallery.listPeople();
			const id = (name: string) => people.find((p) => p.name === name)!.id;
			expect(report.reEnrol).toEqual([
				{ id: id('bo'), name: 'bo', faces: 1, models: ['old'] },
				{ id: id('cy'), name: 'cy', faces: 1, models: ['old'] }
			]);
			expect(gallery.entries().map((e) => [e.name, [...e.embedding]])).toEqual([
				['ann', [1, 0, 0, 1]],
				['ann', [2, 0, 0, 1]],
				['bo', [3, 0, 0, 1]]
			]);
			expect(await gallery.otherModelFaces()).toHaveLength(2);
			expect(logs.join()).toMatch(/5 face\(s\) were embedded by another model; 3 re-embedded.*2 person\(s\) must be enrolled again/);
			expect(logs.join()).not.toMatch(/ann|bo|cy/); // ids, never names, in the log
			// Nothing is left to do on the next start but the two faces without a usable thumbnail.
			const again = await reembedOtherModels({ gallery, describeThumbnail: async () => null });
			expect(again).toMatchObject({ reembedded: 0, reEnrol: [{ name: 'bo' }, { name: 'cy' }] });
		} finally {
			await gallery.close();
		}
	});

	it('refuses an embedding of the wrong size for the current model', async () => {
		const gallery = createSqliteGallery({ file, model: 'new', dim: 4, pollMs: 0 });
		try {
			const [face] = await gallery.otherModelFaces();
			await expect(gallery.reembedFace(face!.id, Float32Array.of(1, 2, 3))).rejects.toThrow(/4 finite numbers/);
			expect(await gallery.reembedFace('no-such-face', Float32Array.of(1, 2, 3, 4))).toBe(false);
		} finally {
			await gallery.close();
		}
	});
});

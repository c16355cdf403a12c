import { describe, expect, it } from 'vitest';
import { describeImport, readGalleryFile } from './gallery-file.ts';

const result = (r: Partial<Parameters<typeof describeImport>[0]>) => ({
	imported: 0,
	merged: 0,
	unchanged: 0,
	facesAdded: 0,
	facesSkipped: 0,
	renamed: 0,
	...r
});

describe('gallery files', () => {
	it('reads what a file holds, or says in words why it is not a gallery', () => {
		const doc = {
			format: 'facertc-gallery',
			version: 1,
			model: 'm',
			dim: 2,
			people: [
				{ name: 'A', faces: [{ embedding: [1, 2] }, { embedding: [3, 4] }] },
				{ name: 'B', faces: [] }
			]
		};
		expect(readGalleryFile(JSON.stringify(doc))).toEqual({ ok: true, people: 2, faces: 2 });
		expect(readGalleryFile('{"format": ')).toEqual({ ok: false, message: 'This file is not a FaceRTC gallery export (it is not even JSON).' });
		expect(readGalleryFile('{"name": "my photo album"}')).toEqual({ ok: false, message: 'This is not a FaceRTC gallery export.' });
		expect(readGalleryFile(JSON.stringify({ ...doc, version: 3 }))).toMatchObject({ ok: false, message: expect.stringMatching(/version 3/) });
	});

	it('says what an import did', () => {
		expect(describeImport(result({ unchanged: 9, facesSkipped: 20 }), 'backup.json')).toBe(
			'Nothing new in backup.json: its 9 people are already here with the same faces.'
		);
		expect(describeImport(result({ imported: 2, facesAdded: 3 }), 'b.json')).toBe('From b.json: added 2 people (3 faces in all).');
		expect(describeImport(result({ imported: 1, merged: 1, unchanged: 7, facesAdded: 2, facesSkipped: 15 }), 'b.json')).toBe(
			'From b.json: added 1 person and added new faces to 1 person already here (2 faces in all). 7 people were already here with the same faces, and left as they were.'
		);
		expect(describeImport(result({ imported: 3, facesAdded: 3, removed: 9 }), 'b.json')).toBe('Replaced the gallery (9 people) with the 3 people of b.json.');
		expect(describeImport(result({}), 'empty.json')).toBe('Nothing to import: empty.json holds nobody.');
		expect(describeImport(result({ imported: 2, facesAdded: 2, renamed: 1 }), 'old.json')).toBe(
			'From old.json: added 2 people (2 faces in all). One name came twice in the file: the later person was numbered, like “Ann (2)”, to keep them apart.'
		);
	});
});

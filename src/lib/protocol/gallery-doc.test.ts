import { describe, expect, it } from 'vitest';
import { checkGalleryDoc } from './gallery-doc.ts';

const good = () => ({
	format: 'facertc-gallery',
	version: 1,
	model: 'face-api',
	dim: 2,
	people: [
		{ name: 'Ann', faces: [{ embedding: [0.1, 0.2], yaw: 0.1 }] },
		{ name: 'Bea', faces: [{ embedding: [0.3, 0.4] }, { embedding: [0.5, 0.6], thumbnail: 'AAAA' }] }
	]
});

describe('gallery document', () => {
	it('accepts an export, and says in words what is wrong with anything else', () => {
		expect(checkGalleryDoc(good())).toBeNull();
		// Learning (issue 11): negatives per person, and unknown groups when exported with them.
		expect(
			checkGalleryDoc({ ...good(), people: [{ name: 'Ann', faces: [], negatives: [[0.1, 0.2]] }], unknowns: [{ faces: [{ embedding: [0.3, 0.4], at: 5 }] }] })
		).toBeNull();
		const cases: Array<[unknown, string, string]> = [
			[[1, 2], 'This is not a FaceRTC gallery export.', ''],
			[{ hello: 'world' }, 'This is not a FaceRTC gallery export.', 'format'],
			[{ ...good(), format: 'other' }, 'This is not a FaceRTC gallery export.', 'format'],
			[{ ...good(), version: 2 }, 'format version 2; this server reads version 1', 'version'],
			[{ ...good(), dim: 'x' }, 'does not say which face model made it', 'dim'],
			[{ ...good(), people: 'x' }, 'holds no list of people', 'people'],
			[{ ...good(), extra: 1, more: 2 }, 'fields a FaceRTC gallery export does not (“extra”, “more”)', 'extra'],
			[{ ...good(), people: [good().people[0], { name: ' ', faces: [] }] }, 'person 2: the name is empty.', 'people.1.name'],
			[{ ...good(), people: [{ name: 'Ann\u0000', faces: [] }] }, 'person 1: the name has a control character (U+0000) at character 4.', 'people.0.name'],
			[{ ...good(), people: [{ name: 7, faces: [] }] }, 'person 1: the name is missing.', 'people.0.name'],
			[{ ...good(), people: [{ name: 'Cy', faces: 3 }] }, 'person 1 (“Cy”): the list of faces is missing or damaged.', 'people.0.faces'],
			[
				{ ...good(), people: [{ name: 'Cy', faces: [{ embedding: ['a'] }] }] },
				'person 1 (“Cy”), face 1: the face data is damaged',
				'people.0.faces.0.embedding.0'
			],
			[
				{ ...good(), people: [{ name: 'Cy', faces: [{ embedding: [1], thumbnail: '%%' }] }] },
				'person 1 (“Cy”), face 1: the picture is damaged or larger than 32 KB.',
				'people.0.faces.0.thumbnail'
			],
			[{ ...good(), people: [{ name: 'Cy', faces: [{ embedding: [1], yaw: 'left' }] }] }, 'the head pose is not a number', 'people.0.faces.0.yaw'],
			[
				{ ...good(), people: [{ name: 'Cy', faces: [], negatives: [['x']] }] },
				'person 1 (“Cy”): the faces said not to be them are damaged',
				'people.0.negatives.0.0'
			],
			[{ ...good(), unknowns: [{ faces: [] }] }, 'unknown group 1: its faces are missing, damaged or more than 100.', 'unknowns.0.faces'],
			[{ ...good(), unknowns: { faces: [] } }, 'The unknown faces in this file are damaged', 'unknowns']
		];
		for (const [doc, message, where] of cases) {
			const problem = checkGalleryDoc(doc);
			expect(problem?.message, JSON.stringify(doc).slice(0, 80)).toContain(message);
			expect(problem?.where).toBe(where);
			expect(problem?.message).not.toMatch(/Invalid|Expected|received/);
		}
	});
});

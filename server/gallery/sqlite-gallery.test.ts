import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gallery } from './gallery.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

const DIM = 4;
const vec = (...xs: number[]) => Float32Array.from(xs);

describe('sqlite gallery', () => {
	let dir: string;
	let file: string;
	let gallery: Gallery;

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'facertc-gallery-'));
		file = join(dir, 'gallery.db');
		gallery = createSqliteGallery({ file, model: 'm1', dim: DIM });
	});
	afterEach(() => {
		gallery.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('stores people and faces in the file and reads them back after reopening', () => {
		const alice = gallery.addPerson('alice');
		gallery.addFace(alice.id, vec(1, 2, 3, 4));
		gallery.addFace(alice.id, vec(0.5, 0, 0, 0));
		gallery.close();
		gallery = createSqliteGallery({ file, model: 'm1', dim: DIM });
		expect(gallery.listPeople()).toEqual([{ id: alice.id, name: 'alice', faces: 2 }]);
		expect(gallery.entries().map((e) => Array.from(e.embedding))).toEqual([
			[1, 2, 3, 4],
			[0.5, 0, 0, 0]
		]);
	});

	it('never matches embeddings of another model', () => {
		const bob = gallery.addPerson('bob');
		gallery.addFace(bob.id, vec(1, 1, 1, 1));
		gallery.close();
		gallery = createSqliteGallery({ file, model: 'm2', dim: DIM });
		expect(gallery.listPeople()[0]?.faces).toBe(1);
		expect(gallery.entries()).toEqual([]);
	});

	it('refuses a face for an unknown person or of the wrong size', () => {
		expect(() => gallery.addFace('nobody', vec(1, 2, 3, 4))).toThrow(/no such person/);
		const p = gallery.addPerson('p');
		expect(() => gallery.addFace(p.id, vec(1, 2))).toThrow(/4 finite numbers/);
		expect(() => gallery.addFace(p.id, vec(1, 2, 3, Number.NaN))).toThrow(/finite/);
	});

	it('deletes a person with their faces, and the match cache follows', () => {
		const p = gallery.addPerson('p');
		gallery.addFace(p.id, vec(1, 2, 3, 4));
		expect(gallery.entries()).toHaveLength(1);
		expect(gallery.deletePerson(p.id)).toBe(true);
		expect(gallery.deletePerson(p.id)).toBe(false);
		expect(gallery.entries()).toHaveLength(0);
		expect(gallery.listPeople()).toEqual([]);
	});

	it('exports and imports all or nothing', () => {
		const p = gallery.addPerson('carol');
		gallery.addFace(p.id, vec(1, 0, 0, 0));
		const doc = gallery.exportAll();
		expect(doc).toMatchObject({ format: 'facertc-gallery', version: 1, model: 'm1', dim: DIM });
		const bad = structuredClone(doc);
		bad.people.push({ name: 'broken', faces: [{ embedding: [1, 2] }] });
		expect(() => gallery.importAll(bad)).toThrow();
		expect(gallery.listPeople()).toHaveLength(1);
		expect(gallery.importAll(doc)).toBe(1);
		expect(gallery.listPeople().map((x) => x.name)).toEqual(['carol', 'carol']);
		expect(() => gallery.importAll({ ...doc, model: 'other' })).toThrow(/other/);
	});
});

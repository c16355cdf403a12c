import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gallery } from './gallery.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

const DIM = 4;
const vec = (...xs: number[]) => Float32Array.from(xs);
/** Smallest thing that passes the JPEG check: SOI + APP0 marker and some bytes. */
const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);

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
		expect(gallery.listPeople()).toEqual([{ id: alice.id, name: 'alice', faces: 2, yaws: [null, null] }]);
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

	it('exports and imports all or nothing, saying in words what is wrong', () => {
		const p = gallery.addPerson('carol');
		gallery.addFace(p.id, vec(1, 0, 0, 0));
		const doc = gallery.exportAll();
		expect(doc).toMatchObject({ format: 'facertc-gallery', version: 1, model: 'm1', dim: DIM });
		const bad = structuredClone(doc);
		bad.people.push({ name: 'dave', faces: [{ embedding: [0, 1, 0, 0] }] }, { name: 'broken', faces: [{ embedding: [1, 2] }] });
		expect(() => gallery.importAll(bad)).toThrow('person 3 (“broken”), face 1: the face data is damaged (it should be 4 numbers).');
		expect(gallery.listPeople()).toHaveLength(1);
		expect(() => gallery.importAll({ ...doc, model: 'other' })).toThrow(/another face model \(other, 4 numbers a face\); this server uses m1/);
		bad.people.pop();
		expect(gallery.importAll(bad)).toEqual({ imported: 1, merged: 0, unchanged: 1, facesAdded: 1, facesSkipped: 1, renamed: 0 });
		expect(gallery.listPeople().map((x) => x.name)).toEqual(['carol', 'dave']);
	});

	it('imports your own backup without doubling anyone: same name and embedding are skipped, new faces merged', () => {
		const carol = gallery.enrolPerson('Carol', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }]).person;
		gallery.enrolPerson('dan', [{ embedding: vec(0, 0, 1, 0) }]);
		const backup = gallery.exportAll();
		expect(gallery.importAll(backup)).toEqual({ imported: 0, merged: 0, unchanged: 2, facesAdded: 0, facesSkipped: 3, renamed: 0 });
		expect(gallery.listPeople().map((p) => [p.name, p.faces])).toEqual([['Carol', 2], ['dan', 1]]);

		// Another device's backup: Carol (other case and spacing) with one face more, and one name
		// twice (two people: the later is numbered).
		const other = structuredClone(backup);
		other.people[0]!.name = '  carol ';
		other.people[0]!.faces.push({ embedding: [0, 0, 0, 1] });
		other.people.push({ name: 'Eve', faces: [{ embedding: [0.5, 0.5, 0, 0] }] }, { name: 'eve', faces: [{ embedding: [0.5, 0.5, 0, 0] }, { embedding: [0, 0.5, 0.5, 0] }] });
		expect(gallery.importAll(other)).toEqual({ imported: 2, merged: 1, unchanged: 1, facesAdded: 4, facesSkipped: 3, renamed: 1 });
		expect(gallery.listPeople().map((p) => [p.name, p.faces])).toEqual([['Carol', 3], ['dan', 1], ['Eve', 1], ['eve (2)', 2]]);
		expect(gallery.listFaces(carol.id)?.map((f) => f.source)).toEqual([null, null, 'import']);

		expect(gallery.importAll(backup, { replace: true })).toEqual({ imported: 2, merged: 0, unchanged: 0, facesAdded: 3, facesSkipped: 0, renamed: 0, removed: 4 });
		expect(gallery.listPeople().map((p) => [p.name, p.faces])).toEqual([['Carol', 2], ['dan', 1]]);
	});

	it('stores the pose and source of each face, lists the poses per person, and keeps them through a backup', () => {
		const { person } = gallery.enrolPerson('gil', [
			{ embedding: vec(1, 0, 0, 0), yaw: 0.02, source: 'camera' },
			{ embedding: vec(0, 1, 0, 0), yaw: 0.3, source: 'camera' },
			{ embedding: vec(0, 0, 1, 0), yaw: Number.NaN, source: 'photo' }
		]);
		expect(gallery.listFaces(person.id)?.map((f) => [f.yaw === null ? null : Math.round(f.yaw * 100) / 100, f.source])).toEqual([
			[0.02, 'camera'],
			[0.3, 'camera'],
			[null, 'photo']
		]);
		expect(gallery.listPeople()[0]?.yaws.map((y) => (y === null ? null : Math.round(y * 100) / 100))).toEqual([0.02, 0.3, null]);
		const doc = gallery.exportAll();
		expect(doc.people[0]?.faces.map((f) => f.yaw !== undefined)).toEqual([true, true, false]);
		gallery.importAll(doc, { replace: true });
		const [copy] = gallery.listPeople();
		expect(copy?.yaws.map((y) => (y === null ? null : Math.round(y * 100) / 100))).toEqual([0.02, 0.3, null]);
		expect(gallery.listFaces(copy!.id)?.map((f) => f.source)).toEqual(['import', 'import', 'import']);
	});

	it('opens a gallery made before poses were stored, keeping every face (pose unknown)', () => {
		gallery.close();
		rmSync(file);
		// The schema as migrations 001 and 002 left it, with a face in it.
		const old = new Database(file);
		for (const m of ['001_init.sql', '002_thumbnails_settings.sql']) old.exec(readFileSync(new URL(`./migrations/${m}`, import.meta.url), 'utf8'));
		old.pragma('user_version = 2');
		old.prepare('INSERT INTO people (id, name, created_at) VALUES (?, ?, ?)').run('p1', 'old timer', 1);
		old.prepare('INSERT INTO faces (id, person_id, model, dim, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?)').run('f1', 'p1', 'm1', DIM, Buffer.from(vec(1, 0, 0, 0).buffer), 2);
		old.close();
		gallery = createSqliteGallery({ file, model: 'm1', dim: DIM });
		expect(gallery.listPeople()).toEqual([{ id: 'p1', name: 'old timer', faces: 1, yaws: [null] }]);
		expect(gallery.listFaces('p1')).toEqual([{ id: 'f1', createdAt: 2, thumbnail: null, yaw: null, source: null }]);
		expect(gallery.entries()).toHaveLength(1);
	});

	it('enrols a person with all their faces at once, or not at all', () => {
		const { person, faceIds } = gallery.enrolPerson('dora', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }]);
		expect(person).toMatchObject({ name: 'dora', faces: 2 });
		expect(faceIds).toHaveLength(2);
		expect(() => gallery.enrolPerson('eve', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(1, 2) }])).toThrow(/finite/);
		expect(() => gallery.enrolPerson('nobody', [])).toThrow(/no faces/);
		expect(gallery.listPeople().map((p) => p.name)).toEqual(['dora']);
		expect(gallery.entries()).toHaveLength(2);
	});

	it('renames a person, lists and deletes single faces', () => {
		const { person, faceIds } = gallery.enrolPerson('fred', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }]);
		expect(gallery.entries()[0]?.name).toBe('fred');
		expect(gallery.renamePerson(person.id, 'Frederick')).toEqual({ id: person.id, name: 'Frederick', faces: 2 });
		expect(gallery.entries()[0]?.name).toBe('Frederick');
		expect(gallery.renamePerson('nobody', 'x')).toBeNull();
		const faces = gallery.listFaces(person.id);
		expect(faces?.map((f) => f.id)).toEqual(faceIds);
		expect(faces?.[0]).toMatchObject({ thumbnail: null, createdAt: expect.any(Number) });
		expect(gallery.listFaces('nobody')).toBeNull();
		expect(gallery.deleteFace('other-person', faceIds[0]!)).toBe(false);
		expect(gallery.deleteFace(person.id, faceIds[0]!)).toBe(true);
		expect(gallery.deleteFace(person.id, faceIds[0]!)).toBe(false);
		expect(gallery.getPerson(person.id)?.faces).toBe(1);
		expect(gallery.entries().map((e) => Array.from(e.embedding))).toEqual([[0, 1, 0, 0]]);
	});

	it('keeps thumbnails only while the setting is on, and drops them all when it is turned off', () => {
		expect(gallery.settings()).toEqual({ keepThumbnails: false });
		const a = gallery.enrolPerson('a', [{ embedding: vec(1, 0, 0, 0), thumbnail: jpeg(1) }]);
		expect(gallery.listFaces(a.person.id)?.[0]?.thumbnail).toBeNull();
		expect(gallery.updateSettings({ keepThumbnails: true })).toEqual({ keepThumbnails: true });
		const b = gallery.enrolPerson('b', [{ embedding: vec(0, 1, 0, 0), thumbnail: jpeg(2) }]);
		expect(Array.from(gallery.listFaces(b.person.id)?.[0]?.thumbnail ?? [])).toEqual(Array.from(jpeg(2)));
		expect(gallery.listPeople({ thumbnails: true }).map((p) => p.thumbnail !== undefined)).toEqual([false, true]);
		expect(gallery.listPeople()[1]).not.toHaveProperty('thumbnail');
		expect(() => gallery.addFace(b.person.id, vec(0, 0, 1, 0), Uint8Array.from([1, 2, 3, 4]))).toThrow(/not a JPEG/);

		gallery.close();
		gallery = createSqliteGallery({ file, model: 'm1', dim: DIM });
		expect(gallery.settings()).toEqual({ keepThumbnails: true });
		gallery.updateSettings({ keepThumbnails: false });
		expect(gallery.listFaces(b.person.id)?.[0]?.thumbnail).toBeNull();
	});

	it('exports thumbnails when kept and imports them back, checking them before writing', () => {
		gallery.updateSettings({ keepThumbnails: true });
		gallery.enrolPerson('g', [{ embedding: vec(1, 0, 0, 0), thumbnail: jpeg(3) }]);
		const doc = gallery.exportAll();
		expect(doc.people[0]?.faces[0]?.thumbnail).toBe(Buffer.from(jpeg(3)).toString('base64'));
		const bad = structuredClone(doc);
		bad.people.push({ name: 'h', faces: [{ embedding: [0, 0, 0, 1], thumbnail: Buffer.from('nope').toString('base64') }] });
		expect(() => gallery.importAll(bad)).toThrow('person 2 (“h”), face 1: the picture is damaged or not a JPEG.');
		expect(gallery.listPeople()).toHaveLength(1);
		doc.people[0]!.name = 'g2';
		expect(gallery.importAll(doc).imported).toBe(1);
		const [, copy] = gallery.listPeople({ thumbnails: true });
		expect(copy?.thumbnail).toBeDefined();
		gallery.updateSettings({ keepThumbnails: false });
		doc.people[0]!.name = 'g3';
		expect(gallery.importAll(doc).imported).toBe(1);
		expect(gallery.exportAll().people.flatMap((p) => p.faces).every((f) => f.thumbnail === undefined)).toBe(true);
	});

	it('replaces the whole gallery on import when asked, in the same transaction', () => {
		gallery.enrolPerson('old', [{ embedding: vec(1, 0, 0, 0) }]);
		const doc = gallery.exportAll();
		doc.people[0]!.name = 'new';
		const bad = structuredClone(doc);
		bad.people.push({ name: 'broken', faces: [{ embedding: [1] }] });
		expect(() => gallery.importAll(bad, { replace: true })).toThrow();
		expect(gallery.listPeople().map((p) => p.name)).toEqual(['old']);
		expect(gallery.importAll(doc, { replace: true })).toMatchObject({ imported: 1, removed: 1 });
		expect(gallery.listPeople().map((p) => p.name)).toEqual(['new']);
		expect(gallery.entries()).toHaveLength(1);
	});
});

/**
 * The one contract every gallery store keeps, run against each (sqlite-gallery.test.ts,
 * pg-gallery.test.ts). A store, or a table added to the stores, is tested here once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gallery } from './gallery.ts';

const DIM = 4;
const vec = (...xs: number[]) => Float32Array.from(xs);
/** Smallest thing that passes the JPEG check: SOI + APP0 marker and some bytes. */
const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);

/** Storage for one test: every `open` reaches the same gallery (a file, a database). */
export type StoreFixture = {
	open(options?: { model?: string }): Promise<Gallery>;
	/** Removes the storage. */
	cleanup(): Promise<void>;
	/** Runs one SQL statement on the storage, outside any gallery (what an older FaceRTC left, say). */
	exec(statement: string): Promise<void>;
};

/** Waits until `probe` returns true (polling every 20 ms); throws after `timeoutMs` with `what`. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
	const start = performance.now();
	while (!(await probe())) {
		if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting until ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return performance.now() - start;
}

/** `fixture` makes fresh, empty storage for each test; null skips the suite (the caller prints why). */
export function galleryContract(name: string, fixture: () => Promise<StoreFixture | null>): void {
	describe(`${name} gallery (store contract)`, () => {
		let storage: StoreFixture;
		let gallery: Gallery;
		const others: Gallery[] = [];
		const reopen = async (model = 'm1') => {
			await gallery.close();
			gallery = await storage.open({ model });
		};

		beforeEach(async () => {
			storage = (await fixture())!;
			gallery = await storage.open();
		});
		afterEach(async () => {
			await Promise.all(others.splice(0).map((g) => g.close()));
			await gallery.close();
			await storage.cleanup();
		});

		it('stores people and faces and reads them back after reopening', async () => {
			const alice = await gallery.addPerson('alice');
			await gallery.addFace(alice.id, vec(1, 2, 3, 4));
			await gallery.addFace(alice.id, vec(0.5, 0, 0, 0));
			await reopen();
			expect(await gallery.listPeople()).toEqual([{ id: alice.id, name: 'alice', faces: 2, coverage: { frontal: 0, left: 0, right: 0, unknown: 2 } }]);
			expect(gallery.entries().map((e) => Array.from(e.embedding))).toEqual([
				[1, 2, 3, 4],
				[0.5, 0, 0, 0]
			]);
			expect(gallery.health()).toMatchObject({ ok: true, people: 1, embeddings: 2 });
		});

		it('keeps embeddings bit-exact', async () => {
			const odd = Float32Array.from([Math.PI, -0, 1e-38, 3.4028234663852886e38]);
			const { person } = await gallery.enrolPerson('exact', [{ embedding: odd }]);
			await reopen();
			const [entry] = gallery.entries();
			expect(entry?.personId).toBe(person.id);
			expect(Buffer.from(entry!.embedding.buffer)).toEqual(Buffer.from(odd.buffer));
		});

		it('never matches embeddings of another model', async () => {
			const bob = await gallery.addPerson('bob');
			await gallery.addFace(bob.id, vec(1, 1, 1, 1));
			await reopen('m2');
			expect((await gallery.listPeople())[0]?.faces).toBe(1);
			expect(gallery.entries()).toEqual([]);
		});

		it('lists faces of another model and re-embeds them in place; the snapshot follows', async () => {
			await gallery.updateSettings({ keepThumbnails: true });
			const { person } = await gallery.enrolPerson('ann', [{ embedding: vec(1, 0, 0, 0), thumbnail: jpeg(1) }, { embedding: vec(0, 1, 0, 0) }]);
			await reopen('m2');
			const old = await gallery.otherModelFaces();
			expect(old.map((f) => [f.personId, f.name, f.model, f.dim, f.thumbnail !== null])).toEqual([
				[person.id, 'ann', 'm1', DIM, true],
				[person.id, 'ann', 'm1', DIM, false]
			]);
			expect(await gallery.reembedFace(old[0]!.id, vec(0, 0, 1, 0))).toBe(true);
			expect(gallery.entries().map((e) => [e.personId, Array.from(e.embedding)])).toEqual([[person.id, [0, 0, 1, 0]]]);
			expect((await gallery.otherModelFaces()).map((f) => f.id)).toEqual([old[1]!.id]);
			expect(await gallery.reembedFace('no-such-face', vec(1, 1, 1, 1))).toBe(false);
			await expect(gallery.reembedFace(old[1]!.id, vec(1, 2, 3))).rejects.toMatchObject({ code: 'bad-request' });
		});

		it('refuses a face for an unknown person or of the wrong size', async () => {
			await expect(gallery.addFace('nobody', vec(1, 2, 3, 4))).rejects.toThrow(/no such person/);
			const p = await gallery.addPerson('p');
			await expect(gallery.addFace(p.id, vec(1, 2))).rejects.toThrow(/4 finite numbers/);
			await expect(gallery.addFace(p.id, vec(1, 2, 3, Number.NaN))).rejects.toThrow(/finite/);
			expect(gallery.entries()).toEqual([]);
		});

		it('deletes a person with their faces, and the snapshot follows', async () => {
			const p = await gallery.addPerson('p');
			await gallery.addFace(p.id, vec(1, 2, 3, 4));
			const before = gallery.entries();
			expect(before).toHaveLength(1);
			expect(gallery.entries()).toBe(before); // the same array until a change
			expect(await gallery.deletePerson(p.id)).toBe(true);
			expect(await gallery.deletePerson(p.id)).toBe(false);
			expect(gallery.entries()).toHaveLength(0);
			expect(await gallery.listPeople()).toEqual([]);
		});

		it('exports and imports all or nothing, saying in words what is wrong', async () => {
			const p = await gallery.addPerson('carol');
			await gallery.addFace(p.id, vec(1, 0, 0, 0));
			const doc = await gallery.exportAll();
			expect(doc).toMatchObject({ format: 'facertc-gallery', version: 1, model: 'm1', dim: DIM });
			const bad = structuredClone(doc);
			bad.people.push({ name: 'dave', faces: [{ embedding: [0, 1, 0, 0] }] }, { name: 'broken', faces: [{ embedding: [1, 2] }] });
			await expect(gallery.importAll(bad)).rejects.toThrow('person 3 (“broken”), face 1: the face data is damaged (it should be 4 numbers).');
			expect(await gallery.listPeople()).toHaveLength(1);
			await expect(gallery.importAll({ ...doc, model: 'other' })).rejects.toThrow(/another face model \(other, 4 numbers a face\); this server uses m1/);
			bad.people.pop();
			expect(await gallery.importAll(bad)).toEqual({ imported: 1, merged: 0, unchanged: 1, facesAdded: 1, facesSkipped: 1, renamed: 0 });
			expect((await gallery.listPeople()).map((x) => x.name)).toEqual(['carol', 'dave']);
			expect(gallery.entries()).toHaveLength(2);
		});

		it('imports your own backup without doubling anyone: same name and embedding skipped, new faces merged', async () => {
			const carol = (await gallery.enrolPerson('Carol', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }])).person;
			await gallery.enrolPerson('dan', [{ embedding: vec(0, 0, 1, 0) }]);
			const backup = await gallery.exportAll();
			expect(await gallery.importAll(backup)).toEqual({ imported: 0, merged: 0, unchanged: 2, facesAdded: 0, facesSkipped: 3, renamed: 0 });
			expect((await gallery.listPeople()).map((p) => [p.name, p.faces])).toEqual([
				['Carol', 2],
				['dan', 1]
			]);
			expect(gallery.entries()).toHaveLength(3);

			// Another device's backup: Carol (other case and spacing) with one face more, and one name
			// twice (two people: the later is numbered).
			const other = structuredClone(backup);
			other.people[0]!.name = '  carol ';
			other.people[0]!.faces.push({ embedding: [0, 0, 0, 1] });
			other.people.push(
				{ name: 'Eve', faces: [{ embedding: [0.5, 0.5, 0, 0] }] },
				{ name: 'eve', faces: [{ embedding: [0.5, 0.5, 0, 0] }, { embedding: [0, 0.5, 0.5, 0] }] }
			);
			expect(await gallery.importAll(other)).toEqual({ imported: 2, merged: 1, unchanged: 1, facesAdded: 4, facesSkipped: 3, renamed: 1 });
			expect((await gallery.listPeople()).map((p) => [p.name, p.faces])).toEqual([
				['Carol', 3],
				['dan', 1],
				['Eve', 1],
				['eve (2)', 2]
			]);
			expect((await gallery.listFaces(carol.id))?.map((f) => f.source)).toEqual([null, null, 'import']);
			expect(gallery.entries()).toHaveLength(7);

			expect(await gallery.importAll(backup, { replace: true })).toEqual({
				imported: 2,
				merged: 0,
				unchanged: 0,
				facesAdded: 3,
				facesSkipped: 0,
				renamed: 0,
				removed: 4
			});
			expect((await gallery.listPeople()).map((p) => [p.name, p.faces])).toEqual([
				['Carol', 2],
				['dan', 1]
			]);
		});

		it('stores the pose and source of each face, lists the poses per person, and keeps them through a backup', async () => {
			const { person } = await gallery.enrolPerson('gil', [
				{ embedding: vec(1, 0, 0, 0), yaw: 0.02, source: 'camera' },
				{ embedding: vec(0, 1, 0, 0), yaw: 0.3, source: 'camera' },
				{ embedding: vec(0, 0, 1, 0), yaw: Number.NaN, source: 'photo' }
			]);
			const round = (y: number | null) => (y === null ? null : Math.round(y * 100) / 100);
			expect((await gallery.listFaces(person.id))?.map((f) => [round(f.yaw), f.source])).toEqual([
				[0.02, 'camera'],
				[0.3, 'camera'],
				[null, 'photo']
			]);
			const coverage = { frontal: 1, left: 1, right: 0, unknown: 1 };
			expect((await gallery.listPeople())[0]?.coverage).toEqual(coverage);
			const doc = await gallery.exportAll();
			expect(doc.people[0]?.faces.map((f) => f.yaw !== undefined)).toEqual([true, true, false]);
			await gallery.importAll(doc, { replace: true });
			const [copy] = await gallery.listPeople();
			expect(copy?.coverage).toEqual(coverage);
			expect((await gallery.listFaces(copy!.id))?.map((f) => round(f.yaw))).toEqual([0.02, 0.3, null]);
			expect((await gallery.listFaces(copy!.id))?.map((f) => f.source)).toEqual(['import', 'import', 'import']);
		});

		it('enrols a person with all their faces at once, or not at all', async () => {
			const { person, faceIds } = await gallery.enrolPerson('dora', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }]);
			expect(person).toMatchObject({ name: 'dora', faces: 2 });
			expect(faceIds).toHaveLength(2);
			await expect(gallery.enrolPerson('eve', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(1, 2) }])).rejects.toThrow(/finite/);
			await expect(gallery.enrolPerson('nobody', [])).rejects.toThrow(/no faces/);
			expect((await gallery.listPeople()).map((p) => p.name)).toEqual(['dora']);
			expect(gallery.entries()).toHaveLength(2);
		});

		it('lists people by name, case aside, then id', async () => {
			for (const name of ['bob', 'alpha', 'Alice', 'Émile', 'zoe']) await gallery.addPerson(name);
			expect((await gallery.listPeople()).map((p) => p.name)).toEqual(['Alice', 'alpha', 'bob', 'zoe', 'Émile']);
		});

		it('refuses a name somebody else has (case, width and invisible characters aside), on every write that names', async () => {
			const ann = await gallery.enrolPerson('Ann Lee', [{ embedding: vec(1, 0, 0, 0) }]);
			const bob = await gallery.addPerson('Bob');
			const taken = { code: 'conflict', message: expect.stringMatching(/"Ann Lee" is already enrolled/) };
			await expect(gallery.addPerson('ann lee')).rejects.toMatchObject(taken);
			await expect(gallery.enrolPerson('ＡＮＮ LEE', [{ embedding: vec(0, 1, 0, 0) }])).rejects.toMatchObject(taken);
			await expect(gallery.renamePerson(bob.id, 'An\u200dn Lee')).rejects.toMatchObject(taken);
			// A person may take another spelling of their own name.
			expect(await gallery.renamePerson(ann.person.id, 'ANN LEE')).toMatchObject({ name: 'ANN LEE' });
			expect((await gallery.listPeople()).map((p) => p.name)).toEqual(['ANN LEE', 'Bob']);
			expect(gallery.entries()).toHaveLength(1);
		});

		it('finds a person by name as the name rule compares names, after a rename too', async () => {
			const ann = await gallery.addPerson('Ann Lee');
			await gallery.addPerson('Bob');
			expect(await gallery.findByName('ＡＮＮ  lee')).toEqual({ id: ann.id, name: 'Ann Lee' });
			expect(await gallery.findByName('Ann')).toBeNull();
			await gallery.renamePerson(ann.id, 'Annie');
			expect(await gallery.findByName('ann lee')).toBeNull();
			expect(await gallery.findByName('ANNIE')).toEqual({ id: ann.id, name: 'Annie' });
			const cy = await gallery.enrolPerson('Cy', [{ embedding: vec(0, 0, 1, 0) }]);
			const doc = await gallery.exportAll();
			await gallery.deletePerson(cy.person.id);
			expect(await gallery.findByName('cy')).toBeNull();
			expect((await gallery.importAll(doc)).imported).toBe(1);
			expect((await gallery.findByName('cy'))?.name).toBe('Cy');
		});

		it('fills the name keys of people written before they were kept, when opened', async () => {
			const ann = await gallery.enrolPerson('Ann Lee', [{ embedding: vec(1, 0, 0, 0) }]);
			await gallery.close();
			await storage.exec('UPDATE people SET name_key = NULL');
			gallery = await storage.open();
			expect(await gallery.findByName('ann lee')).toEqual({ id: ann.person.id, name: 'Ann Lee' });
			await expect(gallery.addPerson('ANN LEE')).rejects.toMatchObject({ code: 'conflict' });
		});

		it('finds and refuses a name an older server wrote without its key, while this one runs', async () => {
			await gallery.addPerson('Bo');
			// What a server of schema 6 on the same database would write, after this one migrated.
			await storage.exec("INSERT INTO people (id, name, created_at) VALUES ('old-ann', 'Ann Lee', 1)");
			expect(await gallery.findByName('ann lee')).toEqual({ id: 'old-ann', name: 'Ann Lee' });
			await expect(gallery.addPerson('ANN LEE')).rejects.toMatchObject({ code: 'conflict' });
		});

		it('makes every key again when they were made by another rule or Unicode version', async () => {
			const ann = await gallery.addPerson('Ann Lee');
			await gallery.close();
			await storage.exec("UPDATE people SET name_key = 'stale'");
			await storage.exec("INSERT INTO settings (key, value) VALUES ('name_keys', 'an older rule') ON CONFLICT (key) DO UPDATE SET value = excluded.value");
			gallery = await storage.open();
			expect(await gallery.findByName('ann lee')).toEqual({ id: ann.id, name: 'Ann Lee' });
			await expect(gallery.addPerson('ANN LEE')).rejects.toMatchObject({ code: 'conflict' });
		});

		it('gives a name to one of two openers that claim it at the same moment', async () => {
			const other = await storage.open();
			others.push(other);
			const claims = await Promise.allSettled([
				gallery.enrolPerson('Penny', [{ embedding: vec(1, 0, 0, 0) }]),
				other.enrolPerson('penny', [{ embedding: vec(0, 1, 0, 0) }]),
				gallery.addPerson('PENNY'),
				other.addPerson('Penny')
			]);
			expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
			for (const c of claims) if (c.status === 'rejected') expect(c.reason).toMatchObject({ code: 'conflict' });
			expect(await gallery.listPeople()).toHaveLength(1);
		});

		it('renames a person, lists and deletes single faces', async () => {
			const { person, faceIds } = await gallery.enrolPerson('fred', [{ embedding: vec(1, 0, 0, 0) }, { embedding: vec(0, 1, 0, 0) }]);
			expect(gallery.entries()[0]?.name).toBe('fred');
			expect(await gallery.renamePerson(person.id, 'Frederick')).toEqual({ id: person.id, name: 'Frederick', faces: 2 });
			expect(gallery.entries()[0]?.name).toBe('Frederick');
			expect(await gallery.renamePerson('nobody', 'x')).toBeNull();
			const faces = await gallery.listFaces(person.id);
			expect(faces?.map((f) => f.id)).toEqual(faceIds);
			expect(faces?.[0]).toMatchObject({ thumbnail: null, createdAt: expect.any(Number) });
			expect(await gallery.listFaces('nobody')).toBeNull();
			expect(await gallery.deleteFace('other-person', faceIds[0]!)).toBe(false);
			expect(await gallery.deleteFace(person.id, faceIds[0]!)).toBe(true);
			expect(await gallery.deleteFace(person.id, faceIds[0]!)).toBe(false);
			expect((await gallery.getPerson(person.id))?.faces).toBe(1);
			expect(gallery.entries().map((e) => Array.from(e.embedding))).toEqual([[0, 1, 0, 0]]);
		});

		it('keeps thumbnails only while the setting is on, and drops them all when it is turned off', async () => {
			expect(await gallery.settings()).toEqual({ keepThumbnails: false });
			const a = await gallery.enrolPerson('a', [{ embedding: vec(1, 0, 0, 0), thumbnail: jpeg(1) }]);
			expect((await gallery.listFaces(a.person.id))?.[0]?.thumbnail).toBeNull();
			expect(await gallery.updateSettings({ keepThumbnails: true })).toEqual({ keepThumbnails: true });
			const b = await gallery.enrolPerson('b', [{ embedding: vec(0, 1, 0, 0), thumbnail: jpeg(2) }]);
			expect(Array.from((await gallery.listFaces(b.person.id))?.[0]?.thumbnail ?? [])).toEqual(Array.from(jpeg(2)));
			expect((await gallery.listPeople({ thumbnails: true })).map((p) => p.thumbnail !== undefined)).toEqual([false, true]);
			expect((await gallery.listPeople())[1]).not.toHaveProperty('thumbnail');
			await expect(gallery.addFace(b.person.id, vec(0, 0, 1, 0), Uint8Array.from([1, 2, 3, 4]))).rejects.toThrow(/not a JPEG/);

			await reopen();
			expect(await gallery.settings()).toEqual({ keepThumbnails: true });
			await gallery.updateSettings({ keepThumbnails: false });
			expect((await gallery.listFaces(b.person.id))?.[0]?.thumbnail).toBeNull();
		});

		it('exports thumbnails when kept and imports them back, checking them before writing', async () => {
			await gallery.updateSettings({ keepThumbnails: true });
			await gallery.enrolPerson('g', [{ embedding: vec(1, 0, 0, 0), thumbnail: jpeg(3) }]);
			const doc = await gallery.exportAll();
			expect(doc.people[0]?.faces[0]?.thumbnail).toBe(Buffer.from(jpeg(3)).toString('base64'));
			const bad = structuredClone(doc);
			bad.people.push({ name: 'h', faces: [{ embedding: [0, 0, 0, 1], thumbnail: Buffer.from('nope').toString('base64') }] });
			await expect(gallery.importAll(bad)).rejects.toThrow('person 2 (“h”), face 1: the picture is damaged or not a JPEG.');
			expect(await gallery.listPeople()).toHaveLength(1);
			doc.people[0]!.name = 'g2';
			expect((await gallery.importAll(doc)).imported).toBe(1);
			const [, copy] = await gallery.listPeople({ thumbnails: true });
			expect(copy?.thumbnail).toBeDefined();
			await gallery.updateSettings({ keepThumbnails: false });
			doc.people[0]!.name = 'g3';
			expect((await gallery.importAll(doc)).imported).toBe(1);
			expect((await gallery.exportAll()).people.flatMap((p) => p.faces).every((f) => f.thumbnail === undefined)).toBe(true);
		});

		it('replaces the whole gallery on import when asked, in the same transaction', async () => {
			await gallery.enrolPerson('old', [{ embedding: vec(1, 0, 0, 0) }]);
			const doc = await gallery.exportAll();
			doc.people[0]!.name = 'new';
			const bad = structuredClone(doc);
			bad.people.push({ name: 'broken', faces: [{ embedding: [1] }] });
			await expect(gallery.importAll(bad, { replace: true })).rejects.toThrow();
			expect((await gallery.listPeople()).map((p) => p.name)).toEqual(['old']);
			expect(await gallery.importAll(doc, { replace: true })).toMatchObject({ imported: 1, removed: 1 });
			expect((await gallery.listPeople()).map((p) => p.name)).toEqual(['new']);
			expect(gallery.entries().map((e) => e.name)).toEqual(['new']);
		});

		it('makes a shared secret once: every opener gets the first value', async () => {
			const other = await storage.open();
			others.push(other);
			const [a, b] = await Promise.all([gallery.sharedSecret('admin-token', () => 'first'), other.sharedSecret('admin-token', () => 'second')]);
			expect(a).toBe(b);
			expect(['first', 'second']).toContain(a);
			await reopen();
			expect(await gallery.sharedSecret('admin-token', () => 'third')).toBe(a);
			expect(await gallery.sharedSecret('recognize-token', () => 'other')).toBe('other');
		});

		it('keeps a pairing code for every opener, good once and only until it expires', async () => {
			const other = await storage.open();
			others.push(other);
			const now = Date.now();
			await gallery.savePairingCode('hash-a', 'admin', now + 60_000);
			await gallery.savePairingCode('hash-b', 'recognize', now + 60_000);
			await gallery.savePairingCode('hash-old', 'admin', now + 10);
			const taken = await Promise.all([other.takePairingCode('hash-a', now), gallery.takePairingCode('hash-a', now)]);
			expect(taken.sort()).toEqual(['admin', null]);
			expect(await gallery.takePairingCode('hash-old', now + 10)).toBeNull();
			expect(await gallery.takePairingCode('nothing', now)).toBeNull();
			expect(await other.takePairingCode('hash-b', now)).toBe('recognize');
		});

		it('a second opener of the same gallery follows writes made by the first', async () => {
			const other = await storage.open();
			others.push(other);
			const { person } = await gallery.enrolPerson('ivy', [{ embedding: vec(1, 0, 0, 0) }]);
			const seen = await waitUntil(() => other.entries().some((e) => e.personId === person.id), 'the enrolment reaches the other');
			await gallery.renamePerson(person.id, 'Ivy');
			await waitUntil(() => other.entries()[0]?.name === 'Ivy', 'the rename reaches the other');
			await gallery.deletePerson(person.id);
			await waitUntil(() => other.entries().length === 0, 'the deletion reaches the other');
			console.log(`${name}: an enrolment reached another opener after ${seen.toFixed(0)} ms`);
			expect(other.health().ok).toBe(true);
		});
	});
}

/**
 * The learning store's contract (server/learn/store.ts), run against both stores by
 * sqlite-gallery.test.ts and pg-gallery.test.ts with the same fixture as the gallery contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFixture } from './gallery.contract.ts';
import type { LearningPlan, LearningSeen } from '../learn/store.ts';
import type { Gallery } from './gallery.ts';
import { embeddingKey } from './import-plan.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);

export function learnContract(name: string, fixture: () => Promise<StoreFixture | null>): void {
	describe(`${name} learning store (store contract)`, () => {
		let storage: StoreFixture;
		let gallery: Gallery;

		beforeEach(async () => {
			storage = (await fixture())!;
			gallery = await storage.open();
		});
		afterEach(async () => {
			await gallery.close();
			await storage.cleanup();
		});

		it('keeps rememberUnknowns off by default, and turning it off forgets every group', async () => {
			expect(await gallery.learn.learnSettings()).toEqual({ rememberUnknowns: false });
			expect(await gallery.learn.updateLearnSettings({ rememberUnknowns: true })).toEqual({ rememberUnknowns: true });
			await gallery.learn.addUnknownFaces('g1', [{ groupId: 'g1', embedding: vec(1, 0, 0, 0), at: 1000 }]);
			expect(await gallery.learn.listUnknownGroups()).toHaveLength(1);
			await gallery.close();
			gallery = await storage.open();
			expect(await gallery.learn.learnSettings()).toEqual({ rememberUnknowns: true });
			await gallery.learn.updateLearnSettings({ rememberUnknowns: false });
			expect(await gallery.learn.listUnknownGroups()).toEqual([]);
		});

		it('lists unknown groups biggest first, with seen times, thumbnails only when asked, and merges and forgets them', async () => {
			const { learn } = gallery;
			await learn.addUnknownFaces('small', [{ groupId: 'small', embedding: vec(0, 1, 0, 0), at: 5000 }]);
			await learn.addUnknownFaces('big', [
				{ groupId: 'big', embedding: vec(1, 0, 0, 0), at: 2000, thumbnail: jpeg(1) },
				{ groupId: 'big', embedding: vec(1, 0.1, 0, 0), at: 3000, thumbnail: jpeg(2) }
			]);
			await learn.addUnknownFaces('big', [{ groupId: 'big', embedding: vec(1, 0.2, 0, 0), at: 4000 }]);
			expect(await learn.listUnknownGroups()).toEqual([
				{ id: 'big', faces: 3, firstSeen: 2000, lastSeen: 4000 },
				{ id: 'small', faces: 1, firstSeen: 5000, lastSeen: 5000 }
			]);
			const withThumbs = await learn.listUnknownGroups({ thumbnails: true });
			expect(Array.from(withThumbs[0]!.thumbnail!)).toEqual(Array.from(jpeg(2)));
			expect(withThumbs[1]!.thumbnail).toBeUndefined();
			expect((await learn.unknownFaces('big')).map((f) => Array.from(f.embedding))).toEqual([
				[1, 0, 0, 0],
				[1, expect.closeTo(0.1, 6), 0, 0],
				[1, expect.closeTo(0.2, 6), 0, 0]
			]);

			await learn.mergeUnknownGroups('big', 'small');
			expect(await learn.listUnknownGroups()).toEqual([{ id: 'big', faces: 4, firstSeen: 2000, lastSeen: 5000 }]);
			await learn.dropUnknownThumbnails();
			expect((await learn.listUnknownGroups({ thumbnails: true }))[0]!.thumbnail).toBeUndefined();
			expect(await learn.deleteUnknownGroup('big')).toBe(true);
			expect(await learn.deleteUnknownGroup('big')).toBe(false);
			expect(await learn.unknownFaces()).toEqual([]);
		});

		it('refuses an embedding of the wrong size and a thumbnail that is not a JPEG, storing nothing', async () => {
			await expect(gallery.learn.addUnknownFaces('g', [{ groupId: 'g', embedding: vec(1, 2), at: 1 }])).rejects.toMatchObject({ code: 'bad-request' });
			await expect(
				gallery.learn.addUnknownFaces('g', [{ groupId: 'g', embedding: vec(1, 2, 3, 4), at: 1, thumbnail: Uint8Array.from([1, 2, 3, 4]) }])
			).rejects.toMatchObject({ code: 'bad-request' });
			expect(await gallery.learn.listUnknownGroups()).toEqual([]);
		});

		it('settles a named group: its sightings become the person’s and the group is gone', async () => {
			const { learn } = gallery;
			await learn.addUnknownFaces('g', [{ groupId: 'g', embedding: vec(1, 0, 0, 0), at: 1000 }]);
			await learn.addSighting({ id: 's1', personId: null, groupId: 'g', label: 'unknown', device: 'd', deviceName: null, firstSeen: 1000, lastSeen: 1500 });
			const ann = await gallery.addPerson('Ann');
			expect(await learn.settleUnknownGroup('g', ann.id, 'Ann')).toBe(true);
			expect(await learn.settleUnknownGroup('g', ann.id, 'Ann')).toBe(false);
			expect(await learn.listSightings(0, 10)).toEqual([
				{ id: 's1', personId: ann.id, groupId: null, label: 'Ann', device: 'd', deviceName: null, firstSeen: 1000, lastSeen: 1500 }
			]);
			expect(await learn.listUnknownGroups()).toEqual([]);
		});

		it('imports people and their learning rows in one transaction: all of it, or nothing when planning them fails', async () => {
			const { learn } = gallery;
			await learn.updateLearnSettings({ rememberUnknowns: true });
			const ann = (await gallery.enrolPerson('Ann', [{ embedding: vec(1, 0, 0, 0) }])).person;
			await learn.addNegative(ann.id, vec(0, 0, 0, 1));
			await learn.addUnknownFaces('old', [{ groupId: 'old', embedding: vec(0, 0, 1, 0), at: 1000 }]);
			const doc = {
				...(await gallery.exportAll()),
				people: [
					{ name: 'ann', faces: [] },
					{ name: 'Bo', faces: [{ embedding: [0, 1, 0, 0] }] },
					{ name: 'bo', faces: [{ embedding: [0, 1, 0.5, 0] }] }
				]
			};
			const before = { people: await gallery.listPeople(), negatives: await learn.negatives(), groups: await learn.listUnknownGroups() };

			// Planning fails after the people were written in the transaction: none of it stays.
			const wants = { negatives: true, unknowns: true };
			await expect(
				gallery.importAll(doc, {
					learning: {
						wants,
						plan: () => {
							throw new Error('planning failed');
						}
					}
				})
			).rejects.toThrow('planning failed');
			expect(await gallery.listPeople()).toEqual(before.people);
			expect(await learn.negatives()).toEqual(before.negatives);
			expect(await learn.listUnknownGroups()).toEqual(before.groups);
			expect(gallery.entries()).toHaveLength(1);

			let seen: LearningSeen | undefined;
			const plan = (s: LearningSeen): LearningPlan => {
				seen = s;
				const bo2 = s.personIdOf('bo (2)')!;
				const face = (groupId: string, at: number, ...xs: number[]) => ({ groupId, embedding: vec(...xs), at });
				return {
					// Two negatives for one person: the snapshot must still hold their faces once.
					negatives: [
						{ personId: bo2, embedding: vec(0.5, 0.5, 0, 0) },
						{ personId: bo2, embedding: vec(0.5, 0, 0.5, 0) }
					],
					unknownGroups: [
						{ groupId: 'new', faces: [face('new', 2000, 0, 0.5, 0.5, 0)] },
						{ groupId: 'other', faces: [face('other', 2500, 0.2, 0.5, 0.5, 0), face('other', 3000, 0.3, 0.5, 0.5, 0)] }
					],
					result: { negativesAdded: 2, unknownFacesAdded: 3 }
				};
			};
			const result = await gallery.importAll(doc, { learning: { wants, plan } });
			expect(result).toMatchObject({ imported: 2, merged: 0, unchanged: 1, renamed: 1, negativesAdded: 2, unknownFacesAdded: 3 });
			expect(gallery.entries()).toHaveLength(3);
			const people = await gallery.listPeople();
			const idOf = (name: string) => people.find((p) => p.name === name)?.id;
			// The people as the transaction left them, by the names the import gave them.
			expect(seen!.personIdOf('ann')).toBe(ann.id);
			expect(seen!.personIdOf('BO')).toBe(idOf('Bo'));
			expect(seen!.personIdOf('bo (2)')).toBe(idOf('bo (2)'));
			expect(seen!.personIdOf('nobody')).toBeUndefined();
			expect([...seen!.negativeKeys]).toEqual([`${ann.id}:${embeddingKey(vec(0, 0, 0, 1))}`]);
			expect([...seen!.unknownKeys]).toEqual([embeddingKey(vec(0, 0, 1, 0))]);
			expect(seen!.rememberUnknowns).toBe(true);
			expect((await learn.negatives()).map((n) => [n.personId, Array.from(n.embedding)])).toEqual([
				[ann.id, [0, 0, 0, 1]],
				[idOf('bo (2)'), [0.5, 0.5, 0, 0]],
				[idOf('bo (2)'), [0.5, 0, 0.5, 0]]
			]);
			expect((await learn.listUnknownGroups()).map((g) => [g.id, g.faces, g.firstSeen, g.lastSeen])).toEqual([
				['other', 2, 2500, 3000],
				['new', 1, 2000, 2000],
				['old', 1, 1000, 1000]
			]);
		});

		it('keeps negatives per person; deleting the person deletes their negatives, corrections and sightings', async () => {
			const { learn } = gallery;
			const ann = await gallery.enrolPerson('Ann', [{ embedding: vec(1, 0, 0, 0) }]);
			const bob = await gallery.enrolPerson('Bob', [{ embedding: vec(0, 1, 0, 0) }]);
			await expect(learn.addNegative('nobody', vec(1, 1, 1, 1))).rejects.toMatchObject({ code: 'not-found' });
			const negative = await learn.addNegative(ann.person.id, vec(0.9, 0.1, 0, 0));
			await learn.addNegative(bob.person.id, vec(0, 0.9, 0.1, 0));
			expect((await learn.negatives()).map((n) => n.personId)).toEqual([ann.person.id, bob.person.id]);
			const correction = await learn.addCorrection({
				personId: ann.person.id,
				kind: 'not',
				faceId: null,
				negativeId: negative.id,
				wasPersonId: null,
				device: 'peer-1',
				deviceName: null,
				byToken: 'admin'
			});
			await learn.addCorrection({
				personId: bob.person.id,
				kind: 'is',
				faceId: 'f',
				negativeId: null,
				wasPersonId: ann.person.id,
				device: 'peer-1',
				deviceName: null,
				byToken: 'admin'
			});
			expect((await learn.listCorrections(ann.person.id)).map((c) => c.kind).sort()).toEqual(['is', 'not']);
			expect(await learn.getCorrection(correction.id)).toMatchObject({ kind: 'not', negativeId: negative.id, undoneAt: null });
			expect(await learn.markUndone(correction.id, 99)).toBe(true);
			expect(await learn.markUndone(correction.id, 100)).toBe(false);
			expect(await learn.getCorrection(correction.id)).toMatchObject({ undoneAt: 99 });
			await learn.addSighting({ id: 's', personId: ann.person.id, groupId: null, label: 'Ann', device: 'd', deviceName: null, firstSeen: 1, lastSeen: 2 });

			await gallery.deletePerson(ann.person.id);
			expect((await learn.negatives()).map((n) => n.personId)).toEqual([bob.person.id]);
			expect(await learn.listCorrections(bob.person.id)).toEqual([]);
			expect(await learn.getCorrection(correction.id)).toBeNull();
			expect(await learn.listSightings(0, 10)).toEqual([]);
			expect(await learn.deleteNegative(negative.id)).toBe(false);
		});

		it('keeps the device label of each correction and sighting; a row an older server wrote reads with none', async () => {
			const { learn } = gallery;
			const ann = await gallery.enrolPerson('Ann', [{ embedding: vec(1, 0, 0, 0) }]);
			const device = { device: '0123456789abcdef0123456789abcdef', deviceName: 'Chrome on Android' };
			const correction = await learn.addCorrection({
				personId: ann.person.id,
				kind: 'is',
				faceId: 'f',
				negativeId: null,
				wasPersonId: null,
				...device,
				byToken: 'admin'
			});
			expect(correction).toMatchObject(device);
			expect(await learn.getCorrection(correction.id)).toMatchObject(device);
			await learn.addSighting({ id: 'new', personId: ann.person.id, groupId: null, label: 'Ann', ...device, firstSeen: 2, lastSeen: 2 });
			// As a server from before migration 008 writes, sharing the database (PostgreSQL) or before it migrated.
			await storage.exec(
				`INSERT INTO corrections (id, person_id, kind, face_id, negative_id, was_person_id, device, by_token, created_at) VALUES ('old', '${ann.person.id}', 'not', NULL, NULL, NULL, 'peer-old', 'admin', 1)`
			);
			await storage.exec(
				`INSERT INTO sightings (id, person_id, group_id, label, device, first_seen, last_seen) VALUES ('old', '${ann.person.id}', NULL, 'Ann', 'peer-old', 1, 1)`
			);
			expect((await learn.listCorrections(ann.person.id)).map((c) => [c.id === correction.id ? 'new' : c.id, c.device, c.deviceName])).toEqual([
				['new', device.device, device.deviceName],
				['old', 'peer-old', null]
			]);
			expect((await learn.listSightings(0, 10)).map((s) => [s.id, s.device, s.deviceName])).toEqual([
				['new', device.device, device.deviceName],
				['old', 'peer-old', null]
			]);
		});

		it('lists sightings in view since a time, newest first, moves last seen forward only, and expires old ones', async () => {
			const { learn } = gallery;
			const base = { personId: null, groupId: null, label: 'unknown', device: 'd', deviceName: null };
			await learn.addSighting({ ...base, id: 'a', firstSeen: 1000, lastSeen: 1000 });
			await learn.addSighting({ ...base, id: 'b', firstSeen: 2000, lastSeen: 2500 });
			await learn.touchSighting('a', 3000);
			await learn.touchSighting('a', 1200);
			expect((await learn.listSightings(0, 10)).map((s) => [s.id, s.lastSeen])).toEqual([
				['b', 2500],
				['a', 3000]
			]);
			expect((await learn.listSightings(2600, 10)).map((s) => s.id)).toEqual(['a']);
			expect((await learn.listSightings(0, 1)).map((s) => s.id)).toEqual(['b']);

			await learn.addUnknownFaces('old', [{ groupId: 'old', embedding: vec(1, 0, 0, 0), at: 100 }]);
			await learn.addUnknownFaces('mixed', [
				{ groupId: 'mixed', embedding: vec(1, 0, 0, 0), at: 100 },
				{ groupId: 'mixed', embedding: vec(0, 1, 0, 0), at: 5000 }
			]);
			expect(await learn.expire(2800)).toEqual({ groups: 1, faces: 2, sightings: 1 });
			expect(await learn.listUnknownGroups()).toEqual([{ id: 'mixed', faces: 1, firstSeen: 100, lastSeen: 5000 }]);
			expect((await learn.listSightings(0, 10)).map((s) => s.id)).toEqual(['a']);
		});
	});
}

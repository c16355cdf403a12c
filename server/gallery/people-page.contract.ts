/**
 * The people list's contract (gallery.ts: listPeople, pagePeople), run against both stores by
 * sqlite-gallery.test.ts and pg-gallery.test.ts with the gallery contract's fixture: coverage
 * counted in SQL is what coverageOf counts over the stored yaws; pages put together are the full
 * list; a search finds whom the People page's rule finds; a cursor holds through changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchPeople, type PeopleCursor } from '../../src/lib/protocol/people-page.ts';
import { coverageOf } from '../../src/lib/protocol/pose.ts';
import type { StoreFixture } from './gallery.contract.ts';
import type { Gallery, PersonListing } from './gallery.ts';

const vec = (...xs: number[]) => Float32Array.from(xs);
const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);
/** The double after `x` (towards +∞). */
const nextUp = (x: number) => {
	const view = new DataView(new ArrayBuffer(8));
	view.setFloat64(0, x);
	view.setBigUint64(0, view.getBigUint64(0) + (x >= 0 ? 1n : -1n));
	return view.getFloat64(0);
};

export function peoplePageContract(name: string, fixture: () => Promise<StoreFixture | null>): void {
	describe(`${name} people list and pages (store contract)`, () => {
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

		/** Every page of `q`, `limit` at a time, following the cursors; `between` runs after each page. */
		async function allPages(limit: number, q = '', between?: (page: number, next: PeopleCursor) => Promise<void>) {
			const pages: PersonListing[][] = [];
			let after: PeopleCursor | null = null;
			do {
				const page = await gallery.pagePeople({ limit, after, q, thumbnails: true });
				expect(page.people.length).toBeLessThanOrEqual(limit);
				pages.push(page.people);
				after = page.next;
				if (after) await between?.(pages.length, after);
			} while (after && pages.length < 1000);
			return pages;
		}

		it('counts each face by pose in SQL exactly as coverageOf counts its stored yaw, edges and hand-written rows too', async () => {
			const edges = [0, -0, 0.12, -0.12, nextUp(0.12), -nextUp(0.12), 0.11999999999999998, 1e-300, -1e-300, 5, -5, 1e308, -1e308, null, Number.NaN];
			const written = ["'Infinity'", "'-Infinity'", "'NaN'"];
			const { person, faceIds } = await gallery.enrolPerson(
				'edges',
				[...edges, ...written.map(() => 0.5)].map((yaw, i) => ({ embedding: vec(i + 1, 0, 0, 0), yaw }))
			);
			// What an older or foreign writer may leave: SQLite keeps these as text, PostgreSQL as ±Infinity and NaN.
			for (const [i, value] of written.entries()) {
				await storage.exec(`UPDATE faces SET yaw = ${value} WHERE id = '${faceIds[edges.length + i]}'`);
			}
			const { person: plain } = await gallery.enrolPerson('plain', [{ embedding: vec(0, 1, 0, 0), yaw: 0.3 }]);
			await gallery.addPerson('none');
			const expected = async (id: string) => coverageOf(((await gallery.listFaces(id)) ?? []).map((f) => f.yaw));
			const listed = await gallery.listPeople();
			const paged = (await gallery.pagePeople({ limit: 10, after: null, q: '' })).people;
			for (const people of [listed, paged]) {
				expect(people.map((p) => [p.name, p.faces])).toEqual([
					['edges', edges.length + written.length],
					['none', 0],
					['plain', 1]
				]);
				for (const p of people) expect(p.coverage, p.name).toEqual(await expected(p.id));
			}
			// Spelled out, so the rule itself cannot drift unseen: ±0.12 frontal, the next double turned.
			expect(listed[0]?.coverage).toEqual({ frontal: 7, left: 3, right: 3, unknown: 5 });
			expect((await expected(person.id)).unknown).toBe(5);
			expect(listed[1]?.coverage).toEqual({ frontal: 0, left: 0, right: 0, unknown: 0 });
			expect(listed.find((p) => p.id === plain.id)?.coverage).toEqual({ frontal: 0, left: 1, right: 0, unknown: 0 });
		});

		it('puts pages together into the full list, in its order, with totals on each', async () => {
			await gallery.updateSettings({ keepThumbnails: true });
			const names = ['bob', 'alpha', 'Alice', 'Émile Zola', 'zoe', 'Zoë Adams', '李 小龍', '🦊 Fox', 'ada lovelace', 'Bob Smith', 'carl', '_under', '0 zero'];
			let faces = 0;
			for (const [i, name] of names.entries()) {
				const n = i % 3;
				faces += n;
				if (n === 0) await gallery.addPerson(name);
				else
					await gallery.enrolPerson(
						name,
						Array.from({ length: n }, (_, j) => ({ embedding: vec(i, j, 1, 0), yaw: j * 0.2 - 0.1, thumbnail: jpeg(i) }))
					);
			}
			// Two names alike but for case (the name rule refuses that now; an older gallery may hold it): id decides.
			await storage.exec("INSERT INTO people (id, name, name_key, created_at) VALUES ('tie-b', 'TIE', 'tie', 1), ('tie-a', 'tie', 'tie', 1)");
			const full = await gallery.listPeople({ thumbnails: true });
			expect(full).toHaveLength(names.length + 2);
			expect(full.filter((p) => p.name.toLowerCase() === 'tie').map((p) => p.id)).toEqual(['tie-a', 'tie-b']);
			for (const limit of [1, 2, 3, 7, full.length, 500]) {
				const pages = await allPages(limit);
				expect(pages.flat(), `limit ${limit}`).toEqual(full);
				expect(pages).toHaveLength(Math.max(1, Math.ceil(full.length / limit)));
			}
			const first = await gallery.pagePeople({ limit: 4, after: null, q: '', thumbnails: true });
			expect(first).toMatchObject({ total: full.length, faces });
			const second = await gallery.pagePeople({ limit: 4, after: first.next, q: '', thumbnails: true });
			expect(second.total).toBe(full.length);
			expect(second).not.toHaveProperty('faces');
			expect(second.people[0]).toEqual(full[4]);
			expect((await gallery.pagePeople({ limit: 4, after: null, q: '', thumbnails: false })).people.every((p) => !('thumbnail' in p))).toBe(true);
		});

		it('answers an empty gallery with an empty last page', async () => {
			expect(await gallery.pagePeople({ limit: 5, after: null, q: '' })).toEqual({ people: [], total: 0, faces: 0, next: null });
			expect(await gallery.pagePeople({ limit: 5, after: null, q: 'ann' })).toEqual({ people: [], total: 0, next: null });
		});

		it('finds whom the People page would find, a page at a time, counting all matches', async () => {
			const names = ['Émile Zola', 'Ada Lovelace', '李 小龍', '🦊 Fox Mulder', 'Zoë Adams', 'Adam Ant', 'adele', 'Bob'];
			for (const name of names) await gallery.addPerson(name);
			const full = await gallery.listPeople();
			for (const q of ['emile', 'ÉMILE', 'ＡＤＡ', 'ada', 'zola em', 'love', '小龍', '🦊', 'ad am', 'nobody', 'a']) {
				const expected = searchPeople(full, q);
				const page = await gallery.pagePeople({ limit: 500, after: null, q });
				expect(
					page.people.map((p) => p.name),
					q
				).toEqual(expected.map((p) => p.name));
				expect(page, q).toMatchObject({ total: expected.length, next: null });
				expect(page).not.toHaveProperty('faces');
				for (const limit of [1, 2])
					expect(
						(await allPages(limit, q)).flat().map((p) => p.id),
						`${q} by ${limit}`
					).toEqual(expected.map((p) => p.id));
				const first = await gallery.pagePeople({ limit: 1, after: null, q });
				expect(first.total).toBe(expected.length);
			}
			// A blank query is no search: everyone, with the faces total.
			expect(await gallery.pagePeople({ limit: 500, after: null, q: '   ' })).toMatchObject({ total: names.length, faces: 0 });
		});

		it('starts the next page after the cursor: changes between pages neither repeat nor hide the others', async () => {
			const ids = new Map<string, string>();
			for (let i = 0; i < 30; i++) {
				const name = `p${String(i).padStart(2, '0')}`;
				ids.set(name, (await gallery.addPerson(name)).id);
			}
			const id = (name: string) => ids.get(name)!;
			const steady = [...ids.keys()].filter((n) => !['p09', 'p25', 'p26', 'p02'].includes(n));
			let added = '';
			const pages = await allPages(10, '', async (page, next) => {
				if (page !== 1) return;
				expect(next.name).toBe('p09');
				await gallery.deletePerson(id('p09')); // the cursor's own row
				await gallery.deletePerson(id('p25')); // one still to come
				await gallery.addPerson('a new one'); // before the cursor: not on the pages to come
				added = (await gallery.addPerson('p155')).id; // after it: on them
				await gallery.renamePerson(id('p26'), 'aaa moved back'); // to before the cursor: gone from what is to come
				await gallery.renamePerson(id('p02'), 'zzz moved on'); // from page 1 to the end: listed again, renamed
			});
			const seen = pages.flat();
			const names = seen.map((p) => p.name);
			// Everyone unchanged once, in order; the change after the cursor shows; nothing else.
			expect(names.filter((n) => steady.includes(n))).toEqual(steady);
			expect(names).toContain('p155');
			expect(seen.find((p) => p.name === 'p155')?.id).toBe(added);
			expect(names).not.toContain('a new one');
			expect(names).not.toContain('aaa moved back');
			expect(names).not.toContain('p25');
			expect(names.at(-1)).toBe('zzz moved on');
			expect(seen.filter((p) => p.id === id('p02')).map((p) => p.name)).toEqual(['p02', 'zzz moved on']);
			expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length - 1);
		});

		it('gives a page of exactly the limit, and says there is more only when there is', async () => {
			for (const name of ['a', 'b', 'c']) await gallery.addPerson(name);
			const one = await gallery.pagePeople({ limit: 1, after: null, q: '' });
			expect(one.people.map((p) => p.name)).toEqual(['a']);
			expect(one.next).toMatchObject({ name: 'a' });
			const rest = await gallery.pagePeople({ limit: 2, after: one.next, q: '' });
			expect(rest.people.map((p) => p.name)).toEqual(['b', 'c']);
			expect(rest.next).toBeNull();
			expect((await gallery.pagePeople({ limit: 3, after: null, q: '' })).next).toBeNull();
			expect((await gallery.pagePeople({ limit: 500, after: null, q: '' })).people).toHaveLength(3);
			// A cursor past everyone (its row deleted since) is an empty last page, not an error.
			expect(await gallery.pagePeople({ limit: 2, after: { name: 'zzz', id: 'gone' }, q: '' })).toMatchObject({ people: [], total: 3, next: null });
		});
	});
}

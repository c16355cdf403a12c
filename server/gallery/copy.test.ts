/** `npm run gallery -- copy` between SQLite and PostgreSQL: nothing lost, nothing changed. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMissing, startPostgres, type TestPostgres } from '../../tests/helpers/postgres.ts';
import type { Gallery } from './gallery.ts';
import { createPgGallery } from './pg-gallery.ts';
import { createSqliteGallery } from './sqlite-gallery.ts';

const run = promisify(execFile);
const jpeg = (fill: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, fill, fill, 0xff, 0xd9]);

/** Everything a gallery holds, as comparable values (ids, times, bytes of every embedding). */
async function contents(gallery: Gallery) {
	const people = await gallery.listPeople();
	const faces = await Promise.all(people.map(async (p) => ({ person: p, faces: await gallery.listFaces(p.id) })));
	return {
		people: faces.map(({ person, faces: f }) => ({
			...person,
			faces: f?.map((x) => ({ id: x.id, createdAt: x.createdAt, thumbnail: x.thumbnail && Buffer.from(x.thumbnail).toString('hex') }))
		})),
		entries: gallery
			.entries()
			.map((e) => ({ ...e, embedding: Buffer.from(e.embedding.buffer, e.embedding.byteOffset, e.embedding.byteLength).toString('hex') })),
		settings: await gallery.settings(),
		secret: await gallery.sharedSecret('admin-token', () => 'not the copied one')
	};
}

async function fill(gallery: Gallery): Promise<void> {
	await gallery.updateSettings({ keepThumbnails: true });
	await gallery.sharedSecret('admin-token', () => 'the-secret');
	// Values that a decimal round trip would not keep exactly.
	const odd = Float32Array.from([Math.PI, -0, 1e-38, 0.1]);
	const { person } = await gallery.enrolPerson('ann', [{ embedding: odd, thumbnail: jpeg(1) }, { embedding: Float32Array.from([1, 2, 3, 4]) }]);
	await gallery.addFace(person.id, Float32Array.from([5, 6, 7, 8]), jpeg(2));
	await gallery.enrolPerson('Bob', [{ embedding: Float32Array.from([0, 0, 1, 0]) }]);
	await gallery.addPerson('nobody yet');
}

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'server/cli/gallery.ts', ...args], { cwd: process.cwd() });

describe('gallery copy', () => {
	let dir: string;
	let postgres: TestPostgres | undefined;
	const missing = postgresMissing();

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'facertc-copy-'));
		if (!missing) postgres = await startPostgres();
		else console.log(`gallery copy: PostgreSQL legs skipped: ${missing}`);
	}, 60_000);
	afterAll(async () => {
		await postgres?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('SQLite → PostgreSQL → SQLite keeps every id, time, byte and setting', async (ctx) => {
		if (!postgres) return ctx.skip(missing!);
		const source = join(dir, 'source.db');
		const original = createSqliteGallery({ file: source, model: 'm1', dim: 4 });
		await fill(original);
		const expected = await contents(original);
		await original.close();
		// A face of another model is kept by a copy too, though never matched.
		const other = createSqliteGallery({ file: source, model: 'm0', dim: 4 });
		const { person } = await other.enrolPerson('old model', [{ embedding: Float32Array.from([9, 9, 9, 9]) }]);
		await other.close();

		const url = await postgres.createDatabase();
		const first = await cli('copy', '--from', source, '--to', url);
		expect(first.stdout).toMatch(/faces +5 rows/);
		expect(first.stdout).toMatch(/copied and verified/);
		const shared = await createPgGallery({ url, model: 'm1', dim: 4 });
		const inPg = await contents(shared);
		await shared.close();
		expect(inPg).toEqual({ ...expected, people: expect.arrayContaining(expected.people) });
		expect(inPg.people).toHaveLength(expected.people.length + 1);

		const back = join(dir, 'back.db');
		await cli('copy', '--from', url, '--to', back);
		const again = createSqliteGallery({ file: back, model: 'm1', dim: 4 });
		const roundTrip = await contents(again);
		await again.close();
		expect(roundTrip).toEqual(inPg);
		const oldModel = createSqliteGallery({ file: back, model: 'm0', dim: 4 });
		expect(oldModel.entries().map((e) => e.personId)).toEqual([person.id]);
		await oldModel.close();
	});

	it('refuses a target that holds people unless --replace, and a missing source file', async () => {
		const a = join(dir, 'a.db');
		const b = join(dir, 'b.db');
		for (const [file, name] of [
			[a, 'from a'],
			[b, 'already in b']
		] as const) {
			const g = createSqliteGallery({ file, model: 'm1', dim: 4 });
			await g.enrolPerson(name, [{ embedding: Float32Array.from([1, 1, 1, 1]) }]);
			await g.close();
		}
		await expect(cli('copy', '--from', a, '--to', b)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/already holds 1 people.*--replace/) });
		await expect(cli('copy', '--from', join(dir, 'missing.db'), '--to', b)).rejects.toMatchObject({ stderr: expect.stringMatching(/no such file/) });
		await expect(cli('copy', '--from', a)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/give both --from and --to/) });
		await cli('copy', '--from', a, '--to', b, '--replace');
		const g = createSqliteGallery({ file: b, model: 'm1', dim: 4 });
		expect((await g.listPeople()).map((p) => p.name)).toEqual(['from a']);
		await g.close();
	});

	it('a running PostgreSQL server follows a copy into its database', async (ctx) => {
		if (!postgres) return ctx.skip(missing!);
		const url = await postgres.createDatabase();
		const serving = await createPgGallery({ url, model: 'm1', dim: 4, pollMs: 100 });
		try {
			await serving.enrolPerson('to be replaced', [{ embedding: Float32Array.from([1, 0, 0, 0]) }]);
			const source = join(dir, 'replacement.db');
			const g = createSqliteGallery({ file: source, model: 'm1', dim: 4 });
			await g.enrolPerson('replacement', [{ embedding: Float32Array.from([0, 1, 0, 0]) }]);
			await g.close();
			await cli('copy', '--from', source, '--to', url, '--replace');
			const start = performance.now();
			while (serving.entries()[0]?.name !== 'replacement') {
				if (performance.now() - start > 20_000) throw new Error('the serving gallery never saw the copy');
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			expect(serving.entries().map((e) => e.name)).toEqual(['replacement']);
		} finally {
			await serving.close();
		}
	});
});

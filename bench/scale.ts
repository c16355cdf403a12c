/**
 * `npm run bench:scale [-- --people 100000 --faces 5]`: the gallery at scale on both stores.
 * Synthetic people (128-d vectors like face-api's, `--faces` a person) are written straight into
 * a SQLite file and copied into a throwaway PostgreSQL cluster (fsync on; or BENCH_DATABASE_URL,
 * an empty database), then it measures, per store: the time for a server to load the gallery at
 * start and the memory it holds, the matcher's index build and cost per query, the cost of a
 * write, GET /api/people's query and its answers through the REST handler (bench/people-api.ts:
 * everyone, a page, a search; without thumbnails, then with one ~2.3 KB thumbnail a person), and
 * with PostgreSQL the time for a change made by one server to reach another (two galleries on one
 * database, in one process) and `npm run gallery -- copy`'s rate.
 * Prints figures, never pass/fail. CPU time (this process's) is printed beside wall time: on a
 * shared machine the wall time of a query grows with everyone else's load, its CPU time barely.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyGallery, type Row } from '../server/gallery/copy.ts';
import type { Gallery } from '../server/gallery/gallery.ts';
import { findMatch } from '../server/gallery/matcher.ts';
import pg from 'pg';
import { createPgGallery } from '../server/gallery/pg-gallery.ts';
import { postgresTables } from '../server/gallery/pg-db.ts';
import { createSqliteGallery } from '../server/gallery/sqlite-gallery.ts';
import { sqliteTables } from '../server/gallery/sqlite-db.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../tests/helpers/postgres.ts';
import { nameKey } from '../src/lib/protocol/names.ts';
import { measurePeopleApi } from './people-api.ts';
import { rng } from './rng.ts';

const DIM = 128;
const MODEL = 'face-api@1.7/face_recognition_model';
const THRESHOLD = 0.55;
const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(name);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PEOPLE = arg('--people', 100_000);
const FACES = arg('--faces', 5);
const CHANGES = arg('--changes', 15);
const API_RUNS = arg('--api-runs', 3);

const rand = rng(12);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
/** Around `centre` with σ 0.025 a dimension (~0.28 away, like one person's descriptors), or a new norm-1.45 direction. */
function vector(centre: Float32Array | null): Float32Array {
	const v = new Float32Array(DIM);
	for (let i = 0; i < DIM; i++) v[i] = centre ? centre[i]! + 0.025 * gaussian() : gaussian();
	if (centre) return v;
	const scale = 1.45 / Math.hypot(...v);
	return v.map((x) => x * scale);
}

const centres: Float32Array[] = [];
/** The synthetic gallery as table rows, a page at a time (no 500 000-vector array held twice). */
async function* syntheticRows(table: string): AsyncIterable<Row[]> {
	const at = Date.now();
	if (table === 'people') {
		for (let p = 0; p < PEOPLE; p += 5000) {
			yield Array.from({ length: Math.min(5000, PEOPLE - p) }, (_, k) => ({
				id: `person-${p + k}`,
				name: `person ${p + k}`,
				name_key: nameKey(`person ${p + k}`),
				created_at: at
			}));
		}
	}
	if (table === 'faces') {
		for (let p = 0; p < PEOPLE; p += 1000) {
			const rows: Row[] = [];
			for (let q = p; q < Math.min(PEOPLE, p + 1000); q++) {
				const centre = vector(null);
				centres[q] = centre;
				for (let f = 0; f < FACES; f++) {
					const e = vector(centre);
					rows.push({
						id: `face-${q}-${f}`,
						person_id: `person-${q}`,
						model: MODEL,
						dim: DIM,
						embedding: Buffer.from(e.buffer),
						thumbnail: null,
						created_at: at,
						yaw: null,
						source: 'api'
					});
				}
			}
			yield rows;
		}
	}
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
/** Live heap + array buffers, MB, after two full collections (array buffers are freed after a collection). */
const heapMb = async () => {
	gc();
	await new Promise((resolve) => setTimeout(resolve, 50));
	gc();
	const m = process.memoryUsage();
	return (m.heapUsed + m.arrayBuffers) / 1024 / 1024;
};
const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number, digits = 0) => x.toFixed(digits);
const stats = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return `median ${fmt(s[Math.floor(s.length / 2)]!)} ms (min ${fmt(s[0]!)}, max ${fmt(s.at(-1)!)}, n ${s.length})`;
};

/** CPU ms this process spent since `from` (user + system): unlike wall time, barely moved by other processes. */
const cpuMs = (from: NodeJS.CpuUsage) => {
	const d = process.cpuUsage(from);
	return (d.user + d.system) / 1000;
};
type Cost = { wall: number; cpu: number };
const cost = (c: Cost, unit = 'ms', digits = 0) => `${fmt(c.cpu, digits)} ${unit} CPU (${fmt(c.wall, digits)} wall)`;

/** Per findMatch over ≥ 1 s of calls, known faces and strangers, µs; the index build once, ms. */
function queryCost(entries: Gallery['entries'] extends () => infer E ? E : never): { known: Cost; stranger: Cost; build: Cost; named: number } {
	const copy = [...entries];
	let t0 = performance.now();
	let c0 = process.cpuUsage();
	findMatch(vector(null), copy, THRESHOLD);
	const build = { wall: ms(t0), cpu: cpuMs(c0) };
	const known = Array.from({ length: 64 }, (_, k) => vector(centres[(k * 7919) % PEOPLE]!));
	const strangers = Array.from({ length: 64 }, () => vector(null));
	const per = (qs: Float32Array[]): Cost => {
		let calls = 0;
		t0 = performance.now();
		c0 = process.cpuUsage();
		while (ms(t0) < 1000) findMatch(qs[calls++ % qs.length]!, copy, THRESHOLD);
		return { wall: (1000 * ms(t0)) / calls, cpu: (1000 * cpuMs(c0)) / calls };
	};
	const named = known.filter((q) => findMatch(q, copy, THRESHOLD).personId).length;
	return { known: per(known), stranger: per(strangers), build, named };
}

/** A 96 px face thumbnail's size (README: ~2.3 KB); the bytes are noise behind a JPEG marker, never decoded here. */
const THUMBNAIL = Buffer.from(Uint8Array.from({ length: 2300 }, (_, i) => (i < 4 ? [0xff, 0xd8, 0xff, 0xe0][i]! : Math.floor(rand() * 256))));
/** Sets the thumbnail of each person's last face, straight in the store's tables (`statement`, its one parameter the JPEG). */
type ThumbnailWriter = (statement: { sqlite: string; postgres: string }) => Promise<void>;
const LAST_FACES = {
	sqlite: `UPDATE faces SET thumbnail = ? WHERE id GLOB 'face-*-${FACES - 1}'`,
	postgres: `UPDATE faces SET thumbnail = $1 WHERE id LIKE 'face-%-${FACES - 1}'`
};

async function measureStore(label: string, open: () => Promise<Gallery>, writeThumbnails: ThumbnailWriter): Promise<Gallery> {
	const before = await heapMb();
	const t0 = performance.now();
	const c0 = process.cpuUsage();
	const gallery = await open();
	const load = { wall: ms(t0), cpu: cpuMs(c0) };
	const entries = gallery.entries();
	const held = (await heapMb()) - before;
	console.log(`${label}: load at start ${cost(load)} for ${entries.length} embeddings; snapshot holds ${fmt(held)} MB (heap + array buffers)`);
	const q = queryCost(entries);
	console.log(
		`${label}: matcher index build ${cost(q.build)} (after every change, on the first query); a query for a known face ` +
			`${cost(q.known, 'µs')}, for a stranger ${cost(q.stranger, 'µs')} (${q.named}/64 known named)`
	);
	const writes: number[] = [];
	const firstQueryCpu: number[] = [];
	const firstQueryWall: number[] = [];
	for (let k = 0; k < CHANGES; k++) {
		const t = performance.now();
		const { person } = await gallery.enrolPerson(`bench ${k}`, [{ embedding: vector(null) }]);
		writes.push(ms(t));
		const t1 = performance.now();
		const c1 = process.cpuUsage();
		findMatch(vector(null), gallery.entries(), THRESHOLD);
		firstQueryCpu.push(cpuMs(c1));
		firstQueryWall.push(ms(t1));
		await gallery.deletePerson(person.id);
	}
	console.log(`${label}: an enrolment (write + the snapshot following it) ${stats(writes)}`);
	console.log(
		`${label}: the first query after it (the snapshot's entries, the index from the unchanged people's rows + the new one) ` +
			`${stats(firstQueryCpu)} CPU (${stats(firstQueryWall)} wall)`
	);
	const t1 = performance.now();
	const people = await gallery.listPeople();
	console.log(`${label}: listPeople (GET /api/people) ${fmt(ms(t1))} ms for ${people.length} people`);
	await measurePeopleApi(`${label}, no thumbnails`, gallery, { runs: API_RUNS });
	await writeThumbnails(LAST_FACES);
	await gallery.updateSettings({ keepThumbnails: true });
	await measurePeopleApi(`${label}, a thumbnail a person`, gallery, { runs: API_RUNS });
	// Off again: the copy and the other measures below are of a gallery without pictures, as before.
	await gallery.updateSettings({ keepThumbnails: false });
	return gallery;
}

console.log(
	`bench:scale — ${PEOPLE} people × ${FACES} faces = ${PEOPLE * FACES} embeddings of ${DIM}-d; Node ${process.version}, ${availableParallelism()} cores${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for cleaner memory figures)'}`
);
const dir = mkdtempSync(join(tmpdir(), 'facertc-scale-'));
let postgres: TestPostgres | null = null;
try {
	const file = join(dir, 'gallery.db');
	const sqliteStore = sqliteTables(file);
	let t0 = performance.now();
	await sqliteStore.write(syntheticRows, { replace: false });
	await sqliteStore.close();
	console.log(`sqlite: filled in ${fmt(ms(t0))} ms, file ${fmt(statSync(file).size / 1024 / 1024)} MB`);
	const sqlite = await measureStore(
		'sqlite',
		async () => createSqliteGallery({ file, model: MODEL, dim: DIM, pollMs: 0 }),
		async ({ sqlite }) => {
			const db = new Database(file);
			db.prepare(sqlite).run(THUMBNAIL);
			db.close();
		}
	);
	await sqlite.close();

	let url = process.env.BENCH_DATABASE_URL ?? null;
	if (!url) {
		const missing = postgresMissing();
		if (missing) throw new Error(`PostgreSQL part skipped: ${missing}`);
		postgres = await startPostgres({ durable: true });
		url = await postgres.createDatabase('facertc_scale');
		console.log('postgres: a throwaway PostgreSQL cluster on loopback, fsync on');
	}
	const from = sqliteTables(file);
	const to = await postgresTables(url);
	t0 = performance.now();
	await copyGallery(from, to);
	const copyMs = ms(t0);
	await Promise.all([from.close(), to.close()]);
	console.log(
		`postgres: npm run gallery -- copy from the SQLite file, verified: ${fmt(copyMs / 1000, 1)} s (${fmt((PEOPLE * FACES) / (copyMs / 1000))} faces/s)`
	);

	const nodeA = await measureStore(
		'postgres',
		() => createPgGallery({ url: url, model: MODEL, dim: DIM }),
		async ({ postgres }) => {
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			await client.query(postgres, [THUMBNAIL]);
			await client.end();
		}
	);
	const nodeB = await createPgGallery({ url, model: MODEL, dim: DIM });
	const reach: number[] = [];
	const reachAndIndex: number[] = [];
	const gone: number[] = [];
	for (let k = 0; k < CHANGES; k++) {
		const t = performance.now();
		const write = nodeA.enrolPerson(`moving ${k}`, [{ embedding: vector(null) }]);
		const { person } = await write;
		while (!nodeB.entries().some((e) => e.personId === person.id)) await new Promise((resolve) => setImmediate(resolve));
		reach.push(ms(t));
		findMatch(vector(null), nodeB.entries(), THRESHOLD); // the first query after a change rebuilds the index
		reachAndIndex.push(ms(t));
		const d = performance.now();
		await nodeA.deletePerson(person.id);
		while (nodeB.entries().some((e) => e.personId === person.id)) await new Promise((resolve) => setImmediate(resolve));
		gone.push(ms(d));
	}
	console.log(`postgres: an enrolment on server A is in server B's snapshot after ${stats(reach)}`);
	console.log(`postgres: … and answered from B's rebuilt matcher index after ${stats(reachAndIndex)}`);
	console.log(`postgres: a deletion on A is gone from B after ${stats(gone)}`);
	await Promise.all([nodeA.close(), nodeB.close()]);
} catch (err) {
	console.log(`bench:scale: ${(err as Error).message}`);
} finally {
	await postgres?.stop();
	rmSync(dir, { recursive: true, force: true });
}

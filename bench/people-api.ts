/**
 * `GET /api/people` as the People page asks for it, measured through the real REST handler
 * (server/http/api.ts on a loopback port, every caller let in) over a gallery store: the full list, the
 * first page and the next one, and two searches (one person; everyone with a 9, 41 %). Time (wall and
 * this process's CPU, which includes the handler's JSON) and bytes of the body, median of `runs`.
 * A server without paging ignores the query and answers the full list: that is what the page
 * loaded before, for its first view and for every search (measured once, then said).
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Gallery } from '../server/gallery/gallery.ts';
import { createApi } from '../server/http/api.ts';
import { errorHandler } from '../server/http/errors.ts';
import { silentLogger } from '../server/log.ts';
import { createMetrics } from '../server/metrics.ts';

type Sample = { wall: number; cpu: number; bytes: number; rows: number; link: string | null; total: string | null };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`);

/** Prints one line per request kind for `label` (e.g. "sqlite, no thumbnails"). */
export async function measurePeopleApi(label: string, gallery: Gallery, { runs = 3, searchOne = 'person 42424', searchMany = 'person 9' } = {}): Promise<void> {
	const app = express();
	app.use(
		'/api',
		createApi({
			gallery,
			analyzePhoto: () => Promise.reject(new Error('not in this bench')),
			matchThreshold: 0.55,
			adminCheck: () => true,
			recognizeCheck: null,
			limit: () => (_req, _res, next) => next(),
			maxUploadBytes: 10 * 1024 * 1024,
			clientConfig: () => ({}),
			metrics: createMetrics(),
			log: silentLogger
		})
	);
	app.use(errorHandler(silentLogger));
	const server = app.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const get = async (path: string): Promise<Sample> => {
		const t0 = performance.now();
		const c0 = process.cpuUsage();
		const res = await fetch(base + path);
		const body = Buffer.from(await res.arrayBuffer());
		const c = process.cpuUsage(c0);
		if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${body.toString().slice(0, 200)}`);
		const rows = (JSON.parse(body.toString()) as unknown[]).length;
		return {
			wall: performance.now() - t0,
			cpu: (c.user + c.system) / 1000,
			bytes: body.byteLength,
			rows,
			link: res.headers.get('link'),
			total: res.headers.get('x-total-count')
		};
	};
	const measure = async (what: string, path: string) => {
		const samples: Sample[] = [];
		const t0 = performance.now();
		try {
			for (let i = 0; i < runs; i++) samples.push(await get(path));
		} catch (err) {
			console.log(`${label}: GET /api/people ${what}: failed after ${(performance.now() - t0).toFixed(0)} ms: ${(err as Error).message}`);
			return null;
		}
		const s = samples[0]!;
		console.log(
			`${label}: GET /api/people ${what}: ${median(samples.map((x) => x.wall)).toFixed(0)} ms wall, ` +
				`${median(samples.map((x) => x.cpu)).toFixed(0)} ms CPU, ${mb(s.bytes)}, ${s.rows} rows${s.total === null ? '' : ` of ${s.total}`} (median of ${runs})`
		);
		return s;
	};
	try {
		await measure('(everyone)', '/api/people');
		const first = await measure('?limit=100 (first page)', '/api/people?limit=100');
		if (first?.total === null) {
			console.log(`${label}: this server does not page (no X-Total-Count): every page and search is the full list above`);
			return;
		}
		const next = /<([^>]+)>;\s*rel="next"/.exec(first?.link ?? '')?.[1];
		await measure('next page (the Link)', next ?? '/api/people?limit=100');
		await measure(`?limit=100&q=${searchOne} (one person)`, `/api/people?limit=100&q=${encodeURIComponent(searchOne)}`);
		await measure(`?limit=100&q=${searchMany} (41 % match)`, `/api/people?limit=100&q=${encodeURIComponent(searchMany)}`);
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

/**
 * What `GET /healthz` answers. Pure: the parts' states in, a status and a body out.
 *
 * 503 while the server cannot recognise: no embed worker alive (all crashed and restarting, or
 * none started), the recognizer does not hold its signalling id, or the gallery cannot vouch for
 * its people (PostgreSQL unreachable). A worker in a crash loop while others are alive is a
 * warning, not a failure: recognition still works, slower.
 */
import type { EmbedPoolStats } from './embed/pool.ts';
import type { GalleryHealth } from './gallery/gallery.ts';
import type { EndpointHealth } from './recognizer/peer-endpoint.ts';

export type HealthInput = {
	/** Null while the recognizer peer is starting. */
	endpoint: EndpointHealth | null;
	pool: EmbedPoolStats;
	gallery: GalleryHealth;
	backend: string;
	recognizerId: string;
};

export type HealthBody = {
	ok: boolean;
	backend: string;
	recognizerId: string;
	/** People the recognizer can name (the gallery's in-memory snapshot). */
	people: number;
	gallery: { store: GalleryHealth['store']; syncedAgoMs: number };
	workers: {
		configured: number;
		alive: number;
		busy: number;
		restarting: number;
		crashLooping: number;
		restarts: number;
		lastExit: EmbedPoolStats['lastExit'];
	};
	queued: EmbedPoolStats['queuedBy'];
	/** Why the server cannot recognise now (503); absent when ok. */
	reason?: string;
	/** What is wrong but does not stop recognition. */
	warnings?: string[];
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function health({ endpoint, pool, gallery, backend, recognizerId }: HealthInput): { status: 200 | 503; body: HealthBody } {
	const problems: string[] = [];
	const warnings: string[] = [];
	if (pool.ready === 0) {
		const loop = pool.crashLooping > 0 ? ', crashing in a loop' : '';
		const last = pool.lastExit ? `; last exit code ${pool.lastExit.code}` : '';
		problems.push(`no embed worker is alive (${pool.restarting} of ${pool.size} restarting${loop}${last})`);
	} else if (pool.crashLooping > 0) {
		warnings.push(`${plural(pool.crashLooping, 'embed worker')} of ${pool.size} crashing in a loop; ${pool.ready} alive`);
	}
	if (!endpoint) problems.push('recognizer starting');
	else if (!endpoint.registered) problems.push(endpoint.reason);
	if (!gallery.ok) problems.push(gallery.reason ?? 'gallery unavailable');
	const body: HealthBody = {
		ok: problems.length === 0,
		backend,
		recognizerId,
		people: gallery.people,
		gallery: { store: gallery.store, syncedAgoMs: gallery.syncedAgoMs },
		workers: {
			configured: pool.size,
			alive: pool.ready,
			busy: pool.busy,
			restarting: pool.restarting,
			crashLooping: pool.crashLooping,
			restarts: pool.restarts,
			lastExit: pool.lastExit
		},
		queued: pool.queuedBy
	};
	if (problems.length) body.reason = problems.join('; ');
	if (warnings.length) body.warnings = warnings;
	return { status: problems.length ? 503 : 200, body };
}

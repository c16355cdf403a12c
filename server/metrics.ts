/**
 * Every Prometheus series the server exports, defined in one place on one prom-client Registry
 * (made by app.ts, rendered by `GET /metrics`). To add a series: declare it here, with its help
 * text and label names, and hand the object to whoever counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EmbedPoolStats } from './embed/pool.ts';
import { PRIORITIES, type DropReason } from './embed/scheduler.ts';

/** Why a data channel was refused at the signalling offer (before any peer connection exists). */
export type RefusalReason =
	'unauthorized' | 'unavailable' | 'per-address' | 'total' | 'pending-per-address' | 'pending-total' | 'connect-rate' | 'shutting-down';
/** Why the server closed a data channel. */
export type CloseReason = 'never-opened' | 'idle' | 'peer-lost' | 'not-admitted' | 'shutdown';
/** What a REST or data-channel rate limit guards. */
export type RateLimitedRoute = 'recognize' | 'enrol' | 'import' | 'pair' | 'crops' | 'frames' | 'connections';
/** Why a job was answered `overloaded`: the scheduler's reasons, or its channel had too many in flight. */
export type OverloadReason = DropReason | 'in-flight';

/** What the gauges read at each scrape; app.ts hands them in once the parts exist. */
export type MetricSources = {
	pool?: () => EmbedPoolStats;
	peerConnections?: () => number;
};

/** Seconds: from a few ms (one crop on an idle server) to the live deadline and well past it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 1, 2, 5, 10];

export function createMetrics(registry: Registry = new Registry()) {
	// Process metrics: CPU, resident memory, open file descriptors (process_open_fds), event-loop lag.
	collectDefaultMetrics({ register: registry });
	const registers = [registry];
	const sources: MetricSources = {};
	return {
		sources,
		registry,
		identify: new Counter({ name: 'facertc_identify_total', help: 'Crops answered, by outcome', labelNames: ['outcome'] as const, registers }),
		datachannelBytes: new Counter({ name: 'facertc_datachannel_bytes_total', help: 'Data-channel bytes', labelNames: ['direction'] as const, registers }),
		enrolments: new Counter({ name: 'facertc_enrolments_total', help: 'Faces enrolled', registers }),
		peersConnected: new Gauge({ name: 'facertc_peers_connected', help: 'Data channels open to the recognizer', registers }),
		channelsPending: new Gauge({ name: 'facertc_channels_pending', help: 'Peer connections admitted at the offer and not yet open', registers }),
		channelsRefused: new Counter({
			name: 'facertc_channels_refused_total',
			help: 'Data channels refused at the signalling offer, by reason',
			labelNames: ['reason'] as const,
			registers
		}),
		channelsClosed: new Counter({
			name: 'facertc_channels_closed_total',
			help: 'Data channels the server closed, by reason',
			labelNames: ['reason'] as const,
			registers
		}),
		rateLimited: new Counter({
			name: 'facertc_rate_limited_total',
			help: 'Requests and crops refused by a per-address rate limit, by route',
			labelNames: ['route'] as const,
			registers
		}),
		signallingRefused: new Counter({
			name: 'facertc_signalling_refused_total',
			help: 'Signalling sockets and messages refused (bad id, recognizer namespace, per-address cap, flood)',
			labelNames: ['reason'] as const,
			registers
		}),
		signallingClients: new Gauge({ name: 'facertc_signalling_clients', help: 'PeerJS clients connected to the signalling server', registers }),
		recognizerRegistered: new Gauge({
			name: 'facertc_recognizer_registered',
			help: '1 while the recognizer holds its id on the signalling server',
			registers
		}),
		cropAnswerSeconds: new Histogram({
			name: 'facertc_crop_answer_seconds',
			help: 'Data-channel crop arrival to its answer leaving the recognizer, by outcome (identity or the error code)',
			labelNames: ['outcome'] as const,
			buckets: LATENCY_BUCKETS,
			registers
		}),
		embedSeconds: new Histogram({
			name: 'facertc_embed_seconds',
			help: 'Time a job ran in an embed worker (sent to answered), by class',
			labelNames: ['priority'] as const,
			buckets: LATENCY_BUCKETS,
			registers
		}),
		embedQueueSeconds: new Histogram({
			name: 'facertc_embed_queue_wait_seconds',
			help: 'Time a job waited for an embed worker, by class',
			labelNames: ['priority'] as const,
			buckets: LATENCY_BUCKETS,
			registers
		}),
		overloaded: new Counter({
			name: 'facertc_overloaded_total',
			help: 'Jobs answered overloaded, by class and reason (queue-full, would-be-late: refused on arrival; late: dropped before it could start in time; displaced: made room in a full queue; in-flight: its channel had too many in the recognizer)',
			labelNames: ['priority', 'reason'] as const,
			registers
		}),
		cropsDescribed: new Counter({
			name: 'facertc_crops_described_total',
			help: "Live crops described by the face-api embedder, by how the landmark net was started: from the browser's keypoints (used), keypoints sent but of no use (unusable), or none sent (none: the whole crop)",
			labelNames: ['keypoints'] as const,
			registers
		}),
		landmarkPasses: new Counter({
			name: 'facertc_landmark_passes_total',
			help: 'Runs of the 68-landmark net for live crops (divide by facertc_crops_described_total for passes a face), by the same keypoints label',
			labelNames: ['keypoints'] as const,
			registers
		}),
		cropsBatched: new Counter({
			name: 'facertc_crops_batched_total',
			help: 'Crops an embed worker described together with others (EMBED_BATCH: when more wait than there are workers), of all jobs done',
			registers
		}),
		workerRestarts: new Counter({ name: 'facertc_embed_worker_restarts_total', help: 'Embed workers restarted after a crash or a hung job', registers }),
		queueDepth: new Gauge({
			name: 'facertc_embed_queue_depth',
			help: 'Jobs waiting for an embed worker, by class',
			labelNames: ['priority'] as const,
			registers,
			collect() {
				const stats = sources.pool?.();
				if (stats) for (const p of PRIORITIES) this.set({ priority: p }, stats.queuedBy[p]);
			}
		}),
		workers: new Gauge({
			name: 'facertc_embed_workers',
			help: 'Embed workers by state: configured, alive (ready), busy, restarting, crash_looping (3+ crashes in a row, not yet healthy again)',
			labelNames: ['state'] as const,
			registers,
			collect() {
				const stats = sources.pool?.();
				if (!stats) return;
				this.set({ state: 'configured' }, stats.size);
				this.set({ state: 'alive' }, stats.ready);
				this.set({ state: 'busy' }, stats.busy);
				this.set({ state: 'restarting' }, stats.restarting);
				this.set({ state: 'crash_looping' }, stats.crashLooping);
			}
		}),
		peerConnections: new Gauge({
			name: 'facertc_peer_connections',
			help: 'Native WebRTC peer connections the recognizer holds (open data channels and those being set up)',
			registers,
			collect() {
				const n = sources.peerConnections?.();
				if (n !== undefined) this.set(n);
			}
		}),
		/** The Prometheus text exposition of every series. */
		render: () => registry.metrics(),
		contentType: registry.contentType
	};
}

export type Metrics = ReturnType<typeof createMetrics>;

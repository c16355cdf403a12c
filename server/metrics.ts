/**
 * Every Prometheus series the server exports, defined in one place on one prom-client Registry
 * (made by app.ts, rendered by `GET /metrics`). To add a series: declare it here, with its help
 * text and label names, and hand the object to whoever counts.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Why a data channel was refused at the signalling offer (before any peer connection exists). */
export type RefusalReason = 'unauthorized' | 'unavailable' | 'per-address' | 'total' | 'pending-per-address' | 'pending-total' | 'connect-rate' | 'shutting-down';
/** Why the server closed a data channel. */
export type CloseReason = 'never-opened' | 'idle' | 'peer-lost' | 'not-admitted' | 'shutdown';
/** What a REST or data-channel rate limit guards. */
export type RateLimitedRoute = 'recognize' | 'enrol' | 'import' | 'pair' | 'crops';

export function createMetrics(registry: Registry = new Registry()) {
	// Process metrics: CPU, resident memory, open file descriptors (process_open_fds), event-loop lag.
	collectDefaultMetrics({ register: registry });
	const registers = [registry];
	return {
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
		/** The Prometheus text exposition of every series. */
		render: () => registry.metrics(),
		contentType: registry.contentType
	};
}

export type Metrics = ReturnType<typeof createMetrics>;

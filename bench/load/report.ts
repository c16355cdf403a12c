/** Turns what the load clients recorded into the benchmark's lines. Pure. */
import type { Outcome } from './client.ts';
import { jainIndex, ms, pct, percentile } from './stats.ts';

export type PhaseFigures = {
	sent: number;
	answered: number;
	late: number;
	refused: number;
	rateLimited: number;
	failed: Map<string, number>;
	lost: number;
	latencies: number[];
	answeredPerS: number;
	/** Jain's index over each client's share of its crops answered. */
	jain: number;
	minShare: number;
	maxShare: number;
	/** Jain's index over the number of answers each client got, and the fewest and most. */
	jainAnswers: number;
	minAnswers: number;
	maxAnswers: number;
	retryAfterMs: number[];
};

/** Figures over the crops each client sent in a phase lasting `seconds`; `lateMs`: answers after this are late. */
export function phaseFigures(perClient: ReadonlyArray<readonly Outcome[]>, seconds: number, lateMs: number): PhaseFigures {
	const f: PhaseFigures = {
		sent: 0,
		answered: 0,
		late: 0,
		refused: 0,
		rateLimited: 0,
		failed: new Map(),
		lost: 0,
		latencies: [],
		answeredPerS: 0,
		jain: NaN,
		minShare: NaN,
		maxShare: NaN,
		jainAnswers: NaN,
		minAnswers: NaN,
		maxAnswers: NaN,
		retryAfterMs: []
	};
	const shares: number[] = [];
	const answers: number[] = [];
	for (const outcomes of perClient) {
		let answered = 0;
		for (const o of outcomes) {
			f.sent++;
			if (o.retryAfterMs !== undefined) f.retryAfterMs.push(o.retryAfterMs);
			if (!o.reply) f.lost++;
			else if (o.reply === 'identity') {
				answered++;
				const latency = o.repliedAt! - o.sentAt;
				f.latencies.push(latency);
				if (latency > lateMs) f.late++;
			} else if (o.reply === 'overloaded') f.refused++;
			else if (o.reply === 'rate-limited') f.rateLimited++;
			else f.failed.set(o.reply, (f.failed.get(o.reply) ?? 0) + 1);
		}
		f.answered += answered;
		answers.push(answered);
		if (outcomes.length > 0) shares.push(answered / outcomes.length);
	}
	f.answeredPerS = f.answered / seconds;
	f.jain = jainIndex(shares);
	f.minShare = shares.length ? Math.min(...shares) : NaN;
	f.maxShare = shares.length ? Math.max(...shares) : NaN;
	f.jainAnswers = jainIndex(answers);
	f.minAnswers = answers.length ? Math.min(...answers) : NaN;
	f.maxAnswers = answers.length ? Math.max(...answers) : NaN;
	return f;
}

export function describePhase(f: PhaseFigures, lateMs: number): string[] {
	const failed = [...f.failed].map(([code, n]) => `${code} ${n}`).join(', ');
	const lines = [
		`   sent ${f.sent}: answered ${f.answered} (${pct(f.answered, f.sent)}), refused overloaded ${f.refused} (${pct(f.refused, f.sent)}), rate-limited ${f.rateLimited}, other errors ${failed || 0}, never answered ${f.lost}`,
		`   answered ${f.answeredPerS.toFixed(1)} faces/s; crop → answer p50 ${ms(percentile(f.latencies, 50))}, p95 ${ms(percentile(f.latencies, 95))}, p99 ${ms(percentile(f.latencies, 99))}, max ${ms(percentile(f.latencies, 100))}; later than ${lateMs} ms: ${f.late} (${pct(f.late, f.sent)} of sent)`,
		`   fairness over clients: share of each one's crops answered Jain ${f.jain.toFixed(3)} (min ${pct(f.minShare, 1)}, max ${pct(f.maxShare, 1)}); answers each got Jain ${f.jainAnswers.toFixed(3)} (min ${f.minAnswers}, max ${f.maxAnswers})`
	];
	if (f.retryAfterMs.length)
		lines.push(`   retry-after given ${f.retryAfterMs.length} times: p50 ${ms(percentile(f.retryAfterMs, 50))}, max ${ms(percentile(f.retryAfterMs, 100))}`);
	return lines;
}

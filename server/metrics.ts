/** Counters and gauges rendered in the Prometheus text format for `GET /metrics`. */
type Labels = Record<string, string>;

function key(labels: Labels): string {
	return Object.entries(labels)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
		.join(',');
}

export function createMetrics() {
	const series = new Map<string, { help: string; type: 'counter' | 'gauge'; values: Map<string, number> }>();
	const gauges = new Map<string, () => number>();

	function family(name: string, help: string, type: 'counter' | 'gauge') {
		let f = series.get(name);
		if (!f) series.set(name, (f = { help, type, values: new Map() }));
		return f;
	}

	return {
		/** Adds `by` (default 1) to a counter. */
		inc(name: string, help: string, labels: Labels = {}, by = 1): void {
			const f = family(name, help, 'counter');
			const k = key(labels);
			f.values.set(k, (f.values.get(k) ?? 0) + by);
		},
		/** A gauge read when scraped. */
		gauge(name: string, help: string, read: () => number): void {
			family(name, help, 'gauge');
			gauges.set(name, read);
		},
		render(): string {
			const lines: string[] = [];
			for (const [name, f] of series) {
				lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
				const read = gauges.get(name);
				if (read) f.values.set('', read());
				for (const [labels, value] of f.values) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
			}
			return lines.join('\n') + '\n';
		}
	};
}

export type Metrics = ReturnType<typeof createMetrics>;

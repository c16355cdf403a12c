/** Figures for the load benchmark: percentiles, shares and fairness. Pure. */

/** The p-th percentile (0–100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Jain's fairness index of per-client allocations: 1 when every client got the same, 1/n when one
 * got everything. NaN for no clients or nothing allocated.
 */
export function jainIndex(values: readonly number[]): number {
	const sum = values.reduce((a, b) => a + b, 0);
	const squares = values.reduce((a, b) => a + b * b, 0);
	return values.length === 0 || squares === 0 ? NaN : (sum * sum) / (values.length * squares);
}

export const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);
export const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '–');

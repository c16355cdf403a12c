/** Euclidean distance between two vectors of the same length (the matcher's one metric). */
export function euclidean(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) {
		const d = (a[i] as number) - (b[i] as number);
		sum += d * d;
	}
	return Math.sqrt(sum);
}

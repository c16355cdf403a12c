/**
 * Cut detection: has the whole picture changed since the last frame? Then every face in it may be
 * somebody else, even where a face was before, and the tracks (with their names) must end. Pure:
 * the caller hands in a small grey thumbnail of each frame.
 *
 * The measure is 1 − the best correlation of the two thumbnails over small shifts (up to
 * MAX_SHIFT cells each way), so hand shake and pans, which move the picture but keep it, score
 * low; a different picture scores high whatever its brightness.
 */
export const THUMB_WIDTH = 32;
export const THUMB_HEIGHT = 24;
/** Largest shift tried, in thumbnail cells (a cell is 20 px of a 640 px frame). */
const MAX_SHIFT = 2;
/**
 * Change above which a frame starts a new shot. Chosen on the `tv` clip (`npm run bench:cuts`):
 * see the figures there; the `real` and `dev` clips are reported, not tuned on.
 */
export const CUT_ABOVE = 0.5;

/** Correlation of the overlap of `a` and `b` when `b` is moved by (dx, dy) cells; null when flat. */
function shiftedCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, w: number, h: number, dx: number, dy: number): number | null {
	let n = 0;
	let sa = 0;
	let sb = 0;
	let saa = 0;
	let sbb = 0;
	let sab = 0;
	for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
		for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) {
			const va = a[y * w + x] as number;
			const vb = b[(y - dy) * w + (x - dx)] as number;
			n++;
			sa += va;
			sb += vb;
			saa += va * va;
			sbb += vb * vb;
			sab += va * vb;
		}
	}
	const cov = sab - (sa * sb) / n;
	const va = saa - (sa * sa) / n;
	const vb = sbb - (sb * sb) / n;
	if (va < 1e-6 * n || vb < 1e-6 * n) return null;
	return cov / Math.sqrt(va * vb);
}

/**
 * How much the picture changed from `a` to `b` (grey thumbnails of `w`×`h`), 0 (same) to 2.
 * Flat pictures (a black frame) compare by brightness: a jump of 32 grey levels or more counts 1.
 */
export function frameChange(a: ArrayLike<number>, b: ArrayLike<number>, w = THUMB_WIDTH, h = THUMB_HEIGHT): number {
	let best: number | null = null;
	for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
		for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
			const c = shiftedCorrelation(a, b, w, h, dx, dy);
			if (c !== null && (best === null || c > best)) best = c;
		}
	}
	if (best !== null) return 1 - best;
	let ma = 0;
	let mb = 0;
	for (let i = 0; i < a.length; i++) ma += a[i] as number;
	for (let i = 0; i < b.length; i++) mb += b[i] as number;
	return Math.min(1, Math.abs(ma / a.length - mb / b.length) / 32);
}

/** Feeds thumbnails frame by frame; says which frames start a new shot. */
export function createCutDetector({ cutAbove = CUT_ABOVE }: { cutAbove?: number } = {}) {
	let previous: Float32Array | null = null;
	let last = 0;
	return {
		/** True when `thumbnail` (THUMB_WIDTH × THUMB_HEIGHT grey) is a different picture from the last one. */
		isCut(thumbnail: Float32Array): boolean {
			const before = previous;
			previous = thumbnail;
			last = before ? frameChange(before, thumbnail) : 0;
			return last > cutAbove;
		},
		/** The last frame's change, for measurement. */
		get lastChange(): number {
			return last;
		},
		/** Forgets the last frame (the camera restarted, the loop stopped). */
		reset(): void {
			previous = null;
		}
	};
}

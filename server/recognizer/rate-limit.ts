/** Token bucket: `capacity` tokens, refilled continuously at `perSecond`. Pure but for `now`. */
export function createTokenBucket({
	capacity,
	perSecond,
	now = () => performance.now()
}: {
	capacity: number;
	perSecond: number;
	now?: () => number;
}): { take(): boolean } {
	let tokens = capacity;
	let last = now();
	return {
		take() {
			const t = now();
			tokens = Math.min(capacity, tokens + ((t - last) / 1000) * perSecond);
			last = t;
			if (tokens < 1) return false;
			tokens -= 1;
			return true;
		}
	};
}

/**
 * Holds a connection's replies until PeerJS says its channel is open. Under load @roamhq/wrtc can
 * deliver a client's first message before the channel's `open` event, and PeerJS will not send on
 * a connection it does not yet call open: the reply to that message (the `welcome`, or a name)
 * would be lost. Pure; bounded: past `max` the newest are dropped, so the welcome and the first
 * answers survive a burst.
 */
export type ReplyGate<T> = {
	/** Sends now if open, else keeps the message for `open()`. */
	deliver(message: T): void;
	/** The channel is open: sends what was kept, in order, and everything from now on at once. */
	open(): void;
	/** The channel is gone: drops what was kept. */
	close(): void;
	/** Messages kept so far (for logs and tests). */
	readonly waiting: number;
};

export function createReplyGate<T>(send: (message: T) => void, { max = 16 }: { max?: number } = {}): ReplyGate<T> {
	let isOpen = false;
	let kept: T[] = [];
	return {
		deliver(message) {
			if (isOpen) return send(message);
			if (kept.length < max) kept.push(message);
		},
		open() {
			if (isOpen) return;
			isOpen = true;
			const pending = kept;
			kept = [];
			pending.forEach(send);
		},
		close() {
			isOpen = false;
			kept = [];
		},
		get waiting() {
			return kept.length;
		}
	};
}

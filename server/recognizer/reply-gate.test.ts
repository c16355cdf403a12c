import { describe, expect, it } from 'vitest';
import { createReplyGate } from './reply-gate.ts';

describe('reply gate', () => {
	it('keeps replies made before the channel opens and sends them, in order, when it does', () => {
		const sent: string[] = [];
		const gate = createReplyGate<string>((m) => sent.push(m));
		gate.deliver('welcome');
		gate.deliver('identity 1');
		expect(sent).toEqual([]);
		expect(gate.waiting).toBe(2);
		gate.open();
		expect(sent).toEqual(['welcome', 'identity 1']);
		gate.deliver('identity 2');
		expect(sent).toEqual(['welcome', 'identity 1', 'identity 2']);
		expect(gate.waiting).toBe(0);
	});

	it('opens once: a second open event sends nothing twice', () => {
		const sent: string[] = [];
		const gate = createReplyGate<string>((m) => sent.push(m));
		gate.deliver('a');
		gate.open();
		gate.open();
		expect(sent).toEqual(['a']);
	});

	it('keeps at most `max`, the first ones (the welcome comes first)', () => {
		const sent: number[] = [];
		const gate = createReplyGate<number>((m) => sent.push(m), { max: 3 });
		for (let i = 1; i <= 5; i++) gate.deliver(i);
		gate.open();
		expect(sent).toEqual([1, 2, 3]);
	});

	it('drops what it kept when the channel closes first', () => {
		const sent: string[] = [];
		const gate = createReplyGate<string>((m) => sent.push(m));
		gate.deliver('late');
		gate.close();
		gate.open();
		expect(sent).toEqual([]);
	});
});

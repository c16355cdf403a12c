import { describe, expect, it } from 'vitest';
import {
	MAX_CROP_BYTES,
	MAX_HEADER_BYTES,
	PROTOCOL_VERSION,
	decodeClientMessage,
	decodeServerMessage,
	encodeClientMessage,
	encodeServerMessage,
	type IdentifyMessage,
	type ServerMessage
} from './messages.ts';

const crop = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5]);
const identify: IdentifyMessage = {
	type: 'identify',
	requestId: 7,
	trackId: 3,
	width: 120,
	height: 150,
	crop
};

function frame(header: unknown, body = new Uint8Array(), version = PROTOCOL_VERSION): Uint8Array {
	const json = new TextEncoder().encode(JSON.stringify(header));
	const out = new Uint8Array(6 + json.byteLength + body.byteLength);
	out.set([0x46, 0x52, version, 0, json.byteLength >> 8, json.byteLength & 0xff]);
	out.set(json, 6);
	out.set(body, 6 + json.byteLength);
	return out;
}

describe('client messages', () => {
	it('round-trips identify with its crop bytes, as ArrayBuffer and as a view', () => {
		const encoded = encodeClientMessage(identify);
		const asBuffer = encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength);
		for (const raw of [encoded, asBuffer]) {
			const decoded = decodeClientMessage(raw);
			expect(decoded.ok).toBe(true);
			if (!decoded.ok) return;
			expect(decoded.message.type).toBe('identify');
			const { crop: got, ...rest } = decoded.message as IdentifyMessage;
			expect(rest).toEqual({ type: 'identify', requestId: 7, trackId: 3, width: 120, height: 150 });
			expect(Array.from(got)).toEqual(Array.from(crop));
		}
	});

	it('carries the optional keypoints, and refuses malformed ones', () => {
		const keypoints: Array<[number, number]> = [
			[40, 50],
			[72, 50],
			[56, 66],
			[56, 82],
			[25, 60],
			[88, 60]
		];
		const decoded = decodeClientMessage(encodeClientMessage({ ...identify, keypoints }));
		expect(decoded).toMatchObject({ ok: true, message: { keypoints } });
		const { crop: _c, ...header } = identify;
		for (const bad of [
			keypoints.slice(0, 5),
			[...keypoints, [1, 2]],
			keypoints.map(([x, y], i) => (i === 2 ? [x, 'y'] : [x, y])),
			keypoints.map(([x, y], i) => (i === 0 ? [x, y, 3] : [x, y])),
			keypoints.map(([x], i) => (i === 1 ? [x, 1e9] : [x, 1])),
			keypoints.map(([x], i) => (i === 1 ? [x, null] : [x, 1])), // NaN or Infinity travel as null in JSON
			{ 0: [1, 2] },
			'eyes'
		]) {
			expect(decodeClientMessage(frame({ ...header, keypoints: bad }, crop))).toMatchObject({ ok: false, code: 'bad-message', requestId: 7 });
		}
	});

	it('round-trips hello', () => {
		const decoded = decodeClientMessage(encodeClientMessage({ type: 'hello', client: 'test' }));
		expect(decoded).toEqual({ ok: true, message: { type: 'hello', client: 'test' } });
	});

	it.each([
		['null', null],
		['a string', 'hello'],
		['a number', 42],
		['an object', { type: 'identify' }],
		['empty bytes', new Uint8Array()],
		['random bytes', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])]
	])('refuses %s as bad-message', (_name, raw) => {
		const decoded = decodeClientMessage(raw);
		expect(decoded.ok).toBe(false);
		if (!decoded.ok) expect(decoded.code).toBe('bad-message');
	});

	it('refuses another protocol version', () => {
		const decoded = decodeClientMessage(frame({ type: 'hello' }, undefined, PROTOCOL_VERSION + 1));
		expect(decoded).toMatchObject({ ok: false, code: 'unsupported-version' });
	});

	it('refuses unknown types, extra fields and out-of-range numbers, keeping the requestId', () => {
		expect(decodeClientMessage(frame({ type: 'enroll', requestId: 1 }))).toMatchObject({
			ok: false,
			code: 'bad-message',
			requestId: 1
		});
		const { crop: _c, ...header } = identify;
		expect(decodeClientMessage(frame({ ...header, admin: true }, crop))).toMatchObject({ code: 'bad-message' });
		expect(decodeClientMessage(frame({ ...header, width: 161 }, crop))).toMatchObject({ code: 'bad-message' });
		expect(decodeClientMessage(frame({ ...header, trackId: -1 }, crop))).toMatchObject({ code: 'bad-message' });
		expect(decodeClientMessage(frame({ ...header, requestId: 1.5 }, crop))).toMatchObject({
			code: 'bad-message'
		});
	});

	it('refuses a header that is not JSON or whose length lies', () => {
		const bad = frame({ type: 'hello' });
		bad[6] = 0x7b;
		bad[7] = 0xff;
		expect(decodeClientMessage(bad)).toMatchObject({ ok: false, code: 'bad-message' });
		const short = frame({ type: 'hello' });
		short[4] = 0x7f;
		expect(decodeClientMessage(short)).toMatchObject({ ok: false, code: 'bad-message' });
	});

	it('refuses an empty or oversized crop with the requestId', () => {
		const { crop: _c, ...header } = identify;
		expect(decodeClientMessage(frame(header))).toMatchObject({ code: 'bad-image', requestId: 7 });
		const big = new Uint8Array(MAX_CROP_BYTES + 1);
		expect(decodeClientMessage(frame(header, big))).toMatchObject({ code: 'too-large', requestId: 7 });
	});

	it('refuses a hello with a body', () => {
		expect(decodeClientMessage(frame({ type: 'hello' }, crop))).toMatchObject({ code: 'bad-message' });
	});

	it('will not encode a header over the limit', () => {
		expect(() => encodeClientMessage({ type: 'hello', client: 'x'.repeat(MAX_HEADER_BYTES + 1) })).toThrow(RangeError);
	});
});

describe('server messages', () => {
	const messages: ServerMessage[] = [
		{ type: 'welcome', recognizer: 'r', maxCropBytes: 1, maxCropSidePx: 2, maxCropsPerSecond: 3 },
		{
			type: 'identity',
			requestId: 1,
			trackId: 2,
			label: 'alice',
			personId: 'p1',
			distance: 0.31,
			confidence: 0.8
		},
		{ type: 'identity', requestId: 1, trackId: 2, label: 'unknown', personId: null, distance: null, confidence: 0 },
		{ type: 'error', requestId: 4, code: 'overloaded', message: 'busy' },
		{ type: 'error', requestId: 5, code: 'overloaded', message: 'busy', retryAfterMs: 750 },
		{ type: 'error', code: 'bad-message', message: 'no' }
	];
	it.each(messages)('round-trips $type', (message) => {
		expect(decodeServerMessage(encodeServerMessage(message))).toEqual({ ok: true, message });
	});

	it('ignores server fields it does not know (a newer server), but refuses a bad retry-after', () => {
		const decoded = decodeServerMessage(frame({ type: 'error', code: 'overloaded', message: 'busy', requestId: 3, hint: 'later' }));
		expect(decoded).toEqual({ ok: true, message: { type: 'error', code: 'overloaded', message: 'busy', requestId: 3 } });
		expect(decodeServerMessage(frame({ type: 'error', code: 'overloaded', message: '', retryAfterMs: -1 }))).toMatchObject({ ok: false });
		expect(decodeServerMessage(frame({ type: 'error', code: 'overloaded', message: '', retryAfterMs: 1e9 }))).toMatchObject({ ok: false });
	});

	it('refuses an unknown error code', () => {
		expect(decodeServerMessage(frame({ type: 'error', code: 'nope', message: '' }))).toMatchObject({
			ok: false
		});
	});
});

describe('decoding anything a client can send', () => {
	// Seeded, so a failure reproduces.
	function random(seed: number) {
		let s = seed >>> 0;
		return () => {
			s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
			return s / 2 ** 32;
		};
	}

	it('never throws, and only accepts well-formed frames', () => {
		const next = random(42);
		const valid = encodeClientMessage(identify);
		let accepted = 0;
		for (let i = 0; i < 5000; i++) {
			const bytes = valid.slice();
			// Corrupt a few bytes, or cut, or grow the frame.
			const edits = 1 + Math.floor(next() * 4);
			for (let e = 0; e < edits; e++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
			const cut = next() < 0.2 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
			const result = decodeClientMessage(cut);
			if (result.ok) {
				accepted++;
				expect(result.message.type === 'hello' || result.message.type === 'identify').toBe(true);
			} else {
				expect(typeof result.code).toBe('string');
			}
		}
		// Corrupting only the crop body still decodes; most other damage is refused.
		expect(accepted).toBeGreaterThan(0);
		expect(accepted).toBeLessThan(5000);
	});
});

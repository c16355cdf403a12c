/**
 * The data-channel protocol between the browser and the recognizer peer, defined once and
 * imported by both sides. Imports nothing but the validator, so it runs in the browser and Node.
 *
 * Every message is one binary frame (PeerJS `raw` serialization, so PeerJS never parses it):
 *
 *   0  'F' 'R'          magic
 *   2  u8               protocol version
 *   3  u8               reserved, 0
 *   4  u16 big-endian   header length H (bytes of UTF-8 JSON)
 *   6  H bytes          header: JSON object with a kebab-case `type`
 *   6+H                 body: the crop image (identify only), otherwise empty
 *
 * Evolving it: the server refuses any client header field it does not know (default-deny); the
 * browser ignores server header fields it does not know, so the server may add an optional field
 * without a version bump. Anything an older peer would misread needs PROTOCOL_VERSION bumped.
 * (Pages from before that rule, issue #10, drop a frame with an unknown field: they take an
 * `overloaded` with `retryAfterMs` for no answer, and ask again when their 3 s request timeout
 * ends, which is a backoff too.)
 */
import * as v from 'valibot';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
import { PROTOCOL_VERSION } from './version.ts';

export { PROTOCOL_VERSION };

/** Largest crop image accepted, in bytes (a 160 px JPEG face is ~4 KB). */
export const MAX_CROP_BYTES = 64 * 1024;
/** Longest side of a crop, in pixels; the server refuses larger ones. */
export const MAX_CROP_SIDE_PX = 160;
/** Crops a single client may send per second, sustained; bursts up to the same count. */
export const MAX_CROPS_PER_SECOND = 20;
/** Longest retry-after a server asks for, ms. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Largest JSON header, in bytes. */
export const MAX_HEADER_BYTES = 2048;
/** Largest frame of any kind. */
export const MAX_FRAME_BYTES = 6 + MAX_HEADER_BYTES + MAX_CROP_BYTES;

const MAGIC_0 = 0x46; // 'F'
const MAGIC_1 = 0x52; // 'R'
const PREFIX_BYTES = 6;

const Id = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
const Side = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_CROP_SIDE_PX));

const HelloHeader = v.strictObject({
	type: v.literal('hello'),
	client: v.optional(v.pipe(v.string(), v.maxLength(64)))
});
/** A keypoint coordinate in crop pixels: a little outside the crop is fine (an ear past its edge). */
const KeypointCoord = v.pipe(v.number(), v.finite(), v.minValue(-MAX_CROP_SIDE_PX), v.maxValue(2 * MAX_CROP_SIDE_PX));
/** MediaPipe BlazeFace's six keypoints, in its order: right eye, left eye, nose tip, mouth, right ear, left ear. */
export const CROP_KEYPOINTS = 6;
const IdentifyHeader = v.strictObject({
	type: v.literal('identify'),
	requestId: Id,
	trackId: Id,
	width: Side,
	height: Side,
	/**
	 * Optional (issue #10.1): the browser detector's keypoints in the crop's pixels, `[x, y]` each,
	 * in BlazeFace's order. The server starts its landmark search from them instead of the whole
	 * crop, which saves landmark passes. Absent (older pages): the server searches the whole crop.
	 */
	keypoints: v.optional(v.pipe(v.array(v.strictTuple([KeypointCoord, KeypointCoord])), v.length(CROP_KEYPOINTS)))
});
const ClientHeader = v.variant('type', [HelloHeader, IdentifyHeader]);

// Server headers are plain objects, not strict: unknown fields are dropped (see the top of the file).
const WelcomeHeader = v.object({
	type: v.literal('welcome'),
	recognizer: v.string(),
	maxCropBytes: v.number(),
	maxCropSidePx: v.number(),
	maxCropsPerSecond: v.number()
});
const IdentityHeader = v.object({
	type: v.literal('identity'),
	requestId: Id,
	trackId: Id,
	label: v.pipe(v.string(), v.maxLength(128)),
	personId: v.nullable(v.string()),
	/** To the nearest person; null when there is nobody to compare with (or no face). */
	distance: v.nullable(v.number()),
	confidence: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
	/**
	 * Whether the server found a face in the crop. Optional for servers from before it, whose only
	 * sign of "no face" was a null distance (which an empty gallery gives too).
	 */
	face: v.optional(v.boolean())
});
const ErrorHeader = v.object({
	type: v.literal('error'),
	requestId: v.optional(Id),
	code: v.picklist(ERROR_CODES),
	message: v.pipe(v.string(), v.maxLength(256)),
	/** `overloaded`, `rate-limited`: send no crop for this long (the browser backs off; see link/backoff.ts). */
	retryAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_RETRY_AFTER_MS)))
});
const ServerHeader = v.variant('type', [WelcomeHeader, IdentityHeader, ErrorHeader]);

export type HelloMessage = v.InferOutput<typeof HelloHeader>;
/** A face crop to name. `crop` is a JPEG, PNG or WebP of at most MAX_CROP_SIDE_PX a side. */
export type IdentifyMessage = v.InferOutput<typeof IdentifyHeader> & { crop: Uint8Array };
export type ClientMessage = HelloMessage | IdentifyMessage;

export type WelcomeMessage = v.InferOutput<typeof WelcomeHeader>;
/** `label` is `"unknown"` when nobody in the gallery is close enough; then `personId` is null. */
export type IdentityMessage = v.InferOutput<typeof IdentityHeader>;
export type ErrorMessage = { type: 'error'; requestId?: number; code: ErrorCode; message: string; retryAfterMs?: number };
export type ServerMessage = WelcomeMessage | IdentityMessage | ErrorMessage;

/** Why a frame was refused; `requestId` is set when the header got far enough to name one. */
export type DecodeFailure = { ok: false; code: ErrorCode; message: string; requestId?: number };
export type Decoded<T> = { ok: true; message: T } | DecodeFailure;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function encodeFrame(header: object, body?: Uint8Array): Uint8Array {
	const json = encoder.encode(JSON.stringify(header));
	if (json.byteLength > MAX_HEADER_BYTES) throw new RangeError('header too large');
	const frame = new Uint8Array(PREFIX_BYTES + json.byteLength + (body?.byteLength ?? 0));
	frame[0] = MAGIC_0;
	frame[1] = MAGIC_1;
	frame[2] = PROTOCOL_VERSION;
	frame[3] = 0;
	new DataView(frame.buffer).setUint16(4, json.byteLength);
	frame.set(json, PREFIX_BYTES);
	if (body) frame.set(body, PREFIX_BYTES + json.byteLength);
	return frame;
}

/** Bytes as they arrive from a data channel: ArrayBuffer in browsers and @roamhq/wrtc, a view elsewhere. */
function toBytes(raw: unknown): Uint8Array | null {
	if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
	if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
	return null;
}

function fail(code: ErrorCode, message: string, requestId?: number): DecodeFailure {
	return requestId === undefined ? { ok: false, code, message } : { ok: false, code, message, requestId };
}

type Split = { ok: true; header: unknown; body: Uint8Array } | DecodeFailure;

function splitFrame(raw: unknown): Split {
	const bytes = toBytes(raw);
	if (!bytes) return fail('bad-message', 'expected a binary frame');
	if (bytes.byteLength > MAX_FRAME_BYTES) return fail('too-large', `frame over ${MAX_FRAME_BYTES} bytes`);
	if (bytes.byteLength < PREFIX_BYTES || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
		return fail('bad-message', 'not a FaceRTC frame');
	}
	if (bytes[2] !== PROTOCOL_VERSION) {
		return fail('unsupported-version', `protocol ${bytes[2]} is not ${PROTOCOL_VERSION}`);
	}
	const headerBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint16(4);
	if (headerBytes > MAX_HEADER_BYTES || PREFIX_BYTES + headerBytes > bytes.byteLength) {
		return fail('bad-message', 'bad header length');
	}
	let header: unknown;
	try {
		header = JSON.parse(decoder.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes)));
	} catch {
		return fail('bad-message', 'header is not JSON');
	}
	return { ok: true, header, body: bytes.subarray(PREFIX_BYTES + headerBytes) };
}

function requestIdOf(header: unknown): number | undefined {
	const id = (header as { requestId?: unknown } | null)?.requestId;
	return v.is(Id, id) ? id : undefined;
}

/** Encodes a browser → recognizer message. */
export function encodeClientMessage(message: ClientMessage): Uint8Array {
	if (message.type === 'identify') {
		const { crop, ...header } = message;
		return encodeFrame(header, crop);
	}
	return encodeFrame(message);
}

/** Decodes what a client sent. Never throws: anything not acceptable comes back as a failure. */
export function decodeClientMessage(raw: unknown): Decoded<ClientMessage> {
	const split = splitFrame(raw);
	if (!split.ok) return split;
	const parsed = v.safeParse(ClientHeader, split.header);
	if (!parsed.success) return fail('bad-message', 'unknown or malformed message', requestIdOf(split.header));
	const header = parsed.output;
	if (header.type === 'hello') {
		return split.body.byteLength === 0 ? { ok: true, message: header } : fail('bad-message', 'unexpected body');
	}
	if (split.body.byteLength === 0) return fail('bad-image', 'empty crop', header.requestId);
	if (split.body.byteLength > MAX_CROP_BYTES) {
		return fail('too-large', `crop over ${MAX_CROP_BYTES} bytes`, header.requestId);
	}
	return { ok: true, message: { ...header, crop: split.body } };
}

/** Encodes a recognizer → browser message. */
export function encodeServerMessage(message: ServerMessage): Uint8Array {
	return encodeFrame(message);
}

/** Decodes what the recognizer sent. Never throws. */
export function decodeServerMessage(raw: unknown): Decoded<ServerMessage> {
	const split = splitFrame(raw);
	if (!split.ok) return split;
	const parsed = v.safeParse(ServerHeader, split.header);
	if (!parsed.success) return fail('bad-message', 'unknown or malformed message');
	return { ok: true, message: parsed.output };
}

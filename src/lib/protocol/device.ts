/**
 * Which device a live page runs on, for people reading the People page's *Recent* list and
 * corrections log: a random id the page makes once and keeps (so it outlives the per-load PeerJS
 * id) and a short label from the browser ("Chrome on Android"). Both travel in the PeerJS connect
 * metadata beside the token, so the client chooses them: the server keeps them for display only
 * (never for a limit, a permission or a lookup), and only what `parseDevice` lets through.
 *
 * Imports nothing but the validator, so it runs in the browser and in Node.
 */
import * as v from 'valibot';

/** A device id: 32 lowercase hex digits (128 random bits). */
export const DEVICE_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Longest device label kept, in characters (code points), after cleaning. */
export const MAX_DEVICE_NAME_CHARS = 48;
/**
 * Longest label looked at, in UTF-16 units: anything longer is refused before any work on it
 * (a generated label is ~20; room for a cleaned one's removed characters).
 */
export const MAX_DEVICE_NAME_INPUT = MAX_DEVICE_NAME_CHARS * 8;
/** Characters of the id shown beside the label, to tell two alike devices apart. */
export const DEVICE_ID_SHOWN = 4;

export type DeviceInfo = { id: string; name: string | null };

// Control characters, lone surrogates, private-use and unassigned code points (\p{C}), line and
// paragraph separators, and invisible characters (Default_Ignorable_Code_Point: zero-width ones,
// soft hyphen, BOM, tag characters…). Bidirectional overrides, embeddings and isolates (U+202A–E,
// U+2066–9, and the marks U+200E/F, U+061C) are all in \p{Cf}, hence in \p{C}.
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;
// A combining mark past the second on one letter ("Zalgo" text that draws over its neighbours).
const STACKED_MARKS = /(\p{M}{2})\p{M}+/gu;

/**
 * A label as it may be shown: NFC, unprintable and invisible characters removed, any run of
 * spaces made one, trimmed, at most MAX_DEVICE_NAME_CHARS characters (cut at a character, never
 * inside one), null when nothing is left. Expects at most MAX_DEVICE_NAME_INPUT units.
 */
export function cleanDeviceName(raw: string): string | null {
	const text = raw.normalize('NFC').replace(UNPRINTABLE, '').replace(STACKED_MARKS, '$1').replace(/\s+/gu, ' ').trim();
	const chars = [...text];
	const cut = chars.length > MAX_DEVICE_NAME_CHARS ? chars.slice(0, MAX_DEVICE_NAME_CHARS).join('').trimEnd() : text;
	return cut === '' ? null : cut;
}

export const DeviceId = v.pipe(v.string(), v.regex(DEVICE_ID_PATTERN, 'a device id is 32 lowercase hex digits'));
/** A label as sent: bounded text, then cleaned (null: nothing printable in it). */
export const DeviceName = v.pipe(v.string(), v.maxLength(MAX_DEVICE_NAME_INPUT, 'device label too long'), v.transform(cleanDeviceName));

/** The fields the live page adds to its PeerJS connect metadata (beside `token`). */
export type DeviceMetadata = { deviceId: string; deviceName: string };

/**
 * The device a channel's connect metadata names, or null when it names none we accept (an older
 * page, or anything that is not a well-formed id). A label that is not text, too long, or has
 * nothing printable is dropped, the id kept. Never throws.
 */
export function parseDevice(metadata: unknown): DeviceInfo | null {
	if (typeof metadata !== 'object' || metadata === null) return null;
	const fields = metadata as { deviceId?: unknown; deviceName?: unknown };
	const id = v.safeParse(DeviceId, fields.deviceId);
	if (!id.success) return null;
	const name = v.safeParse(DeviceName, fields.deviceName);
	return { id: id.output, name: name.success ? name.output : null };
}

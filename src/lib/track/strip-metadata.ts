/**
 * Drops what an encoded crop carries besides its pixels. Chromium's canvas encoder embeds its
 * sRGB colour profile in every WebP (ICCP chunk, 456 bytes) and JPEG (APP2, 472 bytes): a third
 * of a 112 px crop. The recognizer reads untagged images as sRGB, which is what the canvas
 * holds, so the profile changes nothing but the bill. Pure; answers the input untouched whenever
 * the bytes are not a layout it fully understands, so it can never corrupt a crop.
 */

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
/** VP8X flags (WebP container spec): the only one we keep is alpha. */
const VP8X_ALPHA = 0x10;
const VP8X_ANIMATION = 0x02;
const WEBP_METADATA_CHUNKS = new Set(['ICCP', 'EXIF', 'XMP ']);

const JPEG_SOI = 0xd8;
const JPEG_SOS = 0xda;
const JPEG_COM = 0xfe;
const JPEG_APP0 = 0xe0;
/** APP14 ("Adobe") says how colour channels are coded; everything else APPn is metadata. */
const JPEG_APP14 = 0xee;

export function stripImageMetadata(bytes: Uint8Array): Uint8Array {
	if (isWebp(bytes)) return stripWebp(bytes) ?? bytes;
	if (bytes[0] === 0xff && bytes[1] === JPEG_SOI) return stripJpeg(bytes) ?? bytes;
	return bytes;
}

const fourCc = (bytes: Uint8Array, at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
const readU32le = (bytes: Uint8Array, at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

function writeU32le(bytes: Uint8Array, at: number, value: number): void {
	bytes[at] = value & 0xff;
	bytes[at + 1] = (value >>> 8) & 0xff;
	bytes[at + 2] = (value >>> 16) & 0xff;
	bytes[at + 3] = (value >>> 24) & 0xff;
}

function isWebp(bytes: Uint8Array): boolean {
	return bytes.length >= RIFF_HEADER_BYTES && fourCc(bytes, 0) === 'RIFF' && fourCc(bytes, 8) === 'WEBP';
}

type Chunk = { id: string; start: number; end: number };

/** The RIFF chunks, or null when a size points outside the file. */
function webpChunks(bytes: Uint8Array): Chunk[] | null {
	const end = Math.min(bytes.length, CHUNK_HEADER_BYTES + readU32le(bytes, 4));
	const chunks: Chunk[] = [];
	let at = RIFF_HEADER_BYTES;
	while (at < end) {
		if (at + CHUNK_HEADER_BYTES > end) return null;
		const size = readU32le(bytes, at + 4);
		const next = at + CHUNK_HEADER_BYTES + size + (size & 1);
		if (at + CHUNK_HEADER_BYTES + size > end) return null;
		chunks.push({ id: fourCc(bytes, at), start: at, end: Math.min(next, end) });
		at = next;
	}
	return chunks;
}

function stripWebp(bytes: Uint8Array): Uint8Array | null {
	const chunks = webpChunks(bytes);
	const extended = chunks?.[0]?.id === 'VP8X' ? chunks[0] : null;
	if (!chunks || !extended) return null; // Simple WebP: nothing but the bitstream already.
	const flags = bytes[extended.start + CHUNK_HEADER_BYTES]!;
	if (flags & VP8X_ANIMATION) return null;
	const kept = chunks.slice(1).filter((c) => !WEBP_METADATA_CHUNKS.has(c.id));
	if (kept.length === chunks.length - 1) return null;
	// Without alpha the bitstream alone is a complete simple-format file; with it, VP8X must stay.
	// A simple file is one VP8/VP8L chunk and nothing else: any other chunk left keeps VP8X too.
	const simple = kept.length === 1 && (kept[0]!.id === 'VP8 ' || kept[0]!.id === 'VP8L');
	const parts = simple ? kept : [extended, ...kept];
	const length = RIFF_HEADER_BYTES + parts.reduce((sum, c) => sum + c.end - c.start, 0);
	const out = new Uint8Array(length);
	out.set(bytes.subarray(0, RIFF_HEADER_BYTES));
	writeU32le(out, 4, length - CHUNK_HEADER_BYTES);
	let at = RIFF_HEADER_BYTES;
	for (const c of parts) {
		out.set(bytes.subarray(c.start, c.end), at);
		if (c === extended) out[at + CHUNK_HEADER_BYTES] = flags & VP8X_ALPHA;
		at += c.end - c.start;
	}
	return out;
}

/** Keeps SOI, APP0, APP14, tables and frame header, and everything from the scan on. */
function stripJpeg(bytes: Uint8Array): Uint8Array | null {
	const kept: Array<[number, number]> = [[0, 2]];
	let dropped = false;
	let at = 2;
	for (;;) {
		if (at + 4 > bytes.length || bytes[at] !== 0xff) return null;
		const marker = bytes[at + 1]!;
		// Fill bytes and marker-only segments do not occur before the scan in encoder output: bail out.
		if (marker === 0xff || marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) return null;
		if (marker === JPEG_SOS) {
			kept.push([at, bytes.length]);
			break;
		}
		const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
		if (length < 2 || at + 2 + length > bytes.length) return null;
		const isMetadata = marker === JPEG_COM || (marker > JPEG_APP0 && marker <= 0xef && marker !== JPEG_APP14);
		if (isMetadata) dropped = true;
		else kept.push([at, at + 2 + length]);
		at += 2 + length;
	}
	if (!dropped) return null;
	const out = new Uint8Array(kept.reduce((sum, [from, to]) => sum + to - from, 0));
	let written = 0;
	for (const [from, to] of kept) {
		out.set(bytes.subarray(from, to), written);
		written += to - from;
	}
	return out;
}

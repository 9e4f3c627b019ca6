/**
 * Title and artist from an ID3v2 tag (v2.2, v2.3 and v2.4), the tag at the start of most MP3
 * files. Only the text frames TIT2/TPE1 (TT2/TP1 in v2.2) are read; pictures, lyrics and the
 * rest are skipped by their size, so a large cover image costs nothing.
 *
 * Pure: bytes in, strings out. A damaged tag gives what could be read before the damage.
 *
 * @example
 * const head = new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer());
 * const tags = readId3v2(head); // { title: 'Eden', artist: 'Hania Rani' }, or null without a tag
 */

export interface Id3Tags {
	title?: string;
	artist?: string;
}

const HEADER_BYTES = 10;

/** A 28-bit "syncsafe" integer: seven bits in each of four bytes, so that no byte looks like an MPEG frame sync. */
function syncsafe(bytes: Uint8Array, at: number): number {
	return (
		((bytes[at]! & 0x7f) << 21) |
		((bytes[at + 1]! & 0x7f) << 14) |
		((bytes[at + 2]! & 0x7f) << 7) |
		(bytes[at + 3]! & 0x7f)
	);
}

function bigEndian(bytes: Uint8Array, at: number, length: number): number {
	let value = 0;
	for (let i = 0; i < length; i += 1) value = value * 256 + bytes[at + i]!;
	return value;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
	return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** Whether the bytes start with an ID3v2 header this parser understands. */
function hasHeader(bytes: Uint8Array): boolean {
	if (bytes.length < HEADER_BYTES || ascii(bytes, 0, 3) !== 'ID3') return false;
	const major = bytes[3]!;
	// The size bytes are syncsafe: a set high bit means this is not a tag.
	return major >= 2 && major <= 4 && bytes[4] !== 0xff && bytes.subarray(6, 10).every((b) => b < 0x80);
}

/**
 * Length of the ID3v2 tag at the start of the bytes, header and footer included; 0 without one.
 * The audio starts right after it.
 */
export function id3v2Length(bytes: Uint8Array): number {
	if (!hasHeader(bytes)) return 0;
	const footer = bytes[3] === 4 && (bytes[5]! & 0x10) !== 0 ? HEADER_BYTES : 0;
	return HEADER_BYTES + syncsafe(bytes, 6) + footer;
}

/** Undoes "unsynchronisation": every 0xFF 0x00 pair was written for a plain 0xFF. */
function resync(bytes: Uint8Array): Uint8Array {
	const out = new Uint8Array(bytes.length);
	let n = 0;
	for (let i = 0; i < bytes.length; i += 1) {
		out[n++] = bytes[i]!;
		if (bytes[i] === 0xff && bytes[i + 1] === 0x00) i += 1;
	}
	return out.subarray(0, n);
}

function latin1(bytes: Uint8Array): string {
	let text = '';
	for (const b of bytes) text += String.fromCharCode(b);
	return text;
}

function utf16(bytes: Uint8Array, littleEndian: boolean): string {
	let text = '';
	for (let i = 0; i + 1 < bytes.length; i += 2) {
		text += String.fromCharCode(littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!);
	}
	return text;
}

/** The text of a text frame: an encoding byte, then one or more strings separated by NUL. */
function frameText(data: Uint8Array): string | undefined {
	const body = data.subarray(1);
	let text: string;
	switch (data[0]) {
		case 0:
			text = latin1(body);
			break;
		case 1: {
			// UTF-16 with a byte-order mark; without one, big-endian as the standard says.
			const littleEndian = body[0] === 0xff && body[1] === 0xfe;
			const marked = littleEndian || (body[0] === 0xfe && body[1] === 0xff);
			// v2.4 allows a mark before each of several values; every mark is dropped after decoding.
			text = utf16(marked ? body.subarray(2) : body, littleEndian).replaceAll('\uFEFF', '');
			break;
		}
		case 2:
			text = utf16(body, false);
			break;
		case 3:
			text = new TextDecoder('utf-8').decode(body);
			break;
		default:
			return undefined;
	}
	// v2.4 separates several values with NUL; v2.3 writers often end with a stray NUL.
	const values = text
		.split('\0')
		.map((value) => value.trim())
		.filter((value) => value !== '');
	return values.length > 0 ? values.join(' / ') : undefined;
}

/**
 * Title and artist from the ID3v2 tag at the start of `bytes`; null when there is no tag.
 * `bytes` may be only the beginning of the file: frames cut off at its end are left out.
 *
 * @example
 * readId3v2(bytes); // { title: 'Eden', artist: 'Hania Rani' }
 */
export function readId3v2(bytes: Uint8Array): Id3Tags | null {
	if (!hasHeader(bytes)) return null;
	const major = bytes[3]!;
	const flags = bytes[5]!;
	const end = Math.min(bytes.length, HEADER_BYTES + syncsafe(bytes, 6));
	let tag = bytes.subarray(HEADER_BYTES, end);
	// In v2.2 and v2.3 unsynchronisation covers the whole tag; in v2.4 it is marked per frame.
	if (major < 4 && (flags & 0x80) !== 0) tag = resync(tag);
	let at = 0;
	if (major >= 3 && (flags & 0x40) !== 0 && tag.length >= 4) {
		// The extended header: its size excludes its own size field in v2.3 and includes it in v2.4.
		at = major === 3 ? 4 + bigEndian(tag, 0, 4) : syncsafe(tag, 0);
	}

	const idLength = major === 2 ? 3 : 4;
	const frameHeader = major === 2 ? 6 : 10;
	const wanted: Record<string, keyof Id3Tags> =
		major === 2 ? { TT2: 'title', TP1: 'artist' } : { TIT2: 'title', TPE1: 'artist' };
	const tags: Id3Tags = {};
	while (at + frameHeader <= tag.length) {
		// Padding (zero bytes) ends the frames.
		if (tag[at] === 0) break;
		const id = ascii(tag, at, idLength);
		const size =
			major === 2 ? bigEndian(tag, at + 3, 3) : major === 3 ? bigEndian(tag, at + 4, 4) : syncsafe(tag, at + 4);
		const start = at + frameHeader;
		if (!/^[A-Z0-9]+$/.test(id) || start + size > tag.length) break;
		const field = wanted[id];
		if (field && tags[field] === undefined) {
			const text = frameText(frameData(tag.subarray(start, start + size), major, tag, at));
			if (text !== undefined) tags[field] = text;
		}
		at = start + size;
	}
	return tags;
}

/**
 * A frame's content with its per-frame encodings undone; empty (so it reads as nothing) when
 * it is compressed or encrypted, which no text frame worth reading is.
 */
function frameData(data: Uint8Array, major: number, tag: Uint8Array, at: number): Uint8Array {
	if (major === 3) {
		const format = tag[at + 9]!;
		return (format & 0xc0) !== 0 ? new Uint8Array(0) : data;
	}
	if (major === 4) {
		const format = tag[at + 9]!;
		if ((format & 0x0c) !== 0) return new Uint8Array(0);
		let content = format & 0x02 ? resync(data) : data;
		// A data-length indicator: four syncsafe bytes before the content.
		if (format & 0x01) content = content.subarray(4);
		return content;
	}
	return data;
}

/**
 * The length of an ID3v2 tag (v2.2, v2.3 and v2.4) at the start of an MP3, so that the audio
 * after it can be recognised (sniffAudioType). The tag's text is read by music-metadata
 * (tags.ts), not here.
 *
 * Pure: bytes in, a number out.
 *
 * @example
 * id3v2Length(head); // 10 + the tag's declared size (+ 10 for a v2.4 footer), or 0 without a tag
 */

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

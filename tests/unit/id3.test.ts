import { describe, expect, it } from 'vitest';
import { id3v2Length } from '../../src/lib/library/id3';

const LATIN1 = 0;
const UTF16 = 1;
const UTF16BE = 2;
// UTF-8 (3) is the default branch of `encode`.

function syncsafe(n: number): number[] {
	return [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];
}

function be(n: number, length: number): number[] {
	return Array.from({ length }, (_, i) => (n >> (8 * (length - 1 - i))) & 0xff);
}

function ascii(text: string): number[] {
	return [...text].map((c) => c.charCodeAt(0));
}

function encode(text: string, encoding: number): number[] {
	switch (encoding) {
		case LATIN1:
			return ascii(text);
		case UTF16:
			return [0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];
		case UTF16BE:
			return [...text].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff]);
		default:
			return [...new TextEncoder().encode(text)];
	}
}

function frame(major: number, id: string, content: number[], formatFlags = 0): number[] {
	if (major === 2) return [...ascii(id), ...be(content.length, 3), ...content];
	const size = major === 4 ? syncsafe(content.length) : be(content.length, 4);
	return [...ascii(id), ...size, 0, formatFlags, ...content];
}

function textFrame(major: number, id: string, text: string, encoding: number): number[] {
	return frame(major, id, [encoding, ...encode(text, encoding)]);
}

function tag(
	major: number,
	frames: number[][],
	{ padding = 0, flags = 0, extended = [] as number[] } = {}
): Uint8Array {
	const body = [...extended, ...frames.flat(), ...new Array<number>(padding).fill(0)];
	return Uint8Array.from([...ascii('ID3'), major, 0, flags, ...syncsafe(body.length), ...body]);
}

/** A tag followed by the first bytes of an MPEG frame, as in a file. */
function withAudio(head: Uint8Array): Uint8Array {
	return Uint8Array.from([...head, 0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]);
}

describe('id3v2Length', () => {
	it('is the header plus the declared size, plus a v2.4 footer, and 0 without a tag', () => {
		const bytes = tag(3, [textFrame(3, 'TIT2', 'x', LATIN1)], { padding: 200 });
		expect(id3v2Length(withAudio(bytes))).toBe(bytes.length);
		expect(bytes.length).toBe(10 + 12 + 200);
		const footed = tag(4, [], { flags: 0x10, padding: 5 });
		expect(id3v2Length(footed)).toBe(10 + 5 + 10);
		expect(id3v2Length(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]))).toBe(0);
	});
});

import { describe, expect, it } from 'vitest';
import { id3v2Length, readId3v2 } from '../../src/lib/library/id3';

const LATIN1 = 0;
const UTF16 = 1;
const UTF16BE = 2;
const UTF8 = 3;

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

describe('readId3v2', () => {
	it('reads TIT2 and TPE1 from a v2.3 tag in Latin-1, with accents and padding', () => {
		const bytes = withAudio(
			tag(3, [textFrame(3, 'TIT2', 'Café Nuit', LATIN1), textFrame(3, 'TPE1', 'Zoë Keating', LATIN1)], { padding: 64 })
		);
		expect(readId3v2(bytes)).toEqual({ title: 'Café Nuit', artist: 'Zoë Keating' });
	});

	it('reads UTF-16 with a byte-order mark (v2.3), little- and big-endian', () => {
		const little = tag(3, [textFrame(3, 'TIT2', 'Ωmega – Tide', UTF16), textFrame(3, 'TPE1', 'Ólafur', UTF16)]);
		expect(readId3v2(little)).toEqual({ title: 'Ωmega – Tide', artist: 'Ólafur' });
		const bigContent = [UTF16, 0xfe, 0xff, ...encode('Río', UTF16BE)];
		expect(readId3v2(tag(3, [frame(3, 'TIT2', bigContent)]))).toEqual({ title: 'Río' });
	});

	it('reads UTF-8 and UTF-16BE in v2.4, whose frame sizes are syncsafe', () => {
		// 200 bytes of text: a syncsafe size differs from a plain one above 127.
		const long = 'Ü'.repeat(100);
		const bytes = tag(4, [textFrame(4, 'TPE1', 'Hania Rani', UTF16BE), textFrame(4, 'TIT2', long, UTF8)]);
		expect(readId3v2(bytes)).toEqual({ title: long, artist: 'Hania Rani' });
	});

	it('joins several v2.4 values and drops the NUL a writer left at the end', () => {
		const artists = frame(4, 'TPE1', [UTF8, ...encode('A\0B\0', UTF8)]);
		const title = frame(4, 'TIT2', [LATIN1, ...encode('Calm\0', LATIN1)]);
		expect(readId3v2(tag(4, [artists, title]))).toEqual({ title: 'Calm', artist: 'A / B' });
	});

	it('skips other frames, including a large picture, by their size', () => {
		const picture = frame(3, 'APIC', new Array<number>(5000).fill(0xff));
		const album = textFrame(3, 'TALB', 'Album', LATIN1);
		const bytes = tag(3, [picture, album, textFrame(3, 'TIT2', 'After', LATIN1)]);
		expect(readId3v2(bytes)).toEqual({ title: 'After' });
	});

	it('reads v2.2 three-letter frames', () => {
		const bytes = tag(2, [textFrame(2, 'TT2', 'Old', LATIN1), textFrame(2, 'TP1', 'Tagger', LATIN1)]);
		expect(readId3v2(bytes)).toEqual({ title: 'Old', artist: 'Tagger' });
	});

	it('steps over a v2.3 extended header', () => {
		const extended = [...be(6, 4), 0, 0, 0, 0, 0, 0];
		const bytes = tag(3, [textFrame(3, 'TIT2', 'Ext', LATIN1)], { flags: 0x40, extended });
		expect(readId3v2(bytes)).toEqual({ title: 'Ext' });
	});

	it('undoes v2.3 whole-tag unsynchronisation', () => {
		// “ÿ” is 0xFF in Latin-1; unsynchronised it is written 0xFF 0x00 and the frame size counts the original.
		const content = [LATIN1, ...ascii('aÿb')];
		const written = [...ascii('TIT2'), ...be(content.length, 4), 0, 0, LATIN1, 0x61, 0xff, 0x00, 0x62];
		expect(readId3v2(tag(3, [written], { flags: 0x80 }))).toEqual({ title: 'aÿb' });
	});

	it('gives an empty result for a tag without title or artist, and null without a tag', () => {
		expect(readId3v2(tag(3, [textFrame(3, 'TALB', 'Album', LATIN1)], { padding: 10 }))).toEqual({});
		expect(readId3v2(Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
		expect(readId3v2(new TextEncoder().encode('RIFF....WAVEfmt '))).toBeNull();
		expect(readId3v2(new Uint8Array(0))).toBeNull();
		// "ID3" followed by a size with high bits set is not a tag.
		expect(readId3v2(Uint8Array.from([...ascii('ID3'), 3, 0, 0, 0x80, 0, 0, 0]))).toBeNull();
	});

	it('reads what it can from a tag cut short, and ignores garbage frame ids', () => {
		const whole = tag(3, [textFrame(3, 'TPE1', 'First', LATIN1), textFrame(3, 'TIT2', 'Second', LATIN1)]);
		expect(readId3v2(whole.subarray(0, whole.length - 3))).toEqual({ artist: 'First' });
		const garbage = tag(3, [[0x01, 0x02, 0x03, 0x04, 0, 0, 0, 2, 0, 0, 0, 0], textFrame(3, 'TIT2', 'Hidden', LATIN1)]);
		expect(readId3v2(garbage)).toEqual({});
	});
});

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

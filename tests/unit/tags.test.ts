/**
 * Tags read through music-metadata from one small real file per format, made by
 * tests/fixtures/tags/make-fixtures.mjs (each decodes in Chromium too), and from files
 * damaged on purpose. Here in Node the library's Node entry runs; tests/audio/tags.test.ts
 * reads the same files through its browser entry, as the app does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanTag, MAX_TAG_LENGTH, readTags } from '../../src/lib/library/tags';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/tags/${name}`, import.meta.url)));

const ARTIST = 'Åse Grønn';
const ALBUM = 'Grounded Fixtures';

const FORMATS = [
	{ file: 'tagged.mp3', mime: 'audio/mpeg', title: 'Harbour Light (MP3)', tag: 'ID3v2.3' },
	{ file: 'tagged.m4a', mime: 'audio/mp4', title: 'Wide Horizon (M4A)', tag: 'MP4 ilst' },
	{ file: 'tagged.flac', mime: 'audio/flac', title: 'Still Meadow (FLAC)', tag: 'FLAC Vorbis comment' },
	{ file: 'tagged.ogg', mime: 'audio/ogg', title: 'Evening Field (Vorbis)', tag: 'Ogg Vorbis comment' },
	{ file: 'tagged.opus', mime: 'audio/ogg', title: 'Quiet Rain (Opus)', tag: 'OpusTags' },
	{ file: 'tagged.wav', mime: 'audio/wav', title: 'Cloudlight (WAV)', tag: 'RIFF INFO' }
];

const NO_TAGS = { title: null, artist: null, album: null, durationSeconds: null };

function le32(value: number): number[] {
	return [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff];
}

/** A FLAC stream's metadata (STREAMINFO for 1 s at 44.1 kHz, then the comments) with no audio frames. */
function flacWithComments(comments: string[]): Uint8Array<ArrayBuffer> {
	const block = (type: number, last: boolean, body: number[]) => [
		(last ? 0x80 : 0) | type,
		(body.length >> 16) & 0xff,
		(body.length >> 8) & 0xff,
		body.length & 0xff,
		...body
	];
	// Block sizes 4096, frame sizes unknown, then 44 100 Hz, mono, 16 bits, 44 100 samples; no MD5.
	const streamInfo = [0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x0a, 0xc4, 0x40, 0xf0, 0, 0, 0xac, 0x44];
	const text = (value: string) => [...new TextEncoder().encode(value)];
	const vendor = text('test');
	const body = [
		...le32(vendor.length),
		...vendor,
		...le32(comments.length),
		...comments.flatMap((comment) => [...le32(text(comment).length), ...text(comment)])
	];
	return Uint8Array.from([
		...text('fLaC'),
		...block(0, false, [...streamInfo, ...new Array<number>(16).fill(0)]),
		...block(4, true, body)
	]);
}

describe('readTags', () => {
	it.each(FORMATS)('reads the $tag of $file', async ({ file, mime, title }) => {
		const tags = await readTags(new Blob([fixture(file)]), mime);
		expect(tags).toMatchObject({ title, artist: ARTIST, album: ALBUM });
		// Each fixture is 0.2 s; MP3 and AAC frames round it up a little.
		expect(tags.durationSeconds).toBeGreaterThan(0.15);
		expect(tags.durationSeconds).toBeLessThan(0.3);
	});

	it('goes by the recognised type, not the one the file’s name gave it', async () => {
		const misnamed = new File([fixture('tagged.flac')], 'meadow.mp3', { type: 'audio/mpeg' });
		expect((await readTags(misnamed, 'audio/flac')).title).toBe('Still Meadow (FLAC)');
	});

	it('recognises the bytes itself when no type is given', async () => {
		expect((await readTags(new Blob([fixture('tagged.m4a')]), '')).title).toBe('Wide Horizon (M4A)');
	});

	it('gives nulls for a file without tags', async () => {
		expect(await readTags(new Blob([flacWithComments([])]), 'audio/flac')).toEqual({
			...NO_TAGS,
			durationSeconds: 1
		});
	});

	it('gives nulls, and does not throw, for bytes that are not audio or an empty file', async () => {
		const text = new Blob(['This is a shopping list, not a song.\n'.repeat(50)]);
		for (const mime of ['audio/mpeg', 'audio/mp4', 'audio/flac', 'audio/ogg', 'audio/wav', '']) {
			expect(await readTags(text, mime)).toEqual(NO_TAGS);
		}
		expect(await readTags(new Blob([]), 'audio/mpeg')).toEqual(NO_TAGS);
	});

	it('gives nulls for a file cut short inside its headers', async () => {
		for (const { file, mime } of FORMATS) {
			expect(await readTags(new Blob([fixture(file).slice(0, 40)]), mime), file).toEqual(NO_TAGS);
		}
	});

	it('never throws on damaged files: cut short, or with bytes overwritten', async () => {
		for (const { file, mime } of FORMATS) {
			const bytes = fixture(file);
			const damaged: Uint8Array[] = [];
			for (const keep of [4, 12, 40, 100, 300, Math.floor(bytes.length / 2), bytes.length - 1]) {
				damaged.push(bytes.slice(0, Math.min(keep, bytes.length)));
			}
			// Headers and sizes live near the start: overwrite each stretch there in turn.
			for (let at = 0; at < Math.min(bytes.length, 400); at += 7) {
				const copy = bytes.slice();
				copy.fill(0xff, at, at + 5);
				damaged.push(copy);
			}
			for (const part of damaged) {
				const tags = await readTags(new Blob([part as Uint8Array<ArrayBuffer>]), mime);
				expect(Object.keys(tags).sort()).toEqual(['album', 'artist', 'durationSeconds', 'title']);
				for (const value of [tags.title, tags.artist, tags.album]) {
					if (value !== null) expect(value.length).toBeLessThanOrEqual(MAX_TAG_LENGTH);
				}
			}
		}
	});

	it('cuts a very long title to 200 characters and keeps the other tags', async () => {
		const long = 'Breathing '.repeat(1_000);
		const tags = await readTags(
			new Blob([flacWithComments([`TITLE=${long}`, `ARTIST=${'A'.repeat(5_000)}`, 'ALBUM=Short'])]),
			'audio/flac'
		);
		expect(tags.title).toHaveLength(MAX_TAG_LENGTH);
		expect(tags.title).toMatch(/^Breathing Breathing .*…$/);
		expect(tags.artist).toHaveLength(MAX_TAG_LENGTH);
		expect(tags.album).toBe('Short');
	});

	it('keeps every value of an artist tag, and the credit over a separate list of artists', async () => {
		const several = flacWithComments(['ARTIST=Anna', 'ARTIST=Ben']);
		expect((await readTags(new Blob([several]), 'audio/flac')).artist).toBe('Anna / Ben');
		const credited = flacWithComments(['ARTIST=Anna feat. Ben', 'ARTISTS=Anna', 'ARTISTS=Ben']);
		expect((await readTags(new Blob([credited]), 'audio/flac')).artist).toBe('Anna feat. Ben');
		const listOnly = flacWithComments(['ARTISTS=Anna', 'ARTISTS=Ben']);
		expect((await readTags(new Blob([listOnly]), 'audio/flac')).artist).toBe('Anna & Ben');
	});

	it('drops control characters and collapses white space from tags', async () => {
		const tags = await readTags(
			new Blob([flacWithComments(['TITLE=  Slow\r\nTide\u0007 \u202eevil\u202c ', 'ARTIST=\t\u0000 \u0085 '])]),
			'audio/flac'
		);
		expect(tags.title).toBe('Slow Tide evil');
		expect(tags.artist).toBeNull();
	});
});

describe('cleanTag', () => {
	it('keeps ordinary text, accents, scripts and emoji as they are', () => {
		expect(cleanTag('Åse Grønn — 静かな海 🌊')).toBe('Åse Grønn — 静かな海 🌊');
	});

	it('gives null for nothing, white space or a value that is not text', () => {
		expect(cleanTag(undefined)).toBeNull();
		expect(cleanTag('  \n\t ')).toBeNull();
		expect(cleanTag(42)).toBeNull();
	});

	it('does not cut an emoji in half at the limit', () => {
		const cut = cleanTag(`${'a'.repeat(MAX_TAG_LENGTH - 2)}🌊🌊🌊`)!;
		expect(cut.length).toBeLessThanOrEqual(MAX_TAG_LENGTH);
		expect(cut).toBe(`${'a'.repeat(MAX_TAG_LENGTH - 2)}…`);
		expect(cut.isWellFormed()).toBe(true);
	});

	it('leaves a value of exactly 200 characters whole', () => {
		expect(cleanTag('b'.repeat(MAX_TAG_LENGTH))).toBe('b'.repeat(MAX_TAG_LENGTH));
	});
});

describe('the first page load', () => {
	it('does not carry music-metadata: tags.ts loads it only with import()', () => {
		const source = readFileSync(new URL('../../src/lib/library/tags.ts', import.meta.url), 'utf8');
		expect(source).not.toMatch(/^import\s+(?!type\b)[^;]*['"]music-metadata['"]/m);
		expect(source).toContain("await import('music-metadata')");
	});
});

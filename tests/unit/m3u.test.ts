import { describe, expect, it } from 'vitest';
import { decodeM3u, fileNameOf, matchEntries, parseM3u, type M3uEntry } from '../../src/lib/library/m3u';

function entries(text: string): M3uEntry[] {
	const parsed = parseM3u(text);
	if (!parsed.ok) throw new Error(parsed.reason);
	return parsed.value;
}

function refusal(text: string): string {
	const parsed = parseM3u(text);
	if (parsed.ok) throw new Error('expected a refusal');
	return parsed.reason;
}

describe('parseM3u', () => {
	it('reads an extended playlist with durations and titles', () => {
		const text = '#EXTM3U\n#EXTINF:215,Hania Rani - Eden\nEden.flac\n#EXTINF:-1,Unknown length\nb.mp3\n';
		expect(entries(text)).toEqual([
			{ path: 'Eden.flac', title: 'Hania Rani - Eden', durationSeconds: 215 },
			{ path: 'b.mp3', title: 'Unknown length' }
		]);
	});

	it('reads a bare list without the header, and skips blank and comment lines', () => {
		expect(entries('\n# my list\na.mp3\n\n   \n#EXTGRP:Calm\nb.mp3')).toEqual([{ path: 'a.mp3' }, { path: 'b.mp3' }]);
	});

	it('accepts a byte-order mark and any line ending', () => {
		const expected = [{ path: 'a.mp3', title: 'A', durationSeconds: 10 }, { path: 'b.mp3' }];
		expect(entries('\uFEFF#EXTM3U\r\n#EXTINF:10,A\r\na.mp3\r\nb.mp3\r\n')).toEqual(expected);
		expect(entries('#EXTM3U\r#EXTINF:10,A\ra.mp3\rb.mp3')).toEqual(expected);
		expect(entries('#EXTM3U\n#EXTINF:10,A\na.mp3\nb.mp3')).toEqual(expected);
	});

	it('keeps #EXTINF for the next file across other directives, and forgets it after that file', () => {
		expect(entries('#EXTINF:61.5 , Slow\n#EXTALB:Album\n\nslow.ogg\nnext.ogg')).toEqual([
			{ path: 'slow.ogg', title: 'Slow', durationSeconds: 61.5 },
			{ path: 'next.ogg' }
		]);
	});

	it('reads #EXTINF with attributes, commas in quotes, no title, or a 0 duration', () => {
		expect(entries('#EXTINF:-1 tvg-name="a, b" group-title="x",Real, Title\nr.mp3')).toEqual([
			{ path: 'r.mp3', title: 'Real, Title' }
		]);
		expect(entries('#extinf:42\nn.mp3')).toEqual([{ path: 'n.mp3', durationSeconds: 42 }]);
		expect(entries('#EXTINF:0,\nz.mp3')).toEqual([{ path: 'z.mp3' }]);
	});

	it('keeps Windows and relative paths as written', () => {
		expect(entries('C:\\Music\\a.mp3\n..\\b.flac\n../Music/c.mp3\n./x.mp3\n/home/me/y.wav')).toEqual([
			{ path: 'C:\\Music\\a.mp3' },
			{ path: '..\\b.flac' },
			{ path: '../Music/c.mp3' },
			{ path: './x.mp3' },
			{ path: '/home/me/y.wav' }
		]);
	});

	it('turns file URLs into paths and decodes percent-escapes', () => {
		expect(
			entries(
				[
					'file:///C:/My%20Music/%C3%89t%C3%A9.mp3',
					'file:///home/me/Calm%20Piano.flac',
					'file://localhost/srv/a%23b.ogg',
					'file://nas/share/c.mp3',
					'FILE:///D|/old/d.mp3',
					'My%20Song.mp3',
					'100%.mp3'
				].join('\n')
			)
		).toEqual([
			{ path: 'C:/My Music/Été.mp3' },
			{ path: '/home/me/Calm Piano.flac' },
			{ path: '/srv/a#b.ogg' },
			{ path: '//nas/share/c.mp3' },
			{ path: 'D:/old/d.mp3' },
			{ path: 'My Song.mp3' },
			{ path: '100%.mp3' }
		]);
	});

	it('keeps online streams as entries, flagged', () => {
		expect(
			entries('#EXTINF:-1,Radio\nhttps://radio.example/stream.mp3\nhttp://x.example/a.mp3\nrtsp://cam/live')
		).toEqual([
			{ path: 'https://radio.example/stream.mp3', title: 'Radio', online: true },
			{ path: 'http://x.example/a.mp3', online: true },
			{ path: 'rtsp://cam/live', online: true }
		]);
	});

	it('gives an empty list for an empty playlist', () => {
		expect(parseM3u('')).toEqual({ ok: true, value: [] });
		expect(parseM3u('#EXTM3U\r\n\r\n')).toEqual({ ok: true, value: [] });
		expect(parseM3u('\uFEFF')).toEqual({ ok: true, value: [] });
	});

	it('refuses a file that is clearly not a playlist, in plain words', () => {
		const mp3 = 'ID3\u0004\u0000\u0000\u0000\u0000\u0000#TIT2';
		expect(refusal(mp3)).toBe(
			'This file can’t be used as a playlist. It isn’t text: it may be a music file rather than a playlist.'
		);
		expect(refusal('[playlist]\nFile1=a.mp3\nNumberOfEntries=1')).toBe(
			'This file can’t be used as a playlist. It is a PLS playlist; only M3U and M3U8 playlists can be read. Most players can save a playlist as M3U.'
		);
		const notAList =
			'This file can’t be used as a playlist. It looks like a web page or a data file, not a list of file names.';
		expect(refusal('<?xml version="1.0"?><playlist/>')).toBe(notAList);
		expect(refusal('<!doctype html><html></html>')).toBe(notAList);
		expect(refusal('{ "version": 1, "phases": [] }')).toBe(notAList);
		// Tabs are text, and a name may begin with a brace.
		expect(entries('{Intro}\ta.mp3')).toEqual([{ path: '{Intro}\ta.mp3' }]);
	});
});

describe('decodeM3u', () => {
	it('reads UTF-8, and falls back to Windows-1252 for old .m3u files', () => {
		expect(decodeM3u(new TextEncoder().encode('Été.mp3'))).toBe('Été.mp3');
		// Bytes 0x80–0x9F are left out: Node 20 decodes them as Latin-1 (nodejs/node#56542); browsers follow the standard.
		expect(decodeM3u(Uint8Array.from([0xc9, 0x74, 0xe9, 0x2e, 0x6d, 0x70, 0x33]))).toBe('Été.mp3');
	});
});

describe('fileNameOf', () => {
	it('takes the last part of / and \\ paths', () => {
		expect(['C:\\Music\\a.mp3', '../b/c.flac', 'd.ogg', '//nas/share/e.mp3', 'dir/'].map(fileNameOf)).toEqual([
			'a.mp3',
			'c.flac',
			'd.ogg',
			'e.mp3',
			''
		]);
	});
});

describe('matchEntries', () => {
	it('matches an M3U8 with relative paths to files named in another case or converted to another format', () => {
		const playlist = entries(
			[
				'#EXTM3U',
				'#EXTINF:300,Opening',
				'../Music/Session/01 Opening.mp3',
				'#EXTINF:420,Track 2',
				'..\\Music\\Session\\Track02.FLAC',
				'./03 - Rain.WAV',
				'#EXTINF:-1,Not imported',
				'../Music/Session/04 Gone.mp3',
				'My%20Song.mp3'
			].join('\r\n')
		);
		const files = [
			{ name: 'track02.mp3' },
			{ name: '03 - rain.wav' },
			{ name: '01 Opening.mp3' },
			{ name: 'My Song.mp3' }
		];
		const { matched, missing } = matchEntries(playlist, files);
		expect(matched.map((m) => [m.entry.path, m.fileIndex])).toEqual([
			['../Music/Session/01 Opening.mp3', 2],
			['..\\Music\\Session\\Track02.FLAC', 0],
			['./03 - Rain.WAV', 1],
			['My Song.mp3', 3]
		]);
		expect(missing).toEqual([{ path: '../Music/Session/04 Gone.mp3', title: 'Not imported' }]);
	});

	it('prefers the exact name, then any case, then the name without extension', () => {
		const files = [{ name: 'song.ogg' }, { name: 'SONG.MP3' }, { name: 'Song.mp3' }];
		expect(matchEntries([{ path: 'Song.mp3' }], files).matched[0]?.fileIndex).toBe(2);
		expect(matchEntries([{ path: 'song.MP3' }], files).matched[0]?.fileIndex).toBe(1);
		expect(matchEntries([{ path: 'Song.flac' }], files).matched[0]?.fileIndex).toBe(0);
	});

	it('compares names whatever their Unicode form (macOS decomposes them)', () => {
		const decomposed = 'E\u0301te\u0301.mp3';
		expect(matchEntries([{ path: 'C:/Music/Été.mp3' }], [{ name: decomposed }]).matched).toHaveLength(1);
	});

	it('lets one file answer a path listed twice, keeping playlist order', () => {
		const playlist = entries('a.mp3\nb.mp3\nA.mp3\na.mp3');
		const { matched, missing } = matchEntries(playlist, [{ name: 'b.mp3' }, { name: 'a.mp3' }]);
		expect(matched.map((m) => [m.entry.path, m.fileIndex])).toEqual([
			['a.mp3', 1],
			['b.mp3', 0],
			['A.mp3', 1],
			['a.mp3', 1]
		]);
		expect(missing).toEqual([]);
	});

	it('gives same-named files from different folders to different entries, but the same path the same file', () => {
		const playlist = entries('CD1/01.mp3\nCD2/01.mp3\nCD1/01.mp3');
		const { matched } = matchEntries(playlist, [{ name: '01.mp3' }, { name: '01.mp3' }]);
		expect(matched.map((m) => m.fileIndex)).toEqual([0, 1, 0]);
	});

	it('never matches an online stream, even to a file of the same name', () => {
		const playlist = entries('https://radio.example/a.mp3\na.mp3');
		const { matched, missing } = matchEntries(playlist, [{ name: 'a.mp3' }]);
		expect(matched).toEqual([{ entry: { path: 'a.mp3' }, fileIndex: 0 }]);
		expect(missing).toEqual([{ path: 'https://radio.example/a.mp3', online: true }]);
	});

	it('reports every entry missing when nothing was imported', () => {
		expect(matchEntries(entries('a.mp3\ndir/'), [])).toEqual({
			matched: [],
			missing: [{ path: 'a.mp3' }, { path: 'dir/' }]
		});
	});
});

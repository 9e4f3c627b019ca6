/**
 * Tags read in real Chromium, through the browser entry of music-metadata that Vite bundles for
 * the app (the unit tests run its Node entry). The fixtures are those of tests/unit/tags.test.ts;
 * this also checks that each is a file the browser can decode, as their generator says.
 */
import { describe, expect, it } from 'vitest';
import { readTags } from '../../src/lib/library/tags';
import flac from '../fixtures/tags/tagged.flac?url';
import m4a from '../fixtures/tags/tagged.m4a?url';
import mp3 from '../fixtures/tags/tagged.mp3?url';
import ogg from '../fixtures/tags/tagged.ogg?url';
import opus from '../fixtures/tags/tagged.opus?url';
import wav from '../fixtures/tags/tagged.wav?url';

const FORMATS = [
	{ url: mp3, mime: 'audio/mpeg', title: 'Harbour Light (MP3)' },
	{ url: m4a, mime: 'audio/mp4', title: 'Wide Horizon (M4A)' },
	{ url: flac, mime: 'audio/flac', title: 'Still Meadow (FLAC)' },
	{ url: ogg, mime: 'audio/ogg', title: 'Evening Field (Vorbis)' },
	{ url: opus, mime: 'audio/ogg', title: 'Quiet Rain (Opus)' },
	{ url: wav, mime: 'audio/wav', title: 'Cloudlight (WAV)' }
];

async function load(url: string): Promise<Blob> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url}: ${response.status}`);
	return response.blob();
}

describe('readTags in the browser', () => {
	it.each(FORMATS)('reads $title, and the file decodes', async ({ url, mime, title }) => {
		const file = await load(url);
		expect(await readTags(file, mime)).toMatchObject({ title, artist: 'Åse Grønn', album: 'Grounded Fixtures' });
		const decoded = await new OfflineAudioContext(1, 1, 44_100).decodeAudioData(await file.arrayBuffer());
		expect(decoded.duration).toBeGreaterThan(0.15);
	});

	it('gives nulls for bytes that are not audio', async () => {
		expect(await readTags(new Blob(['not a song'.repeat(100)]), 'audio/mpeg')).toEqual({
			title: null,
			artist: null,
			album: null,
			durationSeconds: null
		});
	});
});

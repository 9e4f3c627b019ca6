import { describe, expect, it } from 'vitest';
import {
	contentId,
	ImportedTrackStore,
	importedTrackKey,
	LEVELLING,
	type TrackFiles
} from '../../src/lib/library/imported-tracks';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { memoryFiles } from './levelling-fixtures';
import {
	importProgressText,
	importSummary,
	LibraryImportState,
	parsePlaylist,
	playlistName,
	relevelProgressText
} from '../../src/routes/library/library-import.svelte';

/** Bytes that sniff as WAV; `tone` makes each file's content, and so its track id, its own. */
function wavFile(name: string, tone: number, size = 64): File {
	const bytes = new Uint8Array(size).fill(tone);
	bytes.set(new TextEncoder().encode('RIFF'), 0);
	bytes.set(new TextEncoder().encode('WAVE'), 8);
	return new File([bytes], name, { type: 'audio/wav' });
}

/** One second of a quiet tone at 22 050 Hz, shaped like the AudioBuffer a decoder gives. */
function fakeBuffer(): AudioBuffer {
	const samples = Float32Array.from({ length: 22_050 }, (_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / 22_050));
	return {
		length: samples.length,
		duration: 1,
		sampleRate: 22_050,
		numberOfChannels: 1,
		getChannelData: () => samples
	} as unknown as AudioBuffer;
}

function setup(decode: (bytes: ArrayBuffer) => Promise<AudioBuffer> = async () => fakeBuffer()) {
	const backend = memoryBackend();
	const files = memoryFiles();
	const tracks = new ImportedTrackStore({ backend, files });
	const state = new LibraryImportState({ backend, tracks, decode });
	return { backend, files, state };
}

const m3u = (name: string, lines: string[]) => new File([lines.join('\n')], name, { type: 'audio/x-mpegurl' });

const playlistKeys = (backend: ReturnType<typeof memoryBackend>) =>
	[...backend.data.keys()].filter((key) => key.startsWith('imported-playlist:'));

describe('LibraryImportState', () => {
	it('imports the audio, refuses the rest by name, and stores each M3U as a playlist in its order', async () => {
		const { backend, files, state } = setup();
		await state.load();
		await state.importFiles([
			wavFile('One.wav', 1),
			m3u('Evening.m3u', ['#EXTM3U', 'C:\\Music\\two.FLAC', 'one.wav', 'three.mp3', 'https://radio.example/live']),
			new File(['just words'], 'notes.mp3'),
			wavFile('Two.wav', 2)
		]);
		expect(state.summary).toBe('Imported 2 tracks.');
		expect(state.refused).toEqual([{ name: 'notes.mp3', reason: 'notes.mp3: this isn’t an audio file.' }]);
		expect(state.playlistNotes).toEqual([
			'Playlist “Evening” made with 2 tracks. 1 of 3 entries had no matching file: three.mp3. 1 entry is an online stream: online streams can’t be imported.'
		]);
		// Tracks imported within the same millisecond are listed by id, so the order is not asserted here.
		expect(state.tracks.map((track) => track.title).sort()).toEqual(['One', 'Two']);
		expect(state.usedBytes).toBe(128);
		expect(state.progress).toBeNull();

		const [key] = playlistKeys(backend);
		const stored = backend.data.get(key!);
		const idOf = (title: string) => state.tracks.find((track) => track.title === title)!.id;
		expect(stored).toEqual({
			version: 1,
			id: key!.slice('imported-playlist:'.length),
			name: 'Evening',
			trackIds: [idOf('Two'), idOf('One')]
		});
		expect(state.playlists).toEqual([stored]);
		expect(files.data.size).toBe(2);
	});

	it('makes a session playlist of an imported playlist, in its order, one phase as long as its tracks', async () => {
		const { backend, state } = setup();
		await state.load();
		await state.importFiles([wavFile('One.wav', 1), m3u('Evening.m3u', ['two.wav', 'one.wav']), wavFile('Two.wav', 2)]);
		const made = await state.makeSessionPlaylist(state.playlists[0]!.id);
		expect(made).toMatch(/^own-[0-9a-z]{8}$/);
		const idOf = (title: string) => state.tracks.find((track) => track.title === title)!.id;
		expect(backend.data.get(`session-playlist:${made}`)).toEqual({
			version: 1,
			id: made,
			title: 'Evening',
			summary: '',
			phases: [
				{
					id: 'phase-1',
					name: 'Your music',
					kind: 'deepening',
					minutes: 1,
					items: [
						{ kind: 'track', trackId: `imported:${idOf('Two')}` },
						{ kind: 'track', trackId: `imported:${idOf('One')}` }
					]
				}
			]
		});
		// Removing one of its tracks names the session playlist that plays it.
		await state.askRemove(idOf('One'));
		expect(state.confirmingUse).toEqual(['Evening']);
		state.keep();
		expect(await state.makeSessionPlaylist('no-such-playlist')).toBeNull();
		expect(state.message).toBe(
			'This playlist has no tracks left on this device, so there is nothing to make a session from.'
		);
	});

	it('updates a playlist imported again under the same name, matching tracks imported before', async () => {
		const { backend, state } = setup();
		await state.importFiles([wavFile('a.wav', 1), wavFile('b.wav', 2), m3u('Mine.m3u8', ['a.wav'])]);
		const [first] = playlistKeys(backend);
		await state.importFiles([m3u('Mine.m3u8', ['B.mp3', 'A.wav'])]);
		expect(state.summary).toBe('No tracks were imported.');
		expect(state.playlistNotes).toEqual(['Playlist “Mine” made with 2 tracks.']);
		expect(playlistKeys(backend)).toEqual([first]);
		const idOf = (title: string) => state.tracks.find((track) => track.title === title)!.id;
		expect(state.playlists[0]!.trackIds).toEqual([idOf('b'), idOf('a')]);
	});

	it('makes no playlist when nothing matches, and says so by the file’s name', async () => {
		const { backend, state } = setup();
		await state.importFiles([m3u('Empty.m3u', ['x.mp3', 'http://a.example/s'])]);
		expect(state.refused).toEqual([
			{
				name: 'Empty.m3u',
				reason:
					'Empty.m3u: no playlist was made, as none of its entries matched an imported track. 1 of 1 entry had no matching file: x.mp3. 1 entry is an online stream: online streams can’t be imported.'
			}
		]);
		expect(playlistKeys(backend)).toEqual([]);
	});

	it('stops at Cancel: the file being read is not kept, those before are', async () => {
		let release: () => void = () => undefined;
		let calls = 0;
		const { files, state } = setup(async () => {
			calls += 1;
			if (calls === 2) await new Promise<void>((resolve) => (release = resolve));
			return fakeBuffer();
		});
		const running = state.importFiles([wavFile('1.wav', 1), wavFile('2.wav', 2), wavFile('3.wav', 3)]);
		await expect.poll(() => calls).toBe(2);
		expect(state.importing).toBe(true);
		expect(state.progress).toEqual({ filesDone: 1, filesTotal: 3, bytesDone: 64, bytesTotal: 192, current: '2.wav' });
		state.cancel();
		release();
		await running;
		expect(state.summary).toBe('Import cancelled after 1 of 3 files. Imported 1 track; it is kept.');
		expect(state.tracks.map((track) => track.title)).toEqual(['1']);
		expect(files.data.size).toBe(1);
		expect(calls).toBe(2);
	});

	it('removes a track and its file only after a yes, freeing its space', async () => {
		const { files, state } = setup();
		await state.importFiles([wavFile('a.wav', 1), wavFile('b.wav', 2, 100)]);
		const a = state.tracks.find((track) => track.title === 'a');
		await state.askRemove(a!.id);
		expect(state.confirming).toBe(a!.id);
		expect(state.confirmingUse).toEqual([]);
		state.keep();
		expect(state.confirming).toBeNull();
		expect(state.usedBytes).toBe(164);
		await state.remove(a!.id);
		expect(state.summary).toBe('Removed “a”.');
		expect(state.usedBytes).toBe(100);
		expect(state.tracks.map((track) => track.title)).toEqual(['b']);
		expect([...files.data.keys()]).toEqual([state.tracks[0]!.id]);
	});
});

describe('LibraryImportState: levelling earlier imports again', () => {
	/** A track saved under the first levelling rule (no true peak, no rule number), with its file. */
	async function keepOldTrack(
		backend: ReturnType<typeof memoryBackend>,
		files: TrackFiles,
		tone: number,
		title: string
	) {
		const file = wavFile(`${title}.wav`, tone);
		const bytes = await file.arrayBuffer();
		const id = await contentId(bytes);
		const record = {
			version: 1,
			id,
			title,
			artist: null,
			fileName: file.name,
			bytes: file.size,
			durationSeconds: 1,
			loudnessLufs: -1,
			gainDb: -12,
			mime: 'audio/wav',
			importedAt: tone
		};
		await files.write(id, bytes, 'audio/wav');
		await backend.set(importedTrackKey(id), record);
		return record;
	}

	it('levels them in the background from load, one at a time, with a line of progress', async () => {
		let release: () => void = () => undefined;
		let calls = 0;
		const { backend, files, state } = setup(async () => {
			calls += 1;
			if (calls === 2) await new Promise<void>((resolve) => (release = resolve));
			return fakeBuffer();
		});
		const first = await keepOldTrack(backend, files, 1, 'First');
		await keepOldTrack(backend, files, 2, 'Second');
		await state.load();
		expect(state.status).toBe('ready');
		await expect.poll(() => calls).toBe(2);
		expect(state.levelling).toEqual({ done: 1, total: 2, current: 'Second' });
		expect(relevelProgressText(state.levelling!)).toBe('Levelling 2 of 2 earlier imports…');
		release();
		await state.relevel();
		expect(state.levelling).toBeNull();
		expect(state.levellingSummary).toBe('Levelled 2 earlier imports again to sit with the curated music.');
		expect(state.levellingProblems).toEqual([]);
		// The fake decoder's quiet tone (peaks at 0.1) now has today's gain, a few dB rather than the −12 saved.
		const track = state.trackOf(first.id)!;
		expect(track.levelling).toBe(LEVELLING);
		expect(track.truePeakDb).toBeCloseTo(-20, 1);
		expect(track.gainDb).toBeCloseTo(-23 - track.loudnessLufs!, 10);
		expect(Math.abs(track.gainDb)).toBeLessThan(5);
	});

	it('says which could not be levelled, and they keep their gain', async () => {
		const { backend, files, state } = setup(async () => {
			throw new Error('cannot decode');
		});
		const old = await keepOldTrack(backend, files, 1, 'Eden');
		await state.load();
		await state.relevel();
		expect(state.levellingProblems).toEqual([
			'“Eden”: its file could not be read as audio just now. It keeps its earlier level.'
		]);
		expect(state.levellingSummary).toBe('');
		expect(state.trackOf(old.id)).toEqual(old);
	});

	it('pauses for an import, then goes on', async () => {
		let release: () => void = () => undefined;
		let calls = 0;
		const { backend, files, state } = setup(async () => {
			calls += 1;
			if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
			return fakeBuffer();
		});
		await keepOldTrack(backend, files, 1, 'First');
		await keepOldTrack(backend, files, 2, 'Second');
		await state.load();
		await expect.poll(() => calls).toBe(1);
		// The import decodes its file at once; levelling stops after the track it is measuring.
		const importing = state.importFiles([wavFile('New.wav', 3)]);
		await expect.poll(() => calls).toBe(2);
		release();
		await importing;
		await state.relevel();
		expect(calls).toBe(3);
		expect(state.tracks.map((track) => [track.title, track.levelling])).toEqual([
			['First', LEVELLING],
			['Second', LEVELLING],
			['New', LEVELLING]
		]);
	});
});

describe('playlist helpers', () => {
	it('reads a stored playlist only under its own key', () => {
		const playlist = { version: 1, id: 'm3u-abc', name: 'Evening', trackIds: ['0123456789abcdef'] };
		expect(parsePlaylist('imported-playlist:m3u-abc', playlist)).toEqual(playlist);
		expect(parsePlaylist('imported-playlist:other', playlist)).toBeNull();
		expect(parsePlaylist('imported-playlist:m3u-abc', { ...playlist, trackIds: ['../x'] })).toBeNull();
		expect(parsePlaylist('imported-playlist:m3u-abc', { ...playlist, version: 2 })).toBeNull();
	});

	it('names, counts and progress in plain words', () => {
		expect(playlistName('Evening Set.M3U8')).toBe('Evening Set');
		expect(playlistName('.m3u')).toBe('.m3u');
		expect(importSummary(0, { done: 0, of: 1 })).toBe('Import cancelled after 0 of 1 file. Nothing was imported.');
		expect(importSummary(1, null)).toBe('Imported 1 track.');
		expect(relevelProgressText({ done: 2, total: 12, current: 'Eden' })).toBe('Levelling 3 of 12 earlier imports…');
		expect(relevelProgressText({ done: 0, total: 1, current: 'Eden' })).toBe('Levelling 1 of 1 earlier import…');
		expect(
			importProgressText({ filesDone: 3, filesTotal: 12, bytesDone: 4_100_000, bytesTotal: 50_240_000, current: 'a' })
		).toBe('3 of 12 files · 4.1 of 50.2 MB');
	});
});

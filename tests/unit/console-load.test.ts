import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { importedItem, newPlaylist, removePhase } from '../../src/lib/session/playlist-edit';
import { ImportedTrackStore, keyValueTrackFiles } from '../../src/lib/library/imported-tracks';
import { startSession } from '../../src/lib/session/session-clock';
import type { SavedSession } from '../../src/lib/session/saved-session';
import { ConsoleState, SESSION_KEY } from '../../src/routes/session/console.svelte';

function savedIn(playlistId: string, phaseIndex: number): SavedSession {
	return {
		version: 1,
		playlistId,
		clock: { ...startSession(1_000, 'auto'), phaseIndex },
		history: [{ index: 0, startedAt: 1_000 }],
		played: {},
		failed: {},
		playing: null,
		position: 0,
		savedAt: 2_000,
		paused: false,
		log: [],
		crossfadeSeconds: 6,
		volume: 0.8
	};
}

describe('ConsoleState.load', () => {
	it('offers the therapist’s own playlists after the curated ones, and chooses one by id', async () => {
		const backend = memoryBackend();
		await new PlaylistStore(backend).save({ ...newPlaylist('own-evening1'), title: 'Evening' });
		const console = new ConsoleState(backend);
		await console.load();
		expect(console.status).toBe('choosing');
		expect(console.playlists.map((playlist) => playlist.id).slice(-2)).toEqual(['quiet-home-practice', 'own-evening1']);
		console.choose('own-evening1');
		expect(console.playlist.title).toBe('Evening');
		console.choose('no-such-playlist');
		expect(console.playlist.title).toBe('Evening');
	});

	it('offers to resume a session in an own playlist, unless the playlist lost the phase it was in', async () => {
		const backend = memoryBackend();
		const store = new PlaylistStore(backend);
		const own = { ...newPlaylist('own-evening1'), title: 'Evening' };
		await store.save(own);
		await backend.set(SESSION_KEY, savedIn('own-evening1', 4));
		const resumable = new ConsoleState(backend);
		await resumable.load();
		expect(resumable.status).toBe('resumable');
		expect(resumable.playlist.title).toBe('Evening');

		await store.save(removePhase(own, 'grounding'));
		const changed = new ConsoleState(backend);
		await changed.load();
		expect(changed.status).toBe('choosing');
		expect(changed.message).toBe(
			'The session in progress can’t be restored: its playlist “Evening” was changed since. Start it again below.'
		);
	});

	it('counts the own pieces a playlist names that are no longer in “Your music”, for the pre-session check', async () => {
		const backend = memoryBackend();
		const tracks = new ImportedTrackStore({ backend, files: keyValueTrackFiles(backend) });
		const kept = await tracks.add(new Uint8Array([1, 2, 3]).buffer, {
			title: 'Rain',
			artist: null,
			fileName: 'rain.wav',
			durationSeconds: 60,
			loudnessLufs: -23,
			gainDb: 0,
			mime: 'audio/wav',
			importedAt: 1
		});
		if (!kept.ok) throw new Error(kept.reason);
		const own = { ...newPlaylist('own-evening1'), title: 'Evening' };
		own.phases[0]!.items = [
			importedItem(kept.value.id),
			importedItem('0123456789abcdef'),
			importedItem('0123456789abcdef')
		];
		await new PlaylistStore(backend).save(own);
		const console = new ConsoleState(backend);
		await console.load('?playlist=own-evening1');
		expect(console.missingImported(console.playlist)).toBe(1);
		expect(console.missingImported(console.playlists[0]!)).toBe(0);
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { PlaylistStore } from '../../src/lib/storage/playlist-store';
import { newPlaylist } from '../../src/lib/session/playlist-edit';
import { PLAYLIST_DELETES_KEY, PlaylistsState } from '../../src/routes/playlists/playlists.svelte';

const UNDO = 10_000;

async function setup() {
	const backend = memoryBackend();
	const store = new PlaylistStore(backend);
	await store.save({ ...newPlaylist('own-evening1'), title: 'Evening' });
	await store.save({ ...newPlaylist('own-morning1'), title: 'Morning' });
	const state = new PlaylistsState({ backend, undoWindow: UNDO });
	await state.load();
	return { backend, store, state };
}

describe('PlaylistsState', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('lists the therapist’s own by title, next to the curated ones', async () => {
		const { state } = await setup();
		expect(state.status).toBe('ready');
		expect(state.own.map((playlist) => playlist.title)).toEqual(['Evening', 'Morning']);
		expect(state.curated.length).toBe(4);
	});

	it('duplicates a curated playlist as the therapist’s own, under a new id', async () => {
		const { store, state } = await setup();
		const id = await state.duplicate('closing-and-grounding');
		expect(id).toMatch(/^own-[0-9a-z]{8}$/);
		const copy = await store.get(id!);
		expect(copy?.title).toBe('Closing and grounding (my version)');
		expect(state.own.map((playlist) => playlist.title)).toEqual([
			'Closing and grounding (my version)',
			'Evening',
			'Morning'
		]);
		expect(await state.duplicate('no-such-playlist')).toBeNull();
	});

	it('keeps a deleted playlist through the undo window, and Undo brings it back untouched', async () => {
		const { backend, store, state } = await setup();
		await state.remove('own-evening1');
		expect(state.pendingOf('own-evening1')?.title).toBe('Evening');
		expect(state.notice).toBe('“Evening” deleted.');
		expect(backend.data.get(PLAYLIST_DELETES_KEY)).toEqual([
			{ id: 'own-evening1', title: 'Evening', until: expect.any(Number) }
		]);
		await vi.advanceTimersByTimeAsync(UNDO - 1);
		await state.undo('own-evening1');
		expect(state.notice).toBe('“Evening” is back.');
		await vi.advanceTimersByTimeAsync(UNDO * 2);
		expect((await store.get('own-evening1'))?.title).toBe('Evening');
		expect(backend.data.get(PLAYLIST_DELETES_KEY)).toEqual([]);
	});

	it('erases a deleted playlist when the window has passed', async () => {
		const { store, state } = await setup();
		await state.remove('own-evening1');
		await vi.advanceTimersByTimeAsync(UNDO);
		expect(await store.get('own-evening1')).toBeNull();
		expect(state.own.map((playlist) => playlist.title)).toEqual(['Morning']);
		expect(state.notice).toBe('');
	});

	it('finishes on the next visit a delete whose page closed within the window', async () => {
		const { backend, store, state } = await setup();
		await state.remove('own-morning1');
		// The page goes without its timers running: a new visit reads the waiting delete.
		const next = new PlaylistsState({ backend, undoWindow: UNDO });
		await next.load();
		expect(await store.get('own-morning1')).toBeNull();
		expect(next.own.map((playlist) => playlist.title)).toEqual(['Evening']);
		expect(backend.data.get(PLAYLIST_DELETES_KEY)).toEqual([]);
		state.dispose();
	});

	it('says so when the device refuses the delete, and the playlist stays', async () => {
		const { backend, store, state } = await setup();
		const failing = { ...backend, delete: async () => Promise.reject(new Error('disk')) };
		const refusing = new PlaylistsState({ backend: failing, undoWindow: UNDO });
		await refusing.load();
		await refusing.remove('own-evening1');
		await vi.advanceTimersByTimeAsync(UNDO);
		expect(refusing.message).toBe('The playlist could not be deleted just now. Please try again.');
		expect((await store.get('own-evening1'))?.title).toBe('Evening');
		state.dispose();
	});
});

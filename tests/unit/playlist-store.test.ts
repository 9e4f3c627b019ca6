import { describe, expect, it } from 'vitest';
import { CURATED_PLAYLISTS } from '../../src/lib/session/curated-playlists';
import type { SessionPlaylist } from '../../src/lib/session/playlist';
import { duplicatePlaylist, newPlaylist } from '../../src/lib/session/playlist-edit';
import { memoryBackend, type KeyValueBackend } from '../../src/lib/storage/key-value';
import { PLAYLIST_PREFIX, PlaylistStore } from '../../src/lib/storage/playlist-store';

const curated = CURATED_PLAYLISTS[0]!;
const own: SessionPlaylist = duplicatePlaylist(curated, 'own-k3x9q2ab');
const titled = (id: string, title: string): SessionPlaylist => ({ ...newPlaylist(id), title });

/** A backend whose writes (or deletes) fail with `error`, over the same data as `backend`. */
function failing(backend: KeyValueBackend, error: unknown): KeyValueBackend {
	return {
		...backend,
		set: async () => {
			throw error;
		},
		delete: async () => {
			throw error;
		}
	};
}

describe('PlaylistStore', () => {
	it('stores each playlist under its own key', () => {
		expect(PLAYLIST_PREFIX).toBe('session-playlist:');
		expect(new PlaylistStore(memoryBackend()).keyOf('own-k3x9q2ab')).toBe('session-playlist:own-k3x9q2ab');
	});

	it('saves, lists and reads back the therapist’s own playlists next to the curated ones', async () => {
		const backend = memoryBackend();
		const store = new PlaylistStore(backend);
		expect(await store.save(own)).toEqual({ ok: true, value: own });
		expect(backend.data.get('session-playlist:own-k3x9q2ab')).toEqual(own);
		expect(await store.listOwn()).toEqual([own]);
		const all = await store.listAll();
		expect(all.map((playlist) => playlist.id)).toEqual([
			'full-medicine-session',
			'psycholytic-session',
			'closing-and-grounding',
			'quiet-home-practice',
			'own-k3x9q2ab'
		]);
		expect(await store.get('own-k3x9q2ab')).toEqual(own);
		expect(await new PlaylistStore(backend).get('own-k3x9q2ab')).toEqual(own);
		expect(await store.get('nothing-here')).toBeNull();
	});

	it('stores the playlist as parsePlaylist gives it back, with the title trimmed', async () => {
		const store = new PlaylistStore(memoryBackend());
		const saved = await store.save({ ...own, title: '  Tuesday  ' });
		expect(saved.ok && saved.value.title).toBe('Tuesday');
		expect((await store.get('own-k3x9q2ab'))?.title).toBe('Tuesday');
	});

	it('replaces the stored version when saved again, and forgets a deleted one', async () => {
		const store = new PlaylistStore(memoryBackend());
		await store.save(own);
		await store.save({ ...own, title: 'Renamed' });
		expect((await store.listOwn()).map((playlist) => playlist.title)).toEqual(['Renamed']);
		expect(await store.remove('own-k3x9q2ab')).toEqual({ ok: true, value: undefined });
		expect(await store.get('own-k3x9q2ab')).toBeNull();
		expect(await store.listOwn()).toEqual([]);
	});

	it('gives a curated playlist by its id, and lists none of them as the therapist’s own', async () => {
		const store = new PlaylistStore(memoryBackend());
		for (const playlist of CURATED_PLAYLISTS) expect(await store.get(playlist.id)).toEqual(playlist);
		expect(store.isShipped('quiet-home-practice')).toBe(true);
		expect(store.isShipped('own-k3x9q2ab')).toBe(false);
		expect(await store.listOwn()).toEqual([]);
	});

	it('never changes or deletes a curated playlist', async () => {
		const backend = memoryBackend();
		const store = new PlaylistStore(backend);
		expect(await store.save({ ...curated, title: 'Mine now' })).toEqual({
			ok: false,
			reason: 'A curated playlist can’t be changed. Duplicate it to make your own version.'
		});
		expect(await store.remove(curated.id)).toEqual({ ok: false, reason: 'A curated playlist can’t be deleted.' });
		expect(backend.data.size).toBe(0);
		expect(await store.get(curated.id)).toEqual(CURATED_PLAYLISTS[0]);
		expect(curated.title).toBe('Full medicine session');
	});

	it('refuses a playlist that fails its schema and keeps the stored version', async () => {
		const store = new PlaylistStore(memoryBackend());
		await store.save(own);
		expect(await store.save({ ...own, phases: [] })).toEqual({
			ok: false,
			reason: 'This playlist can’t be used. A playlist needs at least one phase.'
		});
		const badLength = { ...own, phases: [{ ...own.phases[0]!, minutes: 0 }, ...own.phases.slice(1)] };
		expect(await store.save(badLength)).toEqual({
			ok: false,
			reason: 'This playlist can’t be used. Phase 1 (“Arrival”): The planned length must be from 1 to 240 minutes.'
		});
		expect(await store.get('own-k3x9q2ab')).toEqual(own);
	});

	it('says when the device is full and keeps the previous version', async () => {
		const backend = memoryBackend();
		await new PlaylistStore(backend).save(own);
		const full = failing(backend, new DOMException('full', 'QuotaExceededError'));
		expect(await new PlaylistStore(full).save({ ...own, title: 'Changed' })).toEqual({
			ok: false,
			reason:
				'The playlist could not be saved because this device is out of storage space. The version saved before is kept.'
		});
		expect(await new PlaylistStore(backend).get('own-k3x9q2ab')).toEqual(own);
	});

	it('says when a write or delete fails for another reason, and keeps what was stored', async () => {
		const backend = memoryBackend();
		await new PlaylistStore(backend).save(own);
		const broken = new PlaylistStore(failing(backend, new Error('disk on fire')));
		expect(await broken.save({ ...own, title: 'Changed' })).toEqual({
			ok: false,
			reason: 'The playlist could not be saved on this device just now. The version saved before is kept.'
		});
		expect(await broken.remove('own-k3x9q2ab')).toEqual({
			ok: false,
			reason: 'The playlist could not be deleted just now. Please try again.'
		});
		expect(await new PlaylistStore(backend).get('own-k3x9q2ab')).toEqual(own);
	});

	it('skips damaged values, values under another playlist’s key and curated copies, without touching them', async () => {
		const backend = memoryBackend({
			'session-playlist:junk': { hello: 'world' },
			'session-playlist:half': { ...own, id: 'half', phases: 'none' },
			'session-playlist:elsewhere': { ...own },
			[`session-playlist:${curated.id}`]: { ...curated, title: 'Tampered' },
			'grounding-script:own-k3x9q2ab': { ...own },
			'pacer-settings': { version: 1 }
		});
		const before = structuredClone([...backend.data.entries()]);
		const store = new PlaylistStore(backend);
		expect(await store.listOwn()).toEqual([]);
		expect(await store.get('junk')).toBeNull();
		expect(await store.get('half')).toBeNull();
		expect(await store.get('elsewhere')).toBeNull();
		expect(await store.get('own-k3x9q2ab')).toBeNull();
		expect((await store.get(curated.id))?.title).toBe('Full medicine session');
		expect([...backend.data.entries()]).toEqual(before);
	});

	it('lists nothing, and reads nothing, when the store cannot be read', async () => {
		const unreadable: KeyValueBackend = {
			...memoryBackend(),
			get: async () => {
				throw new Error('blocked');
			},
			entries: async () => {
				throw new Error('blocked');
			}
		};
		const store = new PlaylistStore(unreadable);
		expect(await store.listOwn()).toEqual([]);
		expect(await store.get('own-k3x9q2ab')).toBeNull();
		expect((await store.listAll()).length).toBe(CURATED_PLAYLISTS.length);
	});

	it('lists the therapist’s own by title, then by id', async () => {
		const store = new PlaylistStore(memoryBackend());
		for (const playlist of [
			titled('own-00000003', 'Zebra crossing'),
			titled('own-00000002', 'evening'),
			titled('own-00000005', 'Morning'),
			titled('own-00000004', 'Evening'),
			titled('own-00000001', 'Morning')
		])
			expect((await store.save(playlist)).ok).toBe(true);
		const listed = await store.listOwn();
		expect(listed.map((playlist) => [playlist.title, playlist.id])).toEqual([
			['evening', 'own-00000002'],
			['Evening', 'own-00000004'],
			['Morning', 'own-00000001'],
			['Morning', 'own-00000005'],
			['Zebra crossing', 'own-00000003']
		]);
	});
});

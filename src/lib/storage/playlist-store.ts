/**
 * The one owner of the therapist's own session playlists on this device (the
 * curated ones ship with the code and are never stored). Every playlist read
 * back goes through `parsePlaylist`; see OwnCollection for the rules.
 *
 * @example
 * const store = new PlaylistStore();
 * const saved = await store.save(playlist);
 * if (!saved.ok) show(saved.reason); // the previous version is kept
 */
import { indexedDbBackend, type KeyValueBackend } from './key-value';
import { OwnCollection } from './own-collection';
import { CURATED_PLAYLISTS } from '../session/curated-playlists';
import { parsePlaylist, type SessionPlaylist } from '../session/playlist';

export const PLAYLIST_PREFIX = 'session-playlist:';

export class PlaylistStore extends OwnCollection<SessionPlaylist> {
	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		super(backend, {
			prefix: PLAYLIST_PREFIX,
			parse: parsePlaylist,
			shipped: CURATED_PLAYLISTS,
			shippedWord: 'curated',
			noun: 'playlist',
			asOwn: (playlist) => playlist
		});
	}
}

/**
 * The list of session playlists: the curated ones, then the therapist's own,
 * and what can be done with them (duplicate to adapt, delete with Undo). A
 * deleted playlist stays on the device through the undo window (PendingDeletes).
 *
 * @example
 * const playlists = new PlaylistsState();
 * await playlists.load();
 * const id = await playlists.duplicate('full-medicine-session'); // open the editor on it
 * await playlists.remove(id!); // hidden now, gone after the undo window
 */
import { randomId } from '$lib/names';
import { CURATED_PLAYLISTS } from '$lib/session/curated-playlists';
import { duplicatePlaylist, OWN_PLAYLIST_PREFIX } from '$lib/session/playlist-edit';
import type { SessionPlaylist } from '$lib/session/playlist';
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { PendingDeletes, type PendingDelete } from '$lib/storage/pending-deletes.svelte';
import { PlaylistStore } from '$lib/storage/playlist-store';
import type { Milliseconds } from '$lib/units';

export const PLAYLIST_DELETES_KEY = 'playlist-pending-deletes';

export interface PlaylistsOptions {
	backend?: KeyValueBackend;
	now?: () => Milliseconds;
	undoWindow?: Milliseconds;
}

export class PlaylistsState {
	status: 'loading' | 'ready' = $state('loading');
	readonly curated = CURATED_PLAYLISTS;
	/** The therapist's own, those waiting to be deleted included (they show with “Undo”). */
	own: SessionPlaylist[] = $state([]);
	/** A problem, in plain words (shown as an alert). */
	message = $state('');
	/** What just happened (a polite status). */
	notice = $state('');

	readonly #store: PlaylistStore;
	readonly #deletes: PendingDeletes;

	constructor(options: PlaylistsOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#store = new PlaylistStore(backend);
		this.#deletes = new PendingDeletes({
			backend,
			key: PLAYLIST_DELETES_KEY,
			erase: async (id) => {
				const removed = await this.#store.remove(id);
				return removed.ok ? undefined : removed.reason;
			},
			onErased: (id, entry, problem) => {
				if (problem) {
					this.message = problem;
				} else {
					this.own = this.own.filter((playlist) => playlist.id !== id);
					if (entry && this.notice === `“${entry.title}” deleted.`) this.notice = '';
				}
			},
			now: options.now,
			undoWindow: options.undoWindow
		});
	}

	pendingOf(id: string): PendingDelete | undefined {
		return this.#deletes.of(id);
	}

	/** Finishes deletions left from an earlier visit, then lists every playlist. */
	async load(): Promise<void> {
		await this.#deletes.finishLeftOver();
		this.own = await this.#store.listOwn();
		this.status = 'ready';
	}

	/** Saves a copy of any playlist as the therapist's own; its id, for the editor, or null on failure. */
	async duplicate(id: string): Promise<string | null> {
		this.message = '';
		const original = [...this.curated, ...this.own].find((playlist) => playlist.id === id);
		if (!original) return null;
		const taken = [...this.curated, ...this.own].map((playlist) => playlist.id);
		const copy = duplicatePlaylist($state.snapshot(original) as SessionPlaylist, randomId(OWN_PLAYLIST_PREFIX, taken));
		const saved = await this.#store.save(copy);
		if (!saved.ok) {
			this.message = saved.reason;
			return null;
		}
		this.own = await this.#store.listOwn();
		return copy.id;
	}

	/** Hides the playlist now; it leaves the device when the undo window has passed. */
	async remove(id: string): Promise<void> {
		this.message = '';
		const playlist = this.own.find((candidate) => candidate.id === id);
		if (!playlist || this.pendingOf(id)) return;
		this.notice = `“${playlist.title}” deleted.`;
		await this.#deletes.hold(id, playlist.title);
	}

	async undo(id: string): Promise<void> {
		const entry = await this.#deletes.undo(id);
		if (entry) this.notice = `“${entry.title}” is back.`;
	}

	/** Deletes now what is waiting to be deleted: the page is being left. */
	finishPending(): void {
		this.#deletes.finishAll();
	}

	dispose(): void {
		this.#deletes.dispose();
	}
}

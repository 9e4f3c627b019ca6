/**
 * The session-playlist editor: a draft of one of the therapist's own playlists,
 * changed through the pure edits of playlist-edit.ts, checked at each field,
 * and saved through the PlaylistStore. Tracks come from Grounded's music and
 * from the music the therapist imported; soundscapes are generated.
 *
 * @example
 * const editor = new PlaylistEditorState();
 * await editor.load(new URLSearchParams('?playlist=own-k3x9q2ab'));
 * editor.addItem('onset', 'track:imported:3f9a0c1d2e4b5a69');
 * await editor.save(); // false, with editor.errors shown at the fields, when something is wrong
 */
import { TrackSources } from '$lib/library/track-sources';
import { ImportedTrackStore, type ImportedTrack } from '$lib/library/imported-tracks';
import { CURATED_TRACKS, SOUNDSCAPE_TITLES } from '$lib/music/catalog';
import { randomId } from '$lib/names';
import {
	addPhase,
	insertItem,
	insertPhase,
	isPlaylistValid,
	moveItem,
	movePhase,
	newPlaylist,
	OWN_PLAYLIST_PREFIX,
	PHASE_KIND_NAMES,
	removeItem,
	removePhase,
	updatePhase,
	validatePlaylist,
	IMPORTED_TRACK_REF,
	addItem
} from '$lib/session/playlist-edit';
import { CURATED_PLAYLISTS } from '$lib/session/curated-playlists';
import {
	PLAYLIST_LIMITS,
	SOUNDSCAPES,
	type PhaseKind,
	type PhasePlan,
	type PlaylistItem,
	type SessionPlaylist
} from '$lib/session/playlist';
import { indexedDbBackend, type KeyValueBackend } from '$lib/storage/key-value';
import { PlaylistStore } from '$lib/storage/playlist-store';
import type { Seconds } from '$lib/units';

/** What can be added to a phase, as the “Add” list shows it. */
export interface ItemChoice {
	/** `track:<track id>` or `soundscape:<soundscape>`. */
	value: string;
	label: string;
	group: 'imported' | 'curated' | 'soundscape';
}

export type Removed =
	| { kind: 'item'; phaseId: string; index: number; item: PlaylistItem; label: string }
	| { kind: 'phase'; index: number; phase: PhasePlan };

/** `3:05`, a track's length. */
export function minutesAndSeconds(seconds: Seconds): string {
	const whole = Math.round(seconds);
	return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export interface PlaylistEditorOptions {
	backend?: KeyValueBackend;
	random?: () => number;
}

export class PlaylistEditorState {
	status: 'loading' | 'editing' | 'missing' = $state('loading');
	/** Replaced, never changed in place: every edit is a pure function of the last draft. */
	draft: SessionPlaylist = $state.raw(newPlaylist('own-draft'));
	isNew = $state(false);
	/** Field messages show once a save has been tried, so a half-typed title is not scolded. */
	showErrors = $state(false);
	removed: Removed | null = $state(null);
	/** Polite announcement of moves and removals, for screen readers. */
	announcement = $state('');
	/** A problem, in plain words. */
	message = $state('');
	notice = $state('');
	imported: ImportedTrack[] = $state([]);

	#saved = $state('');
	readonly unsaved = $derived(JSON.stringify(this.draft) !== this.#saved);
	readonly errors = $derived(validatePlaylist(this.draft));
	readonly choices: ItemChoice[] = $derived([
		...this.imported.map((track) => ({
			value: `track:${IMPORTED_TRACK_REF}${track.id}`,
			label: `${track.artist ? `${track.title} — ${track.artist}` : track.title} (${minutesAndSeconds(track.durationSeconds)})`,
			group: 'imported' as const
		})),
		...CURATED_TRACKS.map((track) => ({
			value: `track:${track.id}`,
			label: `${track.title} (${minutesAndSeconds(track.durationSeconds)})`,
			group: 'curated' as const
		})),
		...SOUNDSCAPES.map((soundscape) => ({
			value: `soundscape:${soundscape}`,
			label: SOUNDSCAPE_TITLES[soundscape],
			group: 'soundscape' as const
		}))
	]);

	readonly #store: PlaylistStore;
	readonly #sources: TrackSources;
	readonly #random: () => number;

	constructor(options: PlaylistEditorOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#store = new PlaylistStore(backend);
		this.#sources = new TrackSources({ store: new ImportedTrackStore({ backend }) });
		this.#random = options.random ?? Math.random;
	}

	/** `?playlist=<id>` opens one of the therapist's own; `?new` starts a new one. */
	async load(params: URLSearchParams): Promise<void> {
		this.status = 'loading';
		this.removed = null;
		this.showErrors = false;
		this.message = '';
		await this.#sources.load();
		this.imported = this.#sources.imported;
		const id = params.get('playlist');
		if (id === null) {
			const taken = [...CURATED_PLAYLISTS, ...(await this.#store.listOwn())].map((playlist) => playlist.id);
			this.#begin(newPlaylist(randomId(OWN_PLAYLIST_PREFIX, taken, this.#random)), true);
			return;
		}
		const playlist = this.#store.isShipped(id) ? null : await this.#store.get(id);
		if (!playlist) {
			this.status = 'missing';
			return;
		}
		this.#begin(playlist, false);
	}

	#begin(playlist: SessionPlaylist, isNew: boolean): void {
		this.draft = playlist;
		this.isNew = isNew;
		// A new playlist counts as unsaved from the start: leaving it loses it.
		this.#saved = isNew ? '' : JSON.stringify(playlist);
		this.status = 'editing';
	}

	/** What the “Add” list offers first for a phase: the therapist's own music, else Grounded's for that part of the arc. */
	suggestedChoice(phase: PhasePlan): string {
		const first = this.imported[0];
		if (first) return `track:${IMPORTED_TRACK_REF}${first.id}`;
		const fitting = CURATED_TRACKS.find((track) => track.phase === phase.kind) ?? CURATED_TRACKS[0];
		return fitting ? `track:${fitting.id}` : `soundscape:${SOUNDSCAPES[0]}`;
	}

	/** An item's name; for a track no longer on this device, says so. */
	titleOf(item: PlaylistItem): string {
		return this.#sources.titleOf(item) ?? 'A track that is no longer on this device (it will be passed over)';
	}

	/** Seconds, for a track; undefined for a soundscape or a missing track. */
	durationOf(item: PlaylistItem): Seconds | undefined {
		return item.kind === 'track' ? this.#sources.durationOf(item.trackId) : undefined;
	}

	/** Seconds of recorded tracks in a phase. */
	trackSecondsOf(phase: PhasePlan): Seconds {
		return phase.items.reduce((sum, item) => sum + (this.durationOf(item) ?? 0), 0);
	}

	setTitle(title: string): void {
		this.draft = { ...this.draft, title };
	}

	setSummary(summary: string): void {
		this.draft = { ...this.draft, summary };
	}

	setPhase(phaseId: string, fields: Partial<Pick<PhasePlan, 'name' | 'kind' | 'minutes'>>): void {
		this.draft = updatePhase(this.draft, phaseId, fields);
	}

	#phase(phaseId: string): { phase: PhasePlan; index: number } | undefined {
		const index = this.draft.phases.findIndex((phase) => phase.id === phaseId);
		return index < 0 ? undefined : { phase: this.draft.phases[index]!, index };
	}

	/** Adds the chosen track or soundscape at the end of the phase; false when it could not be. */
	addItem(phaseId: string, choice: string): boolean {
		const found = this.#phase(phaseId);
		if (!found) return false;
		if (found.phase.items.length >= PLAYLIST_LIMITS.items.max) {
			this.message = `A phase can have at most ${PLAYLIST_LIMITS.items.max} items.`;
			return false;
		}
		const item = this.#itemOf(choice);
		if (!item) return false;
		this.message = '';
		this.draft = addItem(this.draft, phaseId, item);
		this.announcement = `${this.titleOf(item)} added to ${found.phase.name || 'the phase'}.`;
		return true;
	}

	#itemOf(choice: string): PlaylistItem | undefined {
		const [kind, ...rest] = choice.split(':');
		const value = rest.join(':');
		if (kind === 'track' && value !== '') return { kind: 'track', trackId: value };
		const soundscape = SOUNDSCAPES.find((candidate) => candidate === value);
		// A new seed each time: two of the same soundscape in a playlist still differ.
		if (kind === 'soundscape' && soundscape)
			return { kind: 'soundscape', soundscape, seed: Math.floor(this.#random() * 10_000) };
		return undefined;
	}

	moveItem(phaseId: string, from: number, to: number): boolean {
		const found = this.#phase(phaseId);
		if (!found || to < 0 || to >= found.phase.items.length || from === to) return false;
		this.draft = moveItem(this.draft, phaseId, from, to);
		this.announcement = `Moved to position ${to + 1} of ${found.phase.items.length} in ${found.phase.name || 'the phase'}.`;
		return true;
	}

	removeItem(phaseId: string, index: number): void {
		const found = this.#phase(phaseId);
		const item = found?.phase.items[index];
		if (!found || !item) return;
		const label = this.titleOf(item);
		this.removed = { kind: 'item', phaseId, index, item, label };
		this.draft = removeItem(this.draft, phaseId, index);
		this.announcement = `${label} removed from ${found.phase.name || 'the phase'}.`;
	}

	addPhase(kind: PhaseKind): string | undefined {
		if (this.draft.phases.length >= PLAYLIST_LIMITS.phases.max) {
			this.message = `A playlist can have at most ${PLAYLIST_LIMITS.phases.max} phases.`;
			return undefined;
		}
		this.draft = addPhase(this.draft, kind);
		this.announcement = `${PHASE_KIND_NAMES[kind]} phase added at the end.`;
		return this.draft.phases.at(-1)?.id;
	}

	movePhase(phaseId: string, to: number): boolean {
		const found = this.#phase(phaseId);
		if (!found || to < 0 || to >= this.draft.phases.length || found.index === to) return false;
		this.draft = movePhase(this.draft, found.index, to);
		this.announcement = `${found.phase.name || 'Phase'} moved to position ${to + 1} of ${this.draft.phases.length}.`;
		return true;
	}

	removePhase(phaseId: string): void {
		const found = this.#phase(phaseId);
		if (!found) return;
		this.removed = { kind: 'phase', index: found.index, phase: found.phase };
		this.draft = removePhase(this.draft, phaseId);
		this.announcement = `${found.phase.name || 'The phase'} removed.`;
	}

	/** Puts back what was removed last; the phase id to focus. */
	undoRemove(): string | undefined {
		const removed = this.removed;
		if (!removed) return undefined;
		this.removed = null;
		if (removed.kind === 'phase') {
			this.draft = insertPhase(this.draft, removed.index, removed.phase);
			this.announcement = `${removed.phase.name || 'The phase'} is back.`;
			return removed.phase.id;
		}
		if (!this.#phase(removed.phaseId)) return undefined;
		this.draft = insertItem(this.draft, removed.phaseId, removed.index, removed.item);
		this.announcement = `${removed.label} is back.`;
		return removed.phaseId;
	}

	/** Saves when every field is right; otherwise shows what is wrong and saves nothing. */
	async save(): Promise<boolean> {
		this.showErrors = true;
		this.message = '';
		if (!isPlaylistValid(this.errors)) {
			this.message = 'The playlist was not saved: some fields need changing (marked below).';
			return false;
		}
		const draft = { ...this.draft, title: this.draft.title.trim() };
		const saved = await this.#store.save(draft);
		if (!saved.ok) {
			this.message = saved.reason;
			return false;
		}
		this.draft = saved.value;
		this.#saved = JSON.stringify(saved.value);
		this.isNew = false;
		this.notice = `“${saved.value.title}” saved.`;
		return true;
	}

	dispose(): void {
		this.#sources.dispose();
	}
}

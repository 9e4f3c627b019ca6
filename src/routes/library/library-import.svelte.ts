/**
 * What the “Your music” page shows and does: the therapist's imported tracks and playlists, an
 * import of many files at once (audio and M3U/M3U8 playlists together) with its progress and a
 * Cancel, what each import brought in or refused and why, and removing a track to free its space.
 * Tracks imported under an older levelling rule are levelled again in the background, one at a
 * time, with a line of progress (`relevel`); an import pauses that, and it goes on afterwards.
 *
 * The tracks themselves belong to the ImportedTrackStore; the playlists read from M3U files are
 * kept here, one stored value per playlist under `imported-playlist:<id>`, read back through a schema.
 *
 * @example
 * const library = new LibraryImportState();
 * await library.load();
 * await library.importFiles([...input.files]); // library.summary: “Imported 12 tracks.”
 * library.refused; // [{ name: 'notes.mp3', reason: 'notes.mp3: this isn’t an audio file.' }]
 */
import * as v from 'valibot';
import { importAudioFiles, type Decoder, type ImportProgress, type ImportRefusal } from '$lib/library/import-audio';
import { ImportedTrackStore, type ImportedTrack } from '$lib/library/imported-tracks';
import { relevelTracks, type RelevelProgress } from '$lib/library/relevel-tracks';
import { decodeM3u, fileNameOf, matchEntries, parseM3u } from '$lib/library/m3u';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '$lib/storage/key-value';
import { randomId } from '$lib/names';
import { CURATED_PLAYLISTS } from '$lib/session/curated-playlists';
import { IMPORTED_TRACK_REF, OWN_PLAYLIST_PREFIX, playlistFromTracks } from '$lib/session/playlist-edit';
import { PlaylistStore } from '$lib/storage/playlist-store';

export const IMPORTED_PLAYLIST_PREFIX = 'imported-playlist:';
/** Far above any real playlist of file names; a bigger “.m3u” is not one. */
const MAX_PLAYLIST_BYTES = 5 * 1024 * 1024;

export interface ImportedPlaylist {
	version: 1;
	id: string;
	/** The M3U file's name without its extension. */
	name: string;
	/** In the playlist's order; a track may appear more than once. */
	trackIds: string[];
}

const playlistSchema = v.object({
	version: v.literal(1),
	id: v.pipe(v.string(), v.regex(/^[0-9a-z-]{1,40}$/)),
	name: v.pipe(v.string(), v.minLength(1)),
	trackIds: v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)))
});

/** A stored value as a playlist, or null when it is missing, damaged or stored under another id. */
export function parsePlaylist(key: string, raw: unknown): ImportedPlaylist | null {
	const parsed = v.safeParse(playlistSchema, raw);
	if (!parsed.success) return null;
	return `${IMPORTED_PLAYLIST_PREFIX}${parsed.output.id}` === key ? parsed.output : null;
}

export function isPlaylistFile(name: string): boolean {
	return /\.m3u8?$/i.test(name);
}

/** The playlist's name from its file name: “Evening.m3u8” → “Evening”. */
export function playlistName(fileName: string): string {
	const base = fileName.replace(/\.m3u8?$/i, '').trim();
	return base === '' ? fileName : base;
}

/** “1 track”, “12 tracks”. */
export function countOf(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

/** `3 of 12 files · 4.1 of 50.2 MB`. */
export function importProgressText(progress: ImportProgress): string {
	const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1);
	return `${progress.filesDone} of ${countOf(progress.filesTotal, 'file')} · ${mb(progress.bytesDone)} of ${mb(progress.bytesTotal)} MB`;
}

/** “Levelling 3 of 12 earlier imports…”: the track being levelled, counted from 1. */
export function relevelProgressText(progress: RelevelProgress): string {
	const now = Math.min(progress.done + 1, progress.total);
	return `Levelling ${now} of ${progress.total} earlier ${progress.total === 1 ? 'import' : 'imports'}…`;
}

/**
 * What an import did, in a sentence: “Imported 12 tracks.”, or how far a cancelled one got.
 *
 * @example
 * importSummary(1, { done: 2, of: 5 }); // 'Import cancelled after 2 of 5 files. Imported 1 track; it is kept.'
 */
export function importSummary(imported: number, cancelled: { done: number; of: number } | null): string {
	const tracks = `Imported ${countOf(imported, 'track')}`;
	if (!cancelled) return imported === 0 ? 'No tracks were imported.' : `${tracks}.`;
	const kept = imported === 0 ? 'Nothing was imported.' : `${tracks}; ${imported === 1 ? 'it is' : 'they are'} kept.`;
	return `Import cancelled after ${cancelled.done} of ${countOf(cancelled.of, 'file')}. ${kept}`;
}

function newPlaylistId(random: () => number = Math.random): string {
	let tail = '';
	for (let i = 0; i < 10; i += 1) tail += Math.floor(random() * 36).toString(36);
	return `m3u-${tail}`;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

export interface LibraryImportOptions {
	backend?: KeyValueBackend;
	tracks?: ImportedTrackStore;
	/** Passed to importAudioFiles and relevelTracks; tests give a decoder that needs no audio stack. */
	decode?: Decoder;
}

export class LibraryImportState {
	status: 'loading' | 'ready' = $state('loading');
	tracks: ImportedTrack[] = $state([]);
	playlists: ImportedPlaylist[] = $state([]);
	/** Set while an import runs. */
	progress: ImportProgress | null = $state(null);
	/** What the last import did, in a sentence: “Imported 12 tracks.” */
	summary = $state('');
	/** Files the last import refused, each with its reason. */
	refused: ImportRefusal[] = $state([]);
	/** What the last import made of its playlists, one sentence each. */
	playlistNotes: string[] = $state([]);
	/** A problem outside any one file, in plain words. */
	message = $state('');
	/** The track whose removal is waiting for a yes. */
	confirming: string | null = $state(null);
	/** The titles of the session playlists that play the track waiting for a yes. */
	confirmingUse: string[] = $state([]);
	/** Set while earlier imports are levelled again. */
	levelling: RelevelProgress | null = $state(null);
	/** What the last levelling did, in a sentence: “Levelled 12 earlier imports again.” */
	levellingSummary = $state('');
	/** The earlier imports the last levelling could not level, one sentence each (they keep their gain). */
	levellingProblems: string[] = $state([]);

	readonly importing = $derived(this.progress !== null);
	readonly usedBytes = $derived(this.tracks.reduce((sum, track) => sum + track.bytes, 0));

	readonly #backend: KeyValueBackend;
	readonly #store: ImportedTrackStore;
	readonly #decode: LibraryImportOptions['decode'];
	#controller: AbortController | null = null;
	#levelRun: Promise<void> | null = null;
	#levelController: AbortController | null = null;
	#disposed = false;

	constructor(options: LibraryImportOptions = {}) {
		this.#backend = options.backend ?? indexedDbBackend();
		this.#store = options.tracks ?? new ImportedTrackStore({ backend: this.#backend });
		this.#decode = options.decode;
	}

	async load(): Promise<void> {
		await this.#refresh();
		this.status = 'ready';
		// In the background: the page is usable meanwhile, and `relevel` reports through its own fields.
		void this.relevel();
	}

	/**
	 * Levels again, one at a time, the tracks imported under an older levelling rule; nothing when
	 * there are none. One run at a time: a call while one runs gets that run.
	 */
	relevel(): Promise<void> {
		this.#levelRun ??= this.#relevel().finally(() => {
			this.#levelRun = null;
		});
		return this.#levelRun;
	}

	async #relevel(): Promise<void> {
		const controller = new AbortController();
		this.#levelController = controller;
		const result = await relevelTracks(this.#store, {
			...(this.#decode ? { decode: this.#decode } : {}),
			signal: controller.signal,
			onProgress: (p) => {
				this.levelling = p.done < p.total ? p : null;
			}
		});
		this.levelling = null;
		this.#levelController = null;
		const levelled = result.levelled.length;
		if (levelled > 0) {
			this.levellingSummary = `Levelled ${countOf(levelled, 'earlier import')} again to sit with the curated music.`;
			await this.#refresh();
		}
		// A run an import stopped is followed by another, which tries those tracks again and tells.
		if (!result.cancelled) this.levellingProblems = result.failed.map((failure) => failure.reason);
	}

	trackOf(id: string): ImportedTrack | undefined {
		return this.tracks.find((track) => track.id === id);
	}

	async #refresh(): Promise<void> {
		this.tracks = await this.#store.list();
		let all: [string, unknown][];
		try {
			all = await this.#backend.entries();
		} catch {
			all = [];
		}
		this.playlists = all
			.flatMap(([key, raw]) =>
				typeof key === 'string' && key.startsWith(IMPORTED_PLAYLIST_PREFIX) ? [parsePlaylist(key, raw)] : []
			)
			.filter((playlist): playlist is ImportedPlaylist => playlist !== null)
			.sort((a, b) => a.name.localeCompare(b.name));
	}

	/**
	 * Imports the audio files, then makes a playlist of each M3U/M3U8 file, matched to the audio
	 * files of the same batch (and, failing those, to tracks imported before).
	 */
	async importFiles(files: File[]): Promise<void> {
		if (this.importing || files.length === 0) return;
		this.summary = '';
		this.refused = [];
		this.playlistNotes = [];
		this.message = '';
		const lists = files.filter((file) => isPlaylistFile(file.name));
		const audio = files.filter((file) => !isPlaylistFile(file.name));
		const controller = new AbortController();
		this.#controller = controller;
		// One decode at a time: levelling earlier imports stops after its current track, and goes on after the import.
		this.#levelController?.abort();
		const levelling = this.#levelRun;

		const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
		const start = { filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal, current: '' };
		this.progress = { ...start, current: audio[0]?.name ?? lists[0]?.name ?? '' };
		const imported: ImportedTrack[] = [];
		const refused: ImportRefusal[] = [];
		// Which track each audio file became, so a playlist can name it; one file at a time keeps that link.
		const trackOfFile: (string | null)[] = [];
		let cancelled = false;
		let done = { filesDone: 0, bytesDone: 0 };
		for (const file of audio) {
			const result = await importAudioFiles([file], {
				store: this.#store,
				signal: controller.signal,
				...(this.#decode ? { decode: this.#decode } : {}),
				onProgress: (p) => {
					this.progress = {
						...start,
						filesDone: done.filesDone + p.filesDone,
						bytesDone: done.bytesDone + p.bytesDone,
						current: p.current
					};
				}
			});
			if (result.cancelled) {
				cancelled = true;
				break;
			}
			const track = result.imported[0];
			trackOfFile.push(track?.id ?? null);
			if (track && !imported.some((t) => t.id === track.id)) imported.push(track);
			refused.push(...result.refused);
			done = { filesDone: done.filesDone + 1, bytesDone: done.bytesDone + file.size };
		}

		await this.#refresh();
		const notes: string[] = [];
		if (!cancelled) {
			for (const list of lists) {
				if (controller.signal.aborted) {
					cancelled = true;
					break;
				}
				this.progress = { ...start, ...done, current: list.name };
				const note = await this.#importPlaylist(list, audio, trackOfFile);
				if (note.ok) notes.push(note.value);
				else refused.push({ name: list.name, reason: note.reason });
				done = { filesDone: done.filesDone + 1, bytesDone: done.bytesDone + list.size };
			}
		}
		await this.#refresh();

		this.summary = importSummary(imported.length, cancelled ? { done: done.filesDone, of: files.length } : null);
		this.refused = refused;
		this.playlistNotes = notes;
		this.progress = null;
		this.#controller = null;

		await levelling;
		if (this.#disposed) return;
		// In the background, as from `load`; it also levels any earlier track this import met again.
		void this.relevel();
	}

	/** Stops the import before its next file; what is imported stays. */
	cancel(): void {
		this.#controller?.abort();
	}

	async #importPlaylist(
		file: File,
		audio: readonly File[],
		trackOfFile: readonly (string | null)[]
	): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
		const name = playlistName(file.name);
		if (file.size > MAX_PLAYLIST_BYTES) {
			return { ok: false, reason: `${file.name}: this file is far too large to be a playlist.` };
		}
		let bytes: Uint8Array;
		try {
			bytes = new Uint8Array(await file.arrayBuffer());
		} catch {
			return { ok: false, reason: `${file.name}: this file could not be opened.` };
		}
		const parsed = parseM3u(decodeM3u(bytes));
		if (!parsed.ok) return { ok: false, reason: `${file.name}: ${lowerFirst(parsed.reason)}` };

		// This batch's files first (only those imported), then the tracks imported before.
		const candidates: { name: string; trackId: string }[] = [];
		audio.forEach((audioFile, index) => {
			const trackId = trackOfFile[index];
			if (trackId) candidates.push({ name: audioFile.name, trackId });
		});
		for (const track of this.tracks) candidates.push({ name: track.fileName, trackId: track.id });

		const { matched, missing } = matchEntries(parsed.value, candidates);
		const trackIds = matched.flatMap(({ fileIndex }) => {
			const candidate = candidates[fileIndex];
			return candidate ? [candidate.trackId] : [];
		});
		const online = missing.filter((entry) => entry.online);
		const absent = missing.filter((entry) => !entry.online);
		const fileEntries = parsed.value.length - online.length;
		const parts: string[] = [];
		if (absent.length > 0) {
			const names = absent.map((entry) => fileNameOf(entry.path) || entry.path).join(', ');
			parts.push(`${absent.length} of ${countOf(fileEntries, 'entry', 'entries')} had no matching file: ${names}.`);
		}
		if (online.length > 0) {
			parts.push(
				`${countOf(online.length, 'entry', 'entries')} ${online.length === 1 ? 'is an online stream' : 'are online streams'}: online streams can’t be imported.`
			);
		}
		if (trackIds.length === 0) {
			return {
				ok: false,
				reason: [
					`${file.name}: no playlist was made, as none of its entries matched an imported track.`,
					...parts
				].join(' ')
			};
		}

		// Importing the same playlist again updates it rather than making a second one.
		const id = this.playlists.find((playlist) => playlist.name === name)?.id ?? newPlaylistId();
		const playlist: ImportedPlaylist = { version: 1, id, name, trackIds };
		const key = `${IMPORTED_PLAYLIST_PREFIX}${id}`;
		const stored = new StoredValue(this.#backend, key, (raw) => parsePlaylist(key, raw), `The playlist “${name}”`);
		const saved = await stored.save(playlist);
		if (!saved.ok) return { ok: false, reason: `${file.name}: ${lowerFirst(saved.reason)}` };
		return {
			ok: true,
			value: [`Playlist “${name}” made with ${countOf(trackIds.length, 'track')}.`, ...parts].join(' ')
		};
	}

	/** Asks before removing; `confirmingUse` names the session playlists that hold the track. */
	async askRemove(id: string): Promise<void> {
		this.confirming = id;
		this.confirmingUse = [];
		const trackId = `${IMPORTED_TRACK_REF}${id}`;
		const own = await new PlaylistStore(this.#backend).listOwn();
		if (this.confirming !== id) return;
		this.confirmingUse = own
			.filter((playlist) =>
				playlist.phases.some((phase) => phase.items.some((item) => item.kind === 'track' && item.trackId === trackId))
			)
			.map((playlist) => playlist.title);
	}

	keep(): void {
		this.confirming = null;
	}

	/**
	 * Makes one of the therapist's session playlists from an imported playlist's tracks, in its
	 * order; the new playlist's id (to open in the editor), or null with `message` set.
	 */
	async makeSessionPlaylist(id: string): Promise<string | null> {
		this.message = '';
		const playlist = this.playlists.find((candidate) => candidate.id === id);
		const tracks = playlist?.trackIds.flatMap((trackId) => this.trackOf(trackId) ?? []) ?? [];
		if (!playlist || tracks.length === 0) {
			this.message = 'This playlist has no tracks left on this device, so there is nothing to make a session from.';
			return null;
		}
		const sessions = new PlaylistStore(this.#backend);
		const taken = [...CURATED_PLAYLISTS, ...(await sessions.listOwn())].map((own) => own.id);
		const made = playlistFromTracks(randomId(OWN_PLAYLIST_PREFIX, taken), playlist.name, tracks);
		const saved = await sessions.save(made);
		if (!saved.ok) {
			this.message = saved.reason;
			return null;
		}
		return made.id;
	}

	/** Removes the track and its file from the device; playlists that list it skip it from then on. */
	async remove(id: string): Promise<void> {
		this.confirming = null;
		this.message = '';
		const track = this.trackOf(id);
		if (!track) return;
		const removed = await this.#store.remove(id);
		if (!removed.ok) {
			this.message = removed.reason;
			return;
		}
		await this.#refresh();
		this.summary = `Removed “${track.title}”.`;
		this.refused = [];
		this.playlistNotes = [];
	}

	dispose(): void {
		this.#disposed = true;
		this.cancel();
		this.#levelController?.abort();
	}
}

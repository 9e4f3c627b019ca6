/**
 * Playlist items as things the music engine can play, for the therapist's
 * imported tracks as well as the curated ones. The one owner of the object
 * URLs made for imported files: each is made once, when its track is first
 * played, and all are revoked by `dispose`.
 *
 * Imported files are read from the device (ImportedTrackStore), so they play
 * with no network; their gain is the one measured at import, which brings them
 * to the level of the curated music.
 *
 * @example
 * const sources = new TrackSources();
 * await sources.load();
 * const engine = await MusicEngine.create({ formatOf: (src) => sources.formatOf(src) });
 * const source = await sources.sourceOf(item, key); // undefined: the track is not on this device
 * sources.dispose(); // after the engine has stopped
 */
import { sourceOf as curatedSourceOf, trackDuration } from '../music/catalog';
import { formatFromExtension } from '../music/formats';
import type { MusicSource } from '../music/types';
import type { PlaylistItem } from '../session/playlist';
import { importedIdOf } from '../session/playlist-edit';
import type { Seconds } from '../units';
import { ImportedTrackStore, type ImportedTrack } from './imported-tracks';

/** Howler's name for the format of each type an import accepts. */
const FORMAT_OF_TYPE: Record<string, string> = {
	'audio/mpeg': 'mp3',
	'audio/mp4': 'm4a',
	'audio/aac': 'aac',
	'audio/ogg': 'ogg',
	'audio/opus': 'opus',
	'audio/webm': 'webm',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/flac': 'flac',
	'audio/x-flac': 'flac'
};

export function formatOfType(mime: string): string {
	return FORMAT_OF_TYPE[mime.toLowerCase()] ?? 'mp3';
}

export interface TrackSourcesOptions {
	store?: ImportedTrackStore;
	/** URL.createObjectURL / revokeObjectURL by default; tests pass their own. */
	createUrl?: (blob: Blob) => string;
	revokeUrl?: (url: string) => void;
}

export class TrackSources {
	readonly #store: ImportedTrackStore;
	readonly #createUrl: (blob: Blob) => string;
	readonly #revokeUrl: (url: string) => void;
	#imported = new Map<string, ImportedTrack>();
	/** Object URL by imported id (a promise, so that two calls at once make one URL), and the format of each URL made. */
	readonly #urls = new Map<string, Promise<string | null>>();
	readonly #made: string[] = [];
	readonly #formats = new Map<string, string>();

	constructor(options: TrackSourcesOptions = {}) {
		this.#store = options.store ?? new ImportedTrackStore();
		this.#createUrl = options.createUrl ?? ((blob) => URL.createObjectURL(blob));
		this.#revokeUrl = options.revokeUrl ?? ((url) => URL.revokeObjectURL(url));
	}

	/** Reads what is known of the imported tracks (not their files). */
	async load(): Promise<void> {
		this.#imported = new Map((await this.#store.list()).map((track) => [track.id, track]));
	}

	/** The imported tracks, oldest import first, as read by `load`. */
	get imported(): ImportedTrack[] {
		return [...this.#imported.values()];
	}

	/** A track's length, curated or imported; undefined when it is neither. */
	durationOf(trackId: string): Seconds | undefined {
		const importedId = importedIdOf(trackId);
		return importedId === null ? trackDuration(trackId) : this.#imported.get(importedId)?.durationSeconds;
	}

	/** A curated track's or soundscape's title, an imported track's own title, or undefined for a missing track. */
	titleOf(item: PlaylistItem): string | undefined {
		if (item.kind === 'track') {
			const importedId = importedIdOf(item.trackId);
			if (importedId !== null) return this.#imported.get(importedId)?.title;
		}
		return curatedSourceOf(item, '')?.title;
	}

	/** The item as the engine plays it; undefined when the track is not in the catalog or not on this device. */
	async sourceOf(item: PlaylistItem, key: string): Promise<MusicSource | undefined> {
		if (item.kind === 'soundscape') return curatedSourceOf(item, key);
		const importedId = importedIdOf(item.trackId);
		if (importedId === null) return curatedSourceOf(item, key);
		const track = this.#imported.get(importedId) ?? (await this.#store.get(importedId));
		if (!track) return undefined;
		let making = this.#urls.get(importedId);
		if (!making) {
			making = this.#store.fileOf(importedId).then((file) => {
				if (!file) return null;
				const made = this.#createUrl(file);
				this.#made.push(made);
				this.#formats.set(made, formatOfType(track.mime));
				return made;
			});
			this.#urls.set(importedId, making);
		}
		const url = await making;
		if (url === null) {
			// Tried again next time: the file may be back (a restore) by then.
			this.#urls.delete(importedId);
			return undefined;
		}
		return {
			kind: 'track',
			key,
			title: track.artist ? `${track.title} — ${track.artist}` : track.title,
			src: url,
			gainDb: track.gainDb,
			durationSeconds: track.durationSeconds,
			// Nothing is known of the file's own fades; the engine's crossfade makes the whole join.
			openingFade: 0,
			closingFade: 0
		};
	}

	/** Howler's format hint for a URL: from the file's type for an imported track, else from the extension. */
	formatOf(src: string): string[] {
		const format = this.#formats.get(src);
		return format ? [format] : formatFromExtension(src);
	}

	/** Revokes every object URL made; call once nothing plays them. */
	dispose(): void {
		for (const url of this.#made.splice(0)) this.#revokeUrl(url);
		this.#urls.clear();
		this.#formats.clear();
	}
}

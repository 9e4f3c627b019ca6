/**
 * The one owner of the therapist's imported music on this device.
 *
 * The audio files go in the origin private file system (`tracks/<id>`), where large files
 * belong; where it is missing, or cannot write files from a page, they go in IndexedDB as Blobs
 * under `imported-track-file:<id>`. What is known about each track is kept in the app's
 * key-value store under `imported-track:<id>` and read back through a schema. A track's id is
 * the start of the SHA-256 of its bytes, so the same file imported twice is kept once.
 *
 * The file is written before its details, and removed again if they cannot be saved, so a
 * listed track always has its file and a failed import leaves nothing behind.
 *
 * Each record says which levelling rule its gain follows (`levelling`, see `LEVELLING`). Records
 * from before a rule changed stay readable; `needsLevelling` finds them, and `setLevel` saves the
 * level measured again (src/lib/library/relevel-tracks.ts does both).
 *
 * @example
 * const store = new ImportedTrackStore();
 * const added = await store.add(bytes, { title: 'Eden', artist: 'Hania Rani', fileName: 'eden.mp3', mime: 'audio/mpeg',
 *   durationSeconds: 215, loudnessLufs: -16.2, truePeakDb: -0.8, gainDb: -6.8, levelling: LEVELLING, importedAt: Date.now() });
 * if (!added.ok) show(added.reason);
 * const blob = await store.fileOf(added.value.id); // play through URL.createObjectURL(blob)
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Decibels, Milliseconds, Seconds } from '../units';

export const IMPORTED_TRACK_PREFIX = 'imported-track:';
export const IMPORTED_TRACK_FILE_PREFIX = 'imported-track-file:';
/** The folder of the origin private file system that holds the audio files. */
export const TRACKS_DIRECTORY = 'tracks';

/**
 * The levelling rule that gains are computed by now (see `gainFor` and `levelFile` in import-audio.ts):
 * 1. loudness to the target, within ±12 dB (records without `levelling` follow this one);
 * 2. cuts to the target without limit; boosts at most +12 dB, and only as far as the true peak
 *    stays at or under −1 dBTP, the peak measured on a decode at 22.05 kHz;
 * 3. as 2, with a peak that may limit a boost measured on a decode at the file's own rate (up
 *    to 48 kHz): bright material reads 4 dB low or more at 22.05 kHz, so a rule-2 boost could
 *    end above −1 dBTP.
 */
export const LEVELLING = 3;

export interface ImportedTrack {
	version: 1;
	/** The first 16 hex digits of the SHA-256 of the file. */
	id: string;
	title: string;
	/** null when the file does not say. */
	artist: string | null;
	/** The name the file had when it was imported. */
	fileName: string;
	/** Size of the stored file. */
	bytes: number;
	durationSeconds: Seconds;
	/** Integrated loudness; null for silence or a sound too short to measure. */
	loudnessLufs: Decibels | null;
	/**
	 * True peak (ITU-R BS.1770-4 Annex 2) of the decoded audio, before gain; null for silence.
	 * Measured at the file's own rate (up to 48 kHz) where it may limit the boost; otherwise at
	 * 22.05 kHz, where bright material reads a few dB low (`levelFile` in import-audio.ts). Absent
	 * in records levelled by rule 1, which did not measure it.
	 */
	truePeakDb?: Decibels | null;
	/** Gain that brings the track to the level of the curated music. */
	gainDb: Decibels;
	/** The levelling rule `gainDb` follows (`LEVELLING`); absent for rule 1. */
	levelling?: number;
	/** The type found from the file's bytes, e.g. audio/mpeg. */
	mime: string;
	/** Epoch milliseconds. */
	importedAt: Milliseconds;
}

/** What `add` needs besides the bytes; the store adds the version, id and size. */
export type NewImportedTrack = Omit<ImportedTrack, 'version' | 'id' | 'bytes'>;

/**
 * Where the audio files themselves are kept. `write` either stores the whole file or throws;
 * the store removes what a failed write may have left.
 */
export interface TrackFiles {
	/** A Blob is written without being read into the page's memory (a track from a take-home pack). */
	write(id: string, bytes: ArrayBuffer | Blob, mime: string): Promise<void>;
	/** The file, or null when there is none. */
	read(id: string): Promise<Blob | null>;
	/** Removes the file; no error when there is none. */
	remove(id: string): Promise<void>;
}

const finite = v.pipe(v.number(), v.finite());

const trackSchema = v.object({
	version: v.literal(1),
	id: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
	title: v.string(),
	artist: v.nullable(v.string()),
	fileName: v.string(),
	bytes: v.pipe(v.number(), v.integer(), v.minValue(1)),
	durationSeconds: v.pipe(finite, v.minValue(0)),
	loudnessLufs: v.nullable(finite),
	truePeakDb: v.optional(v.nullable(finite)),
	gainDb: finite,
	// Any whole rule number is read, so a record levelled by a later version of the app stays listed.
	levelling: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
	mime: v.pipe(v.string(), v.startsWith('audio/')),
	importedAt: v.pipe(finite, v.minValue(0))
});

/** What levelling measures and decides for a track; what `setLevel` replaces. */
export type TrackLevel = Required<Pick<ImportedTrack, 'loudnessLufs' | 'truePeakDb' | 'gainDb' | 'levelling'>>;

/**
 * Whether a track's gain follows an older levelling rule than `LEVELLING` and may differ under
 * today's, so it should be levelled again.
 */
export function needsLevelling(track: ImportedTrack): boolean {
	const rule = track.levelling ?? 1;
	if (rule >= LEVELLING) return false;
	// Rule 2 differs from rule 3 only in the peak that limits a boost: its cuts stand as they are.
	return rule < 2 || track.gainDb > 0;
}

export function importedTrackKey(id: string): string {
	return `${IMPORTED_TRACK_PREFIX}${id}`;
}

/** A stored value as a track, or null; `key` must be the one it was stored under. */
function parseTrack(key: string, raw: unknown): ImportedTrack | null {
	const parsed = v.safeParse(trackSchema, raw);
	if (!parsed.success) return null;
	return importedTrackKey(parsed.output.id) === key ? parsed.output : null;
}

/** The first 16 hex digits of the SHA-256 of the bytes. */
export async function contentId(bytes: ArrayBuffer): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function isNotFound(error: unknown): boolean {
	return error instanceof DOMException && error.name === 'NotFoundError';
}

/**
 * Files in a folder of the origin private file system. `root` is the file system's root
 * (`navigator.storage.getDirectory()`); tests pass their own folder name.
 */
export function opfsTrackFiles(
	root: () => Promise<FileSystemDirectoryHandle>,
	directoryName: string = TRACKS_DIRECTORY
): TrackFiles {
	let folder: Promise<FileSystemDirectoryHandle> | undefined;
	const directory = (): Promise<FileSystemDirectoryHandle> => {
		if (!folder) {
			const opening = root().then((r) => r.getDirectoryHandle(directoryName, { create: true }));
			// A failure is not kept, so the next call tries again; the caller of this call sees the failure itself.
			void opening.catch(() => {
				if (folder === opening) folder = undefined;
			});
			folder = opening;
		}
		return folder;
	};
	return {
		async write(id, bytes) {
			const handle = await (await directory()).getFileHandle(id, { create: true });
			const writable = await handle.createWritable();
			try {
				await writable.write(bytes);
				await writable.close();
			} catch (error) {
				// Chromium writes to a swap file until close; aborting throws it away.
				await writable.abort().catch(() => undefined);
				throw error;
			}
		},
		async read(id) {
			try {
				return await (await (await directory()).getFileHandle(id)).getFile();
			} catch (error) {
				if (isNotFound(error)) return null;
				throw error;
			}
		},
		async remove(id) {
			try {
				await (await directory()).removeEntry(id);
			} catch (error) {
				if (!isNotFound(error)) throw error;
			}
		}
	};
}

/** Files as Blobs in the key-value store, for browsers without a writable origin private file system. */
export function keyValueTrackFiles(backend: KeyValueBackend): TrackFiles {
	return {
		write: (id, bytes, mime) => backend.set(`${IMPORTED_TRACK_FILE_PREFIX}${id}`, new Blob([bytes], { type: mime })),
		read: async (id) => {
			const value = await backend.get(`${IMPORTED_TRACK_FILE_PREFIX}${id}`);
			return value instanceof Blob ? value : null;
		},
		remove: (id) => backend.delete(`${IMPORTED_TRACK_FILE_PREFIX}${id}`)
	};
}

/**
 * The origin private file system when this browser can write files in it from a page
 * (`createWritable`: Chromium, Firefox, Safari 26); otherwise the key-value store.
 */
export function defaultTrackFiles(backend: KeyValueBackend): TrackFiles {
	const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
	const canWrite =
		typeof FileSystemFileHandle !== 'undefined' && typeof FileSystemFileHandle.prototype.createWritable === 'function';
	if (storage && typeof storage.getDirectory === 'function' && canWrite) {
		return opfsTrackFiles(() => storage.getDirectory());
	}
	return keyValueTrackFiles(backend);
}

const OUT_OF_SPACE =
	'There isn’t enough storage space on this device for this track. The music imported before is kept. Removing tracks you no longer use frees space.';
const NOT_SAVED = 'This track could not be saved on this device just now. The music imported before is kept.';

export interface ImportedTrackStoreOptions {
	/** Where the details are kept; the app's IndexedDB store by default. */
	backend?: KeyValueBackend;
	/** Where the files are kept; see `defaultTrackFiles`. */
	files?: TrackFiles;
}

export class ImportedTrackStore {
	readonly #backend: KeyValueBackend;
	readonly #files: TrackFiles;

	constructor(options: ImportedTrackStoreOptions = {}) {
		this.#backend = options.backend ?? indexedDbBackend();
		this.#files = options.files ?? defaultTrackFiles(this.#backend);
	}

	/**
	 * Keeps a file and its details. The same bytes imported again give the track kept before,
	 * not a copy. On failure nothing of this file is left and everything else is as it was.
	 */
	async add(bytes: ArrayBuffer, meta: NewImportedTrack): Promise<Result<ImportedTrack>> {
		if (bytes.byteLength === 0) return { ok: false, reason: 'This file is empty.' };
		const id = await contentId(bytes);
		const existing = await this.get(id);
		if (existing && (await this.#fileExists(id))) return { ok: true, value: existing };

		const track: ImportedTrack = { ...meta, version: 1, id, bytes: bytes.byteLength };
		const key = importedTrackKey(id);
		if (!parseTrack(key, track)) {
			// A bug in the caller, but the person should still hear why nothing was saved.
			return { ok: false, reason: 'This track could not be saved: its details are incomplete.' };
		}
		try {
			await this.#files.write(id, bytes, track.mime);
			await this.#backend.set(key, track);
			return { ok: true, value: track };
		} catch (error) {
			// Whatever the write left (an empty or partial file) goes; the details were not saved,
			// or failing to save them is what brought us here.
			await this.#files.remove(id).catch(() => undefined);
			return { ok: false, reason: isQuotaError(error) ? OUT_OF_SPACE : NOT_SAVED };
		}
	}

	/**
	 * For a caller that writes a track's details in its own transaction (a take-home pack): keeps
	 * the file when it isn't here yet, and says whether this call wrote it, so a failed install can
	 * take back exactly what it added. Throws when the file can't be written.
	 */
	async keepFile(id: string, bytes: ArrayBuffer | Blob, mime: string): Promise<boolean> {
		if (await this.#fileExists(id)) return false;
		try {
			await this.#files.write(id, bytes, mime);
			return true;
		} catch (error) {
			await this.#files.remove(id).catch(() => undefined);
			throw error;
		}
	}

	/** Removes a file `keepFile` wrote, when what it was for was not kept after all. */
	async discardFile(id: string): Promise<void> {
		await this.#files.remove(id).catch(() => undefined);
	}

	/** The key and value that keep a track's details, or null when they would not pass the schema. */
	entryOf(track: ImportedTrack): [string, ImportedTrack] | null {
		const key = importedTrackKey(track.id);
		return parseTrack(key, track) ? [key, track] : null;
	}

	/**
	 * Replaces the level of a track already kept (loudness, true peak, gain and rule), leaving the
	 * rest of its details as they are. On failure the track keeps the level it had.
	 */
	async setLevel(id: string, level: TrackLevel): Promise<Result<ImportedTrack>> {
		const current = await this.get(id);
		if (!current) return { ok: false, reason: 'This track is no longer on this device.' };
		const track: ImportedTrack = { ...current, ...level };
		const key = importedTrackKey(id);
		if (!parseTrack(key, track)) {
			return { ok: false, reason: 'This track’s new level could not be saved: it is incomplete.' };
		}
		try {
			await this.#backend.set(key, track);
			return { ok: true, value: track };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? 'There isn’t enough storage space on this device to save this track’s new level.'
					: 'This track’s new level could not be saved just now.'
			};
		}
	}

	/** Every readable track, oldest import first; an unreadable store gives none. */
	async list(): Promise<ImportedTrack[]> {
		let all: [string, unknown][];
		try {
			all = await this.#backend.entries();
		} catch {
			return [];
		}
		const tracks: ImportedTrack[] = [];
		for (const [key, raw] of all) {
			if (typeof key !== 'string' || !key.startsWith(IMPORTED_TRACK_PREFIX)) continue;
			const track = parseTrack(key, raw);
			if (track) tracks.push(track);
		}
		return tracks.sort((a, b) => a.importedAt - b.importedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}

	/** A track's details; null when there is none, or they are damaged or cannot be read. */
	async get(id: string): Promise<ImportedTrack | null> {
		const key = importedTrackKey(id);
		try {
			return parseTrack(key, await this.#backend.get(key));
		} catch {
			return null;
		}
	}

	/** The audio file of a track, typed by its content; null when it is missing or cannot be read. */
	async fileOf(id: string): Promise<Blob | null> {
		const track = await this.get(id);
		if (!track) return null;
		try {
			const file = await this.#files.read(id);
			if (!file) return null;
			return file.type === track.mime ? file : new Blob([file], { type: track.mime });
		} catch {
			return null;
		}
	}

	/** Removes a track and its file, freeing the space; the file goes first, so no space is lost unseen. */
	async remove(id: string): Promise<Result<void>> {
		try {
			await this.#files.remove(id);
			await this.#backend.delete(importedTrackKey(id));
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'This track could not be removed from this device just now. Try again.' };
		}
	}

	/** Bytes of audio kept for every imported track together. */
	async usageBytes(): Promise<number> {
		return (await this.list()).reduce((sum, track) => sum + track.bytes, 0);
	}

	async #fileExists(id: string): Promise<boolean> {
		try {
			return (await this.#files.read(id)) !== null;
		} catch {
			return false;
		}
	}
}

/**
 * The one owner, in the page, of making music available offline: for each curated playlist (and
 * any other set of files registered, such as a script's), whether it is on this device, a download
 * with its progress, cancel, and removal that spares files another available set still needs.
 *
 * Files go into the service worker's audio cache (AUDIO_CACHE) through the download manager
 * (downloads.ts), which resumes after a dropped connection and, on a full disk, removes what the
 * run stored. One download runs at a time: two runs sharing a file could otherwise undo each
 * other's work on cancel. The first time the person makes something available, the browser is
 * asked to keep the app's storage (`navigator.storage.persist()`) and the answer is remembered.
 *
 * @example
 * const offline = sharedAudioOffline();
 * await offline.refresh();
 * offline.state('quiet-home-practice').status; // 'missing' | 'partial' | 'available' | …
 * await offline.makeAvailable('quiet-home-practice'); // from a tap
 */
import { SvelteMap } from 'svelte/reactivity';
import * as v from 'valibot';
import { CURATED_PLAYLISTS } from '../session/curated-playlists';
import { indexedDbBackend, StoredValue, type KeyValueBackend } from '../storage/key-value';
import type { Milliseconds } from '../units';
import { AUDIO_CACHE } from './cache-names';
import {
	availability,
	DOWNLOAD_CANCELLED,
	downloadAll,
	removeAll,
	type DownloadItem,
	type DownloadProgress
} from './downloads';
import { PERSISTENCE_TEXT, playlistItems, removableItems, totalBytes, type Persistence } from './offline-sets';
import { notifyAudioCacheChanged } from './service-worker-client';

export type OfflineStatus = 'checking' | 'missing' | 'partial' | 'available' | 'downloading' | 'removing';

export interface OfflineSetState {
	status: OfflineStatus;
	itemsTotal: number;
	bytesTotal: number;
	/** Files of this set already stored whole (some may be there for another set). */
	itemsCached: number;
	bytesCached: number;
	/** While downloading: progress, with `retrying` set while waiting out a dropped connection. */
	progress: DownloadProgress | null;
	/** What the last download or removal ended with, in plain words, when there is something to say. */
	message: string;
	/** The person made this set available (and has not removed it since). */
	chosen: boolean;
	/** Bytes of this set on the device that removing it would free: those no other chosen, whole set needs. */
	removableBytes: number;
	/** Other chosen, whole sets that keep some of this set's files on the device. */
	keptFor: string[];
}

export const PERSISTENCE_KEY = 'storage-persistence';
/** The sets the person made available, so that removing one spares only files they asked to keep. */
export const OFFLINE_SETS_KEY = 'offline-sets';

const persistenceSchema = v.object({ version: v.literal(1), answer: v.picklist(['granted', 'refused']) });
type StoredPersistence = v.InferOutput<typeof persistenceSchema>;

const chosenSchema = v.object({ version: v.literal(1), ids: v.array(v.string()) });
type ChosenSets = v.InferOutput<typeof chosenSchema>;

function parsePersistence(raw: unknown): StoredPersistence | null {
	const parsed = v.safeParse(persistenceSchema, raw);
	return parsed.success ? parsed.output : null;
}

function parseChosen(raw: unknown): ChosenSets {
	const parsed = v.safeParse(chosenSchema, raw);
	return parsed.success ? parsed.output : { version: 1, ids: [] };
}

/** What the store needs of `navigator.storage`; tests pass their own. */
export type PersistentStorage = Pick<StorageManager, 'persist' | 'persisted'>;

export interface AudioOfflineOptions {
	cacheName?: string;
	/** The sets it starts with; every curated playlist by default. */
	sets?: readonly { id: string; label: string; items: readonly DownloadItem[] }[];
	backend?: KeyValueBackend;
	/** `navigator.storage` by default; undefined where the browser has none. */
	storage?: PersistentStorage | undefined;
	fetch?: typeof fetch;
	caches?: CacheStorage;
	retryDelayMs?: (attempt: number) => Milliseconds;
	/** Told after files were stored or removed; tells the service worker by default. */
	onCacheChanged?: () => void | Promise<void>;
}

/** Progress is shown at most this often; a retry message or a finished file shows at once. */
const PROGRESS_EVERY: Milliseconds = 150;

export class AudioOffline {
	/** State per set id. */
	sets: Record<string, OfflineSetState> = $state({});
	/** The set being downloaded or removed, if any; every other action waits for it. */
	busy: string | null = $state(null);
	persistence: Persistence = $state('unknown');
	/** The set whose tap asked the browser to keep storage, so the answer is explained there. */
	askedFor: string | null = $state(null);
	/** Goes up whenever files were stored or removed: pages that show sizes measure again. */
	revision = $state(0);

	readonly #cacheName: string;
	/** Reactive, so that a set registered later (a script's) shows wherever `ids` is listed. */
	readonly #items = new SvelteMap<string, { label: string; items: readonly DownloadItem[] }>();
	readonly #storedPersistence: StoredValue<StoredPersistence | null>;
	readonly #storedChosen: StoredValue<ChosenSets>;
	readonly #storage: PersistentStorage | undefined;
	readonly #fetch: typeof fetch | undefined;
	readonly #caches: CacheStorage | undefined;
	readonly #retryDelayMs: ((attempt: number) => Milliseconds) | undefined;
	readonly #onCacheChanged: () => void | Promise<void>;
	#controller: AbortController | undefined;
	#refreshing: Promise<void> | undefined;
	#refreshQueued: Promise<void> | undefined;
	#persistenceRead: Promise<void> | undefined;
	/** The answer remembered from an earlier ask: undefined until read, null if never asked. */
	#remembered: Persistence | null | undefined;

	constructor(options: AudioOfflineOptions = {}) {
		const backend = options.backend ?? indexedDbBackend();
		this.#cacheName = options.cacheName ?? AUDIO_CACHE;
		this.#storedPersistence = new StoredValue(backend, PERSISTENCE_KEY, parsePersistence);
		this.#storedChosen = new StoredValue(backend, OFFLINE_SETS_KEY, parseChosen, 'The list of music kept offline');
		this.#storage =
			'storage' in options ? options.storage : typeof navigator === 'undefined' ? undefined : navigator.storage;
		this.#fetch = options.fetch;
		this.#caches = options.caches;
		this.#retryDelayMs = options.retryDelayMs;
		this.#onCacheChanged = options.onCacheChanged ?? notifyAudioCacheChanged;
		const sets =
			options.sets ??
			CURATED_PLAYLISTS.map((playlist) => ({ id: playlist.id, label: playlist.title, items: playlistItems(playlist) }));
		for (const set of sets) this.register(set.id, set.label, set.items);
	}

	/** Adds (or replaces) a set of files under `id`, such as a script's; its state shows after `refresh`. */
	register(id: string, label: string, items: readonly DownloadItem[]): void {
		const unique = dedupe(items);
		this.#items.set(id, { label, items: unique });
		const state = this.sets[id];
		if (state && (state.status === 'downloading' || state.status === 'removing')) return;
		this.sets[id] = {
			status: 'checking',
			itemsTotal: unique.length,
			bytesTotal: totalBytes(unique),
			itemsCached: 0,
			bytesCached: 0,
			progress: null,
			message: state?.message ?? '',
			chosen: state?.chosen ?? false,
			removableBytes: 0,
			keptFor: []
		};
	}

	/** Every registered set id, in the order registered. */
	get ids(): string[] {
		return [...this.#items.keys()];
	}

	label(id: string): string {
		return this.#items.get(id)?.label ?? id;
	}

	itemsOf(id: string): readonly DownloadItem[] {
		return this.#items.get(id)?.items ?? [];
	}

	state(id: string): OfflineSetState | undefined {
		return this.sets[id];
	}

	/** Sets whose every file is on this device. */
	get available(): string[] {
		return this.ids.filter((id) => this.sets[id]?.status === 'available');
	}

	/** The plain-words meaning of the browser's answer about keeping these files. */
	get persistenceText(): string {
		return PERSISTENCE_TEXT[this.persistence];
	}

	/**
	 * Looks again at what is stored, for every set (sets share files, so one change can touch them
	 * all). The set being downloaded or removed keeps its state until that ends. Calls made while
	 * one runs are gathered into one more run after it.
	 */
	refresh(): Promise<void> {
		if (this.#refreshing) {
			this.#refreshQueued ??= this.#refreshing.then(() => {
				this.#refreshQueued = undefined;
				return this.refresh();
			});
			return this.#refreshQueued;
		}
		const run = this.#refreshAll().finally(() => {
			this.#refreshing = undefined;
		});
		this.#refreshing = run;
		return run;
	}

	async #refreshAll(): Promise<void> {
		const options = this.#cacheOptions();
		const [chosen, found] = await Promise.all([
			this.#chosenIds(),
			Promise.all(this.ids.map(async (id) => [id, await availability(this.itemsOf(id), options)] as const))
		]);
		const complete = found.filter(([, availability]) => availability.complete).map(([id]) => id);
		const sparing = await Promise.all(
			this.ids.map(async (id) => {
				const keepers = this.#keepers(id, complete, chosen);
				const removable = removableItems(
					this.itemsOf(id),
					keepers.map((other) => this.itemsOf(other))
				);
				return { removableBytes: (await availability(removable, options)).bytesCached, keepers };
			})
		);
		found.forEach(([id, availability], i) => {
			const state = this.sets[id];
			const spare = sparing[i];
			if (!state || !spare || this.busy === id) return;
			state.itemsTotal = availability.itemsTotal;
			state.bytesTotal = availability.bytesTotal;
			state.itemsCached = availability.itemsCached;
			state.bytesCached = availability.bytesCached;
			state.status = availability.complete ? 'available' : availability.itemsCached > 0 ? 'partial' : 'missing';
			state.chosen = chosen.includes(id);
			state.removableBytes = spare.removableBytes;
			state.keptFor =
				availability.itemsCached > 0 ? this.#sharing(id, spare.keepers).map((other) => this.label(other)) : [];
		});
	}

	/**
	 * The sets whose files removing `id` must spare: the other whole sets the person chose. With no
	 * record of any choice (storage cleared, or unreadable) every other whole set counts as chosen:
	 * that keeps too much, never too little.
	 */
	#keepers(id: string, complete: readonly string[], chosen: readonly string[]): string[] {
		return complete.filter((other) => other !== id && (chosen.length === 0 || chosen.includes(other)));
	}

	/** Of `others`, those sharing a file with set `id`. */
	#sharing(id: string, others: readonly string[]): string[] {
		const mine = this.itemsOf(id).map((item) => item.url);
		return others.filter((other) => this.itemsOf(other).some((item) => mine.includes(item.url)));
	}

	async #chosenIds(): Promise<string[]> {
		return (await this.#storedChosen.load()).ids;
	}

	/**
	 * Stores every file of set `id`. Call from a tap: the first time, the browser is asked to keep
	 * the app's storage, and some browsers only ask the person during a tap.
	 */
	async makeAvailable(id: string): Promise<void> {
		const state = this.sets[id];
		if (!state || this.busy !== null) return;
		// Started before anything is awaited, so that the request still comes from the tap.
		const asking = this.#askPersistenceOnce(id);
		const controller = new AbortController();
		this.#controller = controller;
		this.busy = id;
		state.message = '';
		state.status = 'downloading';
		state.progress = { bytesDone: 0, bytesTotal: state.bytesTotal, itemsDone: 0, itemsTotal: state.itemsTotal };
		let shownAt = 0;
		let itemsDone = 0;
		const result = await downloadAll(this.itemsOf(id), {
			...this.#cacheOptions(),
			signal: controller.signal,
			...(this.#fetch ? { fetch: this.#fetch } : {}),
			...(this.#retryDelayMs ? { retryDelayMs: this.#retryDelayMs } : {}),
			onProgress: (progress) => {
				const now = Date.now();
				const finishedOne = progress.itemsDone !== itemsDone;
				const retryChanged = progress.retrying !== state.progress?.retrying;
				if (!finishedOne && !retryChanged && now - shownAt < PROGRESS_EVERY) return;
				shownAt = now;
				state.progress = { ...progress };
				if (finishedOne) {
					itemsDone = progress.itemsDone;
					// A stored file can be answered offline at once, even if the rest never comes.
					void this.#cacheChanged();
				}
			}
		});
		this.#controller = undefined;
		if (result.ok) await this.#choose(id, true);
		await this.#cacheChanged();
		this.busy = null;
		// Other sets share files with this one: their state may have changed too.
		await this.refresh();
		state.progress = null;
		if (!result.ok && result.reason !== DOWNLOAD_CANCELLED) state.message = result.reason;
		await asking;
	}

	/** Stops the download; the files it stored are removed, so the device is as it was before. */
	cancel(): void {
		this.#controller?.abort();
	}

	/**
	 * Removes set `id`'s files from this device, except those that another set the person made
	 * available, and that is still whole, needs.
	 */
	async remove(id: string): Promise<void> {
		const state = this.sets[id];
		if (!state || this.busy !== null) return;
		this.busy = id;
		state.message = '';
		state.status = 'removing';
		const options = this.#cacheOptions();
		const chosen = await this.#chosenIds();
		const complete: string[] = [];
		for (const other of this.ids) if ((await availability(this.itemsOf(other), options)).complete) complete.push(other);
		const keepers = this.#keepers(id, complete, chosen);
		const removable = removableItems(
			this.itemsOf(id),
			keepers.map((other) => this.itemsOf(other))
		);
		const removedFiles = await removeAll(removable, options);
		await this.#choose(id, false);
		await this.#cacheChanged();
		this.busy = null;
		await this.refresh();
		const sharing = this.#sharing(id, keepers).map((other) => `“${this.label(other)}”`);
		if ((await availability(removable, options)).itemsCached > 0) {
			state.message = 'Some of these files could not be removed just now. Try again.';
		} else if (sharing.length > 0 && state.itemsCached > 0) {
			const users = `${sharing.join(' and ')} ${sharing.length === 1 ? 'uses' : 'use'} them too.`;
			state.message =
				removedFiles === 0
					? `Its pieces stay on this device: ${users}`
					: `Removed the pieces only this used. The others stay on this device: ${users}`;
		} else {
			state.message = 'Removed from this device.';
		}
	}

	/** Reads whether storage is kept, and what was answered before. Never asks. */
	loadPersistence(): Promise<void> {
		this.#persistenceRead ??= (async () => {
			const [stored, persisted] = await Promise.all([this.#storedPersistence.load(), this.#persisted()]);
			this.#remembered = stored?.answer ?? null;
			this.persistence = persisted ? 'granted' : (stored?.answer ?? 'unknown');
		})();
		return this.#persistenceRead;
	}

	/**
	 * Asks the browser to keep the app's storage, and remembers the answer. The storage page's
	 * button calls this; making something available calls it only the first time.
	 */
	async askPersistence(forId: string | null = null): Promise<Persistence> {
		const storage = this.#storage;
		let answer: Persistence;
		if (!storage || typeof storage.persist !== 'function') {
			answer = 'unknown';
		} else {
			try {
				answer = (await storage.persist()) ? 'granted' : 'refused';
			} catch {
				answer = 'refused';
			}
		}
		this.persistence = answer;
		this.askedFor = forId;
		if (answer !== 'unknown') {
			this.#remembered = answer;
			// Failing to remember only means asking again next time.
			await this.#storedPersistence.save({ version: 1, answer });
		}
		return answer;
	}

	/** Asks on the first download only; later ones leave the answer as it was. */
	#askPersistenceOnce(id: string): Promise<unknown> {
		// Normally read already (the control reads it when shown), so the ask starts within the tap.
		if (this.#remembered === undefined) {
			return this.loadPersistence().then(() => (this.#remembered === null ? this.askPersistence(id) : undefined));
		}
		return this.#remembered === null ? this.askPersistence(id) : Promise.resolve();
	}

	async #persisted(): Promise<boolean> {
		try {
			return (await this.#storage?.persisted?.()) === true;
		} catch {
			return false;
		}
	}

	/** Records that the person made set `id` available (or removed it). */
	async #choose(id: string, chosen: boolean): Promise<void> {
		const others = (await this.#storedChosen.load()).ids.filter((other) => other !== id);
		// Unsaved, removal later counts every whole set as chosen: it keeps too much, never too little.
		await this.#storedChosen.save({ version: 1, ids: chosen ? [...others, id] : others });
	}

	async #cacheChanged(): Promise<void> {
		this.revision += 1;
		try {
			await this.#onCacheChanged();
		} catch {
			// Telling the worker is a courtesy: it reads the cache afresh whenever it starts.
		}
	}

	#cacheOptions(): { cacheName: string; caches?: CacheStorage } {
		return this.#caches ? { cacheName: this.#cacheName, caches: this.#caches } : { cacheName: this.#cacheName };
	}
}

function dedupe(items: readonly DownloadItem[]): DownloadItem[] {
	return [...new Map(items.map((item) => [item.url, item])).values()];
}

let shared: AudioOffline | undefined;

/**
 * The page's one store, made on first use (in the browser only): a download started on one page
 * carries on, and shows, on the next.
 */
export function sharedAudioOffline(): AudioOffline {
	shared ??= new AudioOffline();
	return shared;
}

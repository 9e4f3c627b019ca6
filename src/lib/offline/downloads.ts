/**
 * Makes a set of same-origin files (the session music) available offline in one cache.
 *
 * Files are fetched one at a time and read as streams, so progress moves with every chunk. A
 * dropped connection resumes the file where it stopped with a Range request; only a complete
 * file of the expected size is ever stored, as a plain 200 response, which `rangeResponse`
 * (./range.ts) can later cut into the 206 answers media elements ask for. Files already stored
 * whole are not fetched again: their names carry a content hash, so a stored copy is current.
 *
 * No DOM: runs in a page or in the service worker. `fetch` and `caches` default to the global
 * ones and can be passed in for tests.
 *
 * @example
 * const result = await downloadAll(manifest.files, {
 * 	cacheName: 'grounded-audio-v1',
 * 	signal: controller.signal,
 * 	onProgress: (p) => (percent = Math.round((100 * p.bytesDone) / p.bytesTotal))
 * });
 * if (!result.ok && result.reason !== DOWNLOAD_CANCELLED) show(result.reason);
 */
import type { Result } from '../result';
import { isQuotaError } from '../storage/key-value';
import type { Milliseconds } from '../units';

export interface DownloadItem {
	/** Same-origin URL of the file; also its key in the cache. */
	url: string;
	/** The file’s size in bytes, from the manifest. A stored copy of another size counts as missing. */
	bytes: number;
}

export interface DownloadProgress {
	/** Never goes down, even when a file has to start again; ends at `bytesTotal` on success. */
	bytesDone: number;
	bytesTotal: number;
	itemsDone: number;
	itemsTotal: number;
	/** Present only while waiting to try again after the connection dropped. */
	retrying?: string;
}

export interface DownloadOptions {
	cacheName: string;
	/** Aborting stops the run and removes what it stored (see `DOWNLOAD_CANCELLED`). */
	signal?: AbortSignal;
	/** Called for every chunk received; throttle in the caller if it posts messages or renders. */
	onProgress?(progress: DownloadProgress): void;
	fetch?: typeof fetch;
	caches?: CacheStorage;
	/** Tries after a failure that made no progress, per file. Default 5. */
	retries?: number;
	/** Wait before try `attempt` (1, 2, …). Default 1 s, doubling, at most 15 s. */
	retryDelayMs?: (attempt: number) => Milliseconds;
}

export interface DownloadSummary {
	/** Bytes received from the network in this run, including any that had to be fetched twice. */
	fetchedBytes: number;
	/** Files that were already stored whole and were not fetched. */
	skipped: number;
}

/**
 * The reason `downloadAll` gives when its signal was aborted. Not a fault: compare with it to
 * say nothing (or “Download cancelled”) instead of showing an error. Like an out-of-space stop,
 * a cancelled run removes the files it stored, so the device is as it was before the run.
 */
export const DOWNLOAD_CANCELLED = 'Cancelled.';

export const RETRYING = 'The connection dropped. Trying again from where it stopped…';

export const OUT_OF_SPACE =
	'This device is out of storage space. The download was stopped and its partial files removed; nothing that was already saved has been touched.';

const DEFAULT_RETRIES = 5;
const defaultRetryDelay = (attempt: number): Milliseconds => Math.min(1_000 * 2 ** (attempt - 1), 15_000);

/**
 * Received chunks are gathered into a Blob every few megabytes: browsers keep large Blobs outside
 * the script heap (Chromium moves them to disk), so a long track does not sit in memory twice.
 */
const FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * A stop with a reason to show. `undo` says whether the files this run stored are removed: yes
 * for cancel and a full disk (the person wants the space or the state from before back), no for
 * a lost connection or a server error, where keeping the complete files lets the next try
 * fetch only the rest.
 */
class Stop extends Error {
	constructor(
		readonly reason: string,
		readonly undo: boolean
	) {
		super(reason);
	}
}

const cancelled = () => new Stop(DOWNLOAD_CANCELLED, true);

/**
 * Stores every item in the cache `cacheName`, skipping those already stored whole.
 * Never throws for network, server or storage trouble; the reason says what happened.
 */
export async function downloadAll(
	items: readonly DownloadItem[],
	options: DownloadOptions
): Promise<Result<DownloadSummary>> {
	const unique = uniqueItems(items);
	const run = new Run(unique, options);
	let cache: Cache;
	try {
		cache = await run.storage.open(options.cacheName);
	} catch {
		return {
			ok: false,
			reason: 'This browser won’t let Grounded keep music on this device (a private window may block it).'
		};
	}
	const added: string[] = [];
	let skipped = 0;
	try {
		for (const item of unique) {
			run.throwIfCancelled();
			if (await isStoredWhole(cache, item)) {
				skipped += 1;
				run.finished(item);
				continue;
			}
			const file = await run.fetchWhole(item);
			run.throwIfCancelled();
			await put(cache, item, file);
			added.push(item.url);
			run.finished(item);
		}
	} catch (error) {
		if (!(error instanceof Stop)) throw error;
		if (error.undo) await removeUrls(cache, added);
		return { ok: false, reason: error.reason };
	}
	return { ok: true, value: { fetchedBytes: run.fetchedBytes, skipped } };
}

export interface CacheOptions {
	cacheName: string;
	caches?: CacheStorage;
}

export interface Availability {
	itemsCached: number;
	itemsTotal: number;
	bytesCached: number;
	bytesTotal: number;
	/** Every item is stored whole: everything plays offline. */
	complete: boolean;
}

/** How much of `items` is stored whole in `cacheName`. Storage that can’t be read counts as empty. */
export async function availability(items: readonly DownloadItem[], options: CacheOptions): Promise<Availability> {
	const unique = uniqueItems(items);
	const result: Availability = {
		itemsCached: 0,
		itemsTotal: unique.length,
		bytesCached: 0,
		bytesTotal: unique.reduce((sum, item) => sum + item.bytes, 0),
		complete: false
	};
	try {
		const storage = options.caches ?? globalThis.caches;
		// `open` would create an empty cache just to look into it.
		if (await storage.has(options.cacheName)) {
			const cache = await storage.open(options.cacheName);
			// Asked all at once: one by one, the full medicine session's pieces took most of the check's time.
			const whole = await Promise.all(unique.map((item) => isStoredWhole(cache, item)));
			unique.forEach((item, i) => {
				if (!whole[i]) return;
				result.itemsCached += 1;
				result.bytesCached += item.bytes;
			});
		}
	} catch {
		// Unreadable storage holds nothing this app can play.
	}
	result.complete = result.itemsCached === result.itemsTotal;
	return result;
}

/** Removes `items` from `cacheName`; resolves to how many were there and are now gone. */
export async function removeAll(items: readonly DownloadItem[], options: CacheOptions): Promise<number> {
	const storage = options.caches ?? globalThis.caches;
	try {
		if (!(await storage.has(options.cacheName))) return 0;
		const cache = await storage.open(options.cacheName);
		return await removeUrls(
			cache,
			uniqueItems(items).map((item) => item.url)
		);
	} catch {
		return 0;
	}
}

/** One run of `downloadAll`: its options, progress and the bytes it fetched. */
class Run {
	readonly storage: CacheStorage;
	fetchedBytes = 0;
	readonly #fetch: typeof fetch;
	readonly #signal: AbortSignal | undefined;
	readonly #onProgress: DownloadOptions['onProgress'];
	readonly #retries: number;
	readonly #retryDelay: (attempt: number) => Milliseconds;
	readonly #bytesTotal: number;
	readonly #itemsTotal: number;
	#bytesFinished = 0;
	#itemsDone = 0;
	/** The most of the current file ever counted, so a restarted file never moves progress back. */
	#currentHigh = 0;

	constructor(items: readonly DownloadItem[], options: DownloadOptions) {
		this.storage = options.caches ?? globalThis.caches;
		// The global fetch throws “Illegal invocation” when called detached from its global.
		this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
		this.#signal = options.signal;
		this.#onProgress = options.onProgress;
		this.#retries = options.retries ?? DEFAULT_RETRIES;
		this.#retryDelay = options.retryDelayMs ?? defaultRetryDelay;
		this.#bytesTotal = items.reduce((sum, item) => sum + item.bytes, 0);
		this.#itemsTotal = items.length;
	}

	throwIfCancelled(): void {
		if (this.#signal?.aborted) throw cancelled();
	}

	finished(item: DownloadItem): void {
		this.#bytesFinished += item.bytes;
		this.#itemsDone += 1;
		this.#currentHigh = 0;
		this.#report();
	}

	/** Fetches one file whole, resuming after drops; throws a Stop when it can’t. */
	async fetchWhole(item: DownloadItem): Promise<{ blob: Blob; type: string | null }> {
		let parts = new Parts();
		let type: string | null = null;
		let failures = 0;
		for (;;) {
			const from = parts.size;
			let response: Response;
			try {
				const init: RequestInit = from > 0 ? { headers: { range: `bytes=${from}-` } } : {};
				response = await this.#abortable(this.#fetch(item.url, { ...init, signal: this.#signal ?? null }));
			} catch (error) {
				this.#rethrowStop(error);
				failures = await this.#retryOrStop(failures);
				continue;
			}

			if (from > 0 && response.status === 206) {
				const range = contentRange(response.headers.get('content-range'));
				if (range?.total !== undefined && range.total !== item.bytes) {
					discard(response);
					throw wrongSize(item);
				}
				if (range?.start !== from) {
					// A slice from somewhere else cannot be appended; start the file again.
					discard(response);
					parts = new Parts();
					failures = await this.#retryOrStop(failures);
					continue;
				}
			} else if (response.status === 200) {
				// A server that ignores Range sends the whole file again: start this file again with it.
				if (from > 0) parts = new Parts();
				const length = response.headers.get('content-length');
				// An encoded body’s length is not the file’s size.
				if (length !== null && !response.headers.has('content-encoding') && Number(length) !== item.bytes) {
					discard(response);
					throw wrongSize(item);
				}
			} else if (from > 0 && response.status === 416) {
				// The server has no byte at `from`, so its file is shorter than the manifest says.
				discard(response);
				throw wrongSize(item);
			} else if (response.status === 408 || response.status === 429 || response.status >= 500) {
				discard(response);
				failures = await this.#retryOrStop(failures);
				continue;
			} else {
				discard(response);
				throw new Stop(
					`The download stopped: the server could not send “${fileName(item.url)}” (error ${response.status}). ${this.#kept()}`,
					false
				);
			}
			type = response.headers.get('content-type') ?? type;

			const before = parts.size;
			try {
				await this.#read(response, parts, item);
			} catch (error) {
				this.#rethrowStop(error);
				if (parts.size > before) failures = 0;
				failures = await this.#retryOrStop(failures);
				continue;
			}
			if (parts.size === item.bytes) return { blob: parts.blob(), type };
			// The body ended early without an error: the connection closed. Resume like a drop.
			if (parts.size > before) failures = 0;
			failures = await this.#retryOrStop(failures);
		}
	}

	async #read(response: Response, parts: Parts, item: DownloadItem): Promise<void> {
		if (!response.body) return;
		const reader = response.body.getReader();
		let done = false;
		try {
			for (;;) {
				// Checked before asking for more, so that nothing more is fetched after a cancel.
				this.throwIfCancelled();
				const chunk = await this.#abortable(reader.read());
				if (chunk.done) {
					done = true;
					return;
				}
				this.fetchedBytes += chunk.value.byteLength;
				parts.push(chunk.value);
				if (parts.size > item.bytes) throw wrongSize(item);
				this.#progress(parts.size);
			}
		} finally {
			// The rest of an abandoned body is not wanted; cancelling frees the connection.
			// Cancelling an errored stream rejects, and there is nothing left to do about it then.
			if (!done) reader.cancel().catch(() => undefined);
		}
	}

	/** Waits before the next try, or stops when the tries are used up; returns the failure count. */
	async #retryOrStop(failures: number): Promise<number> {
		const attempt = failures + 1;
		if (attempt > this.#retries) {
			throw new Stop(
				`The connection dropped and did not come back, so the download stopped. ${this.#itemsDone} of ${this.#itemsTotal} files are saved on this device; downloading again fetches only the rest.`,
				false
			);
		}
		this.#report(RETRYING);
		await this.#sleep(this.#retryDelay(attempt));
		return attempt;
	}

	#kept(): string {
		return this.#itemsDone > 0 ? 'The files saved before it are kept.' : 'Nothing was saved.';
	}

	#rethrowStop(error: unknown): void {
		if (error instanceof Stop) throw error;
		// A fetch or read that failed because of the abort is a cancel, not a network fault.
		this.throwIfCancelled();
	}

	#progress(received: number): void {
		if (received <= this.#currentHigh) return;
		this.#currentHigh = received;
		this.#report();
	}

	#report(retrying?: string): void {
		if (!this.#onProgress) return;
		const progress: DownloadProgress = {
			bytesDone: this.#bytesFinished + this.#currentHigh,
			bytesTotal: this.#bytesTotal,
			itemsDone: this.#itemsDone,
			itemsTotal: this.#itemsTotal
		};
		if (retrying !== undefined) progress.retrying = retrying;
		this.#onProgress(progress);
	}

	/** Settles with `promise`, or rejects with a cancel as soon as the signal aborts, whichever is first. */
	#abortable<T>(promise: Promise<T>): Promise<T> {
		const signal = this.#signal;
		if (!signal) return promise;
		return new Promise<T>((resolve, reject) => {
			const onAbort = () => reject(cancelled());
			if (signal.aborted) onAbort();
			signal.addEventListener('abort', onAbort, { once: true });
			promise.then(
				(value) => {
					signal.removeEventListener('abort', onAbort);
					resolve(value);
				},
				(error: unknown) => {
					signal.removeEventListener('abort', onAbort);
					reject(error);
				}
			);
		});
	}

	#sleep(ms: Milliseconds): Promise<void> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const wait = new Promise<void>((resolve) => {
			timer = setTimeout(resolve, ms);
		});
		return this.#abortable(wait).finally(() => clearTimeout(timer));
	}
}

/** Received bytes of one file, gathered into a Blob now and then (see FLUSH_BYTES). */
class Parts {
	size = 0;
	#blob = new Blob([]);
	#pending: Uint8Array<ArrayBuffer>[] = [];
	#pendingBytes = 0;

	push(chunk: Uint8Array<ArrayBuffer>): void {
		this.#pending.push(chunk);
		this.#pendingBytes += chunk.byteLength;
		this.size += chunk.byteLength;
		if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
	}

	blob(): Blob {
		this.#flush();
		return this.#blob;
	}

	#flush(): void {
		if (this.#pending.length === 0) return;
		this.#blob = new Blob([this.#blob, ...this.#pending]);
		this.#pending = [];
		this.#pendingBytes = 0;
	}
}

async function put(cache: Cache, item: DownloadItem, file: { blob: Blob; type: string | null }): Promise<void> {
	const response = new Response(file.blob, {
		status: 200,
		headers: {
			'content-type': file.type ?? 'application/octet-stream',
			'content-length': String(file.blob.size)
		}
	});
	try {
		await cache.put(item.url, response);
	} catch (error) {
		if (isQuotaError(error)) throw new Stop(OUT_OF_SPACE, true);
		throw new Stop(
			`This device could not save “${fileName(item.url)}”, so the download stopped. The files saved before it are kept.`,
			false
		);
	}
}

async function isStoredWhole(cache: Cache, item: DownloadItem): Promise<boolean> {
	try {
		const stored = await cache.match(item.url);
		// Chromium hands out a stored body as a Blob without reading it, so this is cheap.
		return stored !== undefined && (await stored.blob()).size === item.bytes;
	} catch {
		return false;
	}
}

async function removeUrls(cache: Cache, urls: readonly string[]): Promise<number> {
	let removed = 0;
	for (const url of urls) {
		try {
			if (await cache.delete(url)) removed += 1;
		} catch {
			// One entry that won’t go must not keep the others.
		}
	}
	return removed;
}

/** The items once each; a manifest with a bad size is a bug in the code that made it. */
function uniqueItems(items: readonly DownloadItem[]): DownloadItem[] {
	const seen = new Map<string, DownloadItem>();
	for (const item of items) {
		if (!Number.isSafeInteger(item.bytes) || item.bytes < 0) {
			throw new RangeError(`Download item ${item.url} has an invalid size: ${item.bytes}`);
		}
		if (!seen.has(item.url)) seen.set(item.url, item);
	}
	return [...seen.values()];
}

/** `bytes 100-199/1000` → start 100, total 1000; `*` as total → undefined. */
function contentRange(header: string | null): { start: number; total: number | undefined } | undefined {
	const match = header === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(header.trim());
	if (!match) return undefined;
	return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

function discard(response: Response): void {
	// Nothing is wanted from this body; a cancel that fails leaves nothing to clean up.
	response.body?.cancel().catch(() => undefined);
}

function wrongSize(item: DownloadItem): Stop {
	return new Stop(
		`The download stopped: “${fileName(item.url)}” is not the size Grounded expects. The app may have been updated since this page opened; reload it and try again.`,
		false
	);
}

/** The file’s name for messages: the last part of its URL, decoded. */
function fileName(url: string): string {
	const last =
		url
			.replace(/[?#].*$/, '')
			.split('/')
			.pop() ?? url;
	try {
		return decodeURIComponent(last);
	} catch {
		return last;
	}
}

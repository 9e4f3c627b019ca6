/**
 * The one owner of the app's IndexedDB key-value store.
 *
 * Everything the app keeps on this device goes through here, so that every
 * read is checked by the caller's parser and every write reports failure
 * (a full disk, private mode) instead of throwing.
 */
import { createStore, del, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval';

import type { Result } from '../result';

export type { Result };

/** What a store needs from its backend; tests pass an in-memory one. */
export interface KeyValueBackend {
	get(key: string): Promise<unknown>;
	set(key: string, value: unknown): Promise<void>;
	delete(key: string): Promise<void>;
	/** Every key and value, for "save a copy of my data". */
	entries(): Promise<[string, unknown][]>;
	/**
	 * The keys from `prefix` to `prefix + '\uffff'` and their values, read without touching the rest
	 * of the store (which can hold imported audio). Optional: `entriesWithPrefix(backend, prefix)`
	 * falls back to filtering `entries()`.
	 */
	entriesWithPrefix?(prefix: string): Promise<[string, unknown][]>;
	/**
	 * Writes and deletes in one transaction: all of it is kept, or none of it (a take-home pack is
	 * installed this way). Optional so that a test's small fake need not have it.
	 */
	transact?(change: KeyValueChange): Promise<void>;
}

export interface KeyValueChange {
	readonly set: readonly (readonly [string, unknown])[];
	readonly delete: readonly string[];
}

export const DATABASE_NAME = 'grounded';
const STORE_NAME = 'keyval';

/** The one connection to the app's database, opened on first use. */
let sharedStore: UseStore | undefined;
const useStore = (): UseStore => (sharedStore ??= createStore(DATABASE_NAME, STORE_NAME));

async function withRetry<T>(run: (s: UseStore) => Promise<T>): Promise<T> {
	try {
		return await run(useStore());
	} catch (error) {
		if (isQuotaError(error)) throw error;
		// idb-keyval on iOS keeps a cached connection that a backgrounded tab can lose
		// (idb-keyval PR #175): the connection is made anew and the call tried once more.
		sharedStore = undefined;
		return run(useStore());
	}
}

/** Marks a Blob kept as its bytes (see `blobsAsBytes`). */
const BLOB_BYTES = 'grounded:blob-bytes';

interface BlobBytes {
	readonly [BLOB_BYTES]: true;
	readonly type: string;
	readonly bytes: ArrayBuffer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

function isBlobBytes(value: unknown): value is BlobBytes {
	return isPlainObject(value) && value[BLOB_BYTES] === true && value.bytes instanceof ArrayBuffer;
}

/** Whether `value` holds a Blob anywhere in its plain objects and arrays. */
export function containsBlob(value: unknown): boolean {
	if (value instanceof Blob) return true;
	if (Array.isArray(value)) return value.some(containsBlob);
	return isPlainObject(value) && Object.values(value).some(containsBlob);
}

/**
 * A copy of `value` with every Blob in it kept as its bytes. WebKit refuses a whole IndexedDB write
 * that holds a Blob in an ephemeral session (a private window, and WebKitGTK under automation),
 * while it keeps an ArrayBuffer anywhere; `bytesAsBlobs` turns the copy back.
 */
export async function blobsAsBytes(value: unknown): Promise<unknown> {
	if (value instanceof Blob) return { [BLOB_BYTES]: true, type: value.type, bytes: await value.arrayBuffer() };
	if (Array.isArray(value)) return Promise.all(value.map(blobsAsBytes));
	if (!isPlainObject(value)) return value;
	const copy: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) copy[key] = await blobsAsBytes(inner);
	return copy;
}

/** `value` as it was before `blobsAsBytes`: its kept bytes are Blobs again. Anything else is left as it is. */
export function bytesAsBlobs(value: unknown): unknown {
	if (isBlobBytes(value)) return new Blob([value.bytes], { type: value.type });
	if (Array.isArray(value))
		return value.some((inner) => bytesAsBlobs(inner) !== inner) ? value.map(bytesAsBlobs) : value;
	if (!isPlainObject(value)) return value;
	let copy: Record<string, unknown> | undefined;
	for (const [key, inner] of Object.entries(value)) {
		const restored = bytesAsBlobs(inner);
		if (restored !== inner) (copy ??= { ...value })[key] = restored;
	}
	return copy ?? value;
}

const sharedBackend: KeyValueBackend = {
	get: async (key) => bytesAsBlobs(await withRetry((s) => get(key, s))),
	set: async (key, value) => {
		try {
			await withRetry((s) => set(key, value, s));
		} catch (error) {
			if (isQuotaError(error) || !containsBlob(value)) throw error;
			const asBytes = await blobsAsBytes(value);
			await withRetry((s) => set(key, asBytes, s));
		}
	},
	delete: (key) => withRetry((s) => del(key, s)),
	transact: async (change) => {
		const run = (sets: readonly (readonly [string, unknown])[]) =>
			withRetry((s) =>
				s('readwrite', (objectStore) => {
					try {
						for (const [key, value] of sets) objectStore.put(value, key);
						for (const key of change.delete) objectStore.delete(key);
					} catch (error) {
						// A put that throws (a value IndexedDB can't clone) must not let the ones before it commit.
						objectStore.transaction.abort();
						throw error;
					}
					return promisifyRequest(objectStore.transaction);
				})
			);
		try {
			await run(change.set);
		} catch (error) {
			if (isQuotaError(error) || !change.set.some(([, value]) => containsBlob(value))) throw error;
			// As in `set`: WebKit's ephemeral sessions refuse Blobs, not their bytes.
			await run(await Promise.all(change.set.map(async ([key, value]) => [key, await blobsAsBytes(value)] as const)));
		}
	},
	entries: async () =>
		(await withRetry((s) => entries<string, unknown>(s))).map(([key, value]) => [key, bytesAsBlobs(value)]),
	entriesWithPrefix: async (prefix) => {
		const [keys, values] = await withRetry((s) =>
			s('readonly', (objectStore) => {
				// Both requests in one transaction, so the keys and values line up.
				const range = IDBKeyRange.bound(prefix, prefixEnd(prefix));
				return Promise.all([
					promisifyRequest(objectStore.getAllKeys(range)),
					promisifyRequest(objectStore.getAll(range))
				]);
			})
		);
		return keys.map((key, index) => [key as string, bytesAsBlobs(values[index])]);
	}
};

/** The last key a prefix covers: IndexedDB and JavaScript both order strings by UTF-16 code unit. */
const prefixEnd = (prefix: string) => `${prefix}\uffff`;
const hasPrefix = (key: unknown, prefix: string): key is string =>
	typeof key === 'string' && key >= prefix && key <= prefixEnd(prefix);

/**
 * The keys that begin with `prefix` and their values, reading only those where the backend can.
 * Keys are in the range `prefix` to `prefix + '\uffff'`, which covers every key made of ordinary text.
 *
 * @example
 * const stored = await entriesWithPrefix(backend, 'journal-entry:'); // never reads 'journal-voice:…'
 */
export async function entriesWithPrefix(backend: KeyValueBackend, prefix: string): Promise<[string, unknown][]> {
	if (backend.entriesWithPrefix) return backend.entriesWithPrefix(prefix);
	return (await backend.entries()).filter(([key]) => hasPrefix(key, prefix));
}

/** The app's IndexedDB store. Every caller shares one connection. */
export function indexedDbBackend(): KeyValueBackend {
	return sharedBackend;
}

/** Closes the shared connection (so the database can be deleted); the next call opens it again. */
export async function closeDatabase(): Promise<void> {
	const store = sharedStore;
	sharedStore = undefined;
	if (!store) return;
	try {
		await store('readonly', (objectStore) => objectStore.transaction.db.close());
	} catch {
		// It was never opened, or is already gone.
	}
}

export function memoryBackend(initial: Record<string, unknown> = {}): KeyValueBackend & { data: Map<string, unknown> } {
	const data = new Map<string, unknown>(Object.entries(initial));
	return {
		data,
		get: async (key) => structuredClone(data.get(key)),
		set: async (key, value) => {
			data.set(key, structuredClone(value));
		},
		delete: async (key) => {
			data.delete(key);
		},
		transact: async (change) => {
			// Cloned first, so a value that can't be stored fails the change before anything is written.
			const sets = change.set.map(([key, value]) => [key, structuredClone(value)] as const);
			for (const [key, value] of sets) data.set(key, value);
			for (const key of change.delete) data.delete(key);
		},
		entries: async () => structuredClone([...data.entries()]),
		entriesWithPrefix: async (prefix) =>
			structuredClone(
				[...data.entries()].filter(([key]) => hasPrefix(key, prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			)
	};
}

export function isQuotaError(error: unknown): boolean {
	return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}

/**
 * A value kept on the device under one key, always read through `parse`.
 *
 * @example
 * const stored = new StoredValue(backend, 'pacer-settings', parseStoredSettings);
 * const settings = await stored.load(); // never throws; bad data gives the defaults
 */
export class StoredValue<T> {
	readonly #backend: KeyValueBackend;
	readonly #key: string;
	readonly #parse: (raw: unknown) => T;
	readonly #what: string;

	/** `what` names the value in messages: "Your settings", "The session". */
	constructor(backend: KeyValueBackend, key: string, parse: (raw: unknown) => T, what = 'Your settings') {
		this.#backend = backend;
		this.#key = key;
		this.#parse = parse;
		this.#what = what;
	}

	/** The stored value, parsed; the parser's fallback when missing, corrupt or unreadable. */
	async load(): Promise<T> {
		let raw: unknown;
		try {
			raw = await this.#backend.get(this.#key);
		} catch {
			raw = undefined;
		}
		return this.#parse(raw);
	}

	/** Writes the value; on failure the previous value stays as it was. */
	async save(value: T): Promise<Result<T>> {
		try {
			await this.#backend.set(this.#key, value);
			return { ok: true, value };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? `${this.#what} could not be saved because this device is out of storage space. The copy saved before is kept.`
					: `${this.#what} could not be saved on this device just now. The copy saved before is kept.`
			};
		}
	}
}

/**
 * What the therapist makes on this device, kept one stored value per thing
 * under `<prefix><id>`, next to the ones the app ships (which are never
 * stored). Every value read back goes through the thing's own parser; a value
 * that fails it is skipped, never shown half-read, and never overwritten by
 * reading. A refused or failed write keeps the version stored before.
 *
 * ScriptStore and PlaylistStore are this with their own schema and words.
 *
 * @example
 * const store = new OwnCollection(backend, { prefix: 'session-playlist:', parse: parsePlaylist, shipped: CURATED_PLAYLISTS,
 *   shippedWord: 'curated', noun: 'playlist', asOwn: (playlist) => playlist });
 * const saved = await store.save(playlist);
 * if (!saved.ok) show(saved.reason);
 */
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from './key-value';
import type { Result } from '../result';

export interface OwnCollectionOptions<T extends { id: string; title: string }> {
	/** What every key of this collection begins with. */
	prefix: string;
	parse(raw: unknown): Result<T>;
	/** The ones the app ships: listed first, never stored, changed or deleted. */
	shipped: readonly T[];
	/** How the shipped ones are called: “built-in”, “curated”. */
	shippedWord: string;
	/** “script”, “playlist”. */
	noun: string;
	/** A parsed value as one of the therapist's own (a script marks itself not built in). */
	asOwn(value: T): T;
}

export class OwnCollection<T extends { id: string; title: string }> {
	readonly #backend: KeyValueBackend;
	readonly #options: OwnCollectionOptions<T>;

	constructor(backend: KeyValueBackend = indexedDbBackend(), options: OwnCollectionOptions<T>) {
		this.#backend = backend;
		this.#options = options;
	}

	keyOf(id: string): string {
		return `${this.#options.prefix}${id}`;
	}

	isShipped(id: string): boolean {
		return this.#options.shipped.some((value) => value.id === id);
	}

	/** The therapist's own, by title; unreadable entries are left out (and left alone). */
	async listOwn(): Promise<T[]> {
		let entries: [string, unknown][];
		try {
			entries = await this.#backend.entries();
		} catch {
			return [];
		}
		const own: T[] = [];
		for (const [key, value] of entries) {
			if (typeof key !== 'string' || !key.startsWith(this.#options.prefix)) continue;
			const parsed = this.#options.parse(value);
			if (parsed.ok && this.keyOf(parsed.value.id) === key && !this.isShipped(parsed.value.id))
				own.push(this.#options.asOwn(parsed.value));
		}
		return own.sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}

	/** The shipped ones first, then the therapist's own. */
	async listAll(): Promise<T[]> {
		return [...this.#options.shipped, ...(await this.listOwn())];
	}

	/** A shipped or stored one; null when there is none (or it cannot be read). */
	async get(id: string): Promise<T | null> {
		const shipped = this.#options.shipped.find((value) => value.id === id);
		if (shipped) return shipped;
		let raw: unknown;
		try {
			raw = await this.#backend.get(this.keyOf(id));
		} catch {
			return null;
		}
		const parsed = this.#options.parse(raw);
		return parsed.ok && parsed.value.id === id ? this.#options.asOwn(parsed.value) : null;
	}

	/** Checks and stores `value`; on any refusal or failed write the stored version stays as it was. */
	async save(value: T): Promise<Result<T>> {
		const { noun, shippedWord } = this.#options;
		if (this.isShipped(value.id)) {
			return { ok: false, reason: `A ${shippedWord} ${noun} can’t be changed. Duplicate it to make your own version.` };
		}
		const parsed = this.#options.parse(this.#options.asOwn(value));
		if (!parsed.ok) return parsed;
		try {
			await this.#backend.set(this.keyOf(parsed.value.id), parsed.value);
			return parsed;
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? `The ${noun} could not be saved because this device is out of storage space. The version saved before is kept.`
					: `The ${noun} could not be saved on this device just now. The version saved before is kept.`
			};
		}
	}

	/** The checked key and value that keep `value`, for a caller that writes many things in one transaction. */
	entryOf(value: T): Result<[string, T]> {
		const { noun, shippedWord } = this.#options;
		if (this.isShipped(value.id)) return { ok: false, reason: `A ${shippedWord} ${noun} can’t be changed.` };
		const parsed = this.#options.parse(this.#options.asOwn(value));
		return parsed.ok ? { ok: true, value: [this.keyOf(parsed.value.id), parsed.value] } : parsed;
	}

	async remove(id: string): Promise<Result<void>> {
		const { noun, shippedWord } = this.#options;
		if (this.isShipped(id)) return { ok: false, reason: `A ${shippedWord} ${noun} can’t be deleted.` };
		try {
			await this.#backend.delete(this.keyOf(id));
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: `The ${noun} could not be deleted just now. Please try again.` };
		}
	}
}

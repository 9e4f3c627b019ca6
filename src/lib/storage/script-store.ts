/**
 * The one owner of the therapist's own grounding scripts on this device (the
 * built-in ones ship with the code and are never stored). Every script read
 * back goes through `parseScript`; a stored value that fails it is skipped,
 * never shown half-read, and never overwritten by reading.
 *
 * @example
 * const store = new ScriptStore();
 * const saved = await store.save(script);
 * if (!saved.ok) show(saved.reason); // the previous version is kept
 */
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from './key-value';
import type { Result } from '../result';
import { BUILTIN_SCRIPTS, builtinScript } from '../grounding/builtin-scripts';
import { parseScript, type GroundingScript } from '../grounding/script';

export const SCRIPT_PREFIX = 'grounding-script:';

export function scriptKey(id: string): string {
	return `${SCRIPT_PREFIX}${id}`;
}

export class ScriptStore {
	readonly #backend: KeyValueBackend;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** The therapist's own scripts, by title; unreadable entries are left out (and left alone). */
	async listOwn(): Promise<GroundingScript[]> {
		let entries: [string, unknown][];
		try {
			entries = await this.#backend.entries();
		} catch {
			return [];
		}
		const scripts: GroundingScript[] = [];
		for (const [key, value] of entries) {
			if (!key.startsWith(SCRIPT_PREFIX)) continue;
			const parsed = parseScript(value);
			if (parsed.ok && scriptKey(parsed.value.id) === key) scripts.push({ ...parsed.value, builtIn: false });
		}
		return scripts.sort((a, b) => a.title.localeCompare(b.title));
	}

	/** Built-in scripts first, then the therapist's own. */
	async listAll(): Promise<GroundingScript[]> {
		return [...BUILTIN_SCRIPTS, ...(await this.listOwn())];
	}

	/** A built-in or stored script; null when there is none (or it cannot be read). */
	async get(id: string): Promise<GroundingScript | null> {
		const builtIn = builtinScript(id);
		if (builtIn) return builtIn;
		let raw: unknown;
		try {
			raw = await this.#backend.get(scriptKey(id));
		} catch {
			return null;
		}
		const parsed = parseScript(raw);
		return parsed.ok && parsed.value.id === id ? { ...parsed.value, builtIn: false } : null;
	}

	/** Checks and stores `script`; on any refusal or failed write the stored version stays as it was. */
	async save(script: GroundingScript): Promise<Result<GroundingScript>> {
		if (builtinScript(script.id)) {
			return { ok: false, reason: 'A built-in script can’t be changed. Duplicate it to make your own version.' };
		}
		const parsed = parseScript({ ...script, builtIn: false });
		if (!parsed.ok) return parsed;
		try {
			await this.#backend.set(scriptKey(parsed.value.id), parsed.value);
			return parsed;
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? 'The script could not be saved because this device is out of storage space. The version saved before is kept.'
					: 'The script could not be saved on this device just now. The version saved before is kept.'
			};
		}
	}

	async remove(id: string): Promise<Result<void>> {
		if (builtinScript(id)) return { ok: false, reason: 'A built-in script can’t be deleted.' };
		try {
			await this.#backend.delete(scriptKey(id));
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'The script could not be deleted just now. Please try again.' };
		}
	}
}

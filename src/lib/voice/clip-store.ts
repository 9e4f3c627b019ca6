/**
 * The one owner of recorded voice clips on this device: one WAV per step of a
 * grounding script, kept in the app's key-value store under
 * `voice-clip:<scriptId>:<stepId>`.
 *
 * Every read goes through a schema, so a damaged or foreign value is treated
 * as no clip and never throws; every write reports failure in plain words and
 * leaves the clip recorded before in place.
 *
 * @example
 * const store = new VoiceClipStore();
 * const saved = await store.put({ scriptId, stepId, wav, durationSeconds, gainDb, recordedAt: Date.now() });
 * if (!saved.ok) show(saved.reason);
 * const clip = await store.get(scriptId, stepId); // StoredClip | null
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Decibels, Milliseconds, Seconds } from '../units';

export const VOICE_CLIP_PREFIX = 'voice-clip:';

export interface StoredClip {
	version: 1;
	scriptId: string;
	stepId: string;
	/** 16-bit PCM mono WAV, type audio/wav. */
	wav: Blob;
	durationSeconds: Seconds;
	/** Gain that was applied to reach the voice loudness target (for display and diagnosis). */
	gainDb: Decibels;
	/** When it was recorded, epoch milliseconds. */
	recordedAt: Milliseconds;
}

/** A clip as given to `put`; the store adds the version. */
export type NewClip = Omit<StoredClip, 'version'>;

/** Blob size of a WAV header with no samples. */
const WAV_HEADER_BYTES = 44;

const finite = v.pipe(v.number(), v.finite());
const id = v.pipe(v.string(), v.nonEmpty());

const clipSchema = v.object({
	version: v.literal(1),
	scriptId: id,
	stepId: id,
	wav: v.pipe(
		v.instance(Blob),
		v.check((blob) => blob.type === 'audio/wav' && blob.size > WAV_HEADER_BYTES)
	),
	durationSeconds: v.pipe(finite, v.minValue(0)),
	gainDb: finite,
	recordedAt: v.pipe(finite, v.minValue(0))
});

export function voiceClipKey(scriptId: string, stepId: string): string {
	return `${VOICE_CLIP_PREFIX}${scriptId}:${stepId}`;
}

/** A stored value as a clip, or null; `key` must be the one it was stored under. */
function parseClip(key: string, raw: unknown): StoredClip | null {
	const parsed = v.safeParse(clipSchema, raw);
	if (!parsed.success) return null;
	// An id with a colon in it could make two keys look alike; the value must name its own key.
	return voiceClipKey(parsed.output.scriptId, parsed.output.stepId) === key ? parsed.output : null;
}

export class VoiceClipStore {
	readonly #backend: KeyValueBackend;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** The clip for a step; null when there is none, or it is damaged or cannot be read. */
	async get(scriptId: string, stepId: string): Promise<StoredClip | null> {
		const key = voiceClipKey(scriptId, stepId);
		try {
			return parseClip(key, await this.#backend.get(key));
		} catch {
			return null;
		}
	}

	/** Saves a step's clip in place of the one before; on failure the one before is kept. */
	async put(clip: NewClip): Promise<Result<StoredClip>> {
		const stored: StoredClip = { ...clip, version: 1 };
		const key = voiceClipKey(clip.scriptId, clip.stepId);
		if (!parseClip(key, stored)) {
			// A bug in the caller, but the person should still hear why nothing was saved.
			return { ok: false, reason: 'This recording could not be saved: it is not a usable voice clip.' };
		}
		try {
			await this.#backend.set(key, stored);
			return { ok: true, value: stored };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? 'This recording could not be saved because this device is out of storage space. The recording saved before is kept.'
					: 'This recording could not be saved on this device just now. The recording saved before is kept.'
			};
		}
	}

	async remove(scriptId: string, stepId: string): Promise<Result<void>> {
		try {
			await this.#backend.delete(voiceClipKey(scriptId, stepId));
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'This recording could not be deleted from this device just now. Try again.' };
		}
	}

	/** Every readable clip of a script, in key order; an unreadable store gives none. */
	async listFor(scriptId: string): Promise<StoredClip[]> {
		const prefix = voiceClipKey(scriptId, '');
		return (await this.#allClips())
			.filter(([key, clip]) => key.startsWith(prefix) && clip.scriptId === scriptId)
			.map(([, clip]) => clip);
	}

	/** Deletes every clip of a script (when the script is deleted); stops at the first failure. */
	async removeAllFor(scriptId: string): Promise<Result<void>> {
		const prefix = voiceClipKey(scriptId, '');
		let keys: string[];
		try {
			// Damaged values under the prefix go too (nothing can read them); a readable clip only
			// when it is this script's, not that of a script whose id merely starts the same.
			keys = (await this.#backend.entries())
				.filter(([key, raw]) => key.startsWith(prefix) && (parseClip(key, raw)?.scriptId ?? scriptId) === scriptId)
				.map(([key]) => key);
		} catch {
			return {
				ok: false,
				reason: 'The recordings of this script could not be deleted from this device just now. Try again.'
			};
		}
		for (const key of keys.sort()) {
			try {
				await this.#backend.delete(key);
			} catch {
				return {
					ok: false,
					reason: 'Some recordings of this script could not be deleted from this device just now. Try again.'
				};
			}
		}
		return { ok: true, value: undefined };
	}

	/** Bytes of WAV data kept for every script together. */
	async usageBytes(): Promise<number> {
		return (await this.#allClips()).reduce((sum, [, clip]) => sum + clip.wav.size, 0);
	}

	async #allClips(): Promise<[string, StoredClip][]> {
		let all: [string, unknown][];
		try {
			all = await this.#backend.entries();
		} catch {
			return [];
		}
		const clips: [string, StoredClip][] = [];
		for (const [key, raw] of all) {
			if (typeof key !== 'string' || !key.startsWith(VOICE_CLIP_PREFIX)) continue;
			const clip = parseClip(key, raw);
			if (clip) clips.push([key, clip]);
		}
		return clips.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	}
}

/**
 * The one owner of the client's integration journal on this device: what they wrote or said
 * after the session and in the weeks after it.
 *
 *     journal-entry:<id>  the entry (its words, its date, what it answers)    ← listed
 *     journal-voice:<id>  its voice note, a Blob                              ← read one at a time
 *
 * The voice note is kept apart so that listing the journal (2,000 entries must show in well under
 * a tenth of a second) reads only the entries' keys, and never the audio. An entry and its voice
 * note are written and deleted in one transaction where the backend can, so they are kept
 * together or not at all.
 *
 * Every read goes through a schema: a damaged or foreign value is skipped, never shown half-read,
 * and left alone. Every write reports failure in plain words and keeps what was saved before.
 *
 * @example
 * const journal = new JournalStore();
 * const saved = await journal.save(newJournalEntry({ date: '2026-12-07', day: 0, text: 'Lighter.' }), recording);
 * if (!saved.ok) show(saved.reason);
 * const removed = await journal.remove(id); // offer Undo with journal.restore(removed.value)
 * const shown = searchEntries(await journal.list(), 'warm hands');
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { entriesWithPrefix, indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Milliseconds, Seconds } from '../units';
import { isLocalDate, PLAN_DAYS, type LocalDate } from './plan';

export const JOURNAL_ENTRY_PREFIX = 'journal-entry:';
export const JOURNAL_VOICE_PREFIX = 'journal-voice:';

export const JOURNAL_LIMITS = {
	/** Characters of an entry's own words. */
	text: 20_000,
	/** Characters of the prompt an entry answers. */
	prompt: 400,
	/** Characters of a voice note's type ("audio/webm;codecs=opus"). */
	mime: 100
} as const;

/** The voice note an entry has, described; its sound is read with `JournalStore.voice`. */
export interface JournalVoice {
	mime: string;
	bytes: number;
	durationSeconds: Seconds;
}

export interface JournalEntry {
	version: 1;
	id: string;
	createdAt: Milliseconds;
	updatedAt: Milliseconds;
	/** The wall-clock date it is about, or was written on. */
	date: LocalDate;
	/** The plan's day (0 the session day, to 14), or null outside the plan. */
	day: number | null;
	/** The prompt it answers, as it was shown. */
	prompt: string | null;
	text: string;
	voice: JournalVoice | null;
}

/** What `remove` took away, so that the page can offer Undo. */
export interface RemovedEntry {
	entry: JournalEntry;
	voice: Blob | null;
}

const ID = /^[A-Za-z0-9_-]{8,64}$/;
const time = v.pipe(v.number(), v.finite(), v.minValue(0));

const entrySchema = v.pipe(
	v.object({
		version: v.literal(1),
		id: v.pipe(v.string(), v.regex(ID)),
		createdAt: time,
		updatedAt: time,
		date: v.pipe(v.string(), v.check(isLocalDate)),
		day: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(PLAN_DAYS))),
		prompt: v.nullable(v.pipe(v.string(), v.maxLength(JOURNAL_LIMITS.prompt))),
		text: v.pipe(v.string(), v.maxLength(JOURNAL_LIMITS.text)),
		voice: v.nullable(
			v.object({
				mime: v.pipe(v.string(), v.maxLength(JOURNAL_LIMITS.mime), v.check(isAudioType)),
				bytes: v.pipe(v.number(), v.integer(), v.minValue(1)),
				durationSeconds: time
			})
		)
	}),
	v.check((entry) => entry.text.trim() !== '' || entry.voice !== null)
);

function isAudioType(type: string): boolean {
	return type === '' || type.startsWith('audio/');
}

export const journalEntryKey = (id: string) => `${JOURNAL_ENTRY_PREFIX}${id}`;
export const journalVoiceKey = (id: string) => `${JOURNAL_VOICE_PREFIX}${id}`;

/** A stored value as an entry, or null; `key` must be the one it was stored under. */
export function parseJournalEntry(key: string, raw: unknown): JournalEntry | null {
	const parsed = v.safeParse(entrySchema, raw);
	return parsed.success && journalEntryKey(parsed.output.id) === key ? parsed.output : null;
}

/** A stored value as a voice note: a Blob of sound, or none. */
function parseVoice(raw: unknown): Blob | null {
	return raw instanceof Blob && isAudioType(raw.type) && raw.size > 0 ? raw : null;
}

export function newJournalId(): string {
	return crypto.randomUUID();
}

/** A new entry, written now: give it words with `text`, or a voice note when saving it. */
export function newJournalEntry(
	fields: { date: LocalDate; day?: number | null; prompt?: string | null; text?: string },
	now: Milliseconds = Date.now()
): JournalEntry {
	return {
		version: 1,
		id: newJournalId(),
		createdAt: now,
		updatedAt: now,
		date: fields.date,
		day: fields.day ?? null,
		prompt: fields.prompt ?? null,
		text: fields.text ?? '',
		voice: null
	};
}

/** Why an entry is refused, in words for the person (who can then change it and try again). */
function refusal(entry: JournalEntry): string {
	const text = typeof entry.text === 'string' ? entry.text : '';
	if (text.trim() === '' && !entry.voice) return 'Write a few words or record a voice note first.';
	if (text.length > JOURNAL_LIMITS.text)
		return `This entry is too long to keep: it can be up to ${JOURNAL_LIMITS.text.toLocaleString('en')} characters.`;
	return 'This entry could not be saved: something in it is not as Grounded expects.';
}

/** The entry as it describes the voice note saved with it: the Blob's own type and size, or none. */
function withVoice(entry: JournalEntry, voice: Blob | null | undefined): JournalEntry {
	if (voice === undefined) return entry;
	if (voice === null) return { ...entry, voice: null };
	return {
		...entry,
		voice: { mime: voice.type, bytes: voice.size, durationSeconds: entry.voice?.durationSeconds ?? 0 }
	};
}

type Doing = 'saved' | 'put back';

function writeFailure(error: unknown, doing: Doing): string {
	return isQuotaError(error)
		? `This entry could not be ${doing} because this device is out of storage space. What was saved before is kept.`
		: `This entry could not be ${doing} on this device just now. What was saved before is kept.`;
}

export class JournalStore {
	readonly #backend: KeyValueBackend;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** Every readable entry, newest first (by date, then by when it was written). */
	async list(): Promise<JournalEntry[]> {
		let stored: [string, unknown][];
		try {
			stored = await entriesWithPrefix(this.#backend, JOURNAL_ENTRY_PREFIX);
		} catch {
			return [];
		}
		const entries: JournalEntry[] = [];
		for (const [key, raw] of stored) {
			const entry = parseJournalEntry(key, raw);
			if (entry) entries.push(entry);
		}
		return entries.sort(
			(a, b) =>
				(a.date < b.date ? 1 : a.date > b.date ? -1 : 0) ||
				b.createdAt - a.createdAt ||
				(a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
		);
	}

	/** An entry; null when there is none, or it is damaged or cannot be read. */
	async get(id: string): Promise<JournalEntry | null> {
		if (!ID.test(id)) return null;
		const key = journalEntryKey(id);
		try {
			return parseJournalEntry(key, await this.#backend.get(key));
		} catch {
			return null;
		}
	}

	/** An entry's voice note; null when there is none, or it is damaged or cannot be read. */
	async voice(id: string): Promise<Blob | null> {
		if (!ID.test(id)) return null;
		try {
			return parseVoice(await this.#backend.get(journalVoiceKey(id)));
		} catch {
			return null;
		}
	}

	/**
	 * Creates or updates an entry. `voice`: a Blob is kept as its voice note (its type and size are
	 * taken from the Blob; `entry.voice` gives its length), null deletes the one kept, undefined
	 * leaves it as it is. On any refusal or failure what was saved before is kept.
	 */
	save(entry: JournalEntry, voice?: Blob | null): Promise<Result<JournalEntry>> {
		return this.#write(entry, voice, 'saved');
	}

	/** Deletes an entry and its voice note, and gives both back for Undo. */
	async remove(id: string): Promise<Result<RemovedEntry>> {
		const entry = await this.get(id);
		if (!entry) return { ok: false, reason: 'This entry is no longer on this device.' };
		// Read before it goes, so that Undo can put it back.
		const voice = entry.voice ? await this.voice(id) : null;
		try {
			if (this.#backend.transact)
				await this.#backend.transact({ set: [], delete: [journalEntryKey(id), journalVoiceKey(id)] });
			else await this.#backend.delete(journalEntryKey(id));
		} catch {
			return { ok: false, reason: 'This entry could not be deleted from this device just now. Try again.' };
		}
		if (!this.#backend.transact) {
			try {
				await this.#backend.delete(journalVoiceKey(id));
			} catch {
				// The entry is gone, and a voice note that no entry names is never shown (Undo puts it back in place).
			}
		}
		return { ok: true, value: { entry, voice } };
	}

	/** Puts back what `remove` took away (Undo). */
	restore(removed: RemovedEntry): Promise<Result<JournalEntry>> {
		return this.#write(removed.entry, removed.voice ?? null, 'put back');
	}

	async #write(entry: JournalEntry, voice: Blob | null | undefined, doing: Doing): Promise<Result<JournalEntry>> {
		if (voice instanceof Blob && !parseVoice(voice)) {
			return { ok: false, reason: 'This voice note could not be saved: the recording is empty or is not sound.' };
		}
		const described = withVoice(entry, voice);
		const key = journalEntryKey(described.id);
		const checked = parseJournalEntry(key, described);
		if (!checked) return { ok: false, reason: refusal(described) };
		const voiceKey = journalVoiceKey(checked.id);

		if (this.#backend.transact) {
			const set: [string, unknown][] = [[key, checked]];
			if (voice) set.push([voiceKey, voice]);
			try {
				await this.#backend.transact({ set, delete: voice === null ? [voiceKey] : [] });
				return { ok: true, value: checked };
			} catch (error) {
				return { ok: false, reason: writeFailure(error, doing) };
			}
		}
		return this.#writeInTurn(key, checked, voiceKey, voice, doing);
	}

	/** As `#write`, for a backend without transactions: one write at a time, undone where one fails. */
	async #writeInTurn(
		key: string,
		entry: JournalEntry,
		voiceKey: string,
		voice: Blob | null | undefined,
		doing: Doing
	): Promise<Result<JournalEntry>> {
		if (voice) {
			let before: unknown;
			try {
				before = await this.#backend.get(voiceKey);
				await this.#backend.set(voiceKey, voice);
			} catch (error) {
				return { ok: false, reason: writeFailure(error, doing) };
			}
			try {
				await this.#backend.set(key, entry);
			} catch (error) {
				// The entry was not written: its voice note goes back to what it was.
				try {
					if (before === undefined) await this.#backend.delete(voiceKey);
					else await this.#backend.set(voiceKey, before);
				} catch {
					// Nothing more can be done; an entry shows only the voice note it names.
				}
				return { ok: false, reason: writeFailure(error, doing) };
			}
			return { ok: true, value: entry };
		}
		try {
			await this.#backend.set(key, entry);
		} catch (error) {
			return { ok: false, reason: writeFailure(error, doing) };
		}
		if (voice === null) {
			try {
				await this.#backend.delete(voiceKey);
			} catch {
				// The entry no longer names it, but the person asked for the recording to be gone from this device.
				return {
					ok: false,
					reason: 'The entry was saved, but its voice note could not be deleted from this device just now. Try again.'
				};
			}
		}
		return { ok: true, value: entry };
	}
}

// ——— search ———

/** An entry's words, ready to search, kept for as long as the entry object lives. */
const haystacks = new WeakMap<JournalEntry, { text: string; prompt: string | null; haystack: string }>();

/**
 * The combining accents, from the Unicode blocks made for them. Not every mark (`\p{M}`): that is
 * markedly slower on 2,000 entries, and would also take the vowel signs out of scripts that
 * write vowels as marks.
 */
const ACCENTS = /[\u0300-\u036f]|[\u1ab0-\u1aff]|[\u1dc0-\u1dff]|[\u20d0-\u20ff]|[\ufe20-\ufe2f]/g;

/** Lower case, with accents taken off: "Été" → "ete". */
function folded(text: string): string {
	return text.toLowerCase().normalize('NFD').replace(ACCENTS, '');
}

function haystackOf(entry: JournalEntry): string {
	const cached = haystacks.get(entry);
	// Entries are replaced, not changed, but a changed one must not be found by its old words.
	if (cached && cached.text === entry.text && cached.prompt === entry.prompt) return cached.haystack;
	const haystack = folded(entry.prompt ? `${entry.text}\n${entry.prompt}` : entry.text);
	haystacks.set(entry, { text: entry.text, prompt: entry.prompt, haystack });
	return haystack;
}

/**
 * The entries in which every word of `query` appears, in their words or the prompt they answer,
 * whatever the case or accents; all of them, in order, for an empty query.
 *
 * @example
 * searchEntries(entries, 'cafe ete'); // finds "Le café, cet été…"
 */
export function searchEntries(entries: readonly JournalEntry[], query: string): JournalEntry[] {
	const words = folded(query).split(/\s+/u).filter(Boolean);
	if (words.length === 0) return [...entries];
	return entries.filter((entry) => {
		const haystack = haystackOf(entry);
		return words.every((word) => haystack.includes(word));
	});
}

/**
 * The one owner of the client's preparation card on this device, under `preparation`: their
 * intentions for the session, what keeps them safe, who and what they can turn to, and the signals
 * that mean "slow down". A therapist's take-home pack can suggest words for it; those fill only
 * what the client left empty, and never replace the client's own.
 *
 * The card is read through a schema: a damaged one reads as none and is left as it is until the
 * person saves a new card. Every write reports failure in plain words and keeps what was there.
 *
 * @example
 * const preparation = new PreparationStore();
 * const card = await preparation.load(); // Preparation | null
 * const seed = parsePreparationSeed(pack.preparation);
 * if (seed.ok) await preparation.seed(seed.value, pack.from.id);
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Milliseconds } from '../units';

export const PREPARATION_KEY = 'preparation';

/** Characters of each part of the card. */
export const PREPARATION_TEXT_LIMIT = 4_000;

export type PreparationField = 'intentions' | 'safety' | 'resources' | 'signals';

/** The parts of the card, in the order they are shown. */
export const PREPARATION_FIELDS: readonly PreparationField[] = ['intentions', 'safety', 'resources', 'signals'];

export interface Preparation {
	version: 1;
	intentions: string;
	safety: string;
	resources: string;
	signals: string;
	updatedAt: Milliseconds;
	/** The sender id of the therapist whose pack suggested words for it; null when none did. */
	seededBy: string | null;
}

/** Words a therapist suggests for the card, in a take-home pack. */
export type PreparationSeed = Partial<Pick<Preparation, PreparationField>>;

const text = v.pipe(v.string(), v.maxLength(PREPARATION_TEXT_LIMIT));

const preparationSchema = v.object({
	version: v.literal(1),
	intentions: text,
	safety: text,
	resources: text,
	signals: text,
	updatedAt: v.pipe(v.number(), v.finite(), v.minValue(0)),
	seededBy: v.nullable(v.pipe(v.string(), v.nonEmpty(), v.maxLength(80)))
});

const seedSchema = v.object({
	intentions: v.optional(text),
	safety: v.optional(text),
	resources: v.optional(text),
	signals: v.optional(text)
});

function parsePreparation(raw: unknown): Preparation | null {
	const parsed = v.safeParse(preparationSchema, raw);
	return parsed.success ? parsed.output : null;
}

/** A pack's suggested words for the card; refused, in plain words, when any part is wrong. */
export function parsePreparationSeed(input: unknown): Result<PreparationSeed> {
	const parsed = v.safeParse(seedSchema, input);
	if (parsed.success && !Array.isArray(input)) {
		// Only the parts it has: an absent part is not an empty one.
		const seed: PreparationSeed = {};
		for (const field of PREPARATION_FIELDS) {
			const value = parsed.output[field];
			if (value !== undefined) seed[field] = value;
		}
		return { ok: true, value: seed };
	}
	const tooLong = PREPARATION_FIELDS.some((field) => {
		const value: unknown = typeof input === 'object' && input !== null ? Reflect.get(input, field) : undefined;
		return typeof value === 'string' && value.length > PREPARATION_TEXT_LIMIT;
	});
	return {
		ok: false,
		reason: tooLong
			? `The preparation card in this pack can’t be used: a part of it is longer than ${PREPARATION_TEXT_LIMIT.toLocaleString('en')} characters.`
			: 'The preparation card in this pack can’t be used: a part of it is missing or of the wrong kind.'
	};
}

/** An empty card, to begin with. */
export function emptyPreparation(now: Milliseconds = Date.now()): Preparation {
	return { version: 1, intentions: '', safety: '', resources: '', signals: '', updatedAt: now, seededBy: null };
}

type Stored = { kind: 'none' } | { kind: 'card'; card: Preparation } | { kind: 'unreadable' };

export class PreparationStore {
	readonly #backend: KeyValueBackend;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** The card; null when there is none, or it is damaged or cannot be read. */
	async load(): Promise<Preparation | null> {
		const stored = await this.#read();
		return stored.kind === 'card' ? stored.card : null;
	}

	/** Saves the person's card, in place of the one before (a damaged one too). */
	async save(preparation: Preparation): Promise<Result<Preparation>> {
		const checked = parsePreparation(preparation);
		if (!checked) {
			const tooLong = PREPARATION_FIELDS.some(
				(field) => typeof preparation[field] === 'string' && preparation[field].length > PREPARATION_TEXT_LIMIT
			);
			return {
				ok: false,
				reason: tooLong
					? `A part of your card is too long to keep: each can be up to ${PREPARATION_TEXT_LIMIT.toLocaleString('en')} characters.`
					: 'Your preparation card could not be saved: something in it is not as Grounded expects.'
			};
		}
		return this.#write(checked, 'Your preparation card could not be saved');
	}

	/**
	 * Fills the parts of the card the person left empty with a therapist's suggested words, and
	 * saves it; the person's own words are never replaced. A card that can't be read is left as it
	 * is (it may hold their words, from a newer Grounded).
	 */
	async seed(from: PreparationSeed, senderId: string, now: Milliseconds = Date.now()): Promise<Result<Preparation>> {
		const seed = parsePreparationSeed(from);
		if (!seed.ok) return seed;
		const stored = await this.#read();
		if (stored.kind === 'unreadable') {
			return {
				ok: false,
				reason:
					'Your preparation card could not be read on this device, so the suggested words were not added to it. It is kept as it was.'
			};
		}
		const card = stored.kind === 'card' ? stored.card : emptyPreparation(now);
		const filled: Preparation = { ...card };
		let changed = false;
		for (const field of PREPARATION_FIELDS) {
			const words = seed.value[field];
			if (words !== undefined && words.trim() !== '' && card[field].trim() === '') {
				filled[field] = words;
				changed = true;
			}
		}
		if (!changed) return { ok: true, value: card };
		const seeded = parsePreparation({ ...filled, updatedAt: now, seededBy: senderId });
		if (!seeded) return { ok: false, reason: 'The suggested words could not be added: the sender is not as expected.' };
		return this.#write(seeded, 'The suggested words could not be added to your preparation card');
	}

	async #read(): Promise<Stored> {
		let raw: unknown;
		try {
			raw = await this.#backend.get(PREPARATION_KEY);
		} catch {
			return { kind: 'unreadable' };
		}
		if (raw === undefined) return { kind: 'none' };
		const card = parsePreparation(raw);
		return card ? { kind: 'card', card } : { kind: 'unreadable' };
	}

	async #write(card: Preparation, failed: string): Promise<Result<Preparation>> {
		try {
			await this.#backend.set(PREPARATION_KEY, card);
			return { ok: true, value: card };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? `${failed} because this device is out of storage space. What was saved before is kept.`
					: `${failed} on this device just now. What was saved before is kept.`
			};
		}
	}
}

/**
 * The one owner of the client's check-ins on this device: at most one a day, under
 * `check-in:<date>`, each four gentle scales from 0 to 10 and a few words. Saving again on the
 * same day replaces that day's check-in.
 *
 * Every read goes through a schema: a damaged or foreign value is skipped and left alone. Every
 * write reports failure in plain words and keeps what was saved before.
 *
 * @example
 * const checkIns = new CheckInStore();
 * const saved = await checkIns.save({ version: 1, date: '2026-12-11', day: 4, mood: 6, sleep: 5, body: 7,
 *   connection: 6, note: '', savedAt: Date.now() });
 * if (saved.ok && isLowMood(saved.value)) showSupportCard();
 * const all = await checkIns.list(); // oldest day first, for the chart
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { entriesWithPrefix, indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Milliseconds } from '../units';
import { isLocalDate, PLAN_DAYS, type LocalDate } from './plan';

export const CHECK_IN_PREFIX = 'check-in:';

export const CHECK_IN_LIMITS = {
	/** The bottom and top of every scale. */
	scaleMin: 0,
	scaleMax: 10,
	/** Characters of the note. */
	note: 2_000
} as const;

export type CheckInScaleKey = 'mood' | 'sleep' | 'body' | 'connection';

export interface CheckIn {
	version: 1;
	date: LocalDate;
	/** The plan's day (0 the session day, to 14), or null outside the plan. */
	day: number | null;
	/** Each a whole number from 0 to 10: see `CHECK_IN_SCALES`. */
	mood: number;
	sleep: number;
	body: number;
	connection: number;
	note: string;
	savedAt: Milliseconds;
}

export interface CheckInScale {
	readonly key: CheckInScaleKey;
	readonly label: string;
	/** What 0 means, and what 10 means, in the person's words. */
	readonly low: string;
	readonly high: string;
}

/** The scales of a check-in, in the order they are asked. */
export const CHECK_IN_SCALES: readonly CheckInScale[] = [
	{ key: 'mood', label: 'Mood', low: 'Very low', high: 'Very good' },
	{ key: 'sleep', label: 'Sleep', low: 'Hardly slept', high: 'Slept well' },
	{ key: 'body', label: 'Ease in the body', low: 'Tense, uneasy', high: 'At ease' },
	{ key: 'connection', label: 'Connection', low: 'Alone, cut off', high: 'Connected' }
];

const scale = v.pipe(
	v.number(),
	v.integer(),
	v.minValue(CHECK_IN_LIMITS.scaleMin),
	v.maxValue(CHECK_IN_LIMITS.scaleMax)
);

const checkInSchema = v.object({
	version: v.literal(1),
	date: v.pipe(v.string(), v.check(isLocalDate)),
	day: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(PLAN_DAYS))),
	mood: scale,
	sleep: scale,
	body: scale,
	connection: scale,
	note: v.pipe(v.string(), v.maxLength(CHECK_IN_LIMITS.note)),
	savedAt: v.pipe(v.number(), v.finite(), v.minValue(0))
});

export const checkInKey = (date: LocalDate) => `${CHECK_IN_PREFIX}${date}`;

/** A stored value as a check-in, or null; `key` must be the one it was stored under. */
export function parseCheckIn(key: string, raw: unknown): CheckIn | null {
	const parsed = v.safeParse(checkInSchema, raw);
	return parsed.success && checkInKey(parsed.output.date) === key ? parsed.output : null;
}

/**
 * Whether to offer the support card. It appears gently at the bottom of the mood scale (0, "Very
 * low"), where the person has said as plainly as the scale allows that they are not all right;
 * anywhere above it, the check-in is simply kept.
 */
export function isLowMood(checkIn: CheckIn): boolean {
	return checkIn.mood === CHECK_IN_LIMITS.scaleMin;
}

export class CheckInStore {
	readonly #backend: KeyValueBackend;

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** Every readable check-in, the oldest day first. */
	async list(): Promise<CheckIn[]> {
		let stored: [string, unknown][];
		try {
			stored = await entriesWithPrefix(this.#backend, CHECK_IN_PREFIX);
		} catch {
			return [];
		}
		const checkIns: CheckIn[] = [];
		for (const [key, raw] of stored) {
			const checkIn = parseCheckIn(key, raw);
			if (checkIn) checkIns.push(checkIn);
		}
		return checkIns.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
	}

	/** The check-in of a day; null when there is none, or it is damaged or cannot be read. */
	async get(date: LocalDate): Promise<CheckIn | null> {
		if (!isLocalDate(date)) return null;
		const key = checkInKey(date);
		try {
			return parseCheckIn(key, await this.#backend.get(key));
		} catch {
			return null;
		}
	}

	/** Saves the day's check-in, in place of one saved earlier that day. */
	async save(checkIn: CheckIn): Promise<Result<CheckIn>> {
		const key = checkInKey(checkIn.date);
		const checked = parseCheckIn(key, checkIn);
		if (!checked) {
			return {
				ok: false,
				reason:
					typeof checkIn.note === 'string' && checkIn.note.length > CHECK_IN_LIMITS.note
						? `The note is too long to keep: it can be up to ${CHECK_IN_LIMITS.note.toLocaleString('en')} characters.`
						: 'This check-in could not be saved: something in it is not as Grounded expects.'
			};
		}
		try {
			await this.#backend.set(key, checked);
			return { ok: true, value: checked };
		} catch (error) {
			return {
				ok: false,
				reason: isQuotaError(error)
					? 'This check-in could not be saved because this device is out of storage space. What was saved before is kept.'
					: 'This check-in could not be saved on this device just now. What was saved before is kept.'
			};
		}
	}

	async remove(date: LocalDate): Promise<Result<void>> {
		if (!isLocalDate(date)) return { ok: true, value: undefined };
		try {
			await this.#backend.delete(checkInKey(date));
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'This check-in could not be deleted from this device just now. Try again.' };
		}
	}
}

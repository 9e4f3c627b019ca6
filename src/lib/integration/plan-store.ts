/**
 * The one owner of the client's integration plan on this device, and of what they have done of it:
 *
 *     integration-plan  the plan's settings (PlanSettings, read through parsePlanSettings)
 *     integration-done  the items done: { key, date, at, how }[], the newest 1,000
 *
 * A plan that can't be read is reported, in plain words, and left exactly as it is until the
 * person saves a new one. A completion names its item's key and date both, so that when the
 * session moves, a mark made on the old date does not attach to the moved item.
 *
 * @example
 * const plans = new PlanStore();
 * const loaded = await plans.load(); // { ok: true, value: PlanSettings | null } or { ok: false, reason }
 * const done = await plans.completions();
 * const plan = buildPlan(settings, available);
 * const open = plan.items.filter((item) => !isDone(done, item));
 */
import * as v from 'valibot';
import type { Result } from '../result';
import { indexedDbBackend, isQuotaError, type KeyValueBackend } from '../storage/key-value';
import type { Milliseconds } from '../units';
import { isLocalDate, parsePlanSettings, type LocalDate, type PlanSettings } from './plan';

export const PLAN_KEY = 'integration-plan';
export const COMPLETIONS_KEY = 'integration-done';
/** Completions kept; the oldest go first. Two weeks of a plan make about 50. */
export const MAX_COMPLETIONS = 1_000;

export interface Completion {
	/** The plan item's key ("d2-p1"). */
	key: string;
	/** The date the item was on when it was done. */
	date: LocalDate;
	/** When, epoch milliseconds. */
	at: Milliseconds;
	/** Finished in the app (a practice played to its end), or marked done by the person. */
	how: 'finished' | 'marked';
}

const completionSchema = v.object({
	key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,40}$/)),
	date: v.pipe(v.string(), v.check(isLocalDate)),
	at: v.pipe(v.number(), v.finite(), v.minValue(0)),
	how: v.picklist(['finished', 'marked'])
});

function parseCompletion(raw: unknown): Completion | null {
	const parsed = v.safeParse(completionSchema, raw);
	return parsed.success ? parsed.output : null;
}

/** Whether `item` is done: a completion for its key on its date. */
export function isDone(completions: readonly Completion[], item: { key: string; date: LocalDate }): boolean {
	return completions.some((completion) => completion.key === item.key && completion.date === item.date);
}

const failure = (error: unknown, what: string): string =>
	isQuotaError(error)
		? `${what} because this device is out of storage space. What was saved before is kept.`
		: `${what} on this device just now. What was saved before is kept.`;

export class PlanStore {
	readonly #backend: KeyValueBackend;
	/** Completions are read, changed and written back: one change at a time, so none is lost. */
	#queue: Promise<unknown> = Promise.resolve();

	constructor(backend: KeyValueBackend = indexedDbBackend()) {
		this.#backend = backend;
	}

	/** The plan; null when none is set; a reason when it can't be read (it is then left as it is). */
	async load(): Promise<Result<PlanSettings | null>> {
		let raw: unknown;
		try {
			raw = await this.#backend.get(PLAN_KEY);
		} catch {
			return { ok: false, reason: 'Your plan could not be read on this device just now. Try again.' };
		}
		if (raw === undefined) return { ok: true, value: null };
		return parsePlanSettings(raw);
	}

	/** Saves the plan, in place of the one before (one that could not be read too). */
	async save(settings: PlanSettings): Promise<Result<PlanSettings>> {
		const checked = parsePlanSettings(settings);
		if (!checked.ok) return { ok: false, reason: 'Your plan could not be saved: something in it is not as expected.' };
		try {
			await this.#backend.set(PLAN_KEY, checked.value);
			return checked;
		} catch (error) {
			return { ok: false, reason: failure(error, 'Your plan could not be saved') };
		}
	}

	/** Takes the plan off this device, with what was done of it. */
	async clear(): Promise<Result<void>> {
		try {
			if (this.#backend.transact) {
				await this.#backend.transact({ set: [], delete: [PLAN_KEY, COMPLETIONS_KEY] });
			} else {
				await this.#backend.delete(PLAN_KEY);
				await this.#backend.delete(COMPLETIONS_KEY);
			}
			return { ok: true, value: undefined };
		} catch {
			return { ok: false, reason: 'Your plan could not be removed from this device just now. Try again.' };
		}
	}

	/** What has been done, oldest first; damaged marks are left out. */
	async completions(): Promise<Completion[]> {
		let raw: unknown;
		try {
			raw = await this.#backend.get(COMPLETIONS_KEY);
		} catch {
			return [];
		}
		if (!Array.isArray(raw)) return [];
		const completions: Completion[] = [];
		for (const value of raw as unknown[]) {
			const completion = parseCompletion(value);
			if (completion) completions.push(completion);
		}
		return completions.sort((a, b) => a.at - b.at);
	}

	/** Marks an item done on a date (again: the newer mark replaces the older). */
	markDone(
		key: string,
		date: LocalDate,
		how: Completion['how'],
		now: Milliseconds = Date.now()
	): Promise<Result<Completion[]>> {
		const completion = parseCompletion({ key, date, at: now, how });
		if (!completion)
			return Promise.resolve({ ok: false, reason: 'This could not be marked done: it is not on the plan.' });
		return this.#change(
			(kept) => [...kept.filter((other) => !sameItem(other, completion)), completion],
			'This could not be marked done'
		);
	}

	/** Takes back a mark (the person tapped "done" by mistake). */
	unmarkDone(key: string, date: LocalDate): Promise<Result<Completion[]>> {
		return this.#change(
			(kept) => kept.filter((other) => !sameItem(other, { key, date })),
			'The mark could not be taken back'
		);
	}

	#change(change: (kept: Completion[]) => Completion[], failed: string): Promise<Result<Completion[]>> {
		const run = async (): Promise<Result<Completion[]>> => {
			const before = await this.completions();
			const after = change(before)
				.sort((a, b) => a.at - b.at)
				.slice(-MAX_COMPLETIONS);
			if (after.length === before.length && after.every((completion, index) => completion === before[index])) {
				return { ok: true, value: after };
			}
			try {
				await this.#backend.set(COMPLETIONS_KEY, after);
				return { ok: true, value: after };
			} catch (error) {
				return { ok: false, reason: failure(error, failed) };
			}
		};
		const result = this.#queue.then(run, run);
		this.#queue = result;
		return result;
	}
}

const sameItem = (a: { key: string; date: LocalDate }, b: { key: string; date: LocalDate }) =>
	a.key === b.key && a.date === b.date;

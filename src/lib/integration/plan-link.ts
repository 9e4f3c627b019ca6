/**
 * How a page started from the plan says which item it is doing: `?plan=d2-p1@2026-12-07` (the
 * item's key and date). When the practice runs to its end, the page calls `finishPlanItem`, and
 * the item is marked done on the plan.
 *
 * @example
 * const item = planItemOf(location.search); // { key: 'd2-p1', date: '2026-12-07' } or null
 * if (item && status === 'finished') void finishPlanItem(item);
 */
import type { Result } from '../result';
// Only types from the plan and its store: this module is in the pacer's and the player's first
// load, and the store (with the plan's schemas) is loaded only when an item is marked done.
import type { LocalDate } from './plan';
import type { Completion, PlanStore } from './plan-store';

export interface PlanItemRef {
	readonly key: string;
	readonly date: LocalDate;
}

const ITEM = /^(d\d{1,2}-[a-z0-9-]{1,20}|next-session)@(\d{4}-\d{2}-\d{2})$/;

export function planItemParam(item: PlanItemRef): string {
	return `${item.key}@${item.date}`;
}

/** The plan item an address names, or null when it names none (or not one this app made). */
export function planItemOf(search: string): PlanItemRef | null {
	const value = new URLSearchParams(search).get('plan');
	const match = value ? ITEM.exec(value) : null;
	return match && isRealDate(match[2]!) ? { key: match[1]!, date: match[2]! } : null;
}

/** Whether the address opens the journal at a new entry (`?write=1`, from the plan). */
export function asksToWrite(search: string): boolean {
	return new URLSearchParams(search).get('write') === '1';
}

function isRealDate(date: string): boolean {
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const real = new Date(Date.UTC(year, month - 1, day));
	return real.getUTCFullYear() === year && real.getUTCMonth() === month - 1 && real.getUTCDate() === day;
}

/** Marks the item done because its practice ran to the end. */
export async function finishPlanItem(item: PlanItemRef, store?: PlanStore): Promise<Result<Completion[]>> {
	const plans = store ?? new (await import('./plan-store')).PlanStore();
	return plans.markDone(item.key, item.date, 'finished');
}

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
import { isLocalDate, type LocalDate } from './plan';
import { PlanStore, type Completion } from './plan-store';

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
	return match && isLocalDate(match[2]!) ? { key: match[1]!, date: match[2]! } : null;
}

/** Whether the address opens the journal at a new entry (`?write=1`, from the plan). */
export function asksToWrite(search: string): boolean {
	return new URLSearchParams(search).get('write') === '1';
}

/** Marks the item done because its practice ran to the end. */
export function finishPlanItem(item: PlanItemRef, store: PlanStore = new PlanStore()): Promise<Result<Completion[]>> {
	return store.markDone(item.key, item.date, 'finished');
}

/**
 * The check-in page's state: today's check-in (at most one a day; saving again changes it), the
 * ones before it for the chart, and whether to offer the support card, with the therapist's
 * contact where a pack brought one.
 *
 * @example
 * const checkIn = new CheckInState();
 * onMount(() => void checkIn.load(location.search));
 * await checkIn.save(); // then checkIn.support is true at the bottom of the mood scale
 */
import { CheckInStore, isLowMood, type CheckIn, type CheckInScaleKey } from '$lib/integration/check-in-store';
import {
	addDays,
	daysBetween,
	dateOf,
	deviceClock,
	PLAN_DAYS,
	wallClockOf,
	type LocalDate
} from '$lib/integration/plan';
import { PlanStore } from '$lib/integration/plan-store';
import { planItemOf, type PlanItemRef } from '$lib/integration/plan-link';
import { TakeHomeStore } from '$lib/take-home/take-home-store';
import type { PackSender } from '$lib/take-home/pack-format';

export type CheckInValues = Record<CheckInScaleKey, number>;

const MIDDLE: CheckInValues = { mood: 5, sleep: 5, body: 5, connection: 5 };

export class CheckInState {
	status: 'loading' | 'ready' = $state('loading');
	today: LocalDate = $state('');
	values: CheckInValues = $state({ ...MIDDLE });
	note = $state('');
	/** Today's check-in as saved, or null before it is. */
	saved: CheckIn | null = $state(null);
	checkIns: CheckIn[] = $state.raw([]);
	message = $state('');
	notice = $state('');
	/** Whether the support card is shown: after a check-in at the bottom of the mood scale. */
	support = $state(false);
	/** How to reach the therapist, from their take-home pack. */
	therapists: PackSender[] = $state.raw([]);
	sessionDate: LocalDate | null = $state(null);

	readonly #store: CheckInStore;
	readonly #plan: PlanStore;
	readonly #takeHome: TakeHomeStore;
	readonly #clock: () => Date;
	#planItem: PlanItemRef | null = null;

	constructor(
		store = new CheckInStore(),
		plan = new PlanStore(),
		takeHome = new TakeHomeStore(),
		clock: () => Date = deviceClock
	) {
		this.#store = store;
		this.#plan = plan;
		this.#takeHome = takeHome;
		this.#clock = clock;
	}

	async load(search = ''): Promise<void> {
		this.today = dateOf(wallClockOf(this.#clock()));
		const [checkIns, plan, records] = await Promise.all([this.#store.list(), this.#plan.load(), this.#takeHome.list()]);
		this.checkIns = checkIns;
		this.sessionDate = plan.ok && plan.value ? dateOf(plan.value.sessionAt) : null;
		this.therapists = records.map((record) => record.from).filter((from) => from.contact || from.supportLine);
		const todays = checkIns.find((checkIn) => checkIn.date === this.today) ?? null;
		this.saved = todays;
		if (todays) {
			this.values = { mood: todays.mood, sleep: todays.sleep, body: todays.body, connection: todays.connection };
			this.note = todays.note;
		}
		this.#planItem = planItemOf(search);
		this.status = 'ready';
	}

	/** The chart's first date and number of days: the plan's, else the last two weeks. */
	get chartRange(): { from: LocalDate; days: number } {
		if (this.sessionDate && daysBetween(this.sessionDate, this.today) <= PLAN_DAYS)
			return { from: this.sessionDate, days: PLAN_DAYS + 1 };
		return { from: addDays(this.today, -PLAN_DAYS), days: PLAN_DAYS + 1 };
	}

	async save(): Promise<boolean> {
		const day = this.sessionDate ? daysBetween(this.sessionDate, this.today) : null;
		const checkIn: CheckIn = {
			version: 1,
			date: this.today,
			day: day !== null && day >= 0 && day <= PLAN_DAYS ? day : null,
			...this.values,
			note: this.note.trim(),
			savedAt: this.#clock().getTime()
		};
		const saved = await this.#store.save(checkIn);
		if (!saved.ok) {
			this.message = saved.reason;
			return false;
		}
		const changed = this.saved !== null;
		this.saved = saved.value;
		this.checkIns = [...this.checkIns.filter((c) => c.date !== this.today), saved.value].sort((a, b) =>
			a.date < b.date ? -1 : a.date > b.date ? 1 : 0
		);
		this.message = '';
		this.support = isLowMood(saved.value);
		this.notice = changed ? 'Today’s check-in is changed.' : 'Thank you. Today’s check-in is kept on this device.';
		if (this.#planItem) {
			await this.#plan.markDone(this.#planItem.key, this.#planItem.date, 'finished');
			this.#planItem = null;
		}
		return true;
	}
}

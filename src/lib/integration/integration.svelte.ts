/**
 * The client's integration plan as the pages show it: the stored plan, the practices on this
 * device (a therapist's first, then the built-ins), the day laid out, what is suggested today and
 * what is already done. The home page and the plan page share it; nothing here touches the DOM.
 *
 * @example
 * const integration = new IntegrationState();
 * onMount(() => void integration.load());
 * integration.today?.items; // today's suggestions, each with `href` to start it with one tap
 */
import { resolve } from '$app/paths';
import { BUILTIN_SCRIPTS } from '../grounding/builtin-scripts';
import { indexedDbBackend, type KeyValueBackend } from '../storage/key-value';
import { ScriptStore } from '../storage/script-store';
import { TakeHomeStore, type TakeHomeRecord } from '../take-home/take-home-store';
import type { Result } from '../result';
import {
	buildPlan,
	deviceClock,
	newPlanSettings,
	parsePlanTemplate,
	resolvePractices,
	todayOf,
	wallClockOf,
	withSessionAt,
	type AvailablePractice,
	type ItemEdit,
	type LocalDateTime,
	type LocalTime,
	type Plan,
	type PlanItem,
	type PlanSettings,
	type PlanTemplate,
	type Today
} from './plan';
import { isDone, PlanStore, type Completion } from './plan-store';
import { planItemParam } from './plan-link';

/** The built-in scripts a client practises with at home (the closing one is for the session day). */
const HOME_SCRIPTS = ['arriving-breath', 'weight-of-body', 'orienting-room'];

export class IntegrationState {
	status: 'loading' | 'ready' = $state('loading');
	settings: PlanSettings | null = $state(null);
	/** Why the stored plan can't be read; it is left as it was until a new one is saved. */
	problem = $state('');
	message = $state('');
	completions: Completion[] = $state([]);
	available: AvailablePractice[] = $state([]);
	/** A therapist's plan waiting in a pack's record, offered when there is no plan yet. */
	offered: { template: PlanTemplate; from: TakeHomeRecord } | null = $state(null);
	now: LocalDateTime = $state(wallClockOf(deviceClock()));

	readonly plan: Plan | null = $derived(
		this.settings ? resolvePractices(buildPlan(this.settings, this.available), this.available) : null
	);
	readonly today: Today | null = $derived(this.plan ? todayOf(this.plan, this.now) : null);

	readonly #store: PlanStore;
	readonly #scripts: ScriptStore;
	readonly #takeHome: TakeHomeStore;
	readonly #clock: () => Date;

	constructor(backend: KeyValueBackend = indexedDbBackend(), clock: () => Date = deviceClock) {
		this.#store = new PlanStore(backend);
		this.#scripts = new ScriptStore(backend);
		this.#takeHome = new TakeHomeStore(backend);
		this.#clock = clock;
	}

	async load(): Promise<void> {
		this.now = wallClockOf(this.#clock());
		const [stored, completions, records] = await Promise.all([
			this.#store.load(),
			this.#store.completions(),
			this.#takeHome.list()
		]);
		this.available = await this.#practices(records);
		this.completions = completions;
		if (stored.ok) {
			this.settings = stored.value;
			this.problem = '';
		} else {
			this.settings = null;
			this.problem = stored.reason;
		}
		this.offered = null;
		for (const record of records) {
			if (!record.plan) continue;
			const template = parsePlanTemplate(record.plan);
			if (template.ok) {
				this.offered = { template: template.value, from: record };
				break;
			}
		}
		this.status = 'ready';
	}

	/** Reads the clock again (a page left open overnight moves to the next day). */
	tick(): void {
		this.now = wallClockOf(this.#clock());
	}

	async #practices(records: readonly TakeHomeRecord[]): Promise<AvailablePractice[]> {
		const practices: AvailablePractice[] = [];
		const seen: string[] = [];
		const addScript = async (id: string) => {
			if (seen.includes(id)) return;
			const script = await this.#scripts.get(id);
			if (!script) return;
			seen.push(id);
			practices.push({ ref: { kind: 'script', id }, title: script.title });
		};
		for (const record of records) {
			for (const id of [...record.scriptIds, ...record.builtInScriptIds]) await addScript(id);
			if (record.breathing)
				practices.push({ ref: { kind: 'breathing', from: record.from.id }, title: record.breathing.title });
		}
		// With nothing from a therapist, Grounded's own: the pacer as set here (the simplest to begin
		// with, so the plan's first practice), then three groundings.
		if (practices.length === 0) {
			practices.push({ ref: { kind: 'breathing', from: null }, title: 'Slow breathing' });
			for (const id of HOME_SCRIPTS) await addScript(id);
		}
		const closing = BUILTIN_SCRIPTS.find((script) => script.id === 'closing-session');
		if (closing && !seen.includes(closing.id))
			practices.push({ ref: { kind: 'script', id: closing.id }, title: closing.title });
		return practices;
	}

	isDone(item: PlanItem): boolean {
		return isDone(this.completions, item);
	}

	/** Where one tap starts an item: the practice, the journal, the check-in or the card. */
	hrefOf(item: PlanItem): string | null {
		const param = `plan=${encodeURIComponent(planItemParam(item))}`;
		switch (item.kind) {
			case 'practice':
			case 'close-grounding': {
				const practice = item.practice?.ref;
				if (!practice) return null;
				if (practice.kind === 'script')
					return `${resolve('/grounding/play/')}?script=${encodeURIComponent(practice.id)}&${param}`;
				return practice.from
					? `${resolve('/breathe/')}?practice=${encodeURIComponent(practice.from)}&${param}`
					: `${resolve('/breathe/')}?${param}`;
			}
			case 'journal':
				return `${resolve('/integration/journal/')}?write=1&${param}`;
			case 'check-in':
				return `${resolve('/integration/check-in/')}?${param}`;
			case 'preparation':
				return resolve('/integration/preparation/');
			case 'next-session':
				return null;
		}
	}

	async #save(settings: PlanSettings): Promise<Result<PlanSettings>> {
		const saved = await this.#store.save(settings);
		if (saved.ok) {
			this.settings = saved.value;
			this.problem = '';
			this.message = '';
		} else this.message = saved.reason;
		return saved;
	}

	/** Sets the session's time (a new plan, or the days moved with the client's edits kept). */
	setSession(sessionAt: LocalDateTime, nextSessionAt: LocalDateTime | null): Promise<Result<PlanSettings>> {
		const base = this.settings ? withSessionAt(this.settings, sessionAt) : newPlanSettings(sessionAt);
		return this.#save({ ...base, nextSessionAt });
	}

	/** Takes the therapist's plan from their pack, at the session time the client checked; they can change it afterwards. */
	acceptOffered(sessionAt: LocalDateTime, nextSessionAt: LocalDateTime | null): Promise<Result<PlanSettings>> | null {
		if (!this.offered) return null;
		const { template, from } = this.offered;
		return this.#save({ ...newPlanSettings(sessionAt, template, from.from.id), nextSessionAt });
	}

	setPracticeTimes(times: LocalTime[]): Promise<Result<PlanSettings>> | null {
		return this.settings ? this.#save({ ...this.settings, practiceTimes: times }) : null;
	}

	editItem(key: string, edit: ItemEdit | null): Promise<Result<PlanSettings>> | null {
		if (!this.settings) return null;
		const edits = { ...this.settings.edits };
		if (edit === null) delete edits[key];
		else edits[key] = { ...edits[key], ...edit };
		return this.#save({ ...this.settings, edits });
	}

	/** Forgets the plan and its done marks; the journal, check-ins and preparation stay. */
	async clear(): Promise<void> {
		const cleared = await this.#store.clear();
		if (cleared.ok) {
			this.settings = null;
			this.completions = [];
			this.problem = '';
		} else this.message = cleared.reason;
	}

	async setDone(item: PlanItem, done: boolean): Promise<void> {
		const changed = done
			? await this.#store.markDone(item.key, item.date, 'marked')
			: await this.#store.unmarkDone(item.key, item.date);
		if (changed.ok) {
			this.completions = changed.value;
			this.message = '';
		} else this.message = changed.reason;
	}

	/** The plan's reminders as a calendar file; the calendar library is loaded only now. */
	async calendar(): Promise<Result<{ name: string; text: string }>> {
		if (!this.plan) return { ok: false, reason: 'Set the date of your session first.' };
		try {
			const { planCalendar, CALENDAR_FILE_NAME } = await import('./calendar');
			const made = planCalendar(this.plan, { now: this.#clock() });
			return made.ok ? { ok: true, value: { name: CALENDAR_FILE_NAME(this.plan), text: made.value } } : made;
		} catch {
			return {
				ok: false,
				reason: 'The calendar file could not be made just now. Check the connection once, then try again.'
			};
		}
	}
}

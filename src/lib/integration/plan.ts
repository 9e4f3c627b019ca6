/**
 * The integration plan: what to do on the session day, in the 72 hours after it and through the
 * two weeks after, laid out day by day from the session's date and time.
 *
 * Every date and time here is the person's own wall clock ("2026-12-07", "09:00",
 * "2026-12-07T09:00"), never an instant: a practice suggested at nine in the morning stays at nine
 * on the day the clocks change, and a plan's days are calendar days, counted without adding hours.
 * `wallClockOf` turns a Date into the device's wall clock at the edge, where "now" comes in.
 *
 * Pure: no storage, DOM or audio. Settings from outside (a stored plan, a pack's plan) go through
 * `parsePlanSettings` and `parsePlanTemplate`, which refuse what the plan can't use, in plain words.
 *
 * @example
 * const plan = buildPlan(settings, [{ ref: { kind: 'script', id: 'arriving-breath' }, title: 'Arriving with the breath' }]);
 * const today = todayOf(plan, wallClockOf(new Date())); // the day, and what is suggested on it
 */
import * as v from 'valibot';
import type { Result } from '../result';

/** A calendar date on the person's wall clock: "2026-12-07". */
export type LocalDate = string;
/** A time of day on the wall clock: "09:00". */
export type LocalTime = string;
/** A date and time on the wall clock, with no time zone: "2026-12-07T09:00". */
export type LocalDateTime = string;

/** A practice the plan can suggest. */
export type PracticeRef =
	| { kind: 'script'; id: string }
	/** A breathing practice: the one a therapist sent (by sender id), or the pacer as set here (null). */
	| { kind: 'breathing'; from: string | null };

/** A practice the plan can suggest, with the title to show. */
export interface AvailablePractice {
	readonly ref: PracticeRef;
	readonly title: string;
}

/** Which practice on which days, how often: set by a therapist, or Grounded's own. */
export interface PlanRule {
	/** Days after the session, 1 to 14, both included. */
	fromDay: number;
	toDay: number;
	perDay: number;
	/** Taken in turn; empty: the practices available on this device, in turn. */
	practices: PracticeRef[];
}

/** The plan a therapist sets in a take-home pack. Everything is optional to the client's device. */
export interface PlanTemplate {
	version: 1;
	sessionAt: LocalDateTime | null;
	nextSessionAt: LocalDateTime | null;
	/** Empty: Grounded's own rules. */
	rules: PlanRule[];
	/** Days on which a check-in is suggested, from and to, both included. */
	checkIns: { fromDay: number; toDay: number } | null;
}

/** The client's own change to one item of the plan. */
export interface ItemEdit {
	time?: LocalTime;
	practice?: PracticeRef;
	/** Taken off the plan by the client. */
	removed?: boolean;
}

/** The plan as kept on the device. */
export interface PlanSettings {
	version: 1;
	sessionAt: LocalDateTime;
	nextSessionAt: LocalDateTime | null;
	/** The times of day of the first, second and third practice of a day. */
	practiceTimes: LocalTime[];
	/** The therapist's rules from a pack, or null for Grounded's own. */
	rules: PlanRule[] | null;
	checkIns: { fromDay: number; toDay: number } | null;
	/** The client's changes, by item key: they stay when the session date changes. */
	edits: Record<string, ItemEdit>;
	/** Who set the plan's rules: the sender id of a pack, or null when the client did. */
	from: string | null;
}

export type PlanItemKind = 'preparation' | 'close-grounding' | 'journal' | 'practice' | 'check-in' | 'next-session';

export interface PlanItem {
	/** Stable for its place in the plan ("d2-p1", "d5-check-in"), whatever the session's date. */
	readonly key: string;
	/** 0 is the session day. */
	readonly day: number;
	/** The calendar date it is suggested on (the session day's items keep the session's date). */
	readonly date: LocalDate;
	readonly kind: PlanItemKind;
	readonly at: LocalDateTime;
	/** Until when it is still suggested; the session day's closing items run past midnight for a late session. */
	readonly until: LocalDateTime;
	readonly practice: AvailablePractice | null;
	readonly title: string;
}

export type PlanStage = 'session' | 'first-72-hours' | 'two-weeks' | 'next-session';

export interface PlanDay {
	readonly day: number;
	readonly date: LocalDate;
	readonly stage: PlanStage;
	readonly items: PlanItem[];
}

export interface Plan {
	readonly sessionAt: LocalDateTime;
	readonly days: PlanDay[];
	readonly nextSession: PlanItem | null;
	/** Every item, in time order. */
	readonly items: PlanItem[];
}

export const PLAN_DAYS = 14;
/** How long a medicine session lasts, typically: it closes with grounding. */
export const SESSION_HOURS = 3;
/** The session day's journal entry is suggested "within a few hours" of the close. */
export const JOURNAL_WINDOW_HOURS = 4;
export const DEFAULT_PRACTICE_TIMES: readonly LocalTime[] = ['09:00', '19:00', '13:00'];
export const MAX_PRACTICES_PER_DAY = 3;

/** Days 1–3 (the 72-hour window): two short practices a day; days 4–14: one. */
export const DEFAULT_RULES: readonly PlanRule[] = [
	{ fromDay: 1, toDay: 3, perDay: 2, practices: [] },
	{ fromDay: 4, toDay: PLAN_DAYS, perDay: 1, practices: [] }
];
export const DEFAULT_CHECK_INS = { fromDay: 4, toDay: PLAN_DAYS } as const;
/** The built-in script that closes a session. */
export const CLOSING_SCRIPT_ID = 'closing-session';

// ——— wall-clock arithmetic ———

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function isRealDate(year: number, month: number, day: number): boolean {
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isLocalDate(value: string): boolean {
	const match = DATE.exec(value);
	return !!match && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function isLocalTime(value: string): boolean {
	return TIME.test(value);
}

export function isLocalDateTime(value: string): boolean {
	const match = DATE_TIME.exec(value);
	return !!match && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Minutes since 1970-01-01T00:00 on a clock with no time zone: only for ordering and adding. */
function minutesOf(dateTime: LocalDateTime): number {
	const [date, time] = dateTime.split('T') as [string, string];
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const [hours, minutes] = time.split(':').map(Number) as [number, number];
	return Date.UTC(year, month - 1, day, hours, minutes) / 60_000;
}

function fromMinutes(minutes: number): LocalDateTime {
	const date = new Date(minutes * 60_000);
	return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** `dateTime` moved by whole hours of the wall clock. */
export function addHours(dateTime: LocalDateTime, hours: number): LocalDateTime {
	return fromMinutes(minutesOf(dateTime) + hours * 60);
}

/** The calendar date `days` after `date` (a day is a date, never 24 hours). */
export function addDays(date: LocalDate, days: number): LocalDate {
	return fromMinutes(minutesOf(`${date}T00:00`) + days * 24 * 60).slice(0, 10);
}

/** Whole calendar days from `from` to `to`. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
	return Math.round((minutesOf(`${to}T00:00`) - minutesOf(`${from}T00:00`)) / (24 * 60));
}

export function dateOf(dateTime: LocalDateTime): LocalDate {
	return dateTime.slice(0, 10);
}

export function timeOf(dateTime: LocalDateTime): LocalTime {
	return dateTime.slice(11, 16);
}

export function compareLocal(a: LocalDateTime, b: LocalDateTime): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The device's clock: where a page's "now" comes from, unless a test gives its own. */
export const deviceClock = (): Date => new Date();

/** What the device's clock says it is, where the device is. */
export function wallClockOf(date: Date): LocalDateTime {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The instant a wall-clock time names on this device (for a calendar's alarms and the journal's dates). */
export function instantOf(dateTime: LocalDateTime): Date {
	const [date, time] = dateTime.split('T') as [string, string];
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const [hours, minutes] = time.split(':').map(Number) as [number, number];
	return new Date(year, month - 1, day, hours, minutes);
}

// ——— building the plan ———

function practiceAt(rule: PlanRule, available: readonly AvailablePractice[], turn: number): AvailablePractice | null {
	const own = rule.practices
		.map((ref) => available.find((practice) => samePractice(practice.ref, ref)))
		.filter((practice): practice is AvailablePractice => !!practice);
	const choices = own.length > 0 ? own : available;
	return choices.length > 0 ? choices[turn % choices.length]! : null;
}

export function samePractice(a: PracticeRef, b: PracticeRef): boolean {
	return a.kind === 'script' ? b.kind === 'script' && a.id === b.id : b.kind === 'breathing' && a.from === b.from;
}

const STAGE_OF = (day: number): PlanStage => (day === 0 ? 'session' : day <= 3 ? 'first-72-hours' : 'two-weeks');

/**
 * Lays out the plan. `available` are the practices on this device, best first (a therapist's
 * before the built-ins); a rule's own practices are used where they are here.
 */
export function buildPlan(settings: PlanSettings, available: readonly AvailablePractice[]): Plan {
	const sessionAt = settings.sessionAt;
	const sessionDate = dateOf(sessionAt);
	const sessionEnd = addHours(sessionAt, SESSION_HOURS);
	const rules = settings.rules ?? DEFAULT_RULES;
	const checkIns = settings.checkIns;
	const times = settings.practiceTimes.length > 0 ? settings.practiceTimes : DEFAULT_PRACTICE_TIMES;
	const closing = available.find((practice) => practice.ref.kind === 'script' && practice.ref.id === CLOSING_SCRIPT_ID);

	const days: PlanDay[] = [];
	const sessionItems: PlanItem[] = [
		{
			key: 'd0-preparation',
			day: 0,
			date: sessionDate,
			kind: 'preparation',
			at: addHours(sessionAt, -2),
			until: sessionAt,
			practice: null,
			title: 'Read your preparation card'
		},
		{
			key: 'd0-close',
			day: 0,
			date: sessionDate,
			kind: 'close-grounding',
			at: addHours(sessionEnd, -0.25),
			until: addHours(sessionEnd, JOURNAL_WINDOW_HOURS),
			practice: closing ?? null,
			title: 'Close with grounding'
		},
		{
			key: 'd0-journal',
			day: 0,
			date: sessionDate,
			kind: 'journal',
			at: sessionEnd,
			until: addHours(sessionEnd, JOURNAL_WINDOW_HOURS),
			practice: null,
			title: 'Write or speak a few words about the session'
		}
	];
	days.push({ day: 0, date: sessionDate, stage: 'session', items: applyEdits(sessionItems, settings.edits) });

	// Practices are taken in turn across the whole plan, so that the days vary.
	let turn = 0;
	for (let day = 1; day <= PLAN_DAYS; day += 1) {
		const date = addDays(sessionDate, day);
		const items: PlanItem[] = [];
		const rule = rules.find((candidate) => day >= candidate.fromDay && day <= candidate.toDay);
		const perDay = Math.min(rule?.perDay ?? 0, MAX_PRACTICES_PER_DAY, times.length);
		for (let slot = 0; slot < perDay; slot += 1) {
			const at = `${date}T${times[slot]!}` as LocalDateTime;
			items.push({
				key: `d${day}-p${slot + 1}`,
				day,
				date,
				kind: 'practice',
				at,
				until: `${date}T23:59`,
				practice: rule ? practiceAt(rule, available, turn) : null,
				title: 'A short practice'
			});
			turn += 1;
		}
		if (checkIns && day >= checkIns.fromDay && day <= checkIns.toDay) {
			const last = times[Math.max(0, Math.min(perDay, times.length) - 1)] ?? '19:00';
			// In the evening, after the day's practice: how the day went.
			const at = `${date}T${last > '19:00' ? last : '19:00'}` as LocalDateTime;
			items.push({
				key: `d${day}-check-in`,
				day,
				date,
				kind: 'check-in',
				at,
				until: `${date}T23:59`,
				practice: null,
				title: 'Check in: how are the days going?'
			});
		}
		// Nothing suggested before the session has closed (a session late at night ends the next day).
		const after = items.filter((item) => compareLocal(item.at, sessionEnd) >= 0);
		days.push({ day, date, stage: STAGE_OF(day), items: applyEdits(after, settings.edits) });
	}

	let nextSession: PlanItem | null = null;
	if (settings.nextSessionAt && compareLocal(settings.nextSessionAt, sessionEnd) > 0) {
		const date = dateOf(settings.nextSessionAt);
		nextSession = {
			key: 'next-session',
			day: daysBetween(sessionDate, date),
			date,
			kind: 'next-session',
			at: settings.nextSessionAt,
			until: addHours(settings.nextSessionAt, 1),
			practice: null,
			title: 'Your next integration session'
		};
		const inPlan = days.find((day) => day.date === date);
		if (inPlan) (inPlan.items as PlanItem[]).push(nextSession);
		else days.push({ day: nextSession.day, date, stage: 'next-session', items: [nextSession] });
	}
	for (const day of days) (day.items as PlanItem[]).sort((a, b) => compareLocal(a.at, b.at));
	const items = days.flatMap((day) => day.items).sort((a, b) => compareLocal(a.at, b.at));
	return { sessionAt, days, nextSession, items };
}

function applyEdits(items: readonly PlanItem[], edits: Record<string, ItemEdit>): PlanItem[] {
	const kept: PlanItem[] = [];
	for (const item of items) {
		const edit = edits[item.key];
		if (edit?.removed) continue;
		let changed = item;
		if (edit?.time && item.kind !== 'preparation' && item.day > 0) {
			changed = { ...changed, at: `${item.date}T${edit.time}` };
		}
		if (edit?.practice && item.kind === 'practice') {
			changed = { ...changed, practice: { ref: edit.practice, title: item.practice?.title ?? '' } };
		}
		kept.push(changed);
	}
	return kept;
}

/** The practice an edit chose, with its title, where it is on this device; else the item as it was. */
export function resolvePractices(plan: Plan, available: readonly AvailablePractice[]): Plan {
	const resolve = (item: PlanItem): PlanItem => {
		if (!item.practice) return item;
		const found = available.find((practice) => samePractice(practice.ref, item.practice!.ref));
		return found ? { ...item, practice: found } : { ...item, practice: null };
	};
	const days = plan.days.map((day) => ({ ...day, items: day.items.map(resolve) }));
	return { ...plan, days, items: days.flatMap((day) => day.items).sort((a, b) => compareLocal(a.at, b.at)) };
}

export interface Today {
	/** Where the person is in the plan. */
	readonly stage: 'before' | PlanStage | 'after';
	/** The plan's day (0 the session day, 1–14 after); null before the session's date and after the plan. */
	readonly day: number | null;
	readonly date: LocalDate;
	/** What is suggested now, in time order: today's items, and the session's closing ones still open. */
	readonly items: PlanItem[];
	/** The next thing on the plan after today, for a quiet "next" line. */
	readonly next: PlanItem | null;
}

/** What the plan suggests at `now` (the device's wall clock). */
export function todayOf(plan: Plan, now: LocalDateTime): Today {
	const date = dateOf(now);
	const dayNumber = daysBetween(dateOf(plan.sessionAt), date);
	// The session day's closing items stay from the session's start until their window closes,
	// past midnight for a late session.
	const items = plan.items.filter(
		(item) =>
			item.date === date ||
			(item.day === 0 && compareLocal(plan.sessionAt, now) <= 0 && compareLocal(now, item.until) <= 0)
	);
	// A session day's preparation is for before the session; afterwards it has done its work.
	const shown = items.filter((item) => item.kind !== 'preparation' || compareLocal(now, item.until) <= 0);
	const next = plan.items.find((item) => item.date > date) ?? null;
	let stage: Today['stage'];
	if (dayNumber < 0) stage = 'before';
	else if (dayNumber <= PLAN_DAYS) stage = STAGE_OF(dayNumber);
	else if (plan.nextSession && date <= plan.nextSession.date) stage = 'next-session';
	else stage = 'after';
	const day = dayNumber >= 0 && dayNumber <= PLAN_DAYS ? dayNumber : null;
	return { stage, day, date, items: shown, next };
}

/** The plan a client starts from a session time, with Grounded's own rules. */
export function newPlanSettings(
	sessionAt: LocalDateTime,
	template?: PlanTemplate | null,
	from?: string | null
): PlanSettings {
	return {
		version: 1,
		sessionAt,
		nextSessionAt: template?.nextSessionAt ?? null,
		practiceTimes: [...DEFAULT_PRACTICE_TIMES],
		rules: template && template.rules.length > 0 ? template.rules.map((rule) => ({ ...rule })) : null,
		checkIns: template?.checkIns ?? { ...DEFAULT_CHECK_INS },
		edits: {},
		from: template ? (from ?? null) : null
	};
}

/** The plan with the session moved: the days follow it, the client's own edits stay. */
export function withSessionAt(settings: PlanSettings, sessionAt: LocalDateTime): PlanSettings {
	return { ...settings, sessionAt };
}

// ——— reading plans from outside ———

const localDateTime = (what: string) =>
	v.pipe(
		v.string(`${what} must be a date and time.`),
		v.check(isLocalDateTime, `${what} is not a date and time Grounded can read.`)
	);
const localTime = v.pipe(v.string(), v.check(isLocalTime, 'A practice time is not a time of day.'));
const dayNumber = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(PLAN_DAYS));
const practiceRef = v.variant('kind', [
	v.object({ kind: v.literal('script'), id: v.pipe(v.string(), v.nonEmpty(), v.maxLength(80)) }),
	v.object({ kind: v.literal('breathing'), from: v.nullable(v.pipe(v.string(), v.maxLength(80))) })
]);
const ruleSchema = v.pipe(
	v.object({
		fromDay: dayNumber,
		toDay: dayNumber,
		perDay: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_PRACTICES_PER_DAY)),
		practices: v.pipe(v.array(practiceRef), v.maxLength(20))
	}),
	v.check((rule) => rule.fromDay <= rule.toDay, 'A rule of the plan ends before it begins.')
);
const checkInsSchema = v.nullable(
	v.pipe(
		v.object({ fromDay: dayNumber, toDay: dayNumber }),
		v.check((range) => range.fromDay <= range.toDay, 'The check-in days end before they begin.')
	)
);
const rulesSchema = v.pipe(v.array(ruleSchema), v.maxLength(PLAN_DAYS, 'The plan has too many rules.'));

const templateSchema = v.object({
	version: v.literal(1, 'This plan was made by a newer Grounded.'),
	sessionAt: v.nullable(localDateTime('The session’s time')),
	nextSessionAt: v.nullable(localDateTime('The next session’s time')),
	rules: rulesSchema,
	checkIns: checkInsSchema
});

const settingsSchema = v.object({
	version: v.literal(1),
	sessionAt: localDateTime('The session’s time'),
	nextSessionAt: v.nullable(localDateTime('The next session’s time')),
	practiceTimes: v.pipe(v.array(localTime), v.maxLength(MAX_PRACTICES_PER_DAY)),
	rules: v.nullable(rulesSchema),
	checkIns: checkInsSchema,
	edits: v.record(
		v.pipe(v.string(), v.regex(/^(d\d{1,2}-[a-z0-9-]{1,20}|next-session)$/)),
		v.object({ time: v.optional(localTime), practice: v.optional(practiceRef), removed: v.optional(v.boolean()) })
	),
	from: v.nullable(v.pipe(v.string(), v.maxLength(80)))
});

function firstMessage(issues: readonly { message: string }[], fallback: string): string {
	const message = issues[0]?.message ?? '';
	return message && !message.startsWith('Invalid') ? message : fallback;
}

/** A therapist's plan from a pack; refused whole, in plain words, when any part of it is wrong. */
export function parsePlanTemplate(input: unknown): Result<PlanTemplate> {
	const parsed = v.safeParse(templateSchema, input);
	if (!parsed.success) {
		return {
			ok: false,
			reason: `The plan can’t be used. ${firstMessage(parsed.issues, 'A value is missing or of the wrong kind.')}`
		};
	}
	return { ok: true, value: parsed.output as PlanTemplate };
}

/** The stored plan, or a reason it can't be read (the stored value is then left as it is). */
export function parsePlanSettings(input: unknown): Result<PlanSettings> {
	const parsed = v.safeParse(settingsSchema, input);
	if (!parsed.success) {
		return {
			ok: false,
			reason: `Your plan could not be read. ${firstMessage(parsed.issues, 'A value is missing or of the wrong kind.')}`
		};
	}
	return { ok: true, value: parsed.output as PlanSettings };
}

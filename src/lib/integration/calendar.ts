/**
 * The integration plan as a calendar file (RFC 5545 .ics), so that the practices, check-ins and
 * the next session can sit in the person's own calendar with a quiet reminder before each.
 *
 * Every event starts at a floating time: "09:00" on the person's own clock wherever they are, as
 * the plan means it (plan.ts), so a morning practice stays at nine across a daylight-saving change
 * or a journey. Each event's UID is made from the session's date and the item's key, so importing
 * the file again updates the events rather than doubling them.
 *
 * The `ics` library validates with yup, which is large: load this module with `import()` when the
 * person asks for the file, never from a page's first bundle.
 *
 * @example
 * const { planCalendar, CALENDAR_FILE_NAME, CALENDAR_MIME } = await import('$lib/integration/calendar');
 * const made = planCalendar(plan, { now: new Date(), alarmMinutesBefore: 10 });
 * if (made.ok) share(new File([made.value], CALENDAR_FILE_NAME(plan), { type: CALENDAR_MIME }));
 */
import { createEvents, type Alarm, type EventAttributes } from 'ics';
import type { Result } from '../result';
import {
	compareLocal,
	dateOf,
	wallClockOf,
	type LocalDateTime,
	type Plan,
	type PlanItem,
	type PlanItemKind
} from './plan';

/** Minutes, as a calendar counts durations and reminders. */
type Minutes = number;

export interface CalendarOptions {
	/** How long before each item its reminder shows; 10 unless set. The next session's is an hour. */
	readonly alarmMinutesBefore?: Minutes;
	/** Items before this moment are left out; the device's clock unless set. */
	readonly now?: Date;
	/** The app's address, linked from each event. */
	readonly appUrl?: string;
}

export const CALENDAR_MIME = 'text/calendar';
export const DEFAULT_ALARM_MINUTES: Minutes = 10;
/** The next session's reminder: time to get there, or to settle before a call. */
export const NEXT_SESSION_ALARM_MINUTES: Minutes = 60;

const PRODUCT_ID = 'grounded/integration-plan';
const CALENDAR_NAME = 'Grounded: integration plan';
const UID_DOMAIN = 'grounded.local';
const OPEN_APP = 'Open Grounded on your phone.';

type CalendarKind = Exclude<PlanItemKind, 'preparation'>;

/** What each kind of item becomes in the calendar. Words are gentle: an offer, never a task. */
const EVENT_OF: Record<CalendarKind, { minutes: Minutes; title: (item: PlanItem) => string; description: string }> = {
	practice: {
		minutes: 15,
		title: (item) => `Grounded: ${item.practice?.title || 'a short practice'}`,
		description: `A few minutes of breathing or grounding, when it suits you. ${OPEN_APP}`
	},
	'check-in': {
		minutes: 5,
		title: () => 'Grounded: check in',
		description: `A moment to notice how the days are going. There are no right answers. ${OPEN_APP}`
	},
	journal: {
		minutes: 20,
		title: () => 'Grounded: a few words about the session',
		description: `If you would like to, write or speak a few words about the session while it is fresh. ${OPEN_APP}`
	},
	'close-grounding': {
		minutes: 20,
		title: () => 'Grounded: close the session with grounding',
		description: `A slow close to the session: the breath, the body, the room around you. ${OPEN_APP}`
	},
	'next-session': {
		minutes: 60,
		title: () => 'Integration session',
		description: 'Your next integration session. You might bring a few words from your journal, if you like.'
	}
};

const isCalendarKind = (kind: PlanItemKind): kind is CalendarKind => kind !== 'preparation';

/** "grounded-plan-2026-12-05.ics", by the session's date. */
export function CALENDAR_FILE_NAME(plan: Plan): string {
	return `grounded-plan-${dateOf(plan.sessionAt)}.ics`;
}

/** The same item of the same plan has the same UID in every export. */
export function calendarUid(plan: Plan, item: PlanItem): string {
	return `${dateOf(plan.sessionAt)}-${item.key}@${UID_DOMAIN}`;
}

/**
 * "20261207T090000": an RFC 5545 floating date-time, written by hand. Given an array and
 * `startOutputType: 'local'`, `ics` goes through a JavaScript Date in the device's time zone, and a
 * time inside the spring-forward gap (02:15 on 2026-03-29 in Berlin) comes out an hour later; a
 * string is written as it is.
 */
function floating(dateTime: LocalDateTime): string {
	return `${dateTime.replaceAll('-', '').replace(':', '')}00`;
}

/** RFC 5545 TEXT escaping (3.3.11); `ics` turns line breaks into "\\n" itself. */
function escapeText(text: string): string {
	return text.replace(/[\\;,]/g, (mark) => `\\${mark}`);
}

/** "in 10 minutes", "in an hour". */
function inTime(minutes: Minutes): string {
	if (minutes === 60) return 'in an hour';
	if (minutes % 60 === 0) return `in ${minutes / 60} hours`;
	return minutes === 1 ? 'in a minute' : `in ${minutes} minutes`;
}

/**
 * The plan's practices, check-ins, session-day close and journal, and the next session, from `now`
 * on, as the text of an .ics file. The preparation card is left out: it is read before the session,
 * in the app.
 */
export function planCalendar(plan: Plan, options: CalendarOptions = {}): Result<string> {
	const moment = options.now ?? new Date();
	const now = wallClockOf(moment);
	// `ics` writes a zero duration as "PT", which is not valid RFC 5545; a minute is the least.
	const requested = options.alarmMinutesBefore ?? DEFAULT_ALARM_MINUTES;
	const alarmMinutes = Number.isFinite(requested) ? Math.max(1, Math.round(requested)) : DEFAULT_ALARM_MINUTES;
	const stamp = moment.getTime();

	const events: EventAttributes[] = [];
	for (const item of plan.items) {
		const kind = item.kind;
		if (!isCalendarKind(kind) || compareLocal(item.at, now) < 0) continue;
		const shape = EVENT_OF[kind];
		const title = shape.title(item);
		const before = kind === 'next-session' ? NEXT_SESSION_ALARM_MINUTES : alarmMinutes;
		const alarm: Alarm = {
			action: 'display',
			// `ics` escapes SUMMARY and DESCRIPTION of an event but not of an alarm: done here.
			description: escapeText(`${title}, ${inTime(before)}.`),
			trigger: { minutes: before, before: true }
		};
		// `timestamp` (DTSTAMP) is read by `ics` but missing from its types; without it the stamp is
		// the machine's clock, and two exports at the same `now` would differ.
		const event: EventAttributes & { timestamp: number } = {
			uid: calendarUid(plan, item),
			// The types are kept as a statement of intent; with a string start `ics` writes it as it is.
			start: floating(item.at),
			startInputType: 'local',
			startOutputType: 'local',
			duration: { minutes: shape.minutes },
			title,
			description: shape.description,
			...(options.appUrl ? { url: options.appUrl } : {}),
			// A short practice leaves the person free; the session takes their time.
			transp: kind === 'next-session' ? 'OPAQUE' : 'TRANSPARENT',
			// Shown as "busy" only, where the calendar is shared: what it is for is the person's own.
			classification: 'PRIVATE',
			alarms: [alarm],
			timestamp: stamp
		};
		events.push(event);
	}
	if (events.length === 0) {
		return { ok: false, reason: 'Nothing on the plan is still ahead, so there is nothing to add to a calendar.' };
	}

	const made = createEvents(events, { productId: PRODUCT_ID, calName: CALENDAR_NAME });
	if (made.error || !made.value) {
		// `ics` returns a copy of yup's ValidationError: its message names the field ("url must match…").
		const badAddress = /\burl\b/.test(made.error?.message ?? '');
		return {
			ok: false,
			reason: badAddress
				? 'The calendar file could not be made. The app’s address is not one a calendar can link to.'
				: 'The calendar file could not be made. Something in the plan was not as the calendar expects.'
		};
	}
	return { ok: true, value: made.value };
}

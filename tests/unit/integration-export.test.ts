// The calendar's times are floating wall-clock times; the time zone is set here, before any Date is
// made, so that a plan across the EU daylight-saving change (2026-03-29) is tested on a real one.
process.env.TZ = 'Europe/Berlin';

import { strFromU8, unzipSync } from 'fflate';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { CALENDAR_FILE_NAME, planCalendar } from '../../src/lib/integration/calendar';
import {
	journalExportFileName,
	journalMarkdown,
	journalZip,
	voiceFileName,
	type ExportableEntry
} from '../../src/lib/integration/journal-export';
import {
	buildPlan,
	newPlanSettings,
	type AvailablePractice,
	type LocalDateTime,
	type Plan,
	type PlanItem
} from '../../src/lib/integration/plan';

const PRACTICES: AvailablePractice[] = [
	{
		ref: { kind: 'script', id: 'arriving-breath' },
		// Long enough that `ics` folds the SUMMARY line.
		title: 'Arriving with the breath, slowly, with the sounds of the room around you, and then resting'
	},
	{ ref: { kind: 'breathing', from: null }, title: 'Slow breathing' },
	{ ref: { kind: 'script', id: 'closing-session' }, title: 'Closing a medicine session' }
];

const LONG_AGO = new Date(2026, 0, 1);

function planAt(sessionAt: LocalDateTime, nextSessionAt: LocalDateTime | null = null): Plan {
	return buildPlan({ ...newPlanSettings(sessionAt), nextSessionAt }, PRACTICES);
}

interface ParsedEvent {
	readonly event: ICAL.Event;
	readonly component: ICAL.Component;
}

function parse(text: string): { calendar: ICAL.Component; events: ParsedEvent[] } {
	const calendar = new ICAL.Component(ICAL.parse(text));
	const events = calendar.getAllSubcomponents('vevent').map((component) => ({
		component,
		event: new ICAL.Event(component)
	}));
	return { calendar, events };
}

function exported(plan: Plan, options: Parameters<typeof planCalendar>[1] = { now: LONG_AGO }): string {
	const made = planCalendar(plan, options);
	if (!made.ok) throw new Error(made.reason);
	return made.value;
}

/** The items a calendar should hold: everything but the preparation card, from `now` on. */
const expectedItems = (plan: Plan, from: LocalDateTime = '0000-01-01T00:00') =>
	plan.items.filter((item) => item.kind !== 'preparation' && item.at >= from);

/** The event's start as a wall-clock string, "2026-12-07T09:00". */
function wallClockStart(event: ICAL.Event): string {
	const start = event.startDate;
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${start.year}-${pad(start.month)}-${pad(start.day)}T${pad(start.hour)}:${pad(start.minute)}`;
}

function expectFloatingStarts(text: string, items: readonly PlanItem[]): void {
	const { events } = parse(text);
	expect(events.map((e) => wallClockStart(e.event))).toEqual(items.map((item) => item.at));
	for (const { event, component } of events) {
		expect(event.startDate.zone.tzid).toBe('floating');
		expect(event.startDate.second).toBe(0);
		expect(component.getFirstProperty('dtstart')!.getParameter('tzid')).toBeUndefined();
	}
	// As written: DTSTART with no Z and no TZID.
	const starts = text.split('\r\n').filter((line) => line.startsWith('DTSTART'));
	expect(starts).toHaveLength(items.length);
	for (const line of starts) expect(line).toMatch(/^DTSTART:\d{8}T\d{6}$/);
}

describe('the plan as a calendar', () => {
	const plan = planAt('2026-12-05T10:00', '2026-12-19T16:00');

	it('holds one event per item but the preparation, at its wall-clock time, in time order', () => {
		const text = exported(plan);
		const items = expectedItems(plan);
		expect(items.map((item) => item.kind)).toContain('next-session');
		expect(items.length).toBe(plan.items.length - 1);
		expectFloatingStarts(text, items);
		const { events } = parse(text);
		expect(events.map((e) => e.event.summary)).not.toContain('Read your preparation card');
	});

	it('gives each kind its length, title and a gentle description', () => {
		const { events } = parse(exported(plan));
		const byKey = new Map(expectedItems(plan).map((item, i) => [item.key, events[i]!.event]));
		const minutes = (key: string) => byKey.get(key)!.duration.toSeconds() / 60;
		expect(minutes('d1-p1')).toBe(15);
		expect(minutes('d4-check-in')).toBe(5);
		expect(minutes('d0-journal')).toBe(20);
		expect(minutes('d0-close')).toBe(20);
		expect(minutes('next-session')).toBe(60);

		const practice = expectedItems(plan).find((item) => item.key === 'd1-p1')!;
		// The long title is folded by `ics` and unfolded whole by a reader.
		expect(byKey.get('d1-p1')!.summary).toBe(`Grounded: ${practice.practice!.title}`);
		expect(byKey.get('d4-check-in')!.summary).toBe('Grounded: check in');
		expect(byKey.get('d0-journal')!.summary).toBe('Grounded: a few words about the session');
		expect(byKey.get('next-session')!.summary).toBe('Integration session');
		expect(byKey.get('d1-p1')!.description).toBe(
			'A few minutes of breathing or grounding, when it suits you. Open Grounded on your phone.'
		);
		for (const event of events) {
			expect(event.event.description).toBeTruthy();
			expect(event.event.description.toLowerCase()).not.toMatch(/missed|streak|don.t forget|must|should/);
		}
	});

	it('names a practice without a title as a short practice', () => {
		const bare = buildPlan(newPlanSettings('2026-12-05T10:00'), []);
		const { events } = parse(exported(bare));
		expect(events.find((e) => e.event.uid === '2026-12-05-d1-p1@grounded.local')!.event.summary).toBe(
			'Grounded: a short practice'
		);
	});

	it('keeps commas, semicolons and backslashes in a title, in the event and its reminder', () => {
		const title = 'Breath; body, and the room \\ around';
		const odd = buildPlan(newPlanSettings('2026-12-05T10:00'), [{ ref: { kind: 'script', id: 'odd' }, title }]);
		const { component, event } = parse(exported(odd)).events.find(
			(e) => e.event.uid === '2026-12-05-d1-p1@grounded.local'
		)!;
		expect(event.summary).toBe(`Grounded: ${title}`);
		const alarm = component.getFirstSubcomponent('valarm')!;
		expect(alarm.getFirstPropertyValue('description')).toBe(`Grounded: ${title}, in 10 minutes.`);
		// As written (ical.js forgives an unescaped comma; RFC 5545 3.3.11 asks for the backslash).
		const unfolded = exported(odd).replace(/\r\n[ \t]/g, '');
		expect(unfolded).toContain(
			'\r\nDESCRIPTION:Grounded: Breath\\; body\\, and the room \\\\ around\\, in 10 minutes.\r\n'
		);
	});

	it('reminds with a display alarm before each item, an hour before the next session', () => {
		const text = exported(plan);
		const { events } = parse(text);
		for (const { event, component } of events) {
			const alarms = component.getAllSubcomponents('valarm');
			expect(alarms).toHaveLength(1);
			const alarm = alarms[0]!;
			expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
			expect(alarm.getFirstPropertyValue('description')).toBeTruthy();
			const trigger = alarm.getFirstPropertyValue('trigger') as ICAL.Duration;
			expect(trigger.toSeconds()).toBe(event.summary === 'Integration session' ? -3600 : -600);
		}
		const triggers = text.split('\r\n').filter((line) => line.startsWith('TRIGGER'));
		expect(triggers.filter((line) => line === 'TRIGGER:-PT10M')).toHaveLength(events.length - 1);

		const five = parse(exported(plan, { now: LONG_AGO, alarmMinutesBefore: 5 }));
		const first = five.events[0]!.component.getFirstSubcomponent('valarm')!;
		expect((first.getFirstPropertyValue('trigger') as ICAL.Duration).toString()).toBe('-PT5M');
	});

	it('keeps uids unique and the same from one export to the next', () => {
		const uids = (text: string) => parse(text).events.map((e) => e.event.uid);
		const first = uids(exported(plan));
		const second = uids(exported(plan, { now: new Date(2026, 1, 1, 8, 30) }));
		expect(new Set(first).size).toBe(first.length);
		expect(second).toEqual(first);
		expect(first).toContain('2026-12-05-d1-p1@grounded.local');
		expect(first).toContain('2026-12-05-next-session@grounded.local');
		for (const uid of first) expect(uid).toMatch(/^2026-12-05-[a-z0-9-]+@grounded\.local$/);
		// The same plan at the same moment is the same file, to the byte.
		expect(exported(plan)).toBe(exported(plan));
	});

	it('leaves out what is already past', () => {
		const now = new Date(2026, 11, 8, 12, 0);
		const text = exported(plan, { now });
		const items = expectedItems(plan, '2026-12-08T12:00');
		expect(items.length).toBeLessThan(expectedItems(plan).length);
		expectFloatingStarts(text, items);
		for (const { event } of parse(text).events) expect(wallClockStart(event) >= '2026-12-08T12:00').toBe(true);
	});

	it('says so in plain words when nothing is ahead, or the library refuses', () => {
		const after = planCalendar(plan, { now: new Date(2027, 0, 1) });
		expect(after.ok).toBe(false);
		const badUrl = planCalendar(plan, { now: LONG_AGO, appUrl: 'not an address' });
		expect(badUrl).toMatchObject({ ok: false });
		if (!badUrl.ok) expect(badUrl.reason).toMatch(/^The calendar file could not be made\. /);
		const withUrl = parse(exported(plan, { now: LONG_AGO, appUrl: 'https://grounded.example/' }));
		expect(withUrl.events[0]!.component.getFirstPropertyValue('url')).toBe('https://grounded.example/');
	});

	it('names the calendar and the app', () => {
		const { calendar } = parse(exported(plan));
		expect(calendar.getFirstPropertyValue('prodid')).toBe('grounded/integration-plan');
		expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Grounded: integration plan');
		expect(CALENDAR_FILE_NAME(plan)).toBe('grounded-plan-2026-12-05.ics');
	});

	it('keeps a late session’s close and journal after midnight, at their own times', () => {
		const late = planAt('2026-12-05T23:30');
		const items = expectedItems(late);
		expect(items.slice(0, 2).map((item) => item.at)).toEqual(['2026-12-06T02:15', '2026-12-06T02:30']);
		expectFloatingStarts(exported(late), items);
	});

	it('keeps a 09:00 practice at 09:00 across the daylight-saving change', () => {
		const spring = planAt('2026-03-25T10:00');
		const text = exported(spring);
		expectFloatingStarts(text, expectedItems(spring));
		const nine = parse(text)
			.events.map((e) => e.event)
			.filter((event) => ['2026-03-28', '2026-03-29', '2026-03-30'].includes(wallClockStart(event).slice(0, 10)))
			.filter((event) => event.summary.startsWith('Grounded: ') && event.duration.toSeconds() === 15 * 60)
			.filter((event) => event.startDate.hour < 12);
		expect(nine.map(wallClockStart)).toEqual(['2026-03-28T09:00', '2026-03-29T09:00', '2026-03-30T09:00']);
		// On this device's clock the days around the change are 23 and 24 hours apart: it is a real change.
		const hours = (a: ICAL.Event, b: ICAL.Event) =>
			(b.startDate.toJSDate().getTime() - a.startDate.toJSDate().getTime()) / 3_600_000;
		expect(hours(nine[0]!, nine[1]!)).toBe(23);
		expect(hours(nine[1]!, nine[2]!)).toBe(24);
	});

	it('writes a time inside the spring-forward gap as the plan has it', () => {
		// 02:15 and 02:30 on 2026-03-29 do not exist in Berlin; the calendar shows what the plan says.
		const gap = planAt('2026-03-28T23:30');
		const items = expectedItems(gap);
		expect(items.slice(0, 2).map((item) => item.at)).toEqual(['2026-03-29T02:15', '2026-03-29T02:30']);
		expectFloatingStarts(exported(gap), items);
	});
});

// ——— the journal ———

const entry = (fields: Partial<ExportableEntry> & Pick<ExportableEntry, 'id' | 'date'>): ExportableEntry => ({
	version: 1,
	createdAt: Date.parse(`${fields.date}T20:00:00`),
	updatedAt: Date.parse(`${fields.date}T20:00:00`),
	day: null,
	prompt: null,
	text: '',
	voice: null,
	...fields
});

const ENTRIES: ExportableEntry[] = [
	entry({
		id: 'e3',
		date: '2026-12-08',
		day: 3,
		prompt: 'What has stayed with you?',
		text: 'The colour blue.\n# not a heading, just how it felt\n\nA second paragraph.'
	}),
	entry({
		id: 'e1',
		date: '2026-12-05',
		day: 0,
		text: 'Tired and open.\nA heading?\n---',
		voice: { mime: 'audio/webm;codecs=opus', bytes: 4, durationSeconds: 65 }
	}),
	entry({
		id: 'e2',
		date: '2026-12-06',
		day: 1,
		prompt: 'How is your body today?',
		text: '',
		voice: { mime: 'audio/mp4', bytes: 3, durationSeconds: 42.4 }
	}),
	entry({ id: 'e0', date: '2026-12-01', text: 'Before anything began.' })
];
const EXPORTED_AT = new Date(2026, 11, 9, 18, 30);

const headings = (markdown: string) => markdown.split('\n').filter((line) => /^ {0,3}#/.test(line));

describe('the journal as Markdown', () => {
	const markdown = journalMarkdown(ENTRIES, { exportedAt: EXPORTED_AT });

	it('holds every entry’s words and prompt, oldest first, with its day', () => {
		expect(
			markdown.startsWith('# My Grounded journal\n\nExported on Wednesday, 9 December 2026 from this device.')
		).toBe(true);
		expect(headings(markdown)).toEqual([
			'# My Grounded journal',
			'## Tuesday, 1 December 2026',
			'## Saturday, 5 December 2026 · the session day',
			'## Sunday, 6 December 2026 · day 1 after the session',
			'## Tuesday, 8 December 2026 · day 3 after the session'
		]);
		expect(markdown).toContain('> What has stayed with you?');
		expect(markdown).toContain('> How is your body today?');
		for (const words of ['Before anything began.', 'Tired and open.', 'The colour blue.', 'A second paragraph.']) {
			expect(markdown).toContain(words);
		}
	});

	it('keeps the person’s lines from becoming headings', () => {
		expect(markdown).toContain('\\# not a heading, just how it felt');
		// "---" under a line would make that line a heading.
		expect(markdown).toContain('A heading?  \n\\---');
		expect(markdown).not.toMatch(/^---$/m);
	});

	it('says where a voice note is, with or without a file', () => {
		expect(markdown).toContain('Voice note (1 min 05 s): kept in Grounded on this device');
		expect(markdown).toContain('Voice note (42 s): kept in Grounded on this device');
		const linked = journalMarkdown(ENTRIES, { exportedAt: EXPORTED_AT, voiceFileOf: voiceFileName });
		expect(linked).toContain('Voice note (1 min 05 s): [voice/2026-12-05-e1.webm](voice/2026-12-05-e1.webm)');
		expect(linked).toContain('Voice note (42 s): [voice/2026-12-06-e2.m4a](voice/2026-12-06-e2.m4a)');
	});

	it('names files by date, id and the recorder’s format', () => {
		const voice = (mime: string) => voiceFileName({ ...ENTRIES[1]!, voice: { mime, bytes: 1, durationSeconds: 1 } });
		expect(voice('audio/webm')).toBe('voice/2026-12-05-e1.webm');
		expect(voice('audio/mp4')).toBe('voice/2026-12-05-e1.m4a');
		expect(voice('audio/ogg; codecs=opus')).toBe('voice/2026-12-05-e1.ogg');
		expect(voice('audio/wav')).toBe('voice/2026-12-05-e1.wav');
		expect(voice('audio/mpeg')).toBe('voice/2026-12-05-e1.mp3');
		expect(voice('audio/flac')).toBe('voice/2026-12-05-e1.audio');
		expect(journalExportFileName(EXPORTED_AT, 'md')).toBe('grounded-journal-2026-12-09.md');
		expect(journalExportFileName(EXPORTED_AT, 'zip')).toBe('grounded-journal-2026-12-09.zip');
	});
});

describe('the journal as a ZIP', () => {
	const webm = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]);
	// Only the first voice note is on hand; the second is named as kept on the device.
	const zip = journalZip(ENTRIES, new Map([['e1', webm]]), { exportedAt: EXPORTED_AT });
	const files = unzipSync(zip);

	it('holds journal.md and the voice notes, byte for byte', () => {
		expect(Object.keys(files).sort()).toEqual(['journal.md', 'voice/2026-12-05-e1.webm']);
		expect(files['voice/2026-12-05-e1.webm']).toEqual(webm);
		const markdown = strFromU8(files['journal.md']!);
		expect(markdown).toBe(
			journalMarkdown(ENTRIES, {
				exportedAt: EXPORTED_AT,
				voiceFileOf: (e) => (e.id === 'e1' ? voiceFileName(e) : null)
			})
		);
		expect(markdown).toContain('Voice note (42 s): kept in Grounded on this device');
	});

	it('links only to files that are in it', () => {
		const markdown = strFromU8(files['journal.md']!);
		const links = [...markdown.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);
		expect(links).toEqual(['voice/2026-12-05-e1.webm']);
		for (const link of links) expect(files[link]).toBeDefined();
	});
});

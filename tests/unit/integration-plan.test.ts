// The plan's days are calendar days on the person's wall clock; the time zone is set here so that
// the one place an instant meets the wall clock (wallClockOf) is tested across a real DST change.
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import {
	addDays,
	buildPlan,
	newPlanSettings,
	parsePlanSettings,
	parsePlanTemplate,
	todayOf,
	wallClockOf,
	withSessionAt,
	type AvailablePractice,
	type Plan,
	type PlanSettings
} from '../../src/lib/integration/plan';

const PRACTICES: AvailablePractice[] = [
	{ ref: { kind: 'script', id: 'arriving-breath' }, title: 'Arriving with the breath' },
	{ ref: { kind: 'breathing', from: null }, title: 'Slow breathing' },
	{ ref: { kind: 'script', id: 'closing-session' }, title: 'Closing a medicine session' }
];

const itemsOf = (plan: Plan, day: number) => plan.days.find((d) => d.day === day)?.items ?? [];
const kinds = (plan: Plan, day: number) => itemsOf(plan, day).map((item) => item.kind);

describe('the plan', () => {
	const plan = buildPlan(newPlanSettings('2026-12-05T10:00'), PRACTICES);

	it('lays out the session day, the 72 hours and the two weeks', () => {
		expect(plan.days.map((day) => day.day)).toEqual(Array.from({ length: 15 }, (_, i) => i));
		expect(kinds(plan, 0)).toEqual(['preparation', 'close-grounding', 'journal']);
		for (const day of [1, 2, 3]) expect(kinds(plan, day)).toEqual(['practice', 'practice']);
		for (let day = 4; day <= 14; day += 1) expect(kinds(plan, day)).toEqual(['practice', 'check-in']);
		expect(plan.days[1]!.stage).toBe('first-72-hours');
		expect(plan.days[4]!.stage).toBe('two-weeks');
		expect(plan.days[14]!.date).toBe('2026-12-19');
	});

	it('closes the session with grounding and asks for words within a few hours', () => {
		const [, close, journal] = itemsOf(plan, 0);
		expect(close!.practice?.ref).toEqual({ kind: 'script', id: 'closing-session' });
		expect(close!.at).toBe('2026-12-05T12:45');
		expect(journal!.at).toBe('2026-12-05T13:00');
		expect(journal!.until).toBe('2026-12-05T17:00');
	});

	it('takes the practices in turn, and a therapist’s rule picks its own', () => {
		const practices = plan.items.filter((item) => item.kind === 'practice').map((item) => item.practice?.title);
		expect(new Set(practices.slice(0, 3)).size).toBe(3);
		const set = buildPlan(
			{
				...newPlanSettings('2026-12-05T10:00'),
				rules: [{ fromDay: 1, toDay: 14, perDay: 1, practices: [{ kind: 'breathing', from: null }] }]
			},
			PRACTICES
		);
		const chosen = set.items.filter((item) => item.kind === 'practice');
		expect(chosen).toHaveLength(14);
		expect(new Set(chosen.map((item) => item.practice?.title))).toEqual(new Set(['Slow breathing']));
	});

	it('puts the next integration session on its day, inside or after the two weeks', () => {
		const inside = buildPlan({ ...newPlanSettings('2026-12-05T10:00'), nextSessionAt: '2026-12-12T16:00' }, PRACTICES);
		expect(inside.nextSession?.day).toBe(7);
		expect(kinds(inside, 7)).toContain('next-session');
		const after = buildPlan({ ...newPlanSettings('2026-12-05T10:00'), nextSessionAt: '2027-01-09T16:00' }, PRACTICES);
		expect(after.days.at(-1)).toMatchObject({ day: 35, stage: 'next-session' });
		const before = buildPlan({ ...newPlanSettings('2026-12-05T10:00'), nextSessionAt: '2026-12-01T16:00' }, PRACTICES);
		expect(before.nextSession).toBeNull();
	});
});

describe('a session at 23:30', () => {
	const plan = buildPlan(newPlanSettings('2026-12-05T23:30'), PRACTICES);

	it('keeps its closing items on the session day, running past midnight', () => {
		const journal = itemsOf(plan, 0).find((item) => item.kind === 'journal')!;
		expect(journal.date).toBe('2026-12-05');
		expect(journal.at).toBe('2026-12-06T02:30');
		expect(journal.until).toBe('2026-12-06T06:30');
	});

	it('shows the closing items after midnight, beside day 1', () => {
		const today = todayOf(plan, '2026-12-06T01:00');
		expect(today.day).toBe(1);
		expect(today.items.map((item) => item.key)).toEqual(['d0-close', 'd0-journal', 'd1-p1', 'd1-p2']);
		// In the morning the night's window has closed; day 1's practices remain.
		expect(todayOf(plan, '2026-12-06T08:00').items.map((item) => item.key)).toEqual(['d1-p1', 'd1-p2']);
	});

	it('suggests nothing before the session has ended', () => {
		const early = buildPlan({ ...newPlanSettings('2026-12-05T23:30'), practiceTimes: ['01:00', '19:00'] }, PRACTICES);
		expect(itemsOf(early, 1).map((item) => item.key)).toEqual(['d1-p2']);
		expect(itemsOf(early, 2).map((item) => item.key)).toEqual(['d2-p1', 'd2-p2']);
	});
});

describe('across a daylight-saving change', () => {
	// Clocks in Berlin go forward from 02:00 to 03:00 on 2026-03-29.
	const plan = buildPlan(newPlanSettings('2026-03-28T18:00'), PRACTICES);

	it('keeps every practice at its wall-clock time and every day a calendar day', () => {
		expect(plan.days.map((day) => day.date).slice(0, 4)).toEqual([
			'2026-03-28',
			'2026-03-29',
			'2026-03-30',
			'2026-03-31'
		]);
		for (const item of plan.items.filter((it) => it.kind === 'practice' && it.key.endsWith('p1'))) {
			expect(item.at.slice(11)).toBe('09:00');
		}
	});

	it('reads the device clock on either side of the change', () => {
		expect(wallClockOf(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-29T01:30');
		expect(wallClockOf(new Date('2026-03-29T01:30:00Z'))).toBe('2026-03-29T03:30');
		expect(wallClockOf(new Date('2026-10-25T00:30:00Z'))).toBe('2026-10-25T02:30');
		expect(wallClockOf(new Date('2026-10-25T01:30:00Z'))).toBe('2026-10-25T02:30');
		const today = todayOf(plan, wallClockOf(new Date('2026-03-29T07:00:00Z')));
		expect(today.day).toBe(1);
		expect(today.items[0]!.at).toBe('2026-03-29T09:00');
	});

	it('counts days without adding hours, over both changes of the year', () => {
		expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
		expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
		expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
	});
});

describe('a plan started late', () => {
	// The client sets it up five days after the session.
	const plan = buildPlan(newPlanSettings('2026-11-30T10:00'), PRACTICES);
	const today = todayOf(plan, '2026-12-05T08:00');

	it('begins at today’s day, with today’s practice and check-in', () => {
		expect(today.day).toBe(5);
		expect(today.stage).toBe('two-weeks');
		expect(today.items.map((item) => item.kind)).toEqual(['practice', 'check-in']);
		expect(today.next?.date).toBe('2026-12-06');
	});

	it('says where the person is before the session and after the plan', () => {
		expect(todayOf(plan, '2026-11-29T12:00')).toMatchObject({ stage: 'before', day: null });
		expect(todayOf(plan, '2026-11-30T08:30').items.map((item) => item.kind)).toEqual([
			'preparation',
			'close-grounding',
			'journal'
		]);
		expect(todayOf(plan, '2026-12-20T12:00')).toMatchObject({ stage: 'after', day: null, items: [] });
	});
});

describe('a changed session date', () => {
	const first: PlanSettings = {
		...newPlanSettings('2026-12-05T10:00'),
		practiceTimes: ['08:30', '20:00'],
		edits: {
			'd2-p1': { time: '07:15' },
			'd3-p2': { removed: true },
			'd5-p1': { practice: { kind: 'breathing', from: null } }
		}
	};
	const moved = withSessionAt(first, '2026-12-08T14:00');
	const plan = buildPlan(moved, PRACTICES);

	it('moves every day with the session', () => {
		expect(plan.days[0]!.date).toBe('2026-12-08');
		expect(plan.days[14]!.date).toBe(addDays('2026-12-08', 14));
		expect(plan.items.filter((item) => item.date < '2026-12-08')).toEqual([]);
	});

	it('keeps the client’s own times and changes', () => {
		expect(itemsOf(plan, 1)[0]!.at).toBe('2026-12-09T08:30');
		expect(itemsOf(plan, 2)[0]!.at).toBe('2026-12-10T07:15');
		expect(itemsOf(plan, 3).map((item) => item.key)).toEqual(['d3-p1']);
		expect(itemsOf(plan, 5)[0]!.practice?.ref).toEqual({ kind: 'breathing', from: null });
	});

	it('survives being stored and read back', () => {
		const back = parsePlanSettings(JSON.parse(JSON.stringify(moved)));
		expect(back).toEqual({ ok: true, value: moved });
	});
});

describe('plans from outside', () => {
	it('refuses a damaged stored plan in plain words', () => {
		for (const bad of [
			null,
			'plan',
			[],
			{ version: 2 },
			{ ...newPlanSettings('2026-12-05T10:00'), sessionAt: '2026-02-30T10:00' }
		]) {
			const parsed = parsePlanSettings(bad);
			expect(parsed.ok).toBe(false);
			if (!parsed.ok) expect(parsed.reason).toMatch(/^Your plan could not be read\./);
		}
	});

	it('reads a therapist’s plan and refuses one that can’t be used', () => {
		const template = {
			version: 1,
			sessionAt: '2026-12-05T10:00',
			nextSessionAt: null,
			rules: [{ fromDay: 1, toDay: 7, perDay: 2, practices: [{ kind: 'script', id: 'weight-of-body' }] }],
			checkIns: { fromDay: 2, toDay: 14 }
		};
		expect(parsePlanTemplate(template).ok).toBe(true);
		const backwards = parsePlanTemplate({ ...template, rules: [{ ...template.rules[0], fromDay: 9 }] });
		expect(backwards).toEqual({
			ok: false,
			reason: 'The plan can’t be used. A rule of the plan ends before it begins.'
		});
		expect(parsePlanTemplate({ ...template, version: 2 })).toMatchObject({ ok: false });
		expect(parsePlanTemplate({ ...template, rules: [{ ...template.rules[0], perDay: 9 }] }).ok).toBe(false);
	});
});

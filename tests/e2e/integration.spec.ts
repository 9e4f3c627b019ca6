/**
 * Integration at home, on the client's device, with the clock set to the days after a session:
 * the plan is set and today's practice shows on the home page; a practice run to its end is
 * marked done; a journal entry with a voice note (Chromium's fake microphone) survives a reload
 * and a cut network, and search finds it; three days of check-ins show on the chart, and one at
 * the bottom of the mood scale brings the support card; the calendar file is read by an
 * independent parser (ical.js) and matches the plan; the Markdown export holds the entries; and
 * "Erase all my data" leaves nothing of it behind.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { buildPlan, newPlanSettings, type AvailablePractice } from '../../src/lib/integration/plan';
import { goOffline, waitUntilControlled } from '../support/offline-network';
import { installAudioTap, waitForSoundingContext } from '../support/audio-tap';

test.describe.configure({ timeout: 180_000 });
// Dates below are the wall clock in UTC; the plan itself never depends on the zone.
test.use({ timezoneId: 'UTC' });

const at = (wallClock: string) => new Date(`${wallClock}:00Z`);

async function setClock(page: Page, wallClock: string): Promise<void> {
	await page.clock.setFixedTime(at(wallClock));
}

/** The pacer as set on this device: one quick breath, so a plan's breathing practice ends in seconds. */
async function quickPacer(page: Page): Promise<void> {
	await page.goto('/breathe/');
	await page.getByRole('radio', { name: 'Your own pattern' }).check();
	await page.getByLabel('Breathe in (seconds)').fill('1');
	await page.getByLabel('Hold (seconds)').fill('0');
	await page.getByLabel('Breathe out (seconds)').fill('1');
	await page.getByLabel('Rest (seconds)').fill('0');
	await page.getByRole('radio', { name: 'Breaths', exact: true }).check();
	await page.getByLabel('How many breaths').fill('1');
	await page.getByLabel('How many breaths').blur();
	await page.waitForTimeout(600);
}

async function checkIn(page: Page, day: string, mood: number): Promise<void> {
	await setClock(page, `${day}T20:00`);
	await page.goto('/integration/check-in/');
	await page.getByLabel(/^Mood/).fill(String(mood));
	await page.getByLabel(/^Sleep/).fill('6');
	await page.getByLabel(/^Ease in the body/).fill('7');
	await page.getByLabel(/^Connection/).fill('5');
	await page.getByRole('button', { name: 'Save the check-in' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Today’s check-in is kept' })).toBeVisible();
}

test('a plan for the days after a session: today, the journal, check-ins, the calendar, and erasing it all', async ({
	page,
	context
}) => {
	await installAudioTap(context);
	await setClock(page, '2026-12-05T08:00');
	await quickPacer(page);
	await page.goto('/');
	await page.getByRole('button', { name: 'I’m a client, practising at home' }).click();
	await page.getByRole('link', { name: 'Set the date of your session' }).click();

	// The session: today at 10:00, with the next integration session a week later.
	await page.getByLabel('Date of the session').fill('2026-12-05');
	await page.getByLabel('Time it begins').fill('10:00');
	await page.getByLabel('Next integration session (optional)').fill('2026-12-12');
	await page.getByRole('button', { name: 'Set the plan' }).click();
	await expect(page.getByText('Your plan is set.')).toBeVisible();
	const today = page.getByRole('region', { name: 'Today' });
	await expect(today.getByRole('heading', { name: 'Read your preparation card' })).toBeVisible();
	await expect(today.getByRole('heading', { name: 'Close with grounding' })).toBeVisible();

	// Day 1: two practices on the home page, the pacer's own breathing first, started with one tap.
	await setClock(page, '2026-12-06T09:30');
	await page.goto('/');
	const homeToday = page.getByRole('region', { name: 'Today' });
	await expect(homeToday.getByRole('heading', { name: 'A short practice' })).toHaveCount(2);
	// The client's own change to the second: kept on the plan, and shown on the home page.
	await page.goto('/integration/');
	await page
		.getByLabel(/^Practice for a short practice, Day 1/)
		.nth(1)
		.selectOption({ label: 'Orienting to the room' });
	await page.goto('/');
	await expect(homeToday.getByText(/^Orienting to the room · /)).toBeVisible();
	await homeToday.getByRole('link', { name: 'Begin “Slow breathing”' }).click();
	await expect(page).toHaveURL(/\/breathe\/\?plan=d1-p1%402026-12-06|\/breathe\/\?plan=d1-p1@2026-12-06/);
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByText('Practice complete.')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText('Marked done on your plan.')).toBeVisible();
	await page.getByRole('link', { name: 'Back to today' }).click();
	await expect(
		page.getByRole('region', { name: 'Today' }).getByRole('checkbox', { name: 'Done “Slow breathing”' })
	).toBeChecked();

	// The journal: words and a voice note, kept through a reload and a cut network, found by search.
	await page.goto('/integration/journal/');
	await page.getByRole('button', { name: 'Write or speak an entry' }).click();
	await page.getByRole('button', { name: /^Take a prompt/ }).click();
	await page.getByLabel('Your words').fill('The river again, and my grandmother’s kitchen.');
	await page.getByRole('button', { name: 'Record a voice note' }).click();
	await expect(page.getByText(/Recording… 2 s/)).toBeVisible({ timeout: 8_000 });
	await page.getByRole('button', { name: 'Stop recording' }).click();
	await expect(page.getByText(/A new voice note, \d+ s\./)).toBeVisible({ timeout: 10_000 });
	await page.getByRole('button', { name: 'Save the entry' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'The entry is saved on this device.' })).toBeVisible();
	await waitUntilControlled(page);
	await page.reload();
	const entries = page.getByTestId('journal-entries');
	await expect(entries.getByText('The river again')).toBeVisible();
	const cut = await goOffline(context);
	await page.reload();
	await expect(entries.getByText('The river again')).toBeVisible();
	// The voice note plays from this device: the fake microphone's beeps are heard at the output.
	await entries.getByRole('button', { name: /^Listen to the voice note, \d+ s/ }).click();
	await waitForSoundingContext(page, []);
	await expect(entries.getByRole('button', { name: /^Stop the voice note/ })).toBeVisible();
	await page.getByLabel('Search your entries').fill('grandmother KITCHEN');
	await expect(page.getByText('1 entry found.')).toBeVisible();
	await page.getByLabel('Search your entries').fill('ocean');
	await expect(page.getByText('No entry has those words.')).toBeVisible();
	await page.getByLabel('Search your entries').fill('');
	// Delete and Undo bring it back, voice note and all.
	await entries.getByRole('button', { name: /^Delete the entry/ }).click();
	await expect(entries.getByText('The river again')).toHaveCount(0);
	await page.getByRole('button', { name: 'Undo' }).click();
	await expect(entries.getByText('The river again')).toBeVisible();
	await cut.restore();

	const markdown = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save as text (Markdown)' }).click();
	const markdownText = readFileSync(await (await markdown).path(), 'utf8');
	expect(markdownText).toContain('# My Grounded journal');
	expect(markdownText).toContain('The river again, and my grandmother’s kitchen.');
	expect(markdownText).toMatch(/Voice note \(/);

	// Three days of check-ins; the last at the bottom of the mood scale.
	await checkIn(page, '2026-12-09', 6);
	await checkIn(page, '2026-12-10', 4);
	await checkIn(page, '2026-12-11', 0);
	const support = page.getByRole('region', { name: 'It sounds like today is hard' });
	await expect(support).toBeVisible();
	await expect(support).toContainText('Grounded tells no one');
	await expect(support).toContainText('emergency');
	const chart = page.getByTestId('check-in-chart');
	for (const date of ['2026-12-09', '2026-12-10', '2026-12-11'])
		await expect(chart.locator(`circle[data-date="${date}"]`)).toHaveCount(4);
	await expect(page.locator('#chart-description p')).toHaveCount(3);
	await expect(page.locator('#chart-description')).toContainText('mood 0');

	// The calendar file, read by ical.js: every event is an item of the plan, at its wall-clock time.
	await page.goto('/integration/');
	const calendar = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save the plan as a calendar file' }).click();
	const ics = readFileSync(await (await calendar).path(), 'utf8');
	const events = new ICAL.Component(ICAL.parse(ics))
		.getAllSubcomponents('vevent')
		.map((component) => new ICAL.Event(component));
	const practices: AvailablePractice[] = [{ ref: { kind: 'breathing', from: null }, title: 'Slow breathing' }];
	const settings = { ...newPlanSettings('2026-12-05T10:00'), nextSessionAt: '2026-12-12T16:00' };
	const plan = buildPlan(settings, practices);
	const ahead = plan.items.filter((item) => item.kind !== 'preparation' && item.at >= '2026-12-11T20:00');
	expect(events.map((event) => event.startDate.toString().slice(0, 16)).sort()).toEqual(
		ahead.map((item) => item.at).sort()
	);
	expect(events.every((event) => event.component.getFirstSubcomponent('valarm') !== null)).toBe(true);

	// "Save a copy of my data" holds the journal; "Erase all my data" leaves none of it.
	await page.goto('/privacy/');
	const copyDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save a copy of my data' }).click();
	const copy = JSON.parse(readFileSync(await (await copyDownload).path(), 'utf8')) as { data: Record<string, unknown> };
	const keys = Object.keys(copy.data);
	expect(keys.filter((key) => key.startsWith('journal-entry:'))).toHaveLength(1);
	expect(keys.filter((key) => key.startsWith('journal-voice:'))).toHaveLength(1);
	expect(keys.filter((key) => key.startsWith('check-in:'))).toHaveLength(3);
	expect(keys).toContain('integration-plan');
	await page.getByRole('button', { name: 'Erase all my data' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Erase everything' }).click();
	await expect(page.getByRole('status')).toContainText('has been erased');
	await page.goto('/integration/');
	await expect(page.getByRole('heading', { name: 'When is your session?' })).toBeVisible();
	await page.goto('/integration/journal/');
	await expect(page.getByText('No entries yet.')).toBeVisible();
	const left = await page.evaluate(async () => {
		const open = indexedDB.open('grounded');
		const db = await new Promise<IDBDatabase>((resolve) => (open.onsuccess = () => resolve(open.result)));
		if (!db.objectStoreNames.contains('keyval')) return [];
		const keys = await new Promise<IDBValidKey[]>((resolve) => {
			const request = db.transaction('keyval').objectStore('keyval').getAllKeys();
			request.onsuccess = () => resolve(request.result);
		});
		db.close();
		return keys.map(String);
	});
	expect(left.filter((key) => /^(journal-|check-in:|integration-|preparation)/.test(key))).toEqual([]);
});

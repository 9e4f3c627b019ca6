/**
 * Every page of the built app, in the states a person meets it in, checked with axe-core: no
 * violation that axe rates serious or critical (WCAG A/AA and best practice alike); and on the way,
 * no page error, console error, failed request or error response (the check every engine makes in
 * tests/engines, made here for Chromium on the same walk). The pages are
 * visited in one journey on one page, so that the states that need something made first (an
 * imported track, an own script, an own playlist with items) exist when they are checked.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { file, wav } from '../support/wav';

test.describe.configure({ timeout: 90_000 });

/** One line per failing node: where it is, and what axe says is wrong. */
interface Finding {
	state: string;
	rule: string;
	impact: string;
	target: string;
	summary: string;
}

/** The serious and critical findings axe makes on the page as it is now, labelled with the state it is in. */
async function audit(page: Page, state: string): Promise<Finding[]> {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
		.flatMap((violation) =>
			violation.nodes.map((node) => ({
				state,
				rule: violation.id,
				impact: violation.impact!,
				target: node.target.join(' '),
				summary: (node.failureSummary ?? violation.help).replace(/\s+/g, ' ')
			}))
		);
}

function report(findings: Finding[]): string {
	return findings
		.map((finding) => `${finding.state} — ${finding.rule} (${finding.impact}) at ${finding.target}: ${finding.summary}`)
		.join('\n');
}

test('every page, in the states it is used in, has no serious or critical axe violation', async ({ page }) => {
	const problems: string[] = [];
	page.on('pageerror', (error) => problems.push(`uncaught ${error.message}`));
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
	});
	page.on('requestfailed', (request) => {
		// Leaving a page aborts what it was still loading (a media element's blob:, say): not a failure.
		const reason = request.failure()?.errorText ?? '';
		if (reason !== 'net::ERR_ABORTED') problems.push(`failed: ${request.url()} (${reason})`);
	});
	page.on('response', (response) => {
		if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
	});
	const findings: Finding[] = [];
	const check = async (state: string) => findings.push(...(await audit(page, state)));

	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await check('/');

	await page.goto('/privacy/');
	await expect(page.getByRole('button', { name: 'Erase all my data' })).toBeVisible();
	await check('/privacy/');

	// An imported track and an M3U playlist, so the library lists them with their buttons.
	await page.goto('/library/');
	await expect(page.getByTestId('space-used')).toHaveText('Space used: none (0 tracks)');
	await page
		.getByLabel('Choose music files…')
		.setInputFiles([
			file('Blue hour.wav', wav(440)),
			file('Evening.m3u', Buffer.from('Blue hour.wav\n', 'utf8'), 'audio/x-mpegurl')
		]);
	await expect(page.getByRole('list', { name: 'Evening' }).getByRole('listitem')).toHaveText(['Blue hour']);
	await check('/library/ with a track and a playlist');

	await page.goto('/storage/');
	await expect(page.getByTestId('music-bytes')).toBeVisible();
	await check('/storage/ measured');

	await page.goto('/breathe/');
	await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
	await check('/breathe/');
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
	await check('/breathe/ practising');
	await page.getByRole('button', { name: 'Stop' }).click();

	await page.goto('/session/');
	await page.getByRole('radio', { name: /Quiet home practice/ }).check();
	await check('/session/ choosing');
	await page.getByRole('button', { name: 'Start the music' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeVisible({ timeout: 15_000 });
	await check('/session/ playing');

	await page.goto('/session/sheet/?playlist=quiet-home-practice');
	await expect(page.getByRole('button', { name: 'Print this sheet' })).toBeVisible();
	await check('/session/sheet/');

	await page.goto('/grounding/');
	await expect(page.getByRole('heading', { name: 'Built into Grounded' })).toBeVisible();
	await check('/grounding/');
	await page.getByRole('button', { name: 'Duplicate to adapt “Arriving with the breath”' }).click();
	await expect(page.getByLabel('Title')).toHaveValue('Arriving with the breath (my version)');
	await check('/grounding/edit/ a duplicated built-in');
	await page.goto('/grounding/');
	await expect(page.getByRole('heading', { name: 'Your scripts' })).toBeVisible();
	await expect(page.getByRole('region', { name: 'Your scripts' }).getByRole('listitem')).toHaveCount(1);
	await check('/grounding/ with an own script');

	await page.goto('/grounding/edit/?script=orienting-room');
	await expect(page.getByRole('region', { name: 'Built-in script' })).toBeVisible();
	await check('/grounding/edit/ a built-in');

	await page.goto('/grounding/edit/?new');
	await expect(page.getByLabel('Title')).toBeVisible();
	await check('/grounding/edit/?new');

	await page.goto('/grounding/play/?script=arriving-breath');
	await expect(page.getByRole('button', { name: 'Begin' })).toBeVisible();
	await check('/grounding/play/ before Begin');
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByRole('group', { name: 'Player controls' })).toBeVisible();
	await check('/grounding/play/ playing');
	await page.getByRole('button', { name: 'Eyes closed' }).click();
	await expect(page.getByRole('button', { name: 'Open eyes' })).toBeFocused();
	await check('/grounding/play/ eyes closed');

	// Sharing by QR code: a practice, then the own script made above; its link opened, previewed and saved.
	await page.goto('/take-home/link/');
	await expect(page.getByRole('img', { name: /^QR code: the practice/ })).toBeVisible();
	await check('/take-home/link/ a practice');
	await page.getByRole('radio', { name: 'A grounding script' }).check();
	await page.getByRole('radio', { name: 'Arriving with the breath (my version)' }).check();
	await expect(page.getByRole('img', { name: /^QR code: the script/ })).toBeVisible();
	await check('/take-home/link/ a script');
	await page.goto(await page.getByRole('textbox', { name: 'The link' }).inputValue());
	await expect(page.getByRole('button', { name: 'Save to Grounded' })).toBeVisible();
	await check('/open/ a script’s preview');
	await page.getByRole('button', { name: 'Save to Grounded' }).click();
	await expect(page.getByRole('heading', { name: 'Saved' })).toBeVisible();
	await check('/open/ saved');
	await page.goto('/open/#1.damaged0');
	await expect(page.getByRole('alert')).toBeVisible();
	await check('/open/ a damaged link');

	// The therapist's take-home page with a script chosen and the pack made, then that pack opened on
	// the home page: its preview, and the home page with what came from the therapist.
	await page.goto('/take-home/');
	await page.getByRole('checkbox', { name: /Arriving with the breath \(my version\)/ }).check();
	await page.getByLabel('Your name').fill('Dr. Ana Ruiz');
	await page.getByLabel('A personal note').fill('Go gently.');
	await check('/take-home/ choosing');
	await page.getByRole('button', { name: 'Make the pack' }).click();
	await expect(page.getByText(/^Ready:/)).toBeVisible({ timeout: 30_000 });
	await check('/take-home/ made');
	const saving = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save the file' }).click();
	const pack = await saving;
	await page.goto('/');
	const chooser = page.waitForEvent('filechooser');
	await page.getByRole('button', { name: 'Choose the file…' }).click();
	await (await chooser).setFiles(await pack.path());
	await expect(page.getByRole('button', { name: 'Put it on this device' })).toBeVisible();
	await check('/ a pack’s preview');
	await page.getByRole('button', { name: 'Put it on this device' }).click();
	await expect(page.getByRole('region', { name: 'From Dr. Ana Ruiz' })).toBeVisible();
	await check('/ with a pack from the therapist');
	await page.goto('/take-home/receive/');
	await expect(page.getByRole('button', { name: 'Choose the file…' })).toBeVisible();
	await check('/take-home/receive/');

	// A new playlist with a track added to its first phase, so its items have Up, Down and Remove.
	await page.goto('/playlists/edit/');
	await page.getByLabel('Title').fill('Evening session');
	const arrival = page.getByRole('listitem', { name: 'Phase 1: Arrival' });
	await arrival.getByLabel('Add to Arrival').selectOption({ label: 'Blue hour (0:01)' });
	await arrival.getByRole('button', { name: 'Add', exact: true }).click();
	await expect(arrival.getByRole('button', { name: 'Up (“Blue hour”)' })).toBeEnabled();
	await expect(arrival.getByRole('button', { name: 'Down (“Warm drone (generated)”)' })).toBeEnabled();
	await expect(arrival.getByRole('button', { name: 'Remove “Blue hour” from Arrival' })).toBeEnabled();
	// The pointer resting on the main button, as it is after a click: its hover colour is checked too,
	// once the hover fade has ended.
	const save = page.getByRole('button', { name: 'Save playlist' });
	await save.hover();
	await save.evaluate((button) => Promise.all(button.getAnimations().map((animation) => animation.finished)));
	await check('/playlists/edit/ a new playlist with items');
	await page.getByRole('button', { name: 'Save playlist' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'saved' })).toHaveText('“Evening session” saved.');

	await page.goto('/playlists/');
	await expect(page.getByRole('region', { name: 'Your playlists' }).getByRole('listitem')).toHaveCount(1);
	await check('/playlists/ with an own playlist');

	// Integration at home: the plan set, a journal entry, a check-in at the bottom of the mood scale
	// (the chart and the support card), and the preparation card.
	await page.goto('/integration/');
	await check('/integration/ no plan yet');
	await page.getByLabel('Date of the session').fill('2026-12-01');
	await page.getByRole('button', { name: 'Set the plan' }).click();
	await expect(page.getByText('Your plan is set.')).toBeVisible();
	await check('/integration/ with a plan');
	await page.goto('/');
	await check('/ with today’s plan');
	await page.goto('/integration/journal/?write=1');
	await page.getByLabel('Your words').fill('A quiet morning.');
	await check('/integration/journal/ writing');
	await page.getByRole('button', { name: 'Save the entry' }).click();
	await expect(page.getByTestId('journal-entries').getByText('A quiet morning.')).toBeVisible();
	await check('/integration/journal/ with an entry');
	await page.goto('/integration/check-in/');
	await page.getByLabel(/^Mood/).fill('0');
	await page.getByRole('button', { name: 'Save the check-in' }).click();
	await expect(page.getByRole('heading', { name: 'It sounds like today is hard' })).toBeFocused();
	await check('/integration/check-in/ the support card and chart');
	await page.goto('/integration/preparation/');
	await expect(page.getByLabel('My intentions')).toBeVisible();
	await check('/integration/preparation/');

	expect(findings.length, `serious or critical axe violations:\n${report(findings)}`).toBe(0);
	expect(problems).toEqual([]);
});

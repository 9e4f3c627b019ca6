/**
 * The grounding library and script editor, used as a therapist would: a new
 * script written, one step recorded with Chromium's fake microphone (a beep a
 * second) and heard back on the real audio output through the tap, steps
 * reordered by keyboard and by dragging, a step deleted and brought back, bad
 * edits refused at their field, built-ins duplicated, files imported and
 * exported, scripts deleted with undo, and a refused microphone; and a step
 * recorded here heard in the player at its step, the background ducked under
 * it and back after it. Every test also fails on a request to another origin
 * or a CSP violation.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { RECORDER_MESSAGES } from '../../src/lib/voice/recorder';
import {
	blockPeaks,
	installAudioTap,
	readTap,
	tapContextIds,
	waitForRecorded,
	waitForSoundingContext
} from '../support/audio-tap';
import { levelDb, onClock, onsetTimes, peakOver, runContexts } from '../support/grounding';

/** Fails the test on any request that leaves the app's origin and any CSP violation, on every page it opens. */
const test = base.extend<{ privacyGuard: void }>({
	privacyGuard: [
		async ({ page, context, baseURL }, use) => {
			const origin = new URL(baseURL!).origin;
			const foreign: string[] = [];
			const violations: string[] = [];
			context.on('request', (request) => {
				const url = new URL(request.url());
				if (url.origin !== origin && !['data:', 'blob:'].includes(url.protocol)) foreign.push(request.url());
			});
			await page.exposeFunction('__reportCspViolation', (text: string) => violations.push(text));
			await page.addInitScript(() => {
				document.addEventListener('securitypolicyviolation', (event) => {
					const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
					void report(`${event.violatedDirective} blocked ${event.blockedURI}`);
				});
			});
			await use();
			expect(foreign, 'requests to another origin').toEqual([]);
			expect(violations, 'CSP violations').toEqual([]);
		},
		{ auto: true }
	]
});

test.describe.configure({ timeout: 90_000 });

const step = (page: Page, n: number): Locator => page.getByRole('listitem', { name: `Step ${n}`, exact: true });
const stepText = (page: Page, n: number): Locator => step(page, n).getByLabel('What this step says');

async function stepTexts(page: Page): Promise<string[]> {
	return page
		.getByRole('list', { name: 'Steps' })
		.getByLabel('What this step says')
		.evaluateAll((fields) => fields.map((field) => (field as HTMLTextAreaElement).value));
}

/** Keys of the app's IndexedDB store, read without the app's help. */
async function storedKeys(page: Page): Promise<string[]> {
	return page.evaluate(
		() =>
			new Promise<string[]>((resolve, reject) => {
				const open = indexedDB.open('grounded');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const request = db.transaction('keyval', 'readonly').objectStore('keyval').getAllKeys();
					request.onsuccess = () => {
						db.close();
						resolve((request.result as IDBValidKey[]).map(String).sort());
					};
					request.onerror = () => reject(request.error);
				};
			})
	);
}

const ownScripts = (page: Page) => page.getByRole('region', { name: 'Your scripts' }).getByRole('listitem');

test('a new script: steps written, one recorded and heard back, reordered, a step deleted and undone, kept after reload', async ({
	page
}) => {
	await installAudioTap(page);
	await page.goto('/');
	await page.getByRole('link', { name: /Grounding/ }).click();
	await page.getByRole('link', { name: 'New script' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'New grounding script' })).toBeVisible();

	await page.getByLabel('Title').fill('Evening check-in');
	await stepText(page, 1).fill('Sit back and feel the chair under you.');
	await page.getByRole('button', { name: 'Add a step', exact: true }).click();
	await expect(stepText(page, 2)).toBeFocused();
	await stepText(page, 2).fill('Notice your feet on the floor.');
	await page.getByRole('button', { name: 'Add a step', exact: true }).click();
	await stepText(page, 3).fill('Look slowly around the room.');
	await step(page, 3).getByLabel('Continue when ready').check();
	await step(page, 2).getByLabel('Breathing pattern').selectOption({ label: 'Box breathing' });
	await step(page, 2).getByLabel('Background').selectOption({ label: 'Sea (generated)' });

	// Recording step 1: the meter moves with the fake microphone's beeps.
	await step(page, 1).getByRole('button', { name: 'Record my voice' }).click();
	const meter = step(page, 1).getByRole('meter', { name: 'Microphone level' });
	await expect(meter).toBeVisible();
	await expect(step(page, 1).getByRole('button', { name: 'Stop' })).toBeFocused();
	await expect
		.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 5_000 })
		.toBeGreaterThan(30);
	// One recording at a time: the other steps wait.
	await expect(step(page, 2).getByRole('button', { name: 'Record my voice' })).toBeDisabled();
	await page.waitForTimeout(2_500);
	await step(page, 1).getByRole('button', { name: 'Stop' }).click();
	await expect(step(page, 1).getByRole('button', { name: 'Keep' })).toBeVisible({ timeout: 15_000 });

	// Listening back sounds on the page's output: the processed clip, at the voice loudness.
	await step(page, 1).getByRole('button', { name: 'Listen' }).click();
	const id = await waitForSoundingContext(page, [], 10_000);
	const onset = (await readTap(page, id)).onsets[0]!;
	await waitForRecorded(page, id, onset + 0.25);
	const peak = Math.max(...(await blockPeaks(page, id, onset, onset + 0.25)).map((block) => block.peak));
	expect(20 * Math.log10(peak)).toBeGreaterThan(-20);
	expect(20 * Math.log10(peak)).toBeLessThan(0);

	await step(page, 1).getByRole('button', { name: 'Keep' }).click();
	// Stop is clicked 2.5 s in by the page's clock; under load the click lands later (4 s once, with
	// the take-home journey recording beside it).
	await expect(step(page, 1).getByTestId('clip-length')).toHaveText(/^0:0[1-4]$/);
	await expect(step(page, 2).getByRole('button', { name: 'Record my voice' })).toBeEnabled();

	// Reordering by keyboard: the button, then Alt+arrows; focus follows the step, and the move is announced.
	const live = page.getByTestId('announcer');
	await step(page, 3).getByRole('button', { name: 'Move up' }).focus();
	await page.keyboard.press('Enter');
	await expect(live).toHaveText('Step 3 moved to position 2.');
	await expect(step(page, 2).getByRole('button', { name: 'Move up' })).toBeFocused();
	await expect
		.poll(() => stepTexts(page))
		.toEqual([
			'Sit back and feel the chair under you.',
			'Look slowly around the room.',
			'Notice your feet on the floor.'
		]);
	await page.keyboard.press('Alt+ArrowUp');
	await expect(live).toHaveText('Step 2 moved to position 1.');
	await expect(step(page, 1)).toBeFocused();
	await page.keyboard.press('Alt+ArrowDown');
	await page.keyboard.press('Alt+ArrowDown');
	await expect(live).toHaveText('Step 2 moved to position 3.');
	await expect(step(page, 3)).toBeFocused();
	await expect
		.poll(() => stepTexts(page))
		.toEqual([
			'Sit back and feel the chair under you.',
			'Notice your feet on the floor.',
			'Look slowly around the room.'
		]);

	// Reordering by dragging a step's handle below the last step (on a screen tall enough to see all three).
	await page.setViewportSize({ width: 1000, height: 3600 });
	const handle = step(page, 1).getByRole('button', { name: /^Move step 1/ });
	const from = (await handle.boundingBox())!;
	const last = (await step(page, 3).boundingBox())!;
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.mouse.move(from.x + from.width / 2, from.y + 40, { steps: 4 });
	await page.mouse.move(from.x + from.width / 2, last.y + last.height - 5, { steps: 8 });
	await page.mouse.up();
	await expect(live).toHaveText('Step 1 moved to position 3.');
	await expect
		.poll(() => stepTexts(page))
		.toEqual([
			'Notice your feet on the floor.',
			'Look slowly around the room.',
			'Sit back and feel the chair under you.'
		]);
	await expect(step(page, 3).getByTestId('clip-length')).toBeVisible();
	await page.setViewportSize({ width: 1280, height: 720 });

	// A step deleted, and brought back where it was.
	await step(page, 2).getByRole('button', { name: 'Delete step' }).click();
	await expect
		.poll(() => stepTexts(page))
		.toEqual(['Notice your feet on the floor.', 'Sit back and feel the chair under you.']);
	const undo = page.getByRole('button', { name: 'Undo deleting the step' });
	await expect(undo).toBeFocused();
	await undo.click();
	await expect
		.poll(() => stepTexts(page))
		.toEqual([
			'Notice your feet on the floor.',
			'Look slowly around the room.',
			'Sit back and feel the chair under you.'
		]);

	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
	await expect(page).toHaveURL(/\/grounding\/edit\/\?script=mine-[a-z0-9]{8}$/);
	const scriptId = new URL(page.url()).searchParams.get('script')!;

	await page.reload();
	await expect(page.getByLabel('Title')).toHaveValue('Evening check-in');
	await expect
		.poll(() => stepTexts(page))
		.toEqual([
			'Notice your feet on the floor.',
			'Look slowly around the room.',
			'Sit back and feel the chair under you.'
		]);
	await expect(step(page, 1).getByLabel('Breathing pattern')).toHaveValue('box');
	await expect(step(page, 1).getByLabel('Background')).toHaveValue('soundscape:sea');
	await expect(step(page, 2).getByLabel('Continue when ready')).toBeChecked();
	await expect(step(page, 3).getByTestId('clip-length')).toHaveText(/^0:0[1-3]$/);

	// The list shows the script with its voice, and Play points at the player.
	await page.getByRole('link', { name: '← All grounding scripts' }).click();
	const card = ownScripts(page).filter({ hasText: 'Evening check-in' });
	await expect(card.getByTestId('voice')).toHaveText('Your voice on 1 of 3 steps');
	await expect(card).toContainText('about 3 min');
	await expect(card).toContainText('3 steps');
	await expect(card.getByRole('link', { name: 'Play “Evening check-in”' })).toHaveAttribute(
		'href',
		`/grounding/play/?script=${scriptId}`
	);

	// Preview from a step saves and opens the player there.
	await card.getByRole('link', { name: 'Edit “Evening check-in”' }).click();
	await stepText(page, 2).fill('Look slowly around the room, and name three things you see.');
	await step(page, 2).getByRole('button', { name: 'Preview from this step' }).click();
	await expect(page).toHaveURL(`/grounding/play/?script=${scriptId}&from=1`);
	await page.goto(`/grounding/edit/?script=${scriptId}`);
	await expect(stepText(page, 2)).toHaveValue('Look slowly around the room, and name three things you see.');
});

test('a bad edit is refused at its field, and Save refuses and says where', async ({ page }) => {
	page.on('dialog', (dialog) => void dialog.accept());
	await page.goto('/grounding/edit/?new');
	const text = stepText(page, 1);
	await text.fill('Something');
	await text.fill('');
	await text.blur();
	await expect(text).toHaveAttribute('aria-invalid', 'true');
	await expect(text).toHaveAccessibleDescription('Write what this step says.');

	const minutes = step(page, 1).getByLabel('Minutes');
	const seconds = step(page, 1).getByLabel('Seconds');
	await minutes.fill('0');
	await seconds.fill('0');
	await seconds.blur();
	for (const field of [minutes, seconds]) {
		await expect(field).toHaveAttribute('aria-invalid', 'true');
		await expect(field).toHaveAccessibleDescription('A step lasts from 1 second to 30 minutes.');
	}
	await minutes.fill('30');
	await minutes.blur();
	await expect(minutes).not.toHaveAttribute('aria-invalid');
	await minutes.fill('31');
	await minutes.blur();
	await expect(minutes).toHaveAccessibleDescription('A step lasts from 1 second to 30 minutes.');

	// The title has not been visited: its message waits for Save.
	await expect(page.getByLabel('Title')).not.toHaveAttribute('aria-invalid');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'The script isn’t saved yet. Fix the title and step 1 (the text, the length) first.'
	);
	await expect(page.getByLabel('Title')).toBeFocused();
	await expect(page.getByLabel('Title')).toHaveAccessibleDescription('The script needs a title.');
	expect((await storedKeys(page)).filter((key) => key.startsWith('grounding-script:'))).toEqual([]);

	// Fixed field by field, the messages go as each is fixed, and then it saves.
	await page.getByLabel('Title').fill('Quick landing');
	await expect(page.getByLabel('Title')).not.toHaveAttribute('aria-invalid');
	await text.fill('Feel your feet.');
	await minutes.fill('0');
	await seconds.fill('45');
	await seconds.blur();
	await expect(seconds).not.toHaveAttribute('aria-invalid');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

	// A length too short for its breathing pattern is named at the length field.
	await step(page, 1).getByLabel('Breathing pattern').selectOption({ label: '4-7-8' });
	await seconds.fill('10');
	await seconds.blur();
	await expect(seconds).toHaveAccessibleDescription(
		'With this breathing pattern, a step lasts at least one full breath (19 seconds).'
	);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('alert')).toHaveText('The script isn’t saved yet. Fix step 1 (the length) first.');
	await page.reload();
	await expect(step(page, 1).getByLabel('Breathing pattern')).toHaveValue('none');
	await expect(step(page, 1).getByLabel('Seconds')).toHaveValue('45');
});

test('built-ins are duplicated to adapt; scripts are exported, imported (bad files refused), and deleted with undo', async ({
	page
}) => {
	await page.goto('/grounding/');
	await expect(page.getByRole('heading', { name: 'Built into Grounded' })).toBeVisible();
	await page.getByRole('button', { name: 'Duplicate to adapt “The weight of the body”' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Edit grounding script' })).toBeVisible();
	await expect(page.getByLabel('Title')).toHaveValue('The weight of the body (my version)');
	await expect(page.getByRole('list', { name: 'Steps' }).getByRole('listitem')).toHaveCount(7);

	// A built-in opened in the editor offers a copy instead.
	await page.goto('/grounding/edit/?script=orienting-room');
	await expect(page.getByLabel('Title')).toHaveCount(0);
	await page.getByRole('button', { name: 'Duplicate to adapt' }).click();
	await expect(page.getByLabel('Title')).toHaveValue('Orienting to the room (my version)');

	await page.getByRole('link', { name: '← All grounding scripts' }).click();
	await expect(ownScripts(page)).toHaveCount(2);
	const keysBefore = await storedKeys(page);

	// Export a built-in; change it; import it back (its id is taken, so it gets a new one).
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export “Arriving with the breath”' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('grounded-script-arriving-breath.json');
	const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
	expect(exported).toMatchObject({ version: 1, id: 'arriving-breath', builtIn: true });

	const importer = page.getByLabel('Import a script');
	await importer.setInputFiles({
		name: 'bad.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify({ ...exported, steps: [{ ...exported.steps[0], text: '  ' }] }))
	});
	await expect(page.getByRole('alert')).toHaveText(
		'Nothing was imported from “bad.json”. This script can’t be used. Step 1: write what this step says.'
	);
	await importer.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('Hello') });
	await expect(page.getByRole('alert')).toHaveText(
		'Nothing was imported from “notes.json”. It isn’t a grounding script: a script is a JSON file, as “Export” saves one.'
	);
	const tooLong = { ...exported, steps: [{ ...exported.steps[0], timing: { kind: 'timed', seconds: 1860 } }] };
	await importer.setInputFiles({
		name: 'long.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(tooLong))
	});
	await expect(page.getByRole('alert')).toContainText('a step lasts from 1 second to 30 minutes.');
	expect(await storedKeys(page)).toEqual(keysBefore);
	await expect(ownScripts(page)).toHaveCount(2);

	await importer.setInputFiles({
		name: 'arriving.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify({ ...exported, title: 'Arriving, in my words' }))
	});
	await expect(page.getByRole('status').filter({ hasText: 'Imported “Arriving, in my words”.' })).toBeVisible();
	await expect(ownScripts(page)).toHaveCount(3);
	const imported = ownScripts(page).filter({ hasText: 'Arriving, in my words' });
	await expect(imported.getByRole('link', { name: 'Edit “Arriving, in my words”' })).toHaveAttribute(
		'href',
		/\?script=mine-[a-z0-9]{8}$/
	);
	// The built-in is untouched.
	await expect(
		page.getByRole('region', { name: 'Built into Grounded' }).getByRole('heading', { name: 'Arriving with the breath' })
	).toBeVisible();

	// A hundred steps is the most: the editor's Add button says so.
	const hundred = {
		...exported,
		id: 'many-steps',
		title: 'A hundred steps',
		steps: Array.from({ length: 100 }, (_, i) => ({ id: `s${i}`, text: `Step ${i + 1}.`, timing: { kind: 'open' } }))
	};
	await importer.setInputFiles({
		name: 'many.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(hundred))
	});
	await page.getByRole('link', { name: 'Edit “A hundred steps”' }).click();
	await page.getByRole('button', { name: 'Add a step', exact: true }).click();
	await expect(page.getByRole('alert')).toHaveText('A script can have at most 100 steps. Delete one to add another.');
	await expect(page.getByRole('list', { name: 'Steps' }).getByRole('listitem')).toHaveCount(100);
	await page.getByRole('link', { name: '← All grounding scripts' }).click();

	// Delete, then undo: nothing leaves the device.
	const importedKey = (await storedKeys(page)).find(
		(key) => key.startsWith('grounding-script:mine-') && !keysBefore.includes(key)
	)!;
	await page.getByRole('button', { name: 'Delete “Arriving, in my words”' }).click();
	const undo = page.getByRole('button', { name: 'Undo deleting “Arriving, in my words”' });
	await expect(undo).toBeFocused();
	await undo.click();
	await expect(page.getByRole('heading', { name: 'Arriving, in my words' })).toBeFocused();
	expect(await storedKeys(page)).toContain(importedKey);

	// Delete, and let the undo window pass: it is gone, also after a reload.
	await page.getByRole('button', { name: 'Delete “Arriving, in my words”' }).click();
	expect(await storedKeys(page)).toContain(importedKey);
	await expect(undo).toBeHidden({ timeout: 15_000 });
	expect(await storedKeys(page)).not.toContain(importedKey);
	await page.reload();
	await expect(ownScripts(page)).toHaveCount(3);
	await expect(page.getByRole('heading', { name: 'Arriving, in my words' })).toHaveCount(0);

	// Deleted and the page closed within the window: kept until then, and the next visit finishes it.
	await page.getByRole('button', { name: 'Delete “A hundred steps”' }).click();
	await expect(page.getByRole('button', { name: 'Undo deleting “A hundred steps”' })).toBeVisible();
	expect(await storedKeys(page)).toContain('grounding-script:many-steps');
	await page.reload();
	await expect(ownScripts(page)).toHaveCount(2);
	expect(await storedKeys(page)).not.toContain('grounding-script:many-steps');
});

test('a refused microphone says so in plain words at its step, and the editor still saves', async ({ page }) => {
	await page.addInitScript(() => {
		navigator.mediaDevices.getUserMedia = () =>
			Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
	});
	await page.goto('/grounding/edit/?new');
	await page.getByLabel('Title').fill('Without the microphone');
	await stepText(page, 1).fill('Take a sip of water.');
	await step(page, 1).getByRole('button', { name: 'Record my voice' }).click();
	await expect(step(page, 1).getByRole('alert')).toHaveText(RECORDER_MESSAGES.notAllowed);
	await expect(step(page, 1).getByRole('button', { name: 'Try again' })).toBeFocused();
	await step(page, 1).getByRole('button', { name: 'Close' }).click();
	await expect(step(page, 1).getByRole('alert')).toHaveCount(0);

	await page.getByRole('button', { name: 'Add a step', exact: true }).click();
	await stepText(page, 2).fill('Feel the weight of your hands.');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
	await page.reload();
	// The editor fills in once the store has answered; poll rather than read the empty form.
	await expect.poll(() => stepTexts(page)).toEqual(['Take a sip of water.', 'Feel the weight of your hands.']);
});

// ——— from the editor to the player: the recorded clip on the real output ———

/** The stored recordings of `scriptId`, by step id: their lengths in seconds, read without the app's help. */
async function storedClipSeconds(page: Page, scriptId: string): Promise<number[]> {
	return page.evaluate(
		(prefix) =>
			new Promise<number[]>((resolve, reject) => {
				const open = indexedDB.open('grounded');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
					const request = db.transaction('keyval', 'readonly').objectStore('keyval').getAll(range);
					request.onsuccess = () => {
						db.close();
						resolve((request.result as { durationSeconds: number }[]).map((clip) => clip.durationSeconds));
					};
					request.onerror = () => reject(request.error);
				};
			}),
		`voice-clip:${scriptId}:`
	);
}

test('a step recorded in the editor plays at its step in the player, the background ducked under it and back after', async ({
	page
}) => {
	// No system voices: the recorded clip is the only voice, so only it ducks the background.
	await page.addInitScript(() => {
		if ('speechSynthesis' in window) window.speechSynthesis.getVoices = () => [];
	});
	await installAudioTap(page);
	await page.goto('/grounding/');
	await page.getByRole('link', { name: 'New script' }).click();
	await page.getByLabel('Title').fill('Landing with my voice');
	// Step 1 runs 10 s so that the soundscape's fade-in (2 s rise, 6 s fade) is over before step 2's duck.
	const plan = [
		{ text: 'Arrive, just as you are.', seconds: 10 },
		{ text: 'Listen to my voice.', seconds: 10 },
		{ text: 'Rest here a moment.', seconds: 8 }
	];
	for (const [index, { text, seconds }] of plan.entries()) {
		const n = index + 1;
		if (n > 1) await page.getByRole('button', { name: 'Add a step', exact: true }).click();
		await stepText(page, n).fill(text);
		await step(page, n).getByLabel('Minutes').fill('0');
		await step(page, n).getByLabel('Seconds').fill(String(seconds));
		await step(page, n).getByLabel('Seconds').blur();
		await expect(step(page, n).getByLabel('Seconds')).not.toHaveAttribute('aria-invalid');
		await step(page, n).getByLabel('A chime as the step begins').check();
		await step(page, n).getByLabel('Background').selectOption({ label: 'Warm drone (generated)' });
	}

	// Step 2 recorded with the fake microphone: about three seconds of its beeps.
	await step(page, 2).getByRole('button', { name: 'Record my voice' }).click();
	const meter = step(page, 2).getByRole('meter', { name: 'Microphone level' });
	await expect
		.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 5_000 })
		.toBeGreaterThan(30);
	await expect(step(page, 2).getByText(/Recording\s+0:03/)).toBeVisible({ timeout: 6_000 });
	await step(page, 2).getByRole('button', { name: 'Stop' }).click();
	await step(page, 2).getByRole('button', { name: 'Keep' }).click({ timeout: 15_000 });
	await expect(step(page, 2).getByTestId('clip-length')).toHaveText(/^0:0[2-3]$/);

	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
	await expect(page).toHaveURL(/\/grounding\/edit\/\?script=mine-[a-z0-9]{8}$/);
	const scriptId = new URL(page.url()).searchParams.get('script')!;
	const clips = await storedClipSeconds(page, scriptId);
	expect(clips).toHaveLength(1);
	const clipSeconds = clips[0]!;
	expect(clipSeconds).toBeGreaterThan(1.5);
	expect(clipSeconds).toBeLessThan(3.5);

	await page.getByRole('link', { name: '← All grounding scripts' }).click();
	const card = ownScripts(page).filter({ hasText: 'Landing with my voice' });
	await expect(card.getByTestId('voice')).toHaveText('Your voice on 1 of 3 steps');
	await card.getByRole('link', { name: 'Play “Landing with my voice”' }).click();
	await expect(page.getByRole('heading', { name: 'Landing with my voice', level: 1 })).toBeVisible();
	await page.getByRole('radio', { name: /^Recorded voice where there is one/ }).check();
	await expect(page.getByTestId('no-system-voice')).toBeVisible();
	const before = await tapContextIds(page);
	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByTestId('step-text')).toHaveText('Arrive, just as you are.');

	// The chimes give the run's clock: each step's chime on the plan (0, 10, 20 s) to within 50 ms.
	const ids = await runContexts(page, before);
	const first = (await onsetTimes(page, ids.chimes))[0]!;
	const planned = [0, 10, 20];
	const step2 = first + planned[1]!;
	const step2OnVoice = await onClock(page, ids.chimes, ids.voice, step2);
	const runStartOnVoice = await onClock(page, ids.chimes, ids.voice, first);
	await waitForRecorded(page, ids.voice, step2OnVoice + 2);
	const voiceOnsets = await onsetTimes(page, ids.voice);
	expect(voiceOnsets.length).toBeGreaterThan(0);
	const clipStart = voiceOnsets[0]!;

	// (a) The clip, on howler's context: nothing in step 1, its sound from about a second into step 2.
	const step1Voice = await peakOver(page, ids.voice, runStartOnVoice, step2OnVoice);
	expect(step1Voice.heard).toBeGreaterThan(9);
	expect(step1Voice.db).toBeLessThan(-60);
	expect(clipStart - step2OnVoice).toBeGreaterThan(0.7);
	expect(clipStart - step2OnVoice).toBeLessThan(1.6);
	const clipVoice = await peakOver(page, ids.voice, clipStart, clipStart + clipSeconds - 0.2);
	expect(clipVoice.db).toBeGreaterThan(-25);

	// (b) The background drops by 8 dB or more under the clip, and comes back within 3 dB after it.
	const step2OnBackground = await onClock(page, ids.chimes, ids.background, step2);
	const clipOnBackground = await onClock(page, ids.voice, ids.background, clipStart);
	const levelBefore = await levelDb(page, ids.background, step2OnBackground - 2.5, step2OnBackground - 0.3);
	const levelUnder = await levelDb(page, ids.background, clipOnBackground + 0.6, clipOnBackground + clipSeconds - 0.3);
	const levelAfter = await levelDb(
		page,
		ids.background,
		clipOnBackground + clipSeconds + 2.2,
		clipOnBackground + clipSeconds + 4.2
	);

	// The clip ended with its length, and step 3's chime came on the plan.
	await waitForRecorded(page, ids.chimes, first + planned[2]! + 0.5);
	const step3OnVoice = await onClock(page, ids.chimes, ids.voice, first + planned[2]!);
	expect((await peakOver(page, ids.voice, clipStart + clipSeconds + 0.3, step3OnVoice)).db).toBeLessThan(-60);
	expect(voiceOnsets.every((onset) => onset < clipStart + clipSeconds)).toBe(true);
	const chimes = await onsetTimes(page, ids.chimes);
	expect(chimes).toHaveLength(planned.length);
	chimes.forEach((onset, index) => expect(Math.abs(onset - first - planned[index]!)).toBeLessThan(0.05));
	await expect(page.getByTestId('step-text')).toHaveText('Rest here a moment.');

	test.info().annotations.push({
		type: 'measured',
		description: JSON.stringify({
			clipSeconds,
			clipAfterStepStart: Math.round((clipStart - step2OnVoice) * 1000) / 1000,
			voiceDb: { step1: step1Voice.db, clip: clipVoice.db },
			backgroundDb: { before: levelBefore, under: levelUnder, after: levelAfter },
			duckDepthDb: levelBefore - levelUnder
		})
	});
	expect(levelBefore).toBeGreaterThan(-40);
	expect(levelBefore - levelUnder).toBeGreaterThanOrEqual(8);
	expect(Math.abs(levelAfter - levelBefore)).toBeLessThanOrEqual(3);

	await page.getByRole('button', { name: 'End' }).click();
	await expect(page.getByRole('button', { name: 'Begin' })).toBeVisible();
});

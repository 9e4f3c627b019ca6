/**
 * The therapist's console, driven as a therapist would, with the real audio
 * output recorded inside Chromium by the tap: the music starts, steps back for
 * talking and returns, moves between phases without a gap, pauses with a fade,
 * and after a reload waits for one tap before it fades back in.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { Seconds } from '../../src/lib/units';
import { blockPeaks, installAudioTap, readTap, waitForRecorded, waitForSoundingContext } from '../support/audio-tap';

/** Loudest sample over a window, in dBFS. */
async function peakDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	const peak = Math.max(...blocks.map((block) => block.peak), 1e-9);
	return 20 * Math.log10(peak);
}

/** Typical level over a window (mean of block peaks), in dB: steadier than the loudest sample for comparing music. */
async function levelDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	const mean = blocks.reduce((sum, block) => sum + block.peak, 0) / Math.max(1, blocks.length);
	return 20 * Math.log10(Math.max(mean, 1e-9));
}

/** Quietest 50 ms stretch over a window, in dBFS: a gap shows up here. */
async function floorDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	const perWindow = Math.max(1, Math.round(0.05 / (blocks[0]?.duration ?? 0.003)));
	let floor = Infinity;
	for (let i = 0; i + perWindow <= blocks.length; i += perWindow) {
		const windowPeak = Math.max(...blocks.slice(i, i + perWindow).map((block) => block.peak));
		floor = Math.min(floor, windowPeak);
	}
	return 20 * Math.log10(Math.max(floor, 1e-9));
}

async function clock(page: Page, id: number): Promise<Seconds> {
	return (await readTap(page, id)).currentTime;
}

test.describe.configure({ timeout: 150_000 });

test('a therapist runs a session: start, dose, talk over, hold, next phase, pause, log, reload and resume', async ({
	page
}) => {
	await installAudioTap(page);
	await page.goto('/session/');
	await page.getByRole('radio', { name: /Quiet home practice/ }).check();
	// The check has lines open (nothing ticked, no test sound played): starting is never blocked by it.
	await expect(page.locator('#ready-summary')).toHaveText(/\d+ lines? to look at\. You can still start\./);
	await page.getByRole('button', { name: 'Start the music' }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeVisible();

	// Music after its fade-in, at a comfortable level (items are normalized to −23 LUFS).
	await page.waitForTimeout(6_000);
	let now = await clock(page, id);
	const playing = await peakDb(page, id, now - 2, now - 0.5);
	expect(playing).toBeGreaterThan(-30);
	expect(playing).toBeLessThan(-1);

	// Dose: the dosing clock starts and the arrival phase gives way to the next.
	await page.getByRole('button', { name: 'Dose given' }).click();
	await expect(page.getByTestId('since-dose')).toHaveText(/^0:0\d$/);
	await expect(page.getByText('Resting', { exact: true }).first()).toBeVisible();
	await page.waitForTimeout(8_000); // the crossfade into the new phase (6 s) completes

	// Talk over: down to about a quarter (−12 dB) over about 1.5 s, then back.
	now = await clock(page, id);
	await page.keyboard.press('d');
	const before = await levelDb(page, id, now - 1.5, now);
	await expect(page.getByRole('button', { name: /Talk over/ })).toHaveAttribute('aria-pressed', 'true');
	await page.waitForTimeout(2_500);
	now = await clock(page, id);
	const ducked = await levelDb(page, id, now - 0.8, now);
	expect(before - ducked).toBeGreaterThan(8);
	expect(before - ducked).toBeLessThan(16);
	await page.keyboard.press('d');
	await page.waitForTimeout(2_500);
	now = await clock(page, id);
	const restored = await levelDb(page, id, now - 0.8, now);
	expect(Math.abs(restored - before)).toBeLessThan(4);

	// Hold, then move on by hand: the music crossfades with no gap.
	await page.keyboard.press('h');
	await expect(page.getByTestId('phase-remaining')).toHaveText('—');
	const switchAt = await clock(page, id);
	await page.keyboard.press('n');
	await expect(page.getByText('Grounding', { exact: true }).first()).toBeVisible();
	await page.waitForTimeout(7_000);
	expect(await floorDb(page, id, switchAt, switchAt + 6.5)).toBeGreaterThan(-50);

	// Pause fades out over about 3 s, then the engine lets its context rest (its clock stops,
	// so nothing can sound); resume fades back in.
	const pauseAt = await clock(page, id);
	await page.keyboard.press(' ');
	const beforePause = await levelDb(page, id, pauseAt - 1, pauseAt);
	await expect(page.getByRole('button', { name: /Resume/ })).toBeVisible();
	await page.waitForTimeout(4_500);
	const { recordedUntil } = await readTap(page, id);
	// An equal-power fade: by 2.3–2.6 s it is down by more than 8 dB.
	expect(await levelDb(page, id, pauseAt + 2.3, pauseAt + 2.6)).toBeLessThan(beforePause - 8);
	// Then either the clock rested (the context was suspended) or what followed was silence.
	if (recordedUntil > pauseAt + 3.3) expect(await peakDb(page, id, pauseAt + 3.2, pauseAt + 3.3)).toBeLessThan(-60);
	else expect((await readTap(page, id)).state).toBe('suspended');
	await page.keyboard.press(' ');
	await page.waitForTimeout(4_000);
	now = await clock(page, id);
	expect(await peakDb(page, id, now - 1, now)).toBeGreaterThan(-35);

	// The log, as plain text for the therapist's notes.
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Save log as text' }).click();
	const log = readFileSync(await (await downloading).path(), 'utf8');
	expect(log).toContain('Dose given');
	expect(log).toContain('Music lowered for talking');
	expect(log).toContain('Holding Resting');
	expect(log).toMatch(/Paused[\s\S]*Resumed/);

	// Reload mid-session: the session comes back, silent until the therapist taps, at the same place.
	const positionText = async () => {
		const [minutes, seconds] = (await page.getByTestId('position').textContent())!.split(':').map(Number);
		return minutes! * 60 + seconds!;
	};
	await page.waitForTimeout(1_500);
	const positionBefore = await positionText();
	await page.reload();
	await expect(page.getByRole('heading', { name: 'A session was in progress' })).toBeVisible();
	await page.waitForTimeout(2_000);
	const silentContexts = await page.evaluate(
		() => Object.keys((window as unknown as { __audioTap: { contexts: object } }).__audioTap.contexts).length
	);
	const ids = await page.evaluate(() =>
		Object.keys((window as unknown as { __audioTap: { contexts: object } }).__audioTap.contexts).map(Number)
	);
	await page.getByRole('button', { name: 'Fade back in' }).click();
	const resumedId = await waitForSoundingContext(page, ids, 15_000);
	expect(silentContexts).toBeLessThanOrEqual(1);
	await expect(page.getByText('Grounding', { exact: true }).first()).toBeVisible();
	await expect(page.getByTestId('since-dose')).not.toHaveText('not yet');
	// Within 2 s of where it was (the display rounds down to the second).
	await page.waitForTimeout(1_000);
	expect(Math.abs((await positionText()) - 1 - positionBefore)).toBeLessThanOrEqual(2);
	await page.waitForTimeout(4_000);
	now = await clock(page, resumedId);
	expect(await peakDb(page, resumedId, now - 1, now)).toBeGreaterThan(-35);
	await page.getByRole('button', { name: 'Fade out and end' }).click();
	await expect(page.getByRole('button', { name: 'Start the music' })).toBeVisible();
});

test('a locked console ignores taps and keys until unlocked with two taps', async ({ page }) => {
	await page.goto('/session/');
	await page.getByRole('button', { name: 'Start the music' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeVisible();
	await page.getByRole('button', { name: 'Lock controls' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeDisabled();
	await page.keyboard.press('d');
	await expect(page.getByRole('button', { name: /Talk over/ })).toHaveAttribute('aria-pressed', 'false');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeDisabled();
	await page.getByRole('button', { name: 'Tap again to unlock' }).click();
	await expect(page.getByRole('button', { name: 'Dose given' })).toBeEnabled();
	await page.getByRole('button', { name: 'Fade out and end' }).click();
});

test('a track that cannot be played is passed over with the music carrying on, and the log says so', async ({
	page
}) => {
	await page.route(/grounding-bowls-by-the-shore\.[0-9a-f]+\.mp3/, (route) => route.fulfill({ status: 404, body: '' }));
	await installAudioTap(page);
	await page.goto('/session/');
	await page.getByRole('radio', { name: /Closing and grounding/ }).check();
	await page.getByRole('button', { name: 'Start the music' }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	await page.waitForTimeout(8_000);

	// On to Grounding, whose first track is missing: the next item takes over, never silence.
	const switchAt = await clock(page, id);
	await page.keyboard.press('n');
	await expect(page.getByRole('listitem').filter({ hasText: 'Could not play Bowls by the Shore' })).toBeVisible();
	await expect(page.getByText(/Playing: Bowls \(generated\)/)).toBeVisible({ timeout: 10_000 });
	await page.waitForTimeout(9_000);
	expect(await floorDb(page, id, switchAt, switchAt + 8)).toBeGreaterThan(-50);
	await page.getByRole('button', { name: 'Fade out and end' }).click();
});

test('next piece and back a piece crossfade without a gap, and back returns to where the piece was left', async ({
	page
}) => {
	await installAudioTap(page);
	await page.goto('/session/');
	await page.getByRole('radio', { name: /Closing and grounding/ }).check();
	await page.getByRole('button', { name: 'Start the music' }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	const playing = page.getByText(/^(Playing|Paused): /);
	await expect(playing).toContainText(/Playing: \S/);
	const first = (await playing.textContent())!.replace(/\s*\d+:\d\d.*$/, '');
	// Nothing earlier in the phase yet, but the current track can go back to its start.
	await page.waitForTimeout(9_000);

	const skipAt = await clock(page, id);
	await page.keyboard.press('ArrowRight');
	await expect(playing).not.toContainText(first.replace(/^Playing: /, ''));
	await page.waitForTimeout(8_000);
	expect(await floorDb(page, id, skipAt, skipAt + 7)).toBeGreaterThan(-50);

	const backAt = await clock(page, id);
	await page.getByRole('button', { name: /Back a piece/ }).click();
	await expect(playing).toContainText(first.replace(/^Playing: /, ''));
	await expect(page.getByRole('listitem').filter({ hasText: /Back to / })).toBeVisible();
	// It picks up where it was left (about 9 s in), not from its start.
	const [minutes, seconds] = (await page.getByTestId('position').textContent())!.split(':').map(Number);
	expect(minutes! * 60 + seconds!).toBeGreaterThanOrEqual(8);
	await page.waitForTimeout(8_000);
	expect(await floorDb(page, id, backAt, backAt + 7)).toBeGreaterThan(-50);
	await page.getByRole('button', { name: 'Fade out and end' }).click();
});

test('before the session: the check fetches the music with one tap, asks to keep it, chooses the speaker, and plays a faded test sound', async ({
	page
}) => {
	// The browser's answer to "keep this site's storage" is its own: counted and granted here.
	await page.addInitScript(() => {
		const counted = window as unknown as { __persistAsked: number };
		counted.__persistAsked = 0;
		StorageManager.prototype.persist = async () => {
			counted.__persistAsked += 1;
			return true;
		};
		StorageManager.prototype.persisted = async () => false;
	});
	await installAudioTap(page);
	await page.goto('/session/');
	await page.getByRole('radio', { name: /Closing and grounding/ }).check();
	const line = (id: string) => page.locator(`[data-line="${id}"]`);

	// Not on the device yet: one tap finishes it, with progress.
	await expect(line('downloads')).toContainText('are on this device yet');
	await line('storage')
		.getByRole('button', { name: /Ask to keep it/ })
		.click();
	await expect(line('storage')).toContainText('This device keeps the music until you remove it.');
	expect(await page.evaluate(() => (window as unknown as { __persistAsked: number }).__persistAsked)).toBe(1);
	await line('downloads')
		.getByRole('button', { name: /Finish downloading/ })
		.click();
	await expect(line('downloads')).toContainText('Every piece is on this device', { timeout: 60_000 });
	// Asked once, by its own line: the download did not ask again.
	expect(await page.evaluate(() => (window as unknown as { __persistAsked: number }).__persistAsked)).toBe(1);

	// The speaker: listed (Chromium's fake devices here), chosen, and the music's context sent there.
	const speaker = page.getByLabel('Speaker');
	await speaker.selectOption({ label: 'Fake Audio Output 1' });
	await expect(line('output')).toContainText('Playing from “Fake Audio Output 1”.');
	const chosenId = await speaker.inputValue();
	expect(chosenId).not.toBe('');

	// The test sound, heard at the output: it rises and falls like the music, with no step.
	// The music's context may be made before this tap (the first track loads while the therapist reads).
	await page.getByRole('button', { name: /Play a test sound/ }).click();
	const id = await waitForSoundingContext(page, [], 15_000);
	await expect(line('test-sound')).toContainText('Played.', { timeout: 15_000 });
	expect(await sinkIdOf(page, id)).toBe(chosenId);
	const blocks = await blockPeaks(page, id, 0, (await readTap(page, id)).recordedUntil);
	const start = blocks.find((block) => block.peak > 1e-4)!.time;
	const at = async (from: Seconds, to: Seconds) => levelDb(page, id, start + from, start + to);
	const full = await at(2.5, 3.5);
	expect(full).toBeGreaterThan(-36);
	expect(full).toBeLessThan(-8);
	expect(await at(0, 0.25)).toBeLessThan(full - 10);
	expect(await at(0.9, 1.1)).toBeLessThan(full - 1);
	expect(await at(0.9, 1.1)).toBeGreaterThan(full - 8);
	expect(await at(5.75, 5.95)).toBeLessThan(full - 10);
	expect(await peakDb(page, id, start + 6.2, start + 6.5)).toBeLessThan(-70);
	expect(await largestStepDb(page, id, start + 0.3, start + 5.7)).toBeLessThan(3);

	// A line ticked by hand.
	await line('door-sign').getByRole('checkbox', { name: /Done/ }).check();
	await expect(line('door-sign')).toContainText('Done.');

	// Kept across a reload: the list shows the speaker, and a new context plays from it.
	await page.reload();
	await expect(speaker).toHaveValue(chosenId);
	await page.getByRole('button', { name: /Play a test sound/ }).click();
	const second = await waitForSoundingContext(page, [], 15_000);
	expect(await sinkIdOf(page, second)).toBe(chosenId);

	// Where the browser cannot send the music elsewhere, the line says the system chooses.
	await page.addInitScript(() => {
		// The tap's AudioContext is a subclass: the method is removed wherever the chain holds it.
		for (let proto: object | null = AudioContext.prototype; proto; proto = Object.getPrototypeOf(proto))
			delete (proto as { setSinkId?: unknown }).setSinkId;
	});
	await page.reload();
	await expect(line('output')).toContainText('The system chooses the speaker');
	await expect(page.getByLabel('Speaker')).toHaveCount(0);
});

async function sinkIdOf(page: Page, id: number): Promise<unknown> {
	return page.evaluate(
		(id) =>
			(window as unknown as { __audioTap: { contexts: Record<number, { context: { sinkId: unknown } }> } }).__audioTap
				.contexts[id]!.context.sinkId,
		id
	);
}

/** The largest change of level between neighbouring 50 ms windows, in dB: a step or a click shows here. */
async function largestStepDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	let previous: number | null = null;
	let largest = 0;
	for (let t = from; t + 0.05 <= to; t += 0.05) {
		const level = await levelDb(page, id, t, t + 0.05);
		if (previous !== null) largest = Math.max(largest, Math.abs(level - previous));
		previous = level;
	}
	return largest;
}

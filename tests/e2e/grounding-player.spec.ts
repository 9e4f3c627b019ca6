/**
 * The grounding player, driven as a person would, with the real audio output
 * of every context recorded inside Chromium by the tap: step chimes land on
 * the plan's boundaries, the therapist's recorded clip sounds in its step with
 * the background ducked under it and back after it, eyes-closed mode dims the
 * screen and keeps the voice and the wake lock, a reload comes back to the
 * same step silently until a tap, and previous/next move between steps. No
 * request leaves the origin and the CSP blocks nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { installAudioTap, tapContextIds, waitForRecorded } from '../support/audio-tap';
import { levelDb, onClock, onsetTimes, peakOver, runContexts, type GroundingTapWindow } from '../support/grounding';
import { guardPrivacy } from '../support/privacy-guard';

const DATABASE = 'grounded';
const STORE = 'keyval';
const SCRIPT_ID = 'e2e-player';

interface SeedStep {
	id: string;
	text: string;
	seconds: number;
	chime: boolean;
	background: boolean;
}

/** The page-side tap, and what these tests' init scripts add to the page. */
type TapWindow = GroundingTapWindow & {
	__wakeLockRequests: string[];
};

/**
 * No system voices (so steps without a recording are text only, whatever this machine has), and a
 * wake lock that records its requests (headless Chromium refuses the real one).
 */
async function stubPlatform(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const requests: string[] = [];
		(window as unknown as TapWindow).__wakeLockRequests = requests;
		Object.defineProperty(navigator, 'wakeLock', {
			configurable: true,
			value: {
				request: async (type: string) => {
					requests.push(type);
					const sentinel = Object.assign(new EventTarget(), { type, released: false, release: async () => {} });
					sentinel.release = async () => {
						sentinel.released = true;
					};
					return sentinel;
				}
			}
		});
		if ('speechSynthesis' in window) window.speechSynthesis.getVoices = () => [];
	});
}

/** Writes the script (and a 3 s, 660 Hz voice clip for `clipStep`) straight into the app's database. */
async function seed(page: Page, steps: SeedStep[], clipStep: string | null): Promise<void> {
	await page.goto('/');
	await page.evaluate(
		({ database, store, scriptId, steps, clipStep }) => {
			const background = { kind: 'soundscape', soundscape: 'warm-drone', seed: 3 };
			const script = {
				version: 1,
				id: scriptId,
				title: 'Player test',
				summary: 'A short script for the player’s tests.',
				builtIn: false,
				steps: steps.map((step) => ({
					id: step.id,
					text: step.text,
					timing: { kind: 'timed', seconds: step.seconds },
					breath: null,
					chime: step.chime,
					background: step.background ? background : null
				}))
			};
			// A WAV of a 660 Hz tone, 3 s, at about a normalized voice's level (−20 dBFS RMS).
			const rate = 24_000;
			const frames = 3 * rate;
			const data = new DataView(new ArrayBuffer(44 + frames * 2));
			const text = (offset: number, value: string) => {
				for (let i = 0; i < value.length; i += 1) data.setUint8(offset + i, value.charCodeAt(i));
			};
			text(0, 'RIFF');
			data.setUint32(4, 36 + frames * 2, true);
			text(8, 'WAVE');
			text(12, 'fmt ');
			data.setUint32(16, 16, true);
			data.setUint16(20, 1, true);
			data.setUint16(22, 1, true);
			data.setUint32(24, rate, true);
			data.setUint32(28, rate * 2, true);
			data.setUint16(32, 2, true);
			data.setUint16(34, 16, true);
			text(36, 'data');
			data.setUint32(40, frames * 2, true);
			for (let i = 0; i < frames; i += 1) {
				data.setInt16(44 + i * 2, Math.round(0.14 * 32767 * Math.sin((2 * Math.PI * 660 * i) / rate)), true);
			}
			const wav = new Blob([data.buffer], { type: 'audio/wav' });
			return new Promise<void>((resolve, reject) => {
				const open = indexedDB.open(database);
				open.onupgradeneeded = () => open.result.createObjectStore(store);
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction(store, 'readwrite');
					const keyval = tx.objectStore(store);
					keyval.put(script, `grounding-script:${scriptId}`);
					if (clipStep) {
						keyval.put(
							{ version: 1, scriptId, stepId: clipStep, wav, durationSeconds: 3, gainDb: 0, recordedAt: Date.now() },
							`voice-clip:${scriptId}:${clipStep}`
						);
					}
					tx.oncomplete = () => {
						db.close();
						resolve();
					};
					tx.onerror = () => reject(tx.error);
				};
			});
		},
		{ database: DATABASE, store: STORE, scriptId: SCRIPT_ID, steps, clipStep }
	);
}

const playerUrl = `/grounding/play/?script=${SCRIPT_ID}`;

test.describe.configure({ timeout: 150_000 });

test('a script plays with eyes closed: chimes on the plan, the recorded voice in its step, the background ducked under it', async ({
	page,
	context,
	baseURL
}) => {
	const checkPrivacy = await guardPrivacy(page, context, baseURL!);
	await stubPlatform(page);
	await installAudioTap(page);
	const steps: SeedStep[] = [
		{ id: 'arrive', text: 'Arrive, just as you are.', seconds: 10, chime: true, background: true },
		{ id: 'voice', text: 'Listen to the voice.', seconds: 9, chime: true, background: true },
		{ id: 'rest', text: 'Rest here a moment.', seconds: 8, chime: true, background: true }
	];
	const planned = [0, 10, 19, 27];
	await seed(page, steps, 'voice');
	await page.goto(playerUrl);
	await expect(page.getByRole('heading', { name: 'Player test', level: 1 })).toBeVisible();
	const before = await tapContextIds(page);
	expect(before).toEqual([]);

	await page.getByRole('button', { name: 'Begin' }).click();
	await expect(page.getByTestId('step-text')).toHaveText('Arrive, just as you are.');
	await expect(page.getByTestId('step-number')).toHaveText('Step 1 of 3');
	await expect(page.getByTestId('next-step')).toHaveText('Next: Listen to the voice');

	// Eyes closed for the rest of the run: near-black, a faint step number, a large way back.
	await page.getByRole('button', { name: 'Eyes closed' }).click();
	const dim = page.getByTestId('eyes-closed');
	await expect(dim).toBeVisible();
	await expect(dim).toHaveCSS('background-color', 'rgb(3, 4, 5)');
	await expect(dim).toContainText('1 / 3');
	const openEyes = page.getByRole('button', { name: 'Open eyes' });
	await expect(openEyes).toBeFocused();
	const box = (await openEyes.boundingBox())!;
	expect(box.height).toBeGreaterThan(150);
	expect(await page.evaluate(() => (window as unknown as TapWindow).__wakeLockRequests)).toEqual(['screen']);
	await page.screenshot({ path: test.info().outputPath('eyes-closed.png') });

	const ids = await runContexts(page, before);
	const first = (await onsetTimes(page, ids.chimes))[0]!;
	await waitForRecorded(page, ids.chimes, first + planned[2]! + 0.5, 60_000);
	await expect(dim).toContainText('3 / 3');
	await waitForRecorded(page, ids.chimes, first + planned.at(-1)! + 0.5, 60_000);

	// Chimes: every step's and the closing bell, on the plan to within 50 ms.
	const chimes = await onsetTimes(page, ids.chimes);
	expect(chimes).toHaveLength(planned.length);
	chimes.forEach((onset, index) => expect(Math.abs(onset - first - planned[index]!)).toBeLessThan(0.05));

	// The voice: howler's context sounds only in the second step, from about a second into it.
	const voiceStep = await onClock(page, ids.chimes, ids.voice, first + planned[1]!);
	const voiceOnsets = await onsetTimes(page, ids.voice);
	expect(voiceOnsets).toHaveLength(1);
	expect(voiceOnsets[0]! - voiceStep).toBeGreaterThan(0.7);
	// The clip starts through a media element, not the audio clock, so its start moves with the load
	// on the machine: 1.60 s once with the take-home journeys running beside it.
	expect(voiceOnsets[0]! - voiceStep).toBeLessThan(1.8);
	expect((await peakOver(page, ids.voice, voiceOnsets[0]! + 0.2, voiceOnsets[0]! + 2.8)).db).toBeGreaterThan(-25);
	expect((await peakOver(page, ids.voice, voiceOnsets[0]! + 3.2, voiceOnsets[0]! + 5)).db).toBeLessThan(-60);

	// The background ducks by 8 dB or more while the clip plays, and comes back within 3 dB after it.
	const step2 = await onClock(page, ids.chimes, ids.background, first + planned[1]!);
	const clipOnBackground = await onClock(page, ids.voice, ids.background, voiceOnsets[0]!);
	const levelBefore = await levelDb(page, ids.background, step2 - 2.5, step2 - 0.3);
	const levelUnder = await levelDb(page, ids.background, clipOnBackground + 1.2, clipOnBackground + 2.9);
	const levelAfter = await levelDb(page, ids.background, clipOnBackground + 5.5, clipOnBackground + 7.5);
	test.info().annotations.push({
		type: 'measured',
		description: JSON.stringify({
			chimeErrorsMs: chimes.map((onset, index) => Math.round((onset - first - planned[index]!) * 1e5) / 100),
			voiceAfterStepStart: Math.round((voiceOnsets[0]! - voiceStep) * 1000) / 1000,
			backgroundDb: { before: levelBefore, under: levelUnder, after: levelAfter }
		})
	});
	expect(levelBefore).toBeGreaterThan(-40);
	expect(levelBefore - levelUnder).toBeGreaterThanOrEqual(8);
	expect(Math.abs(levelAfter - levelBefore)).toBeLessThanOrEqual(3);

	// The end: the screen opens again by itself, and says so.
	await expect(page.getByText('The script has finished. Take a moment before you move.')).toBeVisible();
	await expect(dim).toBeHidden();
	await page.screenshot({ path: test.info().outputPath('finished.png') });
	await checkPrivacy();
});

test('previous and next move between steps; a reload comes back to the same step, silent until a tap', async ({
	page,
	context,
	baseURL
}) => {
	const checkPrivacy = await guardPrivacy(page, context, baseURL!);
	await stubPlatform(page);
	await installAudioTap(page);
	const steps: SeedStep[] = [1, 2, 3, 4].map((n) => ({
		id: `step-${n}`,
		text: `This is step ${n}.`,
		seconds: 20,
		chime: true,
		background: false
	}));
	await seed(page, steps, null);
	await page.goto(playerUrl);
	await page.getByRole('button', { name: 'Begin' }).click();
	const text = page.getByTestId('step-text');
	await expect(text).toHaveText('This is step 1.');
	await page.screenshot({ path: test.info().outputPath('playing.png') });

	await page.keyboard.press('ArrowRight');
	await expect(text).toHaveText('This is step 2.');
	await page.getByRole('button', { name: 'Next step' }).click();
	await expect(text).toHaveText('This is step 3.');
	await page.keyboard.press('ArrowLeft');
	await expect(text).toHaveText('This is step 2.');
	await expect(page.getByTestId('step-number')).toHaveText('Step 2 of 4');
	// Space pauses and resumes when no control has the focus (on a button, Space presses the button).
	await page.getByTestId('step-text').click();
	await page.keyboard.press('Space');
	await expect(page.getByRole('button', { name: /Resume/ })).toBeVisible();
	await page.keyboard.press('Space');
	await expect(page.getByRole('button', { name: /Pause/ })).toBeVisible();
	await page.waitForTimeout(3_500);
	const leftBefore = await page.getByTestId('time-left').textContent();

	await page.reload();
	await expect(page.getByRole('heading', { name: 'Continue “Player test” at step 2' })).toBeVisible();
	await page.waitForTimeout(2_000);
	// Silent: no audio context exists until the tap.
	expect(await tapContextIds(page)).toEqual([]);

	await page.getByRole('button', { name: 'Continue at step 2' }).click();
	await expect(text).toHaveText('This is step 2.');
	await expect(page.getByTestId('step-number')).toHaveText('Step 2 of 4');
	// Where it was: about 4 s into the step's 20 (the reload kept the time spent, not more).
	const left = (await page.getByTestId('time-left').textContent())!;
	const seconds = (value: string) => Number(value.split(':')[1]!.slice(0, 2)) + 60 * Number(value.split(':')[0]);
	expect(Math.abs(seconds(left) - seconds(leftBefore!))).toBeLessThanOrEqual(2);
	// Sound comes back with the tap: the next step's chime is heard (resumed part-way, step 2 has none).
	await page.keyboard.press('ArrowRight');
	await expect(text).toHaveText('This is step 3.');
	await page.waitForFunction(
		() =>
			Object.values((window as unknown as TapWindow).__audioTap.contexts).some(
				(entry) => entry.onsets.length > 0 && entry.context.state === 'running'
			),
		undefined,
		{ timeout: 10_000 }
	);

	// Ending forgets the place: the next visit starts afresh.
	await page.getByRole('button', { name: 'End' }).click();
	await expect(page.getByRole('button', { name: 'Begin' })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('button', { name: 'Begin' })).toBeVisible();
	await expect(page.getByRole('heading', { name: /Continue/ })).toHaveCount(0);
	await checkPrivacy();
});

test('an unknown script says so plainly and links back to the scripts', async ({ page }) => {
	await page.goto('/grounding/play/?script=no-such-script');
	await expect(page.getByRole('heading', { name: 'This script isn’t on this device' })).toBeVisible();
	await page.getByRole('link', { name: 'Back to grounding scripts' }).click();
	await expect(page).toHaveURL(/\/grounding\/$/);
});

/**
 * What the pacer really sends to the speakers, recorded in Chromium by the audio tap and
 * compared with the timeline: every cue where the plan puts it, within 3 ms, even while the
 * page's main thread is stalled; pause fades to silence and resume starts again.
 */
import { expect, test, type Page } from '@playwright/test';
import type { CustomDurations, PhaseKind } from '../../src/lib/breath/patterns';
import { buildTimeline, type Timeline } from '../../src/lib/breath/timeline';
import type { Milliseconds, Seconds } from '../../src/lib/units';
import {
	blockPeaks,
	heardAt,
	installAudioTap,
	readTap,
	tapClicks,
	tapContextIds,
	TAP_MIN_QUIET,
	TAP_THRESHOLD,
	waitForAudioTime,
	waitForOnsets,
	waitForRecorded,
	waitForSoundingContext
} from '../support/audio-tap';

/** How far a cue may land from the plan. */
const TOLERANCE: Seconds = 0.003;
/** The phases that "Soft tones" voices; holds are silent on purpose. */
const VOICED: readonly PhaseKind[] = ['inhale', 'inhale-top', 'exhale'];

test.beforeEach(async ({ page }) => {
	await installAudioTap(page);
	await page.goto('/breathe/');
	await expect(page.getByRole('heading', { name: 'Your practice' })).toBeVisible();
	await expect(page.getByRole('group', { name: 'Pattern' })).toBeVisible();
});

async function chooseCustomTones(page: Page, durations: CustomDurations, breaths: number): Promise<void> {
	await page.getByRole('radio', { name: 'Your own pattern' }).check();
	await page.getByLabel('Breathe in (seconds)').fill(String(durations.inhale));
	await page.getByLabel('Hold (seconds)').fill(String(durations.holdIn));
	await page.getByLabel('Breathe out (seconds)').fill(String(durations.exhale));
	await page.getByLabel('Rest (seconds)').fill(String(durations.holdOut));
	await page.getByRole('radio', { name: 'Breaths', exact: true }).check();
	await page.getByLabel('How many breaths').fill(String(breaths));
	await page.getByRole('radio', { name: 'Soft tones' }).check();
	await expect(page.getByRole('alert')).toHaveCount(0);
}

function customTimeline(durations: CustomDurations, breaths: number): Timeline {
	return buildTimeline({ pattern: { kind: 'custom', durations }, length: { kind: 'breaths', count: breaths } });
}

/** Timeline positions at which a tone should begin. */
function voicedStarts(timeline: Timeline): Seconds[] {
	return timeline.events.filter((event) => VOICED.includes(event.kind)).map((event) => event.start);
}

/** Starts practice and returns the id of the context that sounds, with its first onset. */
async function begin(page: Page): Promise<{ id: number; first: Seconds }> {
	const before = await tapContextIds(page);
	await page.getByRole('button', { name: 'Begin' }).click();
	const id = await waitForSoundingContext(page, before);
	const { onsets, coveredFrom } = await readTap(page, id);
	const first = onsets[0]!;
	// The tap heard enough quiet before the first onset to know it is the first cue's true start.
	expect(coveredFrom).not.toBeNull();
	expect(coveredFrom! + TAP_MIN_QUIET).toBeLessThanOrEqual(first);
	return { id, first };
}

/**
 * Pairs each planned onset (timeline position, anchored so that position 0 sounds at `anchor`)
 * with what was recorded, in order, so that a miss, an extra or a late cue all show in the diff.
 */
function compareToPlan(onsets: readonly Seconds[], planned: readonly Seconds[], anchor: Seconds) {
	const errorsMs = planned.map((position, n) => {
		const heard = onsets[n];
		return heard === undefined ? null : Math.round((heard - anchor - position) * 1e6) / 1e3;
	});
	const worst = errorsMs.reduce<number>((max, error) => Math.max(max, error === null ? Infinity : Math.abs(error)), 0);
	return { errorsMs, worstMs: worst };
}

test('each tone starts where the timeline says, within 3 ms', async ({ page }) => {
	const durations = { inhale: 2, holdIn: 1, exhale: 3, holdOut: 0.5 };
	await chooseCustomTones(page, durations, 3);
	const timeline = customTimeline(durations, 3);
	const planned = voicedStarts(timeline);
	expect(planned.map((position) => Math.round(position * 1000) / 1000)).toEqual([0, 3, 6.5, 9.5, 13, 16]);

	const { id, first } = await begin(page);

	// The click is heard as sound soon after: Tone loads, the context starts, the first cue follows its lead.
	const click = (await tapClicks(page)).findLast((entry) => entry.label === 'Begin');
	expect(click).toBeDefined();
	const delay: Milliseconds = (await heardAt(page, id, first)) - click!.timeStamp;
	test.info().annotations.push({ type: 'click to first onset heard', description: `${delay.toFixed(1)} ms` });
	// The first cue waits out the new context's first second (WARM_UP in cue-engine.ts), then comes at once.
	expect(delay).toBeGreaterThan(1000);
	expect(delay).toBeLessThan(2000);

	// Partway, in the silent hold of the second breath (position 9): three tones so far, no more.
	await waitForRecorded(page, id, first + 9);
	const partway = await readTap(page, id);
	const soFar = planned.filter((position) => position <= 9);
	expect(partway.onsets.filter((time) => time <= first + 9)).toHaveLength(soFar.length);
	expect(compareToPlan(partway.onsets, soFar, first).worstMs).toBeLessThanOrEqual(TOLERANCE * 1000);

	// The last out-breath ends with the closing bell; listen a little past it for strays.
	await waitForRecorded(page, id, first + timeline.end + 0.5);
	const done = await readTap(page, id);
	const withBell = [...planned, timeline.end];
	const result = compareToPlan(done.onsets, withBell, first);
	expect(done.onsets, `onsets against plan (ms): ${result.errorsMs.join(', ')}`).toHaveLength(withBell.length);
	expect(result.worstMs, `onsets against plan (ms): ${result.errorsMs.join(', ')}`).toBeLessThanOrEqual(
		TOLERANCE * 1000
	);
});

test('a stalled main thread makes no cue late or missing', async ({ page }) => {
	test.setTimeout(120_000);
	const durations = { inhale: 1, holdIn: 0, exhale: 1, holdOut: 0 };
	const breaths = 35;
	await chooseCustomTones(page, durations, breaths);
	const planned = voicedStarts(customTimeline(durations, breaths));
	expect(planned).toHaveLength(2 * breaths);

	const { id, first } = await begin(page);

	// Four 10 s stalls of the page's main thread with a few seconds between: no timer, no frame,
	// no message handler runs while one lasts. The audio thread must carry the cues alone.
	const stalls: Milliseconds[] = [];
	for (let n = 0; n < 4; n += 1) {
		await page.waitForTimeout(3_000);
		stalls.push(
			await page.evaluate(() => {
				const start = performance.now();
				const end = start + 10_000;
				while (performance.now() < end) {
					// Busy on purpose: this is the stall.
				}
				return performance.now() - start;
			})
		);
	}
	for (const stall of stalls) expect(stall).toBeGreaterThanOrEqual(10_000);

	// Read well past the stalls, in the middle of a tone so that no onset sits on the cut.
	const cut: Seconds = 64.5;
	await waitForRecorded(page, id, first + cut);
	const { onsets } = await readTap(page, id);
	const expected = planned.filter((position) => position <= cut);
	const heard = onsets.filter((time) => time <= first + cut);
	const result = compareToPlan(heard, expected, first);
	test.info().annotations.push({ type: 'worst cue error', description: `${result.worstMs} ms` });
	expect(heard, `onsets against plan (ms): ${result.errorsMs.join(', ')}`).toHaveLength(expected.length);
	expect(result.worstMs, `onsets against plan (ms): ${result.errorsMs.join(', ')}`).toBeLessThanOrEqual(
		TOLERANCE * 1000
	);
});

test('pause fades to silence within 100 ms, nothing sounds while paused, resume sounds again', async ({ page }) => {
	const durations = { inhale: 2, holdIn: 0, exhale: 3, holdOut: 0 };
	await chooseCustomTones(page, durations, 10);
	const { id, first } = await begin(page);

	// Pause in the middle of the out-breath tone, when it is loud: a fade that works must be heard to work.
	await waitForAudioTime(page, id, first + 2.8);
	await page.getByRole('button', { name: 'Pause' }).click();
	await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
	const pausedAt = (await tapClicks(page)).findLast((click) => click.label === 'Pause')?.contextTimes[id];
	expect(pausedAt).toBeDefined();
	const pauseTime = pausedAt!;

	// Paused for longer than a whole breath, so a cue that escaped the pause would have sounded.
	await waitForRecorded(page, id, pauseTime + 5);
	const before = await blockPeaks(page, id, pauseTime - 0.05, pauseTime);
	expect(Math.max(...before.map((block) => block.peak))).toBeGreaterThan(0.01);
	const after = await blockPeaks(page, id, pauseTime, pauseTime + 5);
	const block = after[0]!.duration;
	// The tap really was listening all along: blocks cover the whole pause.
	expect(after.length).toBeGreaterThan(5 / block - 10);
	const sounding = after.filter((entry) => entry.peak > TAP_THRESHOLD);
	const lastSound = sounding.at(-1);
	const silentFrom = lastSound ? lastSound.time + lastSound.duration : pauseTime;
	test
		.info()
		.annotations.push({ type: 'pause to silence', description: `${((silentFrom - pauseTime) * 1000).toFixed(1)} ms` });
	expect(silentFrom - pauseTime).toBeLessThanOrEqual(0.1 + block);

	const pausedCount = (await readTap(page, id)).onsets.length;
	await page.getByRole('button', { name: 'Resume' }).click();
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	const resumedAt = (await tapClicks(page)).findLast((click) => click.label === 'Resume')?.contextTimes[id];
	expect(resumedAt).toBeDefined();
	const resumeTime = resumedAt!;

	const { onsets } = await waitForOnsets(page, id, pausedCount + 1, 5_000);
	expect(onsets.filter((time) => time > pauseTime && time < resumeTime)).toEqual([]);
	// Resuming picks up at the in-breath a short lead after the click.
	const restart = onsets.find((time) => time > resumeTime);
	expect(restart).toBeDefined();
	expect(restart! - resumeTime).toBeGreaterThan(0.2);
	expect(restart! - resumeTime).toBeLessThan(1);
});

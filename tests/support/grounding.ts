/**
 * Helpers for the grounding journeys that hear a script run on the real audio output (the editor's
 * and the player's): which tapped context is the voice, the chimes and the background, a time on
 * one context's clock read on another's, and levels over a window. Built on tests/support/audio-tap.ts.
 *
 * @example
 * const before = await tapContextIds(page);
 * await page.getByRole('button', { name: 'Begin' }).click();
 * const ids = await runContexts(page, before);
 * const first = (await onsetTimes(page, ids.chimes))[0]!;
 * const step2OnVoice = await onClock(page, ids.chimes, ids.voice, first + 10);
 * expect((await peakOver(page, ids.voice, first, step2OnVoice)).db).toBeLessThan(-60);
 */
import { expect, type Page } from '@playwright/test';
import type { Seconds } from '../../src/lib/units';
import { blockPeaks, waitForRecorded } from './audio-tap';

/** The page-side tap, as far as the grounding journeys read it. */
export type GroundingTapWindow = Window & {
	__audioTap: {
		contexts: Record<number, { id: number; context: AudioContext; onsets: { time: number }[] }>;
		idOf(context: BaseAudioContext): number | null;
	};
	Howler?: { ctx?: AudioContext };
};

/** The tap ids of a script run's three contexts. */
export interface RunContexts {
	voice: number;
	chimes: number;
	background: number;
}

/** The open contexts the run made: howler's (the voice), the chimes' (onsets), the background's (the rest). */
export async function runContexts(page: Page, before: number[]): Promise<RunContexts> {
	const handle = await page.waitForFunction(
		(before) => {
			const tap = (window as unknown as GroundingTapWindow).__audioTap;
			const howler = (window as unknown as GroundingTapWindow).Howler?.ctx;
			const voice = howler ? tap.idOf(howler) : null;
			const open = Object.values(tap.contexts).filter(
				(entry) => !before.includes(entry.id) && entry.context.state !== 'closed' && entry.id !== voice
			);
			const chimes = open.find((entry) => entry.onsets.length >= 2);
			const background = open.find((entry) => entry !== chimes && entry.onsets.length > 0);
			return voice !== null && chimes && background ? { voice, chimes: chimes.id, background: background.id } : null;
		},
		before,
		{ timeout: 30_000, polling: 100 }
	);
	return (await handle.jsonValue()) as RunContexts;
}

/** `time` on context `from`'s clock, read on context `to`'s clock (through each one's output timestamp). */
export async function onClock(page: Page, from: number, to: number, time: Seconds): Promise<Seconds> {
	const offsets = await page.evaluate(
		(ids) =>
			ids.map((id) => {
				const context = (window as unknown as GroundingTapWindow).__audioTap.contexts[id]!.context;
				const stamp = context.getOutputTimestamp();
				return (stamp.contextTime ?? 0) - (stamp.performanceTime ?? 0) / 1000;
			}),
		[from, to]
	);
	return time - offsets[0]! + offsets[1]!;
}

/** The onsets the tap found so far on context `id`, on its own clock. */
export async function onsetTimes(page: Page, id: number): Promise<Seconds[]> {
	return page.evaluate(
		(id) => (window as unknown as GroundingTapWindow).__audioTap.contexts[id]!.onsets.map((onset) => onset.time),
		id
	);
}

/**
 * Typical level over a window (mean of block peaks), in dB: steady enough to compare a soundscape's
 * level. A window the tap heard nothing of fails, rather than reading as silence.
 */
export async function levelDb(page: Page, id: number, from: Seconds, to: Seconds): Promise<number> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	expect(blocks.length, `blocks recorded from ${from} to ${to}`).toBeGreaterThan(0);
	const mean = blocks.reduce((sum, block) => sum + block.peak, 0) / blocks.length;
	return 20 * Math.log10(Math.max(mean, 1e-9));
}

/** Loudest sample over a window, in dB, and how much of the window the tap heard. */
export async function peakOver(
	page: Page,
	id: number,
	from: Seconds,
	to: Seconds
): Promise<{ db: number; heard: Seconds }> {
	await waitForRecorded(page, id, to);
	const blocks = await blockPeaks(page, id, from, to);
	const heard = blocks.reduce((sum, block) => sum + block.duration, 0);
	return { db: 20 * Math.log10(Math.max(...blocks.map((block) => block.peak), 1e-9)), heard };
}

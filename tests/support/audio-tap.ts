/**
 * Records the page's real audio output in Chromium, without the app's help, and reads it back.
 *
 * Every AudioContext the page makes gets a tap: whatever is connected to its destination is also
 * connected, through a short delay line, to an AudioWorklet that finds onsets on the audio thread
 * and reports their exact frame on the context's own clock, plus the peak of every render quantum.
 * Results for a moment of sound arrive TAP_DELAY after it (the delay line keeps what plays while
 * the worklet loads); `waitForRecorded` waits for that. The browser side lives in
 * audio-tap-browser.js so that the bench uses the very same code.
 *
 * @example
 * await installAudioTap(page);
 * await page.goto('/breathe/');
 * const before = await tapContextIds(page);
 * await page.getByRole('button', { name: 'Begin' }).click();
 * const id = await waitForSoundingContext(page, before);
 * const { onsets } = await readTap(page, id);
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Milliseconds, Seconds } from '../../src/lib/units';
import { DEFAULT_TAP_OPTIONS, installAudioTapInto } from './audio-tap-browser.js';

/** Quiet needed before an onset, as the worklet applies it. */
export const TAP_MIN_QUIET: Seconds = DEFAULT_TAP_OPTIONS.minQuiet;
/** Magnitude that counts as sound. */
export const TAP_THRESHOLD = DEFAULT_TAP_OPTIONS.threshold;
/** How long after a sound the tap has analysed it. */
export const TAP_DELAY: Seconds = DEFAULT_TAP_OPTIONS.delay;

/** Installs the tap in every page of `target` from now on; call before `goto`. */
export async function installAudioTap(target: Page | BrowserContext): Promise<void> {
	await installAudioTapInto(target);
}

/** What one tapped context has recorded, as read at one moment. */
export interface TapReading {
	readonly id: number;
	readonly sampleRate: number;
	/** The context's clock when read. */
	readonly currentTime: Seconds;
	/** Sound up to this context time has been analysed (the clock less the tap's delay line). */
	readonly recordedUntil: Seconds;
	/**
	 * Context time of the first sample the tap analysed; at or below 0 when it heard everything
	 * from the context's start. An onset is only trustworthy after coveredFrom + TAP_MIN_QUIET.
	 */
	readonly coveredFrom: Seconds | null;
	readonly state: string;
	readonly error: string | null;
	/** Exact onset times on the context's clock. */
	readonly onsets: Seconds[];
}

/** One render quantum's loudest sample. */
export interface BlockPeak {
	/** Start of the block on the context's clock. */
	readonly time: Seconds;
	readonly duration: Seconds;
	readonly peak: number;
}

/** A click as the tap saw it, before the page's handlers ran. */
export interface TapClick {
	/** event.timeStamp, on the performance.now() clock. */
	readonly timeStamp: number;
	/** The clicked element's text, e.g. the button name. */
	readonly label: string;
	/** Each tapped context's clock at the click, by context id. */
	readonly contextTimes: Record<number, Seconds>;
}

/** The page-side shape of `window.__audioTap` (see audio-tap-browser.js). */
interface PageTap {
	contexts: Record<
		number,
		{
			id: number;
			context: AudioContext;
			sampleRate: number;
			delay: number;
			coveredFrom: number | null;
			error: string | null;
			onsets: { time: number }[];
			levels: { startFrame: number; blockFrames: number; peaks: Float32Array }[];
		}
	>;
	clicks: TapClick[];
}

/** The window as the tap leaves it; only ever used inside page.evaluate callbacks. */
type TapWindow = Window & { __audioTap: PageTap };

/** Ids of every context the page has made so far. */
export async function tapContextIds(page: Page): Promise<number[]> {
	return page.evaluate(() => Object.keys((window as unknown as TapWindow).__audioTap.contexts).map(Number));
}

/** Everything one context has recorded so far. */
export async function readTap(page: Page, id: number): Promise<TapReading> {
	return page.evaluate(
		({ id }) => {
			const entry = (window as unknown as TapWindow).__audioTap.contexts[id];
			if (!entry) throw new Error(`No tapped context ${id}`);
			const currentTime = entry.context.currentTime;
			return {
				id,
				sampleRate: entry.sampleRate,
				currentTime,
				recordedUntil: currentTime - entry.delay,
				coveredFrom: entry.coveredFrom,
				state: entry.context.state,
				error: entry.error,
				onsets: entry.onsets.map((onset) => onset.time)
			};
		},
		{ id }
	);
}

/** The peak of every render quantum that starts in [from, to) on the context's clock. */
export async function blockPeaks(page: Page, id: number, from: Seconds, to: Seconds): Promise<BlockPeak[]> {
	return page.evaluate(
		({ id, from, to }) => {
			const entry = (window as unknown as TapWindow).__audioTap.contexts[id];
			if (!entry) throw new Error(`No tapped context ${id}`);
			const out: { time: number; duration: number; peak: number }[] = [];
			for (const batch of entry.levels) {
				for (let i = 0; i < batch.peaks.length; i += 1) {
					const time = (batch.startFrame + i * batch.blockFrames) / entry.sampleRate;
					if (time >= from && time < to) {
						out.push({ time, duration: batch.blockFrames / entry.sampleRate, peak: batch.peaks[i] ?? 0 });
					}
				}
			}
			return out;
		},
		{ id, from, to }
	);
}

/** Every click so far, with each context's clock at that moment. */
export async function tapClicks(page: Page): Promise<TapClick[]> {
	return page.evaluate(() => (window as unknown as TapWindow).__audioTap.clicks);
}

/**
 * Waits for the first context, other than those in `before`, whose output has an onset, and
 * returns its id. Libraries may make silent contexts of their own (Tone.js makes one on import),
 * so "the newest context" would not do.
 */
export async function waitForSoundingContext(page: Page, before: readonly number[], timeout = 10_000): Promise<number> {
	try {
		const handle = await page.waitForFunction(
			({ before }) => {
				const tap = (window as unknown as TapWindow).__audioTap;
				const found = Object.values(tap.contexts).find(
					(entry) => !before.includes(entry.id) && entry.onsets.length > 0
				);
				return found ? found.id : null;
			},
			{ before: [...before] },
			{ timeout, polling: 50 }
		);
		return (await handle.jsonValue()) as number;
	} catch (error) {
		// Say whether the page was silent or the tap itself failed (its worklet would not load).
		const problems = await page.evaluate(() =>
			Object.values((window as unknown as TapWindow).__audioTap.contexts)
				.filter((entry) => entry.error !== null)
				.map((entry) => `context ${entry.id}: ${entry.error}`)
		);
		const detail = problems.length > 0 ? `the tap failed: ${problems.join('; ')}` : 'the page made no sound';
		throw new Error(`No new audio context sounded within ${timeout} ms: ${detail}`, { cause: error });
	}
}

/** Waits until context `id` has recorded at least `count` onsets; returns the reading. */
export async function waitForOnsets(page: Page, id: number, count: number, timeout = 30_000): Promise<TapReading> {
	await page.waitForFunction(
		({ id, count }) => ((window as unknown as TapWindow).__audioTap.contexts[id]?.onsets.length ?? 0) >= count,
		{ id, count },
		{ timeout, polling: 50 }
	);
	return readTap(page, id);
}

/** Waits until context `id`'s clock has reached `time`. */
export async function waitForAudioTime(page: Page, id: number, time: Seconds, timeout = 60_000): Promise<void> {
	await page.waitForFunction(
		({ id, time }) => ((window as unknown as TapWindow).__audioTap.contexts[id]?.context.currentTime ?? 0) >= time,
		{ id, time },
		{ timeout, polling: 20 }
	);
}

/**
 * Waits until the tap has analysed context `id`'s sound up to `time` (the clock runs the delay
 * line ahead of the analysis), with a margin for the last batch of block peaks to arrive.
 */
export async function waitForRecorded(page: Page, id: number, time: Seconds, timeout = 60_000): Promise<void> {
	const margin: Seconds = 0.05;
	await page.waitForFunction(
		({ id, time, margin }) => {
			const entry = (window as unknown as TapWindow).__audioTap.contexts[id];
			return entry !== undefined && entry.context.currentTime - entry.delay >= time + margin;
		},
		{ id, time, margin },
		{ timeout, polling: 20 }
	);
}

/**
 * The performance.now() moment at which context time `time` reaches the speakers, from the
 * context's output timestamp: the time a listener hears it.
 */
export async function heardAt(page: Page, id: number, time: Seconds): Promise<Milliseconds> {
	return page.evaluate(
		({ id, time }) => {
			const entry = (window as unknown as TapWindow).__audioTap.contexts[id];
			if (!entry) throw new Error(`No tapped context ${id}`);
			const stamp = entry.context.getOutputTimestamp();
			const contextTime = stamp.contextTime ?? 0;
			const performanceTime = stamp.performanceTime ?? 0;
			return performanceTime + (time - contextTime) * 1000;
		},
		{ id, time }
	);
}

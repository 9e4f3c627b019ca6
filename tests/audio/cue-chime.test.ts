/**
 * One-shot chimes on the cue engine's live context, heard by the same audio
 * tap the end-to-end tests use: each strikes at the exact audio-clock time it
 * was given, a cancelled one never sounds, a ringing one fades out when
 * cancelled, and every one is released. Nothing strikes in a new context's
 * first second (its warm-up).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CueEngine, WARM_UP } from '../../src/lib/audio/cue-engine';
import { STOP_FADE } from '../../src/lib/audio/cue-run';
import type { Seconds } from '../../src/lib/units';
import { DEFAULT_TAP_OPTIONS, TAP_PROCESSOR_SOURCE, audioTapInitScript } from '../support/audio-tap-browser.js';

interface TapEntry {
	context: AudioContext;
	sampleRate: number;
	delay: number;
	ready: boolean;
	onsets: { time: number }[];
	levels: { startFrame: number; blockFrames: number; peaks: Float32Array }[];
}

const tapContexts = (): TapEntry[] =>
	Object.values((window as unknown as { __audioTap: { contexts: Record<number, TapEntry> } }).__audioTap.contexts);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let engine: CueEngine;
let tap: TapEntry;
/** Where a chime asked for at once, as the engine was made, was placed; and the clock then. */
let earliest: { at: Seconds; askedAt: Seconds };

/** Waits until the tap has analysed the output up to `time`. */
async function recorded(time: Seconds): Promise<void> {
	while (tap.context.currentTime - tap.delay < time + 0.05) await sleep(20);
}

function peakBetween(from: Seconds, to: Seconds): number {
	let peak = 0;
	for (const batch of tap.levels) {
		batch.peaks.forEach((value, i) => {
			const time = (batch.startFrame + i * batch.blockFrames) / tap.sampleRate;
			if (time >= from && time < to) peak = Math.max(peak, value);
		});
	}
	return peak;
}

const onsetsBetween = (from: Seconds, to: Seconds): number[] =>
	tap.onsets.map((onset) => onset.time).filter((time) => time >= from && time < to);

beforeAll(async () => {
	// Before Tone loads, so that the cue engine's context is tapped (the page would get this as an init script).
	audioTapInitScript({ ...DEFAULT_TAP_OPTIONS, processorSource: TAP_PROCESSOR_SOURCE, moduleUrls: [] });
	engine = await CueEngine.create(1);
	const askedAt = engine.now;
	const early = engine.scheduleChime(askedAt);
	earliest = { at: early.at, askedAt };
	early.cancel();
	await engine.untilWarm();
	const open = tapContexts().filter((entry) => entry.context.state !== 'closed');
	expect(open).toHaveLength(1);
	tap = open[0]!;
	while (!tap.ready) await sleep(20);
});

afterAll(async () => {
	await engine.dispose();
});

describe('CueEngine.scheduleChime', () => {
	it('places nothing in a new context’s first second, and says when that has passed', () => {
		expect(earliest.askedAt).toBeLessThan(WARM_UP / 2);
		expect(earliest.at).toBeGreaterThanOrEqual(WARM_UP - 0.01);
		expect(engine.now).toBeGreaterThanOrEqual(WARM_UP - 0.01);
	});

	it('strikes at the exact audio-clock time given; a chime cancelled before it strikes never sounds', async () => {
		const at = engine.now + 0.6;
		const chime = engine.scheduleChime(at);
		const cancelled = engine.scheduleChime(at + 1.2, 'closing-bell');
		expect(chime.at).toBe(at);
		expect(engine.liveChimes).toBe(2);
		cancelled.cancel();
		expect(engine.liveChimes).toBe(1);
		await recorded(at + 2.5);
		const onsets = onsetsBetween(at - 0.5, at + 2.5);
		expect(onsets).toHaveLength(1);
		// Within 3 frames (the tap reports exact frames; a sine rising from zero under a linear
		// attack takes two or three samples to pass the tap's −80 dBFS threshold).
		expect(onsets[0]! - at).toBeGreaterThanOrEqual(0);
		expect(onsets[0]! - at).toBeLessThanOrEqual(3.5 / tap.sampleRate);
		// Only the struck chime rings on after 1.8 s: its level keeps falling, with no second strike.
		expect(peakBetween(at + 1.9, at + 2.4)).toBeLessThan(peakBetween(at + 1.1, at + 1.6));
	});

	it('fades a ringing chime to silence within its stop fade, and lets its nodes go', async () => {
		while (engine.liveChimes > 0) await sleep(100); // the first test's chime rings out (about 7 s)
		const at = engine.now + 0.3;
		const bell = engine.scheduleChime(at, 'closing-bell');
		await sleep(900);
		const cancelAt = engine.now;
		bell.cancel();
		await recorded(cancelAt + 0.6);
		expect(peakBetween(at + 0.1, at + 0.5)).toBeGreaterThan(0.05);
		expect(peakBetween(cancelAt + STOP_FADE + 0.01, cancelAt + 0.6)).toBeLessThan(1e-4);
		await sleep(600);
		expect(engine.liveChimes).toBe(0);
	});

	it('strikes at once, never in the past, when asked for a time already gone', async () => {
		const before = engine.now;
		const chime = engine.scheduleChime(before - 1);
		const after = engine.now;
		// 50 ms after the clock as it read when asked (it may have moved on by a render quantum or two since).
		expect(chime.at).toBeGreaterThanOrEqual(before + 0.05);
		expect(chime.at).toBeLessThanOrEqual(after + 0.05);
		chime.cancel();
	});
});

/**
 * The breath cues, rendered offline in real Chromium through the real cue
 * code, and measured on the samples.
 */
import { describe, expect, it } from 'vitest';
import { HORIZON, MIN_AHEAD, STOP_FADE } from '../../src/lib/audio/cue-run';
import { MIN_ATTACK } from '../../src/lib/audio/cue-voices';
import type { BreathPattern } from '../../src/lib/breath/patterns';
import { buildTimeline } from '../../src/lib/breath/timeline';
import { attackTimes, findOnsets, maxSecondDifference, onsetErrors, peakBetween, timeToSilence } from './analysis';
import { renderRun } from './render';

const coherent: BreathPattern = { kind: 'coherent', breathsPerMinute: 5.5 };

describe('soft tones', () => {
	it('start every in- and out-breath within 1 ms of the timeline, with no click', async () => {
		const timeline = buildTimeline({ pattern: coherent, length: { kind: 'minutes', minutes: 4 } });
		const result = await renderRun({ timeline, cueSet: 'tones', duration: 245 });
		const onsets = findOnsets(result.samples, result.sampleRate);
		const expected = timeline.events.map((event) => result.startAt + event.start);
		const { errors, missed, extra } = onsetErrors(onsets, expected);
		expect(missed).toBe(0);
		// The closing bell is the one onset that is not a phase.
		expect(extra).toBe(1);
		expect(Math.max(...errors.map(Math.abs))).toBeLessThan(0.001);
		expect(Math.min(...attackTimes(result.samples, result.sampleRate, onsets))).toBeGreaterThanOrEqual(0.005);
		expect(maxSecondDifference(result.samples)).toBeLessThan(0.02);
	});

	it('rise on the in-breath and fall on the out-breath', async () => {
		const timeline = buildTimeline({ pattern: { kind: 'extended-exhale' }, length: { kind: 'breaths', count: 1 } });
		const result = await renderRun({ timeline, cueSet: 'tones', duration: 11, sampleRate: 48_000 });
		const pitch = (from: number, to: number) => zeroCrossingRate(result.samples, result.sampleRate, from, to) / 2;
		const start = result.startAt;
		// In-breath: 0–4 s, glides up from 220 Hz; out-breath: 4–10 s, glides down to 196 Hz.
		expect(pitch(start + 0.3, start + 0.8)).toBeLessThan(pitch(start + 3, start + 3.5));
		expect(pitch(start + 4.3, start + 4.8)).toBeGreaterThan(pitch(start + 8.5, start + 9));
	});

	it('keep at least a minute of cues scheduled all the time, and release finished voices', async () => {
		const timeline = buildTimeline({
			pattern: { kind: 'custom', durations: { inhale: 1, holdIn: 0, exhale: 1, holdOut: 0 } },
			length: { kind: 'minutes', minutes: 6 }
		});
		const result = await renderRun({ timeline, cueSet: 'tones', duration: 200, probeEvery: 0.5 });
		const ahead = result.probes.map((probe) => probe.ahead);
		expect(Math.min(...ahead)).toBeGreaterThanOrEqual(MIN_AHEAD);
		expect(Math.max(...ahead.filter(Number.isFinite))).toBeLessThanOrEqual(HORIZON + 1);
		// Finished voices are let go: never more alive than a horizon's worth (2 per second here).
		expect(Math.max(...result.probes.map((probe) => probe.voices))).toBeLessThanOrEqual(2 * HORIZON + 2);
		expect(result.probes.at(-1)!.voices).toBeLessThan(2 * HORIZON);
	});
});

describe('stopping', () => {
	it.each(['tones', 'chimes', 'ocean'] as const)(
		'%s fade to silence within 100 ms and release everything',
		async (cueSet) => {
			const timeline = buildTimeline({ pattern: coherent, length: { kind: 'minutes', minutes: 2 } });
			const stopAt = 0.5 + 2.5; // the middle of the first in-breath
			const result = await renderRun({ timeline, cueSet, duration: 5, stopAt });
			expect(result.silentAt).toBeDefined();
			const stoppedAt = result.silentAt! - STOP_FADE;
			expect(peakBetween(result.samples, result.sampleRate, stoppedAt - 0.3, stoppedAt)).toBeGreaterThan(0.01);
			expect(timeToSilence(result.samples, result.sampleRate, stoppedAt)).toBeLessThanOrEqual(0.1);
			expect(peakBetween(result.samples, result.sampleRate, stoppedAt + 0.1, 5)).toBeLessThan(1e-3);
			expect(maxSecondDifference(result.samples)).toBeLessThan(0.02);
			expect(result.run.disposed).toBe(true);
			expect(result.run.liveVoices).toBe(0);
		}
	);
});

describe('other cue sets', () => {
	it('chimes strike a bowl at every phase change with a soft attack, higher for in than out', async () => {
		const timeline = buildTimeline({ pattern: { kind: 'box' }, length: { kind: 'breaths', count: 2 } });
		const result = await renderRun({ timeline, cueSet: 'chimes', duration: 40, sampleRate: 48_000 });
		// Bowls ring into the next phase, so onsets are found by level jumps rather than from silence.
		for (const event of timeline.events) {
			const at = result.startAt + event.start;
			const before = peakBetween(result.samples, result.sampleRate, at - 0.05, at - 0.005);
			const after = peakBetween(result.samples, result.sampleRate, at + 0.005, at + 0.05);
			expect(after).toBeGreaterThan(before);
		}
		const inhale = zeroCrossingRate(result.samples, result.sampleRate, result.startAt + 0.02, result.startAt + 0.3);
		const exhale = zeroCrossingRate(result.samples, result.sampleRate, result.startAt + 8.02, result.startAt + 8.3);
		expect(inhale).toBeGreaterThan(exhale);
		const [first] = findOnsets(result.samples, result.sampleRate);
		expect(first).toBeDefined();
		expect(attackTimes(result.samples, result.sampleRate, [first!])[0]).toBeGreaterThanOrEqual(MIN_ATTACK);
		expect(maxSecondDifference(result.samples)).toBeLessThan(0.02);
	});

	it('ocean swells with the in-breath and ebbs with the out-breath', async () => {
		const timeline = buildTimeline({ pattern: coherent, length: { kind: 'breaths', count: 3 } });
		const result = await renderRun({ timeline, cueSet: 'ocean', duration: 40 });
		const half = 60 / 5.5 / 2;
		const level = (from: number) => rms(result.samples, result.sampleRate, from, from + 0.4);
		const s = result.startAt;
		expect(level(s + half - 0.5)).toBeGreaterThan(level(s + 1.5) * 2); // full lungs louder than early in-breath
		expect(level(s + 2 * half - 0.5)).toBeLessThan(level(s + half - 0.5) / 2); // emptied again
		expect(maxSecondDifference(result.samples)).toBeLessThan(0.05);
	});

	it('silent makes no sound at all', async () => {
		const timeline = buildTimeline({ pattern: coherent, length: { kind: 'breaths', count: 2 } });
		const result = await renderRun({ timeline, cueSet: 'silent', duration: 25 });
		expect(peakBetween(result.samples, result.sampleRate, 0, 25)).toBe(0);
	});

	it('ends with a soft closing bell after the last out-breath', async () => {
		const timeline = buildTimeline({ pattern: coherent, length: { kind: 'breaths', count: 1 } });
		const result = await renderRun({ timeline, cueSet: 'tones', duration: 30 });
		const onsets = findOnsets(result.samples, result.sampleRate);
		expect(onsets).toHaveLength(3);
		expect(Math.abs(onsets[2]!.time - (result.startAt + timeline.end))).toBeLessThan(0.001);
		expect(result.run.endsAt).toBeGreaterThan(result.startAt + timeline.end + 10);
	});
});

function zeroCrossingRate(samples: Float32Array, sampleRate: number, from: number, to: number): number {
	let crossings = 0;
	const end = Math.round(to * sampleRate);
	for (let i = Math.round(from * sampleRate) + 1; i < end; i += 1) {
		if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings += 1;
	}
	return crossings / (to - from);
}

function rms(samples: Float32Array, sampleRate: number, from: number, to: number): number {
	let sum = 0;
	const start = Math.round(from * sampleRate);
	const end = Math.round(to * sampleRate);
	for (let i = start; i < end; i += 1) sum += samples[i]! ** 2;
	return Math.sqrt(sum / (end - start));
}

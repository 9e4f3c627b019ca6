/**
 * The generative soundscapes, rendered offline in real Chromium through the
 * real code and measured on the samples; and their plans, checked as data.
 */
import * as Tone from 'tone';
import { describe, expect, it } from 'vitest';
import { integratedLoudness, loudnessCurve, samplePeak } from '../../scripts/music/loudness.js';
import { Random, mulberry32 } from '../../src/lib/music/prng';
import {
	BOWL_ATTACK,
	BOWL_GAPS,
	BOWL_SLOTS,
	CHORD_GAPS,
	FADE_IN,
	HORIZON,
	MODE_SCALES,
	PAD_VOICES,
	WAVE_PERIODS,
	bowlScore,
	createSoundscape,
	bowlStrikes,
	droneHighVoice,
	droneRoot,
	drift,
	joinedAt,
	padChords,
	padKey,
	padScore,
	seaScore,
	seaWaves,
	type Cue,
	type Point
} from '../../src/lib/music/soundscapes';
import { SOUNDSCAPES, type SoundscapeId } from '../../src/lib/session/playlist';
import type { Seconds } from '../../src/lib/units';
import { maxSecondDifference, peakBetween } from './analysis';
import { renderSoundscape, type SoundscapeRender } from './render-soundscape';

const SEED = 20_240_611;
/** Longer than the first chunk (HORIZON after the start), so the end is made of top-ups. */
const LENGTH: Seconds = HORIZON + 10;
const STOP_AT: Seconds = HORIZON + 5;
const STOP_FADE: Seconds = 2;
/** Soundscapes made of tones, where any step in the wave is a click; the others are noise. */
const TONAL = new Set<SoundscapeId>(['warm-drone', 'slow-pads', 'bowls']);

/** The items of an endless plan due before `time`. */
function until<T extends { readonly time: Seconds }>(items: Iterator<T>, time: Seconds): T[] {
	const out: T[] = [];
	for (let next = items.next(); next.done !== true && next.value.time < time; next = items.next()) out.push(next.value);
	return out;
}

function slice(render: SoundscapeRender, from: Seconds, to: Seconds): Float32Array[] {
	const a = Math.round(from * render.sampleRate);
	const b = Math.round(to * render.sampleRate);
	return [render.left.subarray(a, b), render.right.subarray(a, b)];
}

function rms(samples: Float32Array): number {
	let sum = 0;
	for (const x of samples) sum += x * x;
	return Math.sqrt(sum / Math.max(1, samples.length));
}

/**
 * Clicks against their surroundings: the largest second difference relative to
 * the RMS second difference of the 50 ms around it. Noise and soft tones keep
 * it near 5, bright saw-like pads near 6; a step or a loop seam stands out far above, even in a quiet
 * passage. Differences under `floor` are inaudible and not counted.
 */
function clickRatio(samples: Float32Array, sampleRate: number, floor = 1e-4): number {
	const half = Math.round(0.025 * sampleRate);
	const energy = new Float64Array(samples.length + 1);
	for (let i = 2; i < samples.length; i += 1) {
		const d = samples[i]! - 2 * samples[i - 1]! + samples[i - 2]!;
		energy[i + 1] = energy[i]! + d * d;
	}
	let worst = 0;
	for (let i = 2; i < samples.length; i += 1) {
		const d = Math.abs(samples[i]! - 2 * samples[i - 1]! + samples[i - 2]!);
		if (d < floor) continue;
		const from = Math.max(2, i - half);
		const to = Math.min(samples.length, i + half);
		const local = Math.sqrt((energy[to]! - energy[from]!) / (to - from));
		worst = Math.max(worst, d / local);
	}
	return worst;
}

/** Each target's points, in the order they were planned. */
function byTarget(cues: readonly Cue[]): Map<string, Point[]> {
	const map = new Map<string, Point[]>();
	for (const cue of cues)
		for (const point of cue.points) map.set(point.target, [...(map.get(point.target) ?? []), point]);
	return map;
}

function inOrder(points: readonly Point[]): boolean {
	return points.every((point, i) => i === 0 || point.time >= points[i - 1]!.time);
}

/** The value of a gain lane at `time`, from its points (set, linear and target steps, as Web Audio runs them). */
function valueAt(points: readonly Point[], time: Seconds): number {
	let value = 0;
	let from = { time: 0, value: 0 };
	let approach: { time: Seconds; target: number; constant: Seconds } | undefined;
	for (const point of points) {
		if (point.time > time) {
			if (point.curve === 'linear' && !approach) {
				return from.value + ((point.value - from.value) * (time - from.time)) / (point.time - from.time);
			}
			break;
		}
		if (point.curve === 'target') {
			approach = { time: point.time, target: point.value, constant: point.constant ?? 1 };
			value = from.value;
		} else {
			approach = undefined;
			value = point.value;
		}
		from = { time: point.time, value };
	}
	if (approach)
		return approach.target + (value - approach.target) * Math.exp(-(time - approach.time) / approach.constant);
	return value;
}

/**
 * A lane's value at `time` as Web Audio runs it, exponential ramps included: a
 * ramp runs from the point before it; an approach (`target`) from the value
 * the lane has when it begins.
 */
function laneAt(points: readonly Point[], time: Seconds): number {
	let from = { time: 0, value: 0 };
	let approach: { target: number; constant: Seconds } | undefined;
	const held = (at: Seconds) =>
		approach
			? approach.target + (from.value - approach.target) * Math.exp(-(at - from.time) / approach.constant)
			: from.value;
	for (const point of points) {
		if (point.time > time) {
			if (point.curve !== 'linear' && point.curve !== 'exponential') return held(time);
			if (approach) throw new Error('No plan ramps straight after an approach.');
			const x = (time - from.time) / (point.time - from.time);
			if (point.curve === 'linear') return from.value + (point.value - from.value) * x;
			return from.value === 0 || from.value * point.value < 0
				? from.value
				: from.value * Math.pow(point.value / from.value, x);
		}
		if (point.curve === 'target') {
			from = { time: point.time, value: held(point.time) };
			approach = { target: point.value, constant: point.constant ?? 1 };
		} else {
			from = { time: point.time, value: point.value };
			approach = undefined;
		}
	}
	return held(time);
}

describe.each(SOUNDSCAPES)('%s', (id) => {
	let main: SoundscapeRender | undefined;

	it('sounds at about −23 LUFS and below −1 dBFS, breathes without clicks or jumps, and keeps going past its first chunk', async () => {
		main = await renderSoundscape({ id, seed: SEED, duration: LENGTH });
		const settled = main.startAt + FADE_IN + 0.5;
		const body = slice(main, settled, LENGTH);
		const loudness = integratedLoudness(body, main.sampleRate);
		const peak = samplePeak([main.left, main.right]);
		expect(Math.min(rms(body[0]!), rms(body[1]!))).toBeGreaterThan(0.01);
		expect(loudness).toBeGreaterThan(-25);
		expect(loudness).toBeLessThan(-21);
		expect(peak).toBeLessThan(0.89);
		// Stereo: the two channels are not the same.
		expect(maxDifference(main.left, main.right)).toBeGreaterThan(1e-3);

		// No clicks: no step stands out of the sound around it, and tones stay smooth sample to sample.
		let click = 0;
		let step = 0;
		for (const channel of [main.left, main.right]) {
			click = Math.max(click, clickRatio(channel, main.sampleRate));
			step = Math.max(step, maxSecondDifference(channel));
		}
		expect(click).toBeLessThan(10);
		// The bowls' own upper partials (up to 8.25 × 523 Hz) reach 0.02 at 24 kHz; a click is a step far larger.
		if (TONAL.has(id)) expect(step).toBeLessThan(id === 'bowls' ? 0.04 : 0.01);

		// No sudden swells: momentary loudness (400 ms) never rises more than 6 dB in 100 ms once faded in.
		const momentary = loudnessCurve(slice(main, settled, LENGTH), main.sampleRate, 0.4, 0.1);
		let rise = 0;
		for (let i = 1; i < momentary.length; i += 1) rise = Math.max(rise, momentary[i]! - momentary[i - 1]!);
		expect(rise).toBeLessThan(6);

		// Endless: no second of silence anywhere after the start, through the top-ups to the end.
		for (let second = main.startAt + 1; second + 1 <= LENGTH; second += 1) {
			expect(peakBetween(main.left, main.sampleRate, second, second + 1), `${second} s`).toBeGreaterThan(1e-3);
		}

		// A fixed set of nodes, under the budget, for the whole render.
		expect(Math.max(...main.liveNodes)).toBeLessThanOrEqual(30);
		expect(new Set(main.liveNodes.slice(1)).size).toBe(1);
		const sorted = [...momentary].sort((x, y) => x - y);
		const swing = sorted[Math.floor(sorted.length * 0.95)]! - sorted[Math.floor(sorted.length * 0.05)]!;
		console.info(
			`${id}: ${loudness.toFixed(1)} LUFS, sample peak ${(20 * Math.log10(peak)).toFixed(1)} dBFS, click ratio ${click.toFixed(1)}, step ${step.toFixed(4)}, ` +
				`largest 100 ms rise ${rise.toFixed(1)} dB, swing ${swing.toFixed(1)} dB, ${Math.max(...main.liveNodes)} nodes, rendered ${LENGTH} s in ${main.elapsed.toFixed(0)} ms`
		);
	});

	it('is the same for the same seed, then stops within its fade and releases every node', async () => {
		if (!main) throw new Error('The first render failed.');
		const again = await renderSoundscape({
			id,
			seed: SEED,
			duration: LENGTH,
			stopAt: STOP_AT,
			fade: STOP_FADE,
			disposeAt: STOP_AT + STOP_FADE + 0.5
		});
		// Identical up to the stop, top-ups included.
		const before = Math.floor((STOP_AT - 0.5) * again.sampleRate);
		expect(maxDifference(main.left.subarray(0, before), again.left.subarray(0, before))).toBeLessThanOrEqual(1e-6);
		expect(maxDifference(main.right.subarray(0, before), again.right.subarray(0, before))).toBeLessThanOrEqual(1e-6);
		// Silent within the fade and 0.1 s, and after dispose, nothing left sounding or held.
		expect(peakBetween(again.left, again.sampleRate, STOP_AT + STOP_FADE + 0.1, LENGTH)).toBeLessThan(1e-5);
		expect(peakBetween(again.right, again.sampleRate, STOP_AT + STOP_FADE + 0.1, LENGTH)).toBeLessThan(1e-5);
		// The fade is a fade: still sounding half-way through.
		expect(
			peakBetween(again.left, again.sampleRate, STOP_AT + 0.4 * STOP_FADE, STOP_AT + 0.6 * STOP_FADE)
		).toBeGreaterThan(1e-3);
		expect(again.liveAtEnd).toBe(0);
	});

	it('is different for another seed', async () => {
		if (!main) throw new Error('The first render failed.');
		const other = await renderSoundscape({ id, seed: SEED + 1, duration: 12 });
		const end = other.left.length;
		expect(maxDifference(main.left.subarray(0, end), other.left)).toBeGreaterThan(1e-2);
	});
});

function maxDifference(a: Float32Array, b: Float32Array): number {
	let max = 0;
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
	return max;
}

/** Mean power of loudness values, as loudness. */
function powerMean(levels: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < levels.length; i += 1) sum += 10 ** (levels[i]! / 10);
	return 10 * Math.log10(sum / levels.length);
}

describe('the opening', () => {
	/**
	 * One seed's first seconds say little (a bowl struck or not, a wave high or low), so the
	 * opening is averaged over seeds: what matters is that a soundscape does not always come in
	 * louder, or quieter, than it goes on. 16 kHz keeps the renders quick; every part of the
	 * soundscapes lies below its 8 kHz limit.
	 */
	const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);
	const RATE = 16_000;
	const SETTLED: readonly [Seconds, Seconds] = [40, 90];
	/** The engine begins its crossfade when FADE_IN ends; 6 s is its default length. */
	const CROSSFADE: Seconds = 6;

	it.each(SOUNDSCAPES)(
		'%s comes in at the level it settles at: its first 6 s after the fade-in, over 16 seeds, within 1 dB',
		async (id) => {
			const deviations: number[] = [];
			// Two renders at a time: each runs on its own audio thread.
			for (let i = 0; i < SEEDS.length; i += 2) {
				const renders = await Promise.all(
					SEEDS.slice(i, i + 2).map((seed) => renderSoundscape({ id, seed, duration: SETTLED[1], sampleRate: RATE }))
				);
				for (const render of renders) {
					const shortTerm = loudnessCurve([render.left, render.right], RATE, 3, 0.1);
					const open = Math.round((render.startAt + FADE_IN) / 0.1);
					// The short-term (3 s) windows wholly inside the crossfade: what it hears of the soundscape.
					const opening = powerMean(shortTerm.subarray(open, open + Math.round((CROSSFADE - 3) / 0.1) + 1));
					const length = SETTLED[1] - SETTLED[0];
					const settled = loudnessCurve(slice(render, SETTLED[0], SETTLED[1]), RATE, length, length)[0]!;
					deviations.push(opening - settled);
				}
			}
			const mean = deviations.reduce((sum, x) => sum + x, 0) / deviations.length;
			console.info(
				`${id}: first ${CROSSFADE} s after the fade-in minus ${SETTLED[0]}–${SETTLED[1]} s, mean ${mean.toFixed(2)} dB ` +
					`(per seed ${deviations.map((x) => x.toFixed(1)).join(' ')})`
			);
			// Before the fix: slow-pads −1.9 (voices still rising), bowls +1.4 (a strike 3–6 s in), sea +1.5 (a crest).
			expect(Math.abs(mean)).toBeLessThanOrEqual(1);
		},
		180_000
	);
});

describe('start and stop at awkward moments', () => {
	it('stops cleanly in the middle of the fade-in', async () => {
		const render = await renderSoundscape({
			id: 'bowls',
			seed: 3,
			duration: 6,
			stopAt: 1.5,
			fade: 0.5,
			disposeAt: 2.1
		});
		expect(peakBetween(render.left, render.sampleRate, 0.6, 1.5)).toBeGreaterThan(1e-3);
		expect(peakBetween(render.left, render.sampleRate, 2.1, 6)).toBeLessThan(1e-6);
		expect(maxSecondDifference(render.left)).toBeLessThan(0.01);
		expect(render.liveAtEnd).toBe(0);
	});

	it.each(SOUNDSCAPES)('%s: stop before start, or dispose at once after start or stop, never throws', async (id) => {
		const raw = new OfflineAudioContext(2, 2400, 24_000);
		const context = new Tone.Context({ context: raw, clockSource: 'offline', lookAhead: 0 });
		const early = createSoundscape(Tone, context, id, 1);
		early.stop(0);
		early.start(0);
		early.dispose();
		const rushed = createSoundscape(Tone, context, id, 1);
		rushed.start(0);
		rushed.stop(0.01, 0.05);
		rushed.dispose();
		rushed.dispose();
		await context.close();
	});
});

describe('plans', () => {
	const HOUR: Seconds = 3600;

	it('mulberry32 and Random are repeatable, and derived streams independent', () => {
		const a = mulberry32(1);
		const b = mulberry32(1);
		const first = Array.from({ length: 5 }, () => a());
		expect(Array.from({ length: 5 }, () => b())).toEqual(first);
		expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
		expect(new Random(7).derive('x').next()).toBe(new Random(7).derive('x').next());
		expect(new Random(7).derive('x').next()).not.toBe(new Random(7).derive('y').next());
		expect(new Random(7).next()).not.toBe(new Random(8).next());
		// Seeds beyond 32 bits still count.
		expect(new Random(2 ** 40).next()).not.toBe(new Random(0).next());
	});

	it('pads change chord every 12–30 s, stay in the mode, and never rub a semitone between neighbours', () => {
		for (const seed of [1, 2, 3, SEED]) {
			const { tonic, mode } = padKey(seed);
			const scale = new Set(MODE_SCALES[mode].map((degree) => (tonic + degree) % 12));
			const chords = until(padChords(seed), HOUR);
			expect(chords.length).toBeGreaterThan(HOUR / CHORD_GAPS[1]);
			chords.forEach((chord, i) => {
				const gap = i === 0 ? CHORD_GAPS[0] : chord.time - chords[i - 1]!.time;
				expect(gap).toBeGreaterThanOrEqual(CHORD_GAPS[0]);
				expect(gap).toBeLessThanOrEqual(CHORD_GAPS[1]);
				for (const note of [chord.bass, ...chord.upper, chord.air]) expect(scale.has(note % 12)).toBe(true);
				const sorted = [...chord.upper].sort((x, y) => x - y);
				for (let j = 1; j < sorted.length; j += 1) expect(sorted[j]! - sorted[j - 1]!).toBeGreaterThanOrEqual(2);
				expect(chord.bass).toBeLessThan(sorted[0]!);
			});
			// It moves: more than two different chords in an hour.
			expect(new Set(chords.map((chord) => chord.name)).size).toBeGreaterThan(2);
		}
	});

	it('pad voices retune only while silent, and every lane runs forward in time', () => {
		const lanes = byTarget(until(padScore(5), HOUR));
		for (const [target, points] of lanes) {
			expect(inOrder(points)).toBe(true);
			if (!target.endsWith('.frequency')) continue;
			const gain = lanes.get(target.replace('.frequency', '.gain'))!;
			for (const point of points.slice(1)) expect(valueAt(gain, point.time)).toBeLessThan(1e-9);
		}
	});

	it('bowls strike 8–25 s apart with soft attacks, on free slots, retuned only while silent', () => {
		const strikes = until(bowlStrikes(11), HOUR);
		strikes.forEach((strike, i) => {
			expect(strike.attack).toBeGreaterThanOrEqual(Math.max(0.03, BOWL_ATTACK[0]));
			if (i === 0) return;
			const gap = strike.time - strikes[i - 1]!.time;
			expect(gap).toBeGreaterThanOrEqual(BOWL_GAPS[0]);
			expect(gap).toBeLessThanOrEqual(BOWL_GAPS[1]);
		});
		const cues = until(bowlScore(11), HOUR);
		// Every strike got its slot on time.
		expect(cues.slice(1).map((cue) => cue.time)).toEqual(strikes.map((strike) => strike.time));
		const lanes = byTarget(cues);
		expect(lanes.size).toBe(BOWL_SLOTS * 4);
		for (const [target, points] of lanes) {
			expect(inOrder(points)).toBe(true);
			if (!target.endsWith('.frequency')) continue;
			const gain = lanes.get(target.replace('.frequency', '.gain'))!;
			for (const point of points) expect(valueAt(gain, point.time - 1e-6)).toBeLessThan(1e-9);
		}
	});

	it('sea waves come every 6–14 s, irregularly, and the sea and drone lanes run forward in time', () => {
		const waves = until(seaWaves(4), HOUR);
		for (const wave of waves) {
			expect(wave.period).toBeGreaterThanOrEqual(WAVE_PERIODS[0]);
			expect(wave.period).toBeLessThanOrEqual(WAVE_PERIODS[1]);
			expect(wave.rise).toBeLessThan(wave.period);
		}
		expect(new Set(waves.map((wave) => wave.period.toFixed(1))).size).toBeGreaterThan(20);
		for (const cues of [until(seaScore(4), HOUR), until(droneHighVoice(4, droneRoot(4)), HOUR)]) {
			for (const points of byTarget(cues).values()) expect(inOrder(points)).toBe(true);
		}
	});

	it('the pad voices that sound from the start are at their level when the fade-in ends', () => {
		const first = byTarget(until(padScore(5), 1));
		const opening = PAD_VOICES.flatMap((voice, i) => (voice.entry[1] === 0 ? [{ voice, i }] : []));
		expect(opening.length).toBe(3);
		for (const { voice, i } of opening) {
			const gain = first.get(`voice${i}.gain`)!;
			expect(laneAt(gain, 0)).toBe(0);
			expect(laneAt(gain, FADE_IN / 2)).toBeCloseTo(voice.level / 2, 12);
			expect(laneAt(gain, FADE_IN)).toBe(voice.level);
		}
	});

	it('a plan joined part-way carries every lane on from exactly where it was', () => {
		const plans = [
			// Mid-rise of a wave, and mid-fall of another; exponential ramps on the surf's low-pass.
			{ name: 'sea', make: () => seaScore(4), at: [3.1, 41.7] },
			// Inside a strike's attack, inside its decay (an approach), between strikes.
			{ name: 'bowls', make: () => bowlScore(11), at: [until(bowlStrikes(11), 60)[1]!.time + 0.2, 33.3, 52.9] },
			{
				name: 'drift',
				make: () => drift(new Random(3), 'x', { low: 1, high: 9, gaps: [5, 9], curve: 'exponential' }),
				at: [17.2]
			}
		];
		for (const plan of plans) {
			for (const at of plan.at) {
				const original = byTarget(until(plan.make(), at + 400));
				const joined = until(joinedAt(plan.make(), at), 300);
				const lanes = byTarget(joined);
				expect([...lanes.keys()].sort(), `${plan.name} at ${at}`).toEqual([...original.keys()].sort());
				// Every cue comes in time order, its points never before it, each lane starting at 0 with a set.
				joined.forEach((cue, i) => {
					expect(cue.time).toBeGreaterThanOrEqual(i === 0 ? 0 : joined[i - 1]!.time);
					for (const point of cue.points) expect(point.time).toBeGreaterThanOrEqual(cue.time);
				});
				for (const [target, points] of lanes) {
					expect(inOrder(points)).toBe(true);
					// A lane already under way starts from where it is; one not yet begun is only moved earlier.
					const began = original.get(target)!.some((point) => point.time < at);
					if (began) expect(points[0]).toMatchObject({ time: 0, curve: 'set' });
					else expect(points[0]!.time).toBeCloseTo(original.get(target)![0]!.time - at, 9);
					for (let time = 0; time < 280; time += 0.173) {
						const want = laneAt(original.get(target)!, at + time);
						expect(laneAt(points, time), `${plan.name} at ${at}: ${target} at ${time}`).toBeCloseTo(want, 9);
					}
				}
			}
		}
	});

	it('are the same for the same seed and differ for another', () => {
		const plan = (seed: number) =>
			JSON.stringify([until(padChords(seed), 600), until(bowlStrikes(seed), 600), until(seaWaves(seed), 600)]);
		expect(plan(9)).toBe(plan(9));
		expect(plan(9)).not.toBe(plan(10));
	});
});

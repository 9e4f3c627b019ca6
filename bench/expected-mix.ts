/**
 * What a crossfade should sound like, rebuilt from its two items heard alone,
 * so the bench can tell the engine's level error from the music's own
 * movement (see bench/session-music.bench.ts, `crossfade_level_dev_engine_*`).
 *
 * - `alignSolo` finds where an item heard alone (a decoded track) lines up
 *   with the recorded output, to the sample, by normalized cross-correlation
 *   around an estimate: first on 8× decimated signals over the whole search
 *   span, then at full rate around the best coarse lag. (Near-periodic tones
 *   can fool the coarse step; a soundscape's place is known exactly and only
 *   checked, with `fitAt`.) Both report how well the item fits (correlation,
 *   residual) and the least-squares gain, so the bench can show how exact the
 *   positions are.
 * - `scheduledGains` is the gain a GainFader fade holds, sample by sample: the
 *   same `fadePoints` the fader schedules, joined by linear ramps.
 * - `monoOf` is the recorder's down-mix of stereo ('speakers': the mean).
 *
 * @example
 * const fit = alignSolo(recorded.subarray(0, 6 * rate), decodedMono, estimate, rate);
 * const sample = solo[i + fit.lag]; // lines up with recorded[i]
 */
import { fadePoints, type FadeShape } from '../src/lib/music/equal-power';
import type { GainValue, Seconds } from '../src/lib/units';

/** Coarse search step, in samples. */
const DECIMATE = 8;

export interface SoloFit {
	/** recorded[i] lines up with solo[i + lag]. */
	readonly lag: number;
	/** Normalized cross-correlation at that lag (1 = the same waveform). */
	readonly correlation: number;
	/** Least-squares gain from solo to recorded. */
	readonly gain: number;
	/** Energy of recorded − gain·solo against the energy of recorded, in dB. */
	readonly residualDb: number;
}

/** The channels averaged, as a 1-channel 'speakers' input down-mixes stereo. */
export function monoOf(channels: readonly Float32Array[]): Float32Array {
	const length = channels[0]?.length ?? 0;
	const out = new Float32Array(length);
	for (const channel of channels) for (let i = 0; i < length; i += 1) out[i]! += channel[i]! / channels.length;
	return out;
}

function decimate(samples: Float32Array, from: number, to: number): Float64Array {
	const out = new Float64Array(Math.max(0, Math.floor((to - from) / DECIMATE)));
	for (let j = 0; j < out.length; j += 1) {
		let sum = 0;
		for (let k = 0; k < DECIMATE; k += 1) sum += samples[from + j * DECIMATE + k] ?? 0;
		out[j] = sum;
	}
	return out;
}

/** Correlation of `a` with `b` starting at `offset`, normalized by both energies (0 where b runs out). */
function correlationAt(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): { dot: number; bb: number } {
	let dot = 0;
	let bb = 0;
	for (let i = 0; i < a.length; i += 1) {
		const y = b[offset + i] ?? 0;
		dot += a[i]! * y;
		bb += y * y;
	}
	return { dot, bb };
}

function energy(a: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < a.length; i += 1) sum += a[i]! * a[i]!;
	return sum;
}

/**
 * Where `solo` lines up with `recorded` (a stretch where only that item
 * plays): the lag within `estimate ± search` samples with the highest
 * normalized correlation.
 */
export function alignSolo(recorded: Float32Array, solo: Float32Array, estimate: number, search: number): SoloFit {
	const rc = decimate(recorded, 0, recorded.length);
	const low = Math.max(0, estimate - search);
	const high = Math.min(solo.length - recorded.length, estimate + search);
	if (high < low) throw new Error('The item heard alone is shorter than the stretch to align it with.');
	const sc = decimate(solo, low, high + recorded.length);
	const rcEnergy = energy(rc);
	let best = { lag: low, score: -Infinity };
	for (let j = 0; j * DECIMATE <= high - low; j += 1) {
		const { dot, bb } = correlationAt(rc, sc, j);
		const score = bb > 0 ? dot / Math.sqrt(rcEnergy * bb) : -Infinity;
		if (score > best.score) best = { lag: low + j * DECIMATE, score };
	}
	let fit = fitAt(recorded, solo, best.lag);
	for (let lag = best.lag - 2 * DECIMATE; lag <= best.lag + 2 * DECIMATE; lag += 1) {
		if (lag < 0 || lag + recorded.length > solo.length) continue;
		const candidate = fitAt(recorded, solo, lag);
		if (candidate.correlation > fit.correlation) fit = candidate;
	}
	return fit;
}

/** How well `solo` from `lag` on matches `recorded` (for an item whose place is known exactly). */
export function fitAt(recorded: Float32Array, solo: Float32Array, lag: number): SoloFit {
	const { dot, bb } = correlationAt(recorded, solo, lag);
	const correlation = bb > 0 ? dot / Math.sqrt(energy(recorded) * bb) : 0;
	// With the least-squares gain the residual is (1 − ρ²) of the recorded energy.
	const residual = Math.max(1 - correlation * correlation, 1e-12);
	return { lag, correlation, gain: bb > 0 ? dot / bb : 0, residualDb: 10 * Math.log10(residual) };
}

export interface ScheduledFade {
	readonly start: Seconds;
	readonly length: Seconds;
	readonly from: GainValue;
	readonly to: GainValue;
	readonly shape: FadeShape;
}

/**
 * The gain a fader holds at each of `count` samples from audio time `t0`: the
 * same `fadePoints` the GainFader schedules, joined by linear ramps, `from`
 * before the fade and `to` after it.
 */
export function scheduledGains(count: number, rate: number, t0: Seconds, fade: ScheduledFade): Float32Array {
	const points = fadePoints(fade.from, fade.to, fade.length, fade.shape);
	const out = new Float32Array(count);
	let segment = 1;
	for (let i = 0; i < count; i += 1) {
		const x = t0 + i / rate - fade.start;
		if (x <= 0) out[i] = fade.from;
		else if (x >= fade.length) out[i] = fade.to;
		else {
			while (segment < points.length - 1 && points[segment]!.time < x) segment += 1;
			const a = points[segment - 1]!;
			const b = points[segment]!;
			out[i] = a.value + ((b.value - a.value) * (x - a.time)) / (b.time - a.time);
		}
	}
	return out;
}

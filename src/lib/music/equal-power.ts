/**
 * The gain math of the music engine, as plain functions: fade shapes, the
 * equal-power crossfade, decibels to gain. No audio here; `gain-fader.ts`
 * turns these points into AudioParam automation.
 *
 * An equal-power crossfade keeps out² + in² = 1 all the way through: two
 * unrelated recordings add in power, not in amplitude, so the sum sounds as
 * loud as either item alone (a linear crossfade dips by 3 dB in the middle).
 *
 * @example
 * const { out, in: fadeIn } = equalPowerPair(0.5); // 0.7071…, 0.7071…
 * const points = fadePoints(0, 1, 6, 'equal-power-in'); // a sine quarter-wave as linear steps
 */
import type { Decibels, GainValue, Seconds } from '../units';

/** Longest crossfade the console offers. */
export const MAX_CROSSFADE: Seconds = 12;
/** Crossfade length until the therapist changes it. */
export const DEFAULT_CROSSFADE: Seconds = 6;
/**
 * A "0 s" crossfade still ramps for this long: a jump in gain with signal
 * present is a click, and 30 ms is below what anyone hears as a fade.
 */
export const ANTI_CLICK_FADE: Seconds = 0.03;
/** Automation steps are at most this far apart; see `fadePoints` for the error this leaves. */
const MAX_STEP: Seconds = 0.025;
/** Enough steps that even a 12 s fade stays within 1e-4 of the true curve. */
const MAX_STEPS = 512;

/**
 * How a fade moves from its start value to its end value.
 * - `equal-power-in`: sin(x·π/2), the rising half of an equal-power pair;
 * - `equal-power-out`: the falling half, cos(x·π/2) of the start value;
 * - `linear`: straight in gain (ducking, volume glides).
 */
export type FadeShape = 'equal-power-in' | 'equal-power-out' | 'linear';

/** A point of a fade: `time` seconds after the fade begins, the gain there. */
export interface FadePoint {
	readonly time: Seconds;
	readonly value: GainValue;
}

/** Clamps a crossfade length to what the console allows (0–12 s); anything not a number is the default. */
export function clampCrossfade(seconds: Seconds): Seconds {
	if (!Number.isFinite(seconds)) return DEFAULT_CROSSFADE;
	return Math.min(MAX_CROSSFADE, Math.max(0, seconds));
}

/** The length a fade really has: at least the anti-click ramp. */
export function audibleFade(seconds: Seconds): Seconds {
	return Math.max(ANTI_CLICK_FADE, clampCrossfade(seconds));
}

/** Gains of the outgoing and incoming item at progress x (0–1) of an equal-power crossfade. */
export function equalPowerPair(x: number): { out: GainValue; in: GainValue } {
	const t = Math.min(1, Math.max(0, x));
	return { out: Math.cos((t * Math.PI) / 2), in: Math.sin((t * Math.PI) / 2) };
}

/** How far (0–1) from the start value to the end value a fade of `shape` is at progress x. */
export function fadeProgress(shape: FadeShape, x: number): number {
	const t = Math.min(1, Math.max(0, x));
	switch (shape) {
		case 'equal-power-in':
			return equalPowerPair(t).in;
		case 'equal-power-out':
			return 1 - equalPowerPair(t).out;
		case 'linear':
			return t;
	}
}

/**
 * The fade from `from` to `to` over `duration` seconds as points to join with
 * linear ramps. Curves use steps of at most 25 ms (and at most 512): the
 * largest gap between a sine and its chords is then (π/2n)²/8, about 1e-4 for
 * 64 steps, far below hearing. The first point is the start value at 0; the
 * last is exactly `to` at `duration`.
 */
export function fadePoints(from: GainValue, to: GainValue, duration: Seconds, shape: FadeShape): FadePoint[] {
	if (!(duration > 0)) return [{ time: 0, value: to }];
	const steps = shape === 'linear' ? 1 : Math.min(MAX_STEPS, Math.max(4, Math.ceil(duration / MAX_STEP)));
	const points: FadePoint[] = [];
	for (let i = 0; i <= steps; i += 1) {
		const x = i / steps;
		points.push({ time: x * duration, value: i === steps ? to : from + (to - from) * fadeProgress(shape, x) });
	}
	return points;
}

/** Linear gain of a level change in decibels (−6 dB ≈ 0.5). */
export function dbToGain(db: Decibels): GainValue {
	return Number.isFinite(db) ? 10 ** (db / 20) : 1;
}

/**
 * Master gain of a 0–1 volume slider. Loudness grows roughly with the square
 * of the gain, so the slider feels even (the same law as the breath cues' volume).
 */
export function volumeToGain(volume: number): GainValue {
	const clamped = Number.isFinite(volume) ? Math.min(1, Math.max(0, volume)) : 1;
	return clamped * clamped;
}

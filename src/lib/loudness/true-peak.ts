/**
 * True peak after ITU-R BS.1770-4 Annex 2: the highest level the signal reaches between its
 * samples once a converter rebuilds it, estimated by 4× oversampling with the Annex's own 48-tap
 * interpolation filter (four phases of 12 taps), over every channel.
 *
 * A loud master often has peaks between samples above its highest sample: a full-scale sine at a
 * quarter of the sample rate, sampled 45° off its crests, never shows a sample above −3 dBFS yet
 * reaches 0 dBTP. Turning a track up by its sample peak alone would clip it in the converter.
 *
 * Choices beyond the standard, for measuring whole files in floating point:
 * - No 12.04 dB attenuation before the filter: that headroom is for fixed-point meters.
 * - The result is never below the sample peak. The Annex's phases interpolate at ⅛, ⅜, ⅝ and ⅞ of
 *   a sample period and none lands on a sample, so a lone sample peak could otherwise read a
 *   little low; the signal passes through its own samples, so they bound the peak from below.
 * - The ends are not interpolated against silence: only points with all 12 taps inside the signal
 *   are measured, which leaves out the gaps between the first six and the last six samples (those
 *   samples still count through the sample peak). The music
 *   engine fades every track in and out, so the step from the first or last sample to silence,
 *   with the overshoot a filter would find there, is never played.
 *
 * The Annex's filter works for any rate: it is specified relative to the sample rate. For rates
 * of 96 kHz and above the standard allows less oversampling; 4× is simply more than enough there.
 *
 * @example
 * const peakDb = truePeakDb([left, right]); // 0 ± 0.2 dBTP for a full-scale sine, whatever its phase
 * const headroom = -1 - peakDb; // at most this much boost keeps it at or under −1 dBTP
 */
import type { Decibels } from '../units';

/** What a silent signal (or none) reads: the logarithm of zero. */
export const SILENT_PEAK_DB: Decibels = -Infinity;

/** Taps of each phase of the Annex 2 filter. */
const TAPS = 12;

/**
 * ITU-R BS.1770-4 Annex 2, Table 1: phase p gives the output y[4n + p] = Σₖ hₚ[k]·x[n − k].
 * The 48-tap prototype is symmetric, so phase 3 is phase 0 reversed and phase 2 is phase 1 reversed.
 */
const PHASES: readonly [Float64Array, Float64Array, Float64Array, Float64Array] = [
	[
		0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875,
		-0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125
	],
	[
		-0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625, 0.77978515625,
		-0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375
	],
	[
		-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625, 0.465087890625,
		-0.16650390625, 0.089111328125, -0.0517578125, 0.029296875, -0.0291748046875
	],
	[
		-0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875, 0.1373291015625,
		-0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125, 0.001708984375
	]
].map((phase) => Float64Array.from(phase)) as [Float64Array, Float64Array, Float64Array, Float64Array];

/**
 * The highest absolute value the Annex 2 interpolation reaches in one channel (linear), over the
 * outputs whose newest input sample is in [from, to).
 */
function interpolatedPeak(x: Float32Array, from: number, to: number): number {
	const [h0, h1, h2, h3] = PHASES;
	let peak = 0;
	// n is the newest sample an output reads, x[n − 11] the oldest: outputs start once all 12 are inside.
	for (let n = Math.max(from, TAPS - 1); n < to; n += 1) {
		let y0 = 0;
		let y1 = 0;
		let y2 = 0;
		let y3 = 0;
		for (let k = 0; k < TAPS; k += 1) {
			const v = x[n - k]!;
			y0 += h0[k]! * v;
			y1 += h1[k]! * v;
			y2 += h2[k]! * v;
			y3 += h3[k]! * v;
		}
		const top = Math.max(Math.abs(y0), Math.abs(y1), Math.abs(y2), Math.abs(y3));
		if (top > peak) peak = top;
	}
	return peak;
}

/**
 * The true peak over all channels, linear (1 = full scale): the larger of the highest
 * interpolated point and the highest sample.
 *
 * `from` and `to` measure only the frames in [from, to) (the filter still reads the 11 frames
 * before `from`), so a long signal can be measured in slices with a pause between them: the
 * largest of the slices' peaks is the peak of the whole.
 *
 * @example
 * let peak = 0;
 * for (let at = 0; at < frames; at += slice) {
 *   peak = Math.max(peak, truePeak(channels, at, at + slice));
 *   await pause(); // the page stays responsive
 * }
 */
export function truePeak(channels: readonly Float32Array[], from = 0, to = Infinity): number {
	let peak = 0;
	for (const x of channels) {
		const start = Math.max(0, from);
		const end = Math.min(x.length, to);
		for (let i = start; i < end; i += 1) {
			const a = Math.abs(x[i]!);
			if (a > peak) peak = a;
		}
		const between = interpolatedPeak(x, start, end);
		if (between > peak) peak = between;
	}
	return peak;
}

/** A linear true peak in dBTP; `SILENT_PEAK_DB` (−Infinity) for 0. */
export function toDbtp(linear: number): Decibels {
	return linear > 0 ? 20 * Math.log10(linear) : SILENT_PEAK_DB;
}

/** The true peak over all channels in dBTP; `SILENT_PEAK_DB` (−Infinity) for silence or no samples. */
export function truePeakDb(channels: readonly Float32Array[]): Decibels {
	return toDbtp(truePeak(channels));
}

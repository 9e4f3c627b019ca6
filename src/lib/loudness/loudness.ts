/**
 * Loudness and peak measurement after ITU-R BS.1770-4 / EBU R128, for any
 * sample rate: K-weighting (a high shelf and a high-pass, derived from the
 * analogue prototypes so that at 48 kHz they match the coefficients printed in
 * the standard), 400 ms blocks with 75 % overlap, an absolute gate at −70 LUFS
 * and a relative gate 10 LU below the mean of the blocks that passed it.
 *
 * Pure and allocation-free per sample: the signal is filtered once, in double
 * precision, into one energy value per 100 ms segment, and every measurement is
 * made from those segments. The same algorithm as scripts/music/loudness.js,
 * which the music scripts use, so a clip and a track are measured alike.
 *
 * Every channel has weight 1, which is right for mono and stereo; surround
 * channels (weighted 1.41 by the standard) are not expected here.
 *
 * @example
 * const lufs = integratedLoudness([left, right], 48_000); // −23.0 for EBU Tech 3341 case 1
 * const gainDb = -23 - lufs;
 * const peakDb = toDb(samplePeak([left, right]));
 */
import type { Decibels, Hertz, Seconds } from '../units';

/** One biquad: y = b0·x + b1·x₋₁ + b2·x₋₂ − a1·y₋₁ − a2·y₋₂ (a0 normalised to 1). */
export interface BiquadCoefficients {
	readonly b0: number;
	readonly b1: number;
	readonly b2: number;
	readonly a1: number;
	readonly a2: number;
}

export interface KWeighting {
	/** Stage 1: the head's acoustic effect, a +4 dB shelf above about 1.5 kHz. */
	readonly shelf: BiquadCoefficients;
	/** Stage 2: the RLB high-pass, about −3 dB at 38 Hz. */
	readonly highpass: BiquadCoefficients;
}

/** Length of the segments that blocks are built from; a 400 ms block is four of them. */
export const SEGMENT_SECONDS: Seconds = 0.1;
const SEGMENTS_PER_BLOCK = 4;
export const ABSOLUTE_GATE: Decibels = -70;
export const RELATIVE_GATE: Decibels = -10;

/** The K-weighting biquads for a sample rate. */
export function kWeighting(sampleRate: Hertz): KWeighting {
	// Analogue prototype parameters that reproduce the standard's 48 kHz coefficients.
	const shelfF0 = 1681.974450955533;
	const shelfGain = 3.999843853973347;
	const shelfQ = 0.7071752369554196;
	let k = Math.tan((Math.PI * shelfF0) / sampleRate);
	const vh = 10 ** (shelfGain / 20);
	const vb = vh ** 0.4996667741545416;
	let a0 = 1 + k / shelfQ + k * k;
	const shelf: BiquadCoefficients = {
		b0: (vh + (vb * k) / shelfQ + k * k) / a0,
		b1: (2 * (k * k - vh)) / a0,
		b2: (vh - (vb * k) / shelfQ + k * k) / a0,
		a1: (2 * (k * k - 1)) / a0,
		a2: (1 - k / shelfQ + k * k) / a0
	};
	const highpassF0 = 38.13547087602444;
	const highpassQ = 0.5003270373238773;
	k = Math.tan((Math.PI * highpassF0) / sampleRate);
	a0 = 1 + k / highpassQ + k * k;
	// The standard gives b = [1, −2, 1] unnormalised; its gain at 1 kHz is folded into the −0.691 offset.
	const highpass: BiquadCoefficients = {
		b0: 1,
		b1: -2,
		b2: 1,
		a1: (2 * (k * k - 1)) / a0,
		a2: (1 - k / highpassQ + k * k) / a0
	};
	return { shelf, highpass };
}

/** Frames in one 100 ms segment at this rate. */
export function segmentFrames(sampleRate: Hertz): number {
	return Math.round(sampleRate * SEGMENT_SECONDS);
}

/**
 * The K-weighted energy (sum of squares, summed over channels) of each whole
 * segment of `frames` samples; a partial segment at the end is dropped.
 */
export function kWeightedEnergy(channels: readonly Float32Array[], sampleRate: Hertz, frames: number): Float64Array {
	const { shelf: s, highpass: h } = kWeighting(sampleRate);
	const length = channels[0]?.length ?? 0;
	const segments = frames > 0 ? Math.floor(length / frames) : 0;
	const energy = new Float64Array(segments);
	for (const x of channels) {
		// Direct form II transposed, state in double precision; plain locals keep the loop allocation-free.
		let s1 = 0;
		let s2 = 0;
		let h1 = 0;
		let h2 = 0;
		let i = 0;
		for (let j = 0; j < segments; j += 1) {
			let sum = 0;
			const end = i + frames;
			for (; i < end; i += 1) {
				const v = x[i] ?? 0; // a shorter channel counts as silence, as in the music scripts
				const y1 = s.b0 * v + s1;
				s1 = s.b1 * v - s.a1 * y1 + s2;
				s2 = s.b2 * v - s.a2 * y1;
				const y2 = h.b0 * y1 + h1;
				h1 = h.b1 * y1 - h.a1 * y2 + h2;
				h2 = h.b2 * y1 - h.a2 * y2;
				sum += y2 * y2;
			}
			energy[j]! += sum;
		}
	}
	return energy;
}

/** Loudness of a K-weighted mean square (summed over channels). */
export function loudnessOf(meanSquare: number): Decibels {
	return meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity;
}

/** Mean square of the 400 ms blocks (75 % overlap) made from 100 ms segment energies. */
function blockPowers(energy: Float64Array, frames: number): Float64Array {
	const count = Math.max(0, energy.length - SEGMENTS_PER_BLOCK + 1);
	const blocks = new Float64Array(count);
	const blockFrames = frames * SEGMENTS_PER_BLOCK;
	for (let j = 0; j < count; j += 1) {
		blocks[j] = (energy[j]! + energy[j + 1]! + energy[j + 2]! + energy[j + 3]!) / blockFrames;
	}
	return blocks;
}

/** Mean of the blocks louder than `gate`, and how many there were. */
function gatedMean(blocks: Float64Array, gate: Decibels): { mean: number; count: number } {
	let sum = 0;
	let count = 0;
	for (const z of blocks) {
		if (loudnessOf(z) > gate) {
			sum += z;
			count += 1;
		}
	}
	return { mean: count > 0 ? sum / count : 0, count };
}

/**
 * Integrated (gated) loudness in LUFS; −Infinity for silence, or for a signal
 * shorter than one 400 ms block.
 */
export function integratedLoudness(channels: readonly Float32Array[], sampleRate: Hertz): Decibels {
	const frames = segmentFrames(sampleRate);
	const blocks = blockPowers(kWeightedEnergy(channels, sampleRate, frames), frames);
	const absolute = gatedMean(blocks, ABSOLUTE_GATE);
	if (absolute.count === 0) return -Infinity;
	const relative = gatedMean(blocks, loudnessOf(absolute.mean) + RELATIVE_GATE);
	return loudnessOf(relative.mean);
}

/**
 * A loudness curve: the ungated loudness of a window sliding every `hopSeconds`
 * (both multiples of 100 ms). A 0.4 s window gives momentary loudness, 3 s
 * short-term loudness. Entry n covers [n·hop, n·hop + window).
 */
export function loudnessCurve(
	channels: readonly Float32Array[],
	sampleRate: Hertz,
	windowSeconds: Seconds,
	hopSeconds: Seconds = SEGMENT_SECONDS
): Float32Array {
	const frames = segmentFrames(sampleRate);
	const energy = kWeightedEnergy(channels, sampleRate, frames);
	const window = Math.max(1, Math.round(windowSeconds / SEGMENT_SECONDS));
	const hop = Math.max(1, Math.round(hopSeconds / SEGMENT_SECONDS));
	const count = energy.length >= window ? Math.floor((energy.length - window) / hop) + 1 : 0;
	const curve = new Float32Array(count);
	let sum = 0;
	for (let j = 0; j < energy.length; j += 1) {
		sum += energy[j]!;
		if (j >= window) sum -= energy[j - window]!;
		const first = j - (window - 1);
		// A running sum can drift a hair below zero after a loud passage; clamp before the log.
		if (first >= 0 && first % hop === 0) curve[first / hop] = loudnessOf(Math.max(sum, 0) / (window * frames));
	}
	return curve;
}

/** Short-term loudness (3 s window) every `hopSeconds`. */
export function shortTermLoudness(
	channels: readonly Float32Array[],
	sampleRate: Hertz,
	hopSeconds: Seconds = SEGMENT_SECONDS
): Float32Array {
	return loudnessCurve(channels, sampleRate, 3, hopSeconds);
}

/** Largest absolute sample value over all channels (linear, 1 = full scale). */
export function samplePeak(channels: readonly Float32Array[]): number {
	let peak = 0;
	for (const x of channels) {
		for (let i = 0; i < x.length; i += 1) {
			const a = Math.abs(x[i]!);
			if (a > peak) peak = a;
		}
	}
	return peak;
}

/** A linear level in dBFS (0 → −Infinity). */
export function toDb(linear: number): Decibels {
	return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

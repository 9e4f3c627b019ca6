/**
 * Measurements on rendered or recorded samples: onsets, attack times, fades,
 * clicks. Plain functions over Float32Array, shared by the audio tests and the
 * bench so both measure the same way.
 */

export interface Onset {
	/** Sample index of the first sample above the threshold. */
	readonly index: number;
	/** Seconds from the start of the buffer. */
	readonly time: number;
}

/**
 * Onsets: the first sample whose magnitude exceeds `threshold` after at least
 * `minQuiet` seconds below it.
 */
export function findOnsets(samples: Float32Array, sampleRate: number, threshold = 1e-4, minQuiet = 0.06): Onset[] {
	const quietNeeded = Math.round(minQuiet * sampleRate);
	const onsets: Onset[] = [];
	let quiet = quietNeeded;
	for (let i = 0; i < samples.length; i += 1) {
		if (Math.abs(samples[i]!) < threshold) {
			quiet += 1;
		} else {
			if (quiet >= quietNeeded) onsets.push({ index: i, time: i / sampleRate });
			quiet = 0;
		}
	}
	return onsets;
}

/**
 * Time from an onset to the first sample at 90 % of the cue's peak, the peak
 * being the largest magnitude before the next onset (or within `window`).
 */
export function attackTimes(samples: Float32Array, sampleRate: number, onsets: readonly Onset[], window = 3): number[] {
	return onsets.map((onset, n) => {
		const next = onsets[n + 1]?.index ?? samples.length;
		const end = Math.min(next, onset.index + Math.round(window * sampleRate), samples.length);
		let peak = 0;
		for (let i = onset.index; i < end; i += 1) peak = Math.max(peak, Math.abs(samples[i]!));
		for (let i = onset.index; i < end; i += 1) {
			if (Math.abs(samples[i]!) >= 0.9 * peak) return (i - onset.index) / sampleRate;
		}
		return 0;
	});
}

/** Seconds from `from` until the signal stays below `floor` for good (end of buffer). */
export function timeToSilence(samples: Float32Array, sampleRate: number, from: number, floor = 1e-3): number {
	const start = Math.round(from * sampleRate);
	let last = start;
	for (let i = start; i < samples.length; i += 1) if (Math.abs(samples[i]!) >= floor) last = i;
	return (last - start) / sampleRate;
}

/** Largest magnitude in [from, to) seconds. */
export function peakBetween(samples: Float32Array, sampleRate: number, from: number, to: number): number {
	let peak = 0;
	const end = Math.min(samples.length, Math.round(to * sampleRate));
	for (let i = Math.max(0, Math.round(from * sampleRate)); i < end; i += 1)
		peak = Math.max(peak, Math.abs(samples[i]!));
	return peak;
}

/**
 * The largest second difference |x[n] - 2x[n-1] + x[n-2]|. Smooth cues keep it
 * tiny; a step (a click) shows up as the size of the step.
 */
export function maxSecondDifference(samples: Float32Array): number {
	let max = 0;
	for (let i = 2; i < samples.length; i += 1) {
		const d = Math.abs(samples[i]! - 2 * samples[i - 1]! + samples[i - 2]!);
		if (d > max) max = d;
	}
	return max;
}

/** Compares detected onsets with expected times; each expected time takes the nearest onset. */
export function onsetErrors(
	onsets: readonly Onset[],
	expected: readonly number[],
	tolerance = 0.05
): { errors: number[]; missed: number; extra: number } {
	const errors: number[] = [];
	let missed = 0;
	let j = 0;
	for (const time of expected) {
		while (j < onsets.length && onsets[j]!.time < time - tolerance) j += 1;
		const onset = onsets[j];
		if (onset && Math.abs(onset.time - time) <= tolerance) {
			errors.push(onset.time - time);
			j += 1;
		} else {
			missed += 1;
		}
	}
	return { errors, missed, extra: onsets.length - errors.length };
}

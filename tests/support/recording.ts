/**
 * Measures on recorded output (mono samples, as the PulseAudio recorder returns them): onsets,
 * levels, silent stretches, the first sound after a moment, and whether a track played through
 * without stalls or skips when heard against its own file. Pure: plain arrays in, numbers out, so
 * the same code serves the cross-engine journeys, the bench and its own unit tests.
 *
 * @example
 * const samples = await recording.stop();
 * const cues = findOnsets(samples, 48_000);                        // seconds into the recording
 * const quiet = longestQuiet(samples, 48_000, 10, 18, -50);        // a gap in a crossfade shows here
 * const { jumps } = trackJumps(samples.subarray(a, b), reference, 48_000);
 */
import type { Decibels, Milliseconds, Seconds } from '../../src/lib/units';

/** Magnitude that counts as sound (−80 dBFS), as the in-page tap uses. */
export const SOUND_THRESHOLD = 1e-4;
/** Quiet needed before a sound counts as an onset. */
export const ONSET_MIN_QUIET: Seconds = 0.06;

export function toDb(magnitude: number): Decibels {
	return 20 * Math.log10(Math.max(magnitude, 1e-10));
}

export function fromDb(db: Decibels): number {
	return 10 ** (db / 20);
}

/**
 * Times of every onset: the first sample above `threshold` after at least `minQuiet` below it. The
 * very start of the recording counts as quiet only once `minQuiet` of it has been heard.
 */
export function findOnsets(
	samples: Float32Array,
	rate: number,
	{ threshold = SOUND_THRESHOLD, minQuiet = ONSET_MIN_QUIET }: { threshold?: number; minQuiet?: Seconds } = {}
): Seconds[] {
	const quietFrames = Math.round(minQuiet * rate);
	const onsets: Seconds[] = [];
	let quiet = 0;
	for (let i = 0; i < samples.length; i += 1) {
		if (Math.abs(samples[i]!) > threshold) {
			if (quiet >= quietFrames) onsets.push(i / rate);
			quiet = 0;
		} else {
			quiet += 1;
		}
	}
	return onsets;
}

function frameRange(samples: Float32Array, rate: number, from: Seconds, to: Seconds): [number, number] {
	const start = Math.max(0, Math.min(samples.length, Math.round(from * rate)));
	const end = Math.max(start, Math.min(samples.length, Math.round(to * rate)));
	return [start, end];
}

/** The loudest sample in [from, to), in dBFS. */
export function peakDb(samples: Float32Array, rate: number, from: Seconds, to: Seconds): Decibels {
	const [start, end] = frameRange(samples, rate, from, to);
	let peak = 0;
	for (let i = start; i < end; i += 1) peak = Math.max(peak, Math.abs(samples[i]!));
	return toDb(peak);
}

/** Root-mean-square level over [from, to), in dBFS. */
export function rmsDb(samples: Float32Array, rate: number, from: Seconds, to: Seconds): Decibels {
	const [start, end] = frameRange(samples, rate, from, to);
	let sum = 0;
	for (let i = start; i < end; i += 1) sum += samples[i]! * samples[i]!;
	return toDb(Math.sqrt(sum / Math.max(1, end - start)));
}

/**
 * The longest stretch in [from, to) made only of `window`-long pieces whose peak is under
 * `thresholdDb`: a gap in a crossfade, measured as the bench measures it. 0 when there is none.
 */
export function longestQuiet(
	samples: Float32Array,
	rate: number,
	from: Seconds,
	to: Seconds,
	thresholdDb: Decibels = -50,
	window: Seconds = 0.01
): Seconds {
	const [start, end] = frameRange(samples, rate, from, to);
	const step = Math.max(1, Math.round(window * rate));
	const threshold = fromDb(thresholdDb);
	let longest = 0;
	let run = 0;
	for (let i = start; i + step <= end; i += step) {
		let peak = 0;
		for (let j = i; j < i + step; j += 1) peak = Math.max(peak, Math.abs(samples[j]!));
		run = peak < threshold ? run + step : 0;
		longest = Math.max(longest, run);
	}
	return longest / rate;
}

/** Seconds from `from` to the first sample above `thresholdDb`, or null if none follows. */
export function firstSoundAfter(
	samples: Float32Array,
	rate: number,
	from: Seconds,
	thresholdDb: Decibels = -60
): Seconds | null {
	const threshold = fromDb(thresholdDb);
	for (let i = Math.max(0, Math.round(from * rate)); i < samples.length; i += 1) {
		if (Math.abs(samples[i]!) > threshold) return i / rate - from;
	}
	return null;
}

// ——— heard against the file ———

/** In-place radix-2 FFT of (re, im); `inverse` leaves the result unscaled. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
	const n = re.length;
	for (let i = 1, j = 0; i < n; i += 1) {
		let bit = n >> 1;
		for (; j & bit; bit >>= 1) j ^= bit;
		j ^= bit;
		if (i < j) {
			[re[i], re[j]] = [re[j]!, re[i]!];
			[im[i], im[j]] = [im[j]!, im[i]!];
		}
	}
	for (let size = 2; size <= n; size <<= 1) {
		const angle = ((inverse ? 2 : -2) * Math.PI) / size;
		const stepRe = Math.cos(angle);
		const stepIm = Math.sin(angle);
		for (let start = 0; start < n; start += size) {
			let wRe = 1;
			let wIm = 0;
			for (let k = 0; k < size / 2; k += 1) {
				const a = start + k;
				const b = a + size / 2;
				const tRe = re[b]! * wRe - im[b]! * wIm;
				const tIm = re[b]! * wIm + im[b]! * wRe;
				re[b] = re[a]! - tRe;
				im[b] = im[a]! - tIm;
				re[a] = re[a]! + tRe;
				im[a] = im[a]! + tIm;
				const next = wRe * stepRe - wIm * stepIm;
				wIm = wRe * stepIm + wIm * stepRe;
				wRe = next;
			}
		}
	}
}

function nextPowerOfTwo(value: number): number {
	let size = 1;
	while (size < value) size <<= 1;
	return size;
}

/**
 * Where `segment` sits in `reference`, searching offsets [lo, hi]: the offset whose normalised
 * cross-correlation is highest, and that correlation (1 for a perfect match at any gain).
 */
export function bestOffset(
	reference: Float32Array,
	segment: Float32Array,
	lo: number,
	hi: number
): { offset: number; score: number } {
	const length = segment.length;
	const from = Math.max(0, lo);
	const to = Math.min(hi, reference.length - length);
	if (to < from || length === 0) return { offset: from, score: 0 };
	const span = to - from + length;
	const size = nextPowerOfTwo(span + length);
	const refRe = new Float64Array(size);
	const refIm = new Float64Array(size);
	const segRe = new Float64Array(size);
	const segIm = new Float64Array(size);
	for (let i = 0; i < span; i += 1) refRe[i] = reference[from + i]!;
	let segEnergy = 0;
	for (let i = 0; i < length; i += 1) {
		segRe[i] = segment[i]!;
		segEnergy += segment[i]! * segment[i]!;
	}
	fft(refRe, refIm, false);
	fft(segRe, segIm, false);
	// reference ⋆ segment: multiply by the conjugate, then back.
	for (let i = 0; i < size; i += 1) {
		const re = refRe[i]! * segRe[i]! + refIm[i]! * segIm[i]!;
		const im = refIm[i]! * segRe[i]! - refRe[i]! * segIm[i]!;
		refRe[i] = re;
		refIm[i] = im;
	}
	fft(refRe, refIm, true);
	// The energy of the reference under the segment at each offset, as a sliding sum.
	let windowEnergy = 0;
	for (let i = 0; i < length; i += 1) windowEnergy += reference[from + i]! ** 2;
	let best = { offset: from, score: -Infinity };
	for (let k = 0; k <= to - from; k += 1) {
		if (k > 0) windowEnergy += reference[from + k + length - 1]! ** 2 - reference[from + k - 1]! ** 2;
		const denominator = Math.sqrt(Math.max(windowEnergy, 0) * segEnergy);
		const score = denominator > 0 ? refRe[k]! / size / denominator : 0;
		if (score > best.score) best = { offset: from + k, score };
	}
	return best;
}

/** How much better a distant match must be than the one near the last place to count as a jump. */
const CLEARLY_BETTER = 0.02;

export interface TrackJump {
	/** Seconds into the recorded segment. */
	readonly at: Seconds;
	/** How far playback moved against the file: positive skipped ahead, negative stalled or repeated. */
	readonly shift: Milliseconds;
}

export interface TrackFollow {
	/** The segment's start, in seconds into the reference, as first found. */
	readonly start: Seconds;
	readonly jumps: TrackJump[];
	/** Pieces that matched the file nowhere nearby (a dropout, or another sound over the track). */
	readonly lost: number;
	/** Pieces compared (silent ones are skipped). */
	readonly compared: number;
	/** The lowest match of a piece that was found (1 is perfect). */
	readonly worstScore: number;
}

/**
 * Follows a recorded stretch of one track through the track's own samples (decoded at the same
 * rate), a `piece` at a time, and reports every place where playback jumped: a stall, a skip or a
 * repeat moves the recording's place in the file by more than `tolerance`. The stretch must hold the
 * track alone (gain may change: a fade or a duck does not move anything).
 */
export function trackJumps(
	recorded: Float32Array,
	reference: Float32Array,
	rate: number,
	{
		piece = 0.1,
		follow = 0.002,
		search = 0.15,
		tolerance = 0.0005,
		minScore = 0.9,
		quietDb = -60
	}: {
		piece?: Seconds;
		follow?: Seconds;
		search?: Seconds;
		tolerance?: Seconds;
		minScore?: number;
		quietDb?: Decibels;
	} = {}
): TrackFollow {
	const pieceFrames = Math.round(piece * rate);
	const followFrames = Math.round(follow * rate);
	const searchFrames = Math.round(search * rate);
	const quiet = fromDb(quietDb);
	// Where the recording begins in the file: its first second, looked for everywhere.
	const firstLength = Math.min(recorded.length, rate);
	const first = bestOffset(reference, recorded.subarray(0, firstLength), 0, reference.length - firstLength);
	let lag = first.offset; // reference index = recorded index + lag
	const jumps: TrackJump[] = [];
	let lost = 0;
	let compared = 0;
	let worstScore = 1;
	for (let start = 0; start + pieceFrames <= recorded.length; start += pieceFrames) {
		const segment = recorded.subarray(start, start + pieceFrames);
		let peak = 0;
		for (const value of segment) peak = Math.max(peak, Math.abs(value));
		if (peak < quiet) continue;
		compared += 1;
		// Near where it was, and anywhere within `search`: tonal music also matches itself a pitch period
		// away, so the near match is kept unless the far one is clearly better (a real jump).
		const near = bestOffset(reference, segment, start + lag - followFrames, start + lag + followFrames);
		const far = bestOffset(reference, segment, start + lag - searchFrames, start + lag + searchFrames);
		const found = far.score > near.score + CLEARLY_BETTER ? far : near;
		if (found.score < minScore) {
			lost += 1;
			continue;
		}
		worstScore = Math.min(worstScore, found.score);
		const shift = found.offset - start - lag;
		if (Math.abs(shift) > tolerance * rate) {
			const at = start / rate;
			const last = jumps.at(-1);
			// A piece that straddles the jump lands part-way; the next one finishes it. One event.
			if (last && at - last.at <= 2.5 * piece)
				jumps[jumps.length - 1] = { ...last, shift: last.shift + (shift / rate) * 1000 };
			else jumps.push({ at, shift: (shift / rate) * 1000 });
		}
		lag = found.offset - start;
	}
	// A jump and its undoing within a piece or two (a straddling piece) sum to nothing: no jump.
	const real = jumps.filter((jump) => Math.abs(jump.shift) > tolerance * 1000);
	return { start: first.offset / rate, jumps: real, lost, compared, worstScore };
}

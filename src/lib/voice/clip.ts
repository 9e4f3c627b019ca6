/**
 * Voice clips as plain PCM: find where the speaking starts and ends, set the
 * level, fade the cut ends, and write or check a WAV file.
 *
 * Pure: no audio, DOM or storage. process-recording.ts runs these over a
 * decoded recording; the unit tests run them over synthetic samples.
 *
 * @example
 * const { start, end } = trimSilence(mono, 24_000);
 * const speech = mono.subarray(start, end);
 * const gainDb = normalizeGain(integratedLoudness([speech], 24_000), samplePeak([speech]));
 * const wav = encodeWav(applyFades(speech, 24_000, 0.01, 10 ** (gainDb / 20)), 24_000);
 */
import type { Result } from '../result';
import type { Decibels, GainValue, Hertz, Seconds } from '../units';

/**
 * Loudness every voice clip is brought to. The session music plays at −23 LUFS
 * (LOUDNESS_TARGET in music/types.ts) and is ducked under speech; 3 LU more
 * keeps the voice clearly in front, without the jump a listener coming out of
 * a quiet passage would feel from a full broadcast-speech level.
 */
export const VOICE_LOUDNESS_TARGET: Decibels = -20;

/** Highest sample peak a clip may reach after gain; the gain is limited, never the samples clipped. */
export const VOICE_PEAK_CEILING: Decibels = -1;

export const TRIM_DEFAULTS = {
	/** RMS level of a 10 ms window (dBFS) at or above which it counts as sound. */
	thresholdDb: -45,
	/** Kept before the first sound, so a soft first consonant is not cut. */
	padBefore: 0.15,
	/** Kept after the last sound, so a breath or a trailing word's decay is not cut. */
	padAfter: 0.3
} as const satisfies Required<TrimOptions>;

/** Length of the windows whose RMS decides sound or silence. */
export const TRIM_WINDOW: Seconds = 0.01;

export interface TrimOptions {
	thresholdDb?: Decibels;
	padBefore?: Seconds;
	padAfter?: Seconds;
}

/** Frames [start, end); start === end is an empty range. */
export interface FrameRange {
	start: number;
	end: number;
}

/**
 * The part of a recording worth keeping: from a little before the first 10 ms
 * window loud enough to be sound to a little after the last one. All silent:
 * an empty range at 0.
 */
export function trimSilence(samples: Float32Array, sampleRate: Hertz, options: TrimOptions = {}): FrameRange {
	const { thresholdDb, padBefore, padAfter } = { ...TRIM_DEFAULTS, ...options };
	const window = Math.max(1, Math.round(TRIM_WINDOW * sampleRate));
	// Compare mean squares, so no logarithm is taken per window.
	const threshold = 10 ** (thresholdDb / 10);
	let first = -1;
	let last = -1;
	for (let from = 0; from < samples.length; from += window) {
		const to = Math.min(from + window, samples.length);
		let sum = 0;
		for (let i = from; i < to; i += 1) sum += samples[i]! * samples[i]!;
		if (sum / (to - from) >= threshold) {
			if (first < 0) first = from;
			last = to;
		}
	}
	if (first < 0) return { start: 0, end: 0 };
	return {
		start: Math.max(0, first - Math.round(padBefore * sampleRate)),
		end: Math.min(samples.length, last + Math.round(padAfter * sampleRate))
	};
}

/** The average of the channels, one new array; a mono input is copied. */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
	const length = channels[0]?.length ?? 0;
	const mono = new Float32Array(length);
	if (channels.length === 0) return mono;
	for (const channel of channels) {
		for (let i = 0; i < length; i += 1) mono[i]! += channel[i] ?? 0;
	}
	if (channels.length > 1) {
		const scale = 1 / channels.length;
		for (let i = 0; i < length; i += 1) mono[i]! *= scale;
	}
	return mono;
}

/**
 * Gain (dB) that brings a clip measured at `loudness` to `target`, limited so
 * that its sample `peak` (linear) ends no higher than `ceiling`. A clip with
 * speech peaks well above its loudness comes out a little under the target
 * rather than distorted. 0 dB for a clip with no measurable loudness.
 */
export function normalizeGain(
	loudness: Decibels,
	peak: number,
	target: Decibels = VOICE_LOUDNESS_TARGET,
	ceiling: Decibels = VOICE_PEAK_CEILING
): Decibels {
	if (!Number.isFinite(loudness)) return 0;
	const wanted = target - loudness;
	if (!(peak > 0)) return wanted;
	return Math.min(wanted, ceiling - 20 * Math.log10(peak));
}

/**
 * A new array: the samples times `gain`, with a linear fade of `fadeSeconds`
 * at each end, so that a cut in the middle of a sound starts and ends at
 * exactly 0 instead of clicking. Gain and fades share one pass and one copy,
 * which matters for a ten-minute clip.
 */
export function applyFades(
	samples: Float32Array,
	sampleRate: Hertz,
	fadeSeconds: Seconds = 0.01,
	gain: GainValue = 1
): Float32Array {
	const n = samples.length;
	const out = new Float32Array(n);
	const fade = Math.min(Math.round(fadeSeconds * sampleRate), Math.floor(n / 2));
	for (let i = 0; i < n; i += 1) {
		let g = gain;
		if (i < fade) g *= i / fade;
		else if (i >= n - fade) g *= (n - 1 - i) / fade;
		out[i] = samples[i]! * g;
	}
	return out;
}

const WAV_HEADER_BYTES = 44;
const PCM = 1;

/** A 16-bit PCM mono WAV file of the samples (clamped to ±1). */
export function encodeWav(samples: Float32Array, sampleRate: Hertz): ArrayBuffer {
	const dataBytes = samples.length * 2;
	const buffer = new ArrayBuffer(WAV_HEADER_BYTES + dataBytes);
	const view = new DataView(buffer);
	const text = (offset: number, value: string) => {
		for (let i = 0; i < value.length; i += 1) view.setUint8(offset + i, value.charCodeAt(i));
	};
	text(0, 'RIFF');
	view.setUint32(4, 36 + dataBytes, true);
	text(8, 'WAVE');
	text(12, 'fmt ');
	view.setUint32(16, 16, true);
	view.setUint16(20, PCM, true);
	view.setUint16(22, 1, true); // mono
	view.setUint32(24, sampleRate, true);
	view.setUint32(28, sampleRate * 2, true); // bytes per second
	view.setUint16(32, 2, true); // bytes per frame
	view.setUint16(34, 16, true);
	text(36, 'data');
	view.setUint32(40, dataBytes, true);
	for (let i = 0; i < samples.length; i += 1) {
		const x = Math.max(-1, Math.min(1, samples[i]!));
		view.setInt16(WAV_HEADER_BYTES + i * 2, Math.round(x * 32767), true);
	}
	return buffer;
}

export interface WavInfo {
	sampleRate: Hertz;
	channels: number;
	bitsPerSample: number;
	frames: number;
	durationSeconds: Seconds;
	/** Where the sample data starts, in bytes. */
	dataOffset: number;
}

const NOT_WAV = 'This file is not a WAV recording.';
const DAMAGED = 'This WAV recording is damaged: its audio data is missing or cut short.';

/**
 * Checks a WAV file's header: RIFF/WAVE, an uncompressed PCM format section,
 * and a data section that is all there. Other sections (LIST, fact…) are skipped.
 */
export function readWavInfo(buffer: ArrayBuffer): Result<WavInfo> {
	const view = new DataView(buffer);
	const text = (offset: number) =>
		String.fromCharCode(
			view.getUint8(offset),
			view.getUint8(offset + 1),
			view.getUint8(offset + 2),
			view.getUint8(offset + 3)
		);
	if (buffer.byteLength < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') return { ok: false, reason: NOT_WAV };
	let format: Omit<WavInfo, 'frames' | 'durationSeconds' | 'dataOffset'> | undefined;
	let offset = 12;
	while (offset + 8 <= buffer.byteLength) {
		const id = text(offset);
		const size = view.getUint32(offset + 4, true);
		const body = offset + 8;
		if (id === 'fmt ') {
			if (size < 16 || body + 16 > buffer.byteLength) return { ok: false, reason: DAMAGED };
			const channels = view.getUint16(body + 2, true);
			const sampleRate = view.getUint32(body + 4, true);
			const blockAlign = view.getUint16(body + 12, true);
			const bitsPerSample = view.getUint16(body + 14, true);
			if (
				view.getUint16(body, true) !== PCM ||
				![8, 16, 24, 32].includes(bitsPerSample) ||
				channels < 1 ||
				blockAlign !== (channels * bitsPerSample) / 8
			) {
				return { ok: false, reason: 'This WAV recording is in a format Grounded can’t read (only plain PCM).' };
			}
			if (sampleRate < 3_000 || sampleRate > 768_000) {
				return { ok: false, reason: 'This WAV recording has a sample rate Grounded can’t play.' };
			}
			format = { sampleRate, channels, bitsPerSample };
		} else if (id === 'data') {
			if (!format) return { ok: false, reason: DAMAGED };
			if (body + size > buffer.byteLength) return { ok: false, reason: DAMAGED };
			const frames = Math.floor(size / ((format.channels * format.bitsPerSample) / 8));
			return { ok: true, value: { ...format, frames, durationSeconds: frames / format.sampleRate, dataOffset: body } };
		}
		// Sections are padded to an even length.
		offset = body + size + (size % 2);
	}
	return { ok: false, reason: DAMAGED };
}

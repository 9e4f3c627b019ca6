/**
 * Turns what the microphone recorder made (WebM/Opus in Chromium and Firefox,
 * MP4/AAC in Safari, or any file the browser can decode) into a voice clip
 * ready to keep offline: mono, 24 kHz, 16-bit WAV, the silence before and
 * after trimmed, brought to the voice loudness, with short fades at the cuts.
 *
 * Browser only (it decodes with Web Audio); the sample work is in clip.ts.
 *
 * @example
 * const recorded = await recorder.stop();
 * const clip = recorded.ok ? await processRecording(recorded.value) : recorded;
 * if (!clip.ok) show(clip.reason); // “This recording is silent. Check that the microphone is on…”
 */
import { integratedLoudness, samplePeak, toDb } from '../loudness/loudness';
import type { Result } from '../result';
import type { Decibels, Hertz, Seconds } from '../units';
import {
	applyFades,
	encodeWav,
	mixToMono,
	normalizeGain,
	trimSilence,
	VOICE_LOUDNESS_TARGET,
	VOICE_PEAK_CEILING,
	type TrimOptions
} from './clip';

/** Speech needs nothing above 12 kHz; half the bytes of 48 kHz on the device. */
export const VOICE_SAMPLE_RATE: Hertz = 24_000;
export const MAX_RECORDING_SECONDS: Seconds = 10 * 60;
/** Shortest clip whose loudness can be measured: one 400 ms BS.1770 block. */
const MIN_CLIP_SECONDS: Seconds = 0.4;
const FADE_SECONDS: Seconds = 0.01;
/** The peak ceiling less one 16-bit step, so rounding to 16 bits cannot lift a peak over it. */
const CEILING: Decibels = toDb(10 ** (VOICE_PEAK_CEILING / 20) - 1 / 32_767);

export interface ProcessedClip {
	/** audio/wav, mono, 24 kHz, 16-bit PCM. */
	wav: Blob;
	durationSeconds: Seconds;
	/** Integrated loudness of the trimmed recording before the gain (LUFS). */
	loudnessBefore: Decibels;
	gainDb: Decibels;
	/** Where the kept part began and ended in the original recording. */
	trimmedStartSeconds: Seconds;
	trimmedEndSeconds: Seconds;
}

export interface ProcessOptions {
	trim?: TrimOptions;
	/** Loudness to bring the clip to; VOICE_LOUDNESS_TARGET unless given. */
	target?: Decibels;
	maxSeconds?: Seconds;
}

export const PROCESS_MESSAGES = {
	unreadable: 'This recording could not be read. Try recording it again.',
	silent: 'This recording is silent. Check that the microphone is on and not muted, then record again.',
	tooShort: 'This recording is too short to use. Record the step again, speaking a little longer.',
	tooLong: (max: Seconds) =>
		`This recording is longer than ${describeLength(max)}. Record a shorter one; a long step can be split in two.`
} as const;

function describeLength(seconds: Seconds): string {
	const minutes = seconds / 60;
	if (minutes === 1) return '1 minute';
	return Number.isInteger(minutes) ? `${minutes} minutes` : `${Math.round(seconds)} seconds`;
}

/**
 * Decodes at the voice rate: decodeAudioData always resamples to its
 * context's rate (with the browser's own sinc resampler), so decoding in a
 * 24 kHz OfflineAudioContext is the resampling step, done once, and keeps the
 * decoded copy of a ten-minute clip at half the memory a 48 kHz decode takes.
 */
async function decode(blob: Blob, sampleRate: Hertz): Promise<AudioBuffer | undefined> {
	try {
		const bytes = await blob.arrayBuffer();
		// A one-frame context: it is never rendered, only asked to decode.
		const context = new OfflineAudioContext(1, 1, sampleRate);
		return await context.decodeAudioData(bytes);
	} catch {
		// EncodingError for bytes that are not audio; anything else here means the same to the person.
		return undefined;
	}
}

export async function processRecording(blob: Blob, options: ProcessOptions = {}): Promise<Result<ProcessedClip>> {
	const rate = VOICE_SAMPLE_RATE;
	const maxSeconds = options.maxSeconds ?? MAX_RECORDING_SECONDS;
	const decoded = await decode(blob, rate);
	if (!decoded || decoded.length === 0) return { ok: false, reason: PROCESS_MESSAGES.unreadable };
	if (decoded.duration > maxSeconds) return { ok: false, reason: PROCESS_MESSAGES.tooLong(maxSeconds) };

	const channels: Float32Array[] = [];
	for (let c = 0; c < decoded.numberOfChannels; c += 1) channels.push(decoded.getChannelData(c));
	const mono = mixToMono(channels);
	const { start, end } = trimSilence(mono, rate, options.trim);
	if (end <= start) return { ok: false, reason: PROCESS_MESSAGES.silent };
	if (end - start < MIN_CLIP_SECONDS * rate) return { ok: false, reason: PROCESS_MESSAGES.tooShort };

	const kept = mono.subarray(start, end);
	const loudnessBefore = integratedLoudness([kept], rate);
	// Loud enough in RMS but nothing after K-weighting: rumble or hum below the voice band.
	if (!Number.isFinite(loudnessBefore)) return { ok: false, reason: PROCESS_MESSAGES.silent };
	const gainDb = normalizeGain(loudnessBefore, samplePeak([kept]), options.target ?? VOICE_LOUDNESS_TARGET, CEILING);
	const shaped = applyFades(kept, rate, FADE_SECONDS, 10 ** (gainDb / 20));
	return {
		ok: true,
		value: {
			wav: new Blob([encodeWav(shaped, rate)], { type: 'audio/wav' }),
			durationSeconds: shaped.length / rate,
			loudnessBefore,
			gainDb,
			trimmedStartSeconds: start / rate,
			trimmedEndSeconds: end / rate
		}
	};
}

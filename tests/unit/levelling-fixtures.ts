/**
 * Fakes for the levelling tests: decoded audio as plain samples, at the analysis rate and at the
 * full rate the true peak is measured at, bytes that sniff as WAV, and a file store in memory.
 */
import type { TrackFiles } from '../../src/lib/library/imported-tracks';

/** The analysis rate (`ANALYSIS_SAMPLE_RATE`). */
export const RATE = 22_050;
/** The rate a peak that may limit a boost is measured at (`PEAK_SAMPLE_RATE`). */
export const FULL_RATE = 48_000;

/** Plain samples shaped like the AudioBuffer a decoder gives; `duration` may claim another length. */
export function fakeAudioBuffer(
	channels: Float32Array[],
	sampleRate = RATE,
	duration = (channels[0]?.length ?? 0) / sampleRate
): AudioBuffer {
	return {
		length: channels[0]?.length ?? 0,
		duration,
		sampleRate,
		numberOfChannels: channels.length,
		getChannelData: (channel: number) => channels[channel]!
	} as unknown as AudioBuffer;
}

function tone(frequency: number, amplitude: number, seconds: number, rate: number, phase = 0): Float32Array {
	return Float32Array.from(
		{ length: Math.round(seconds * rate) },
		(_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + phase)
	);
}

/**
 * Three kinds of music, in stereo, as a decoder at `rate` gives them:
 * - `loud`: a master near −7 LUFS whose peaks fall between samples at the analysis rate (a
 *   sine at a quarter of it sampled 45° off its crests);
 * - `quietWithPeaks`: near −30 LUFS, with one sharp click a second. The click is bright: it reads
 *   0.4 (−8 dBTP) at the analysis rate and 0.7 (−3.1 dBTP) at full rate, as real noise bursts lose
 *   their top octave at 22 kHz;
 * - `quiet`: −30 LUFS with peaks near −30 dBTP.
 */
export function levelledSignals(
	seconds = 10,
	rate = RATE
): Record<'loud' | 'quietWithPeaks' | 'quiet', Float32Array[]> {
	const low = tone(1000, 0.32, seconds, rate);
	const high = tone(RATE / 4, 0.32, seconds, rate, Math.PI / 4);
	const loud = low.map((v, i) => v + high[i]!);
	const quiet = tone(1000, 10 ** (-30 / 20), seconds, rate);
	const click = rate < FULL_RATE ? 0.4 : 0.7;
	const quietWithPeaks = quiet.map((v, i) => (i % rate === rate / 2 ? click : v));
	return {
		loud: [loud, loud.slice()],
		quietWithPeaks: [quietWithPeaks, quietWithPeaks.slice()],
		quiet: [quiet, quiet]
	};
}

const made = new Map<string, ReturnType<typeof levelledSignals>>();

/** `levelledSignals`, made once for every test that asks (nothing writes to decoded samples). */
function madeSignals(seconds: number, rate: number): ReturnType<typeof levelledSignals> {
	const key = `${seconds}@${rate}`;
	if (!made.has(key)) made.set(key, levelledSignals(seconds, rate));
	return made.get(key)!;
}

/** Which of `levelledSignals` a file made by `wavBytes` stands for. */
export const SIGNAL_OF_TONE = { 1: 'loud', 2: 'quietWithPeaks', 3: 'quiet' } as const;

/**
 * Decoders for files made by `wavBytes(1 | 2 | 3)`, giving `levelledSignals` at the analysis rate
 * (`decode`) and at full rate (`decodeForPeak`), with a count of the calls to each.
 */
export function fakeDecoders(seconds = 10) {
	const signals = { [RATE]: madeSignals(seconds, RATE), [FULL_RATE]: madeSignals(seconds, FULL_RATE) };
	const calls = { decode: 0, decodeForPeak: 0 };
	const decoded = (bytes: ArrayBuffer, rate: typeof RATE | typeof FULL_RATE): AudioBuffer => {
		const tone = new Uint8Array(bytes).at(-1) as keyof typeof SIGNAL_OF_TONE;
		return fakeAudioBuffer(signals[rate][SIGNAL_OF_TONE[tone]], rate);
	};
	return {
		calls,
		signals,
		decode: async (bytes: ArrayBuffer) => {
			calls.decode += 1;
			return decoded(bytes, RATE);
		},
		decodeForPeak: async (bytes: ArrayBuffer) => {
			calls.decodeForPeak += 1;
			return decoded(bytes, FULL_RATE);
		}
	};
}

/** 64 bytes that sniff as WAV, each `tone` its own file (and track id); the last byte is `tone`. */
export function wavBytes(tone: number): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(64).fill(tone);
	bytes.set(new TextEncoder().encode('RIFF'), 0);
	bytes.set(new TextEncoder().encode('WAVE'), 8);
	return bytes;
}

/** Audio files kept in memory. */
export function memoryFiles(): TrackFiles & { data: Map<string, ArrayBuffer> } {
	const data = new Map<string, ArrayBuffer>();
	return {
		data,
		write: async (id, bytes) => void data.set(id, bytes instanceof Blob ? await bytes.arrayBuffer() : bytes.slice(0)),
		read: async (id) => (data.has(id) ? new Blob([data.get(id)!]) : null),
		remove: async (id) => void data.delete(id)
	};
}

/**
 * Fakes for the levelling tests: decoded audio as plain samples at the analysis rate, bytes that
 * sniff as WAV, and a file store in memory.
 */
import type { TrackFiles } from '../../src/lib/library/imported-tracks';

export const RATE = 22_050;

/** Plain samples shaped like the AudioBuffer a decoder gives. */
export function fakeAudioBuffer(channels: Float32Array[], sampleRate = RATE): AudioBuffer {
	const length = channels[0]?.length ?? 0;
	return {
		length,
		duration: length / sampleRate,
		sampleRate,
		numberOfChannels: channels.length,
		getChannelData: (channel: number) => channels[channel]!
	} as unknown as AudioBuffer;
}

function tone(frequency: number, amplitude: number, seconds: number, phase = 0): Float32Array {
	return Float32Array.from(
		{ length: Math.round(seconds * RATE) },
		(_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE + phase)
	);
}

/**
 * Three kinds of music, in stereo:
 * - `loud`: a master near −7 LUFS whose peaks fall between samples (a quarter-rate sine sampled 45° off its crests);
 * - `quietWithPeaks`: near −30 LUFS, with one sharp click at 0.7 a second, so its true peak is near −3 dBTP;
 * - `quiet`: −30 LUFS with peaks near −30 dBTP.
 */
export function levelledSignals(seconds = 10): Record<'loud' | 'quietWithPeaks' | 'quiet', Float32Array[]> {
	const low = tone(1000, 0.32, seconds);
	const high = tone(RATE / 4, 0.32, seconds, Math.PI / 4);
	const loud = low.map((v, i) => v + high[i]!);
	const quiet = tone(1000, 10 ** (-30 / 20), seconds);
	const quietWithPeaks = quiet.map((v, i) => (i % RATE === RATE / 2 ? 0.7 : v));
	return {
		loud: [loud, loud.slice()],
		quietWithPeaks: [quietWithPeaks, quietWithPeaks.slice()],
		quiet: [quiet, quiet]
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

/**
 * processRecording in real Chromium: a WAV made here stands in for a
 * recording (a tone with silence around it), goes through the browser's
 * decoder, and the WAV that comes out is decoded again and measured.
 */
import { describe, expect, it } from 'vitest';
import { integratedLoudness, samplePeak } from '../../src/lib/loudness/loudness';
import { readWavInfo } from '../../src/lib/voice/clip';
import { PROCESS_MESSAGES, processRecording, type ProcessedClip } from '../../src/lib/voice/process-recording';

const RATE = 48_000;
const CEILING = 10 ** (-1 / 20);

/** A 16-bit PCM WAV with any number of channels, all carrying the same samples. */
function wavBlob(samples: Float32Array, sampleRate: number, channels = 1): Blob {
	const bytes = samples.length * 2 * channels;
	const view = new DataView(new ArrayBuffer(44 + bytes));
	const text = (offset: number, value: string) => {
		for (let i = 0; i < value.length; i += 1) view.setUint8(offset + i, value.charCodeAt(i));
	};
	text(0, 'RIFF');
	view.setUint32(4, 36 + bytes, true);
	text(8, 'WAVE');
	text(12, 'fmt ');
	view.setUint32(16, 16, true);
	view.setUint16(20, 1, true);
	view.setUint16(22, channels, true);
	view.setUint32(24, sampleRate, true);
	view.setUint32(28, sampleRate * 2 * channels, true);
	view.setUint16(32, 2 * channels, true);
	view.setUint16(34, 16, true);
	text(36, 'data');
	view.setUint32(40, bytes, true);
	for (let i = 0; i < samples.length; i += 1) {
		const value = Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767);
		for (let c = 0; c < channels; c += 1) view.setInt16(44 + (i * channels + c) * 2, value, true);
	}
	return new Blob([view.buffer], { type: 'audio/wav' });
}

function tone(seconds: number, amplitude: number, frequency = 1000): Float32Array {
	const out = new Float32Array(Math.round(seconds * RATE));
	for (let i = 0; i < out.length; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE);
	return out;
}

/** Silence, then the sound, then silence. */
function surround(before: number, sound: Float32Array, after: number): Float32Array {
	const out = new Float32Array(Math.round((before + after) * RATE) + sound.length);
	out.set(sound, Math.round(before * RATE));
	return out;
}

/** Amplitude of a 1 kHz sine that measures `lufs`. */
function amplitudeFor(lufs: number): number {
	return 10 ** ((lufs - integratedLoudness([tone(2, 1)], RATE)) / 20);
}

async function decodeResult(clip: ProcessedClip): Promise<{ samples: Float32Array; bytes: ArrayBuffer }> {
	const bytes = await clip.wav.arrayBuffer();
	const buffer = await new OfflineAudioContext(1, 1, 24_000).decodeAudioData(bytes.slice(0));
	return { samples: buffer.getChannelData(0), bytes };
}

describe('processRecording', () => {
	it('trims, brings a quiet stereo recording to −20 LUFS, fades the ends, and writes 24 kHz mono 16-bit WAV', async () => {
		const recording = surround(1, tone(2, amplitudeFor(-35)), 1);
		const result = await processRecording(wavBlob(recording, RATE, 2));
		if (!result.ok) throw new Error(result.reason);
		const clip = result.value;

		expect(clip.wav.type).toBe('audio/wav');
		// The tone and the pads: 0.15 s before, 0.3 s after.
		expect(Math.abs(clip.durationSeconds - 2.45)).toBeLessThan(0.02);
		expect(Math.abs(clip.trimmedStartSeconds - 0.85)).toBeLessThan(0.02);
		expect(Math.abs(clip.trimmedEndSeconds - 3.3)).toBeLessThan(0.02);
		// Blocks that straddle the pads read a little under the tone's −35.
		expect(Math.abs(clip.loudnessBefore - -35)).toBeLessThan(0.5);
		expect(clip.gainDb).toBeCloseTo(-20 - clip.loudnessBefore, 10);

		const { samples, bytes } = await decodeResult(clip);
		const header = new DataView(bytes);
		expect([header.getUint16(22, true), header.getUint32(24, true), header.getUint16(34, true)]).toEqual([
			1, 24_000, 16
		]);
		const info = readWavInfo(bytes);
		expect(info.ok && info.value.frames).toBe(Math.round(clip.durationSeconds * 24_000));
		expect(samples.length).toBe(Math.round(clip.durationSeconds * 24_000));

		expect(Math.abs(integratedLoudness([samples], 24_000) - -20)).toBeLessThan(0.5);
		expect(samplePeak([samples])).toBeLessThanOrEqual(CEILING);
		expect(Math.abs(samples[0]!)).toBeLessThan(1e-4);
		expect(Math.abs(samples[samples.length - 1]!)).toBeLessThan(1e-4);
		// The fade is 10 ms (240 frames): by then the tone is at full level again.
		expect(samplePeak([samples.subarray(0, 60)])).toBeLessThan(0.01);
		expect(samplePeak([samples.subarray(0.15 * 24_000 + 240, 0.15 * 24_000 + 480)])).toBeGreaterThan(0.1);
	});

	it('limits the gain for a peaky recording: its peak ends at −1 dBFS and its loudness under the target', async () => {
		// A quiet tone with a few loud clicks: +15 dB would clip the clicks.
		const sound = tone(2, amplitudeFor(-35));
		for (const at of [0.5, 1, 1.5]) sound[Math.round(at * RATE)] = 0.5;
		const result = await processRecording(wavBlob(surround(0.5, sound, 0.5), RATE));
		if (!result.ok) throw new Error(result.reason);
		expect(result.value.gainDb).toBeLessThan(-20 - result.value.loudnessBefore - 1);

		const { samples } = await decodeResult(result.value);
		const peak = samplePeak([samples]);
		expect(peak).toBeLessThanOrEqual(CEILING);
		// The gain is measured on the 24 kHz samples, so the peak lands on the ceiling, less at most two 16-bit steps.
		expect(peak).toBeGreaterThan(CEILING - 2 / 32_767);
		expect(integratedLoudness([samples], 24_000)).toBeLessThan(-21);
	});

	it('refuses a silent recording, in plain words', async () => {
		const result = await processRecording(wavBlob(new Float32Array(3 * RATE), RATE));
		expect(result).toEqual({
			ok: false,
			reason: 'This recording is silent. Check that the microphone is on and not muted, then record again.'
		});
		// Hiss under −45 dBFS RMS is silence too.
		const hiss = new Float32Array(3 * RATE).map((_, i) => (i % 2 ? 0.004 : -0.004));
		expect(await processRecording(wavBlob(hiss, RATE))).toEqual({ ok: false, reason: PROCESS_MESSAGES.silent });
	});

	it('refuses bytes that are not audio, and an empty recording', async () => {
		const garbage = new Blob([new Uint8Array(4096).map((_, i) => (i * 7919) % 251)], { type: 'audio/webm' });
		const unreadable = { ok: false, reason: 'This recording could not be read. Try recording it again.' };
		expect(await processRecording(garbage)).toEqual(unreadable);
		expect(await processRecording(new Blob([], { type: 'audio/webm' }))).toEqual(unreadable);
	});

	it('refuses a recording longer than 10 minutes', async () => {
		const long = new Float32Array(601 * 8_000);
		long[300 * 8_000] = 0.5;
		const result = await processRecording(wavBlob(long, 8_000));
		expect(result).toEqual({
			ok: false,
			reason: 'This recording is longer than 10 minutes. Record a shorter one; a long step can be split in two.'
		});
	});

	it('refuses a sound too short to measure', async () => {
		const result = await processRecording(wavBlob(surround(1, tone(0.2, 0.3), 1), RATE), { trim: { padAfter: 0 } });
		expect(result).toEqual({
			ok: false,
			reason: 'This recording is too short to use. Record the step again, speaking a little longer.'
		});
	});
});

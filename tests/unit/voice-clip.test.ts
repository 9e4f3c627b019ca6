import { describe, expect, it } from 'vitest';
import { integratedLoudness, samplePeak } from '../../src/lib/loudness/loudness';
import { concat, sine } from '../support/signals';
import {
	applyFades,
	encodeWav,
	mixToMono,
	normalizeGain,
	readWavInfo,
	trimSilence,
	VOICE_LOUDNESS_TARGET
} from '../../src/lib/voice/clip';

const RATE = 48_000;
const WINDOW = RATE / 100; // one 10 ms window

function tone(seconds: number, amplitude: number, frequency = 440, rate = RATE): Float32Array {
	return sine(frequency, amplitude, seconds, rate);
}

const silence = (seconds: number) => new Float32Array(Math.round(seconds * RATE));

describe('trimSilence', () => {
	const clip = concat(silence(1), tone(2, 0.1), silence(1.5));

	it('keeps 0.15 s before the first sound and 0.3 s after the last', () => {
		const { start, end } = trimSilence(clip, RATE);
		expect(Math.abs(start - (1 - 0.15) * RATE)).toBeLessThanOrEqual(WINDOW);
		expect(Math.abs(end - (3 + 0.3) * RATE)).toBeLessThanOrEqual(WINDOW);
	});

	it('takes other pads and thresholds', () => {
		expect(trimSilence(clip, RATE, { padBefore: 0, padAfter: 0 })).toEqual({ start: RATE, end: 3 * RATE });
		// A 0.1-amplitude sine is −23 dBFS RMS: below a −20 dBFS threshold it is all silence.
		expect(trimSilence(clip, RATE, { thresholdDb: -20 })).toEqual({ start: 0, end: 0 });
		expect(trimSilence(clip, RATE, { thresholdDb: -24, padBefore: 0, padAfter: 0 })).toEqual({
			start: RATE,
			end: 3 * RATE
		});
	});

	it('treats sound under −45 dBFS RMS as silence, and gives an empty range for it', () => {
		// Amplitude 0.005 is −49 dBFS RMS.
		expect(trimSilence(concat(silence(1), tone(2, 0.005), silence(1)), RATE)).toEqual({ start: 0, end: 0 });
		expect(trimSilence(silence(2), RATE)).toEqual({ start: 0, end: 0 });
		expect(trimSilence(new Float32Array(0), RATE)).toEqual({ start: 0, end: 0 });
	});

	it('never reaches outside the recording', () => {
		const loud = tone(1, 0.5);
		expect(trimSilence(loud, RATE)).toEqual({ start: 0, end: RATE });
		// A sound that ends in a partial last window still counts.
		const ragged = concat(silence(0.5), tone(0.2 + 100 / RATE, 0.5));
		expect(ragged.length % WINDOW).toBe(100);
		expect(trimSilence(ragged, RATE, { padAfter: 0 })).toEqual({ start: 0.35 * RATE, end: ragged.length });
		expect(trimSilence(ragged, RATE, { padAfter: 1 }).end).toBe(ragged.length);
	});
});

describe('mixToMono', () => {
	it('averages the channels', () => {
		const mono = mixToMono([new Float32Array([1, 0.5, 0]), new Float32Array([0, 0.5, -1])]);
		expect([...mono]).toEqual([0.5, 0.5, -0.5]);
		const copy = mixToMono([new Float32Array([0.25, -0.75])]);
		expect([...copy]).toEqual([0.25, -0.75]);
		expect(mixToMono([])).toHaveLength(0);
	});
});

describe('normalizeGain', () => {
	it('aims at −20 LUFS', () => {
		expect(VOICE_LOUDNESS_TARGET).toBe(-20);
		// Quiet clip with low peaks: the full 15 dB.
		expect(normalizeGain(-35, 10 ** (-30 / 20))).toBeCloseTo(15, 10);
		// A loud clip is turned down.
		expect(normalizeGain(-12, 0.9)).toBeCloseTo(-8, 10);
		expect(normalizeGain(-30, 0.01, -23)).toBeCloseTo(7, 10);
	});

	it('limits the gain so the sample peak ends at −1 dBFS, never above', () => {
		// −35 LUFS, peak −10 dBFS: +15 dB would put the peak at +5 dBFS, so only +9 dB.
		expect(normalizeGain(-35, 10 ** (-10 / 20))).toBeCloseTo(9, 10);
		expect(normalizeGain(-35, 10 ** (-10 / 20), -20, -3)).toBeCloseTo(7, 10);
		// Already at the ceiling: no boost at all.
		expect(normalizeGain(-30, 10 ** (-1 / 20))).toBeCloseTo(0, 10);
	});

	it('is 0 dB when there is no loudness to measure, and unlimited for a zero peak', () => {
		expect(normalizeGain(-Infinity, 0.5)).toBe(0);
		expect(normalizeGain(Number.NaN, 0.5)).toBe(0);
		expect(normalizeGain(-30, 0)).toBe(10);
	});

	it('brings a measured clip to the target', () => {
		const clip = tone(3, 0.02, 1000);
		const before = integratedLoudness([clip], RATE);
		const gainDb = normalizeGain(before, samplePeak([clip]));
		const after = applyFades(clip, RATE, 0.01, 10 ** (gainDb / 20));
		expect(Math.abs(integratedLoudness([after], RATE) - -20)).toBeLessThan(0.01);
		expect(samplePeak([after])).toBeLessThanOrEqual(10 ** (-1 / 20));
	});
});

describe('applyFades', () => {
	it('ramps linearly from 0 and back to 0 over the fade, and leaves the middle times the gain', () => {
		const ones = new Float32Array(10).fill(1);
		// 0.004 s at 1 kHz is 4 frames.
		expect([...applyFades(ones, 1000, 0.004)]).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 0.75, 0.5, 0.25, 0]);
		expect([...applyFades(ones, 1000, 0.002, 2)]).toEqual([0, 1, 2, 2, 2, 2, 2, 2, 1, 0]);
		expect(ones.every((x) => x === 1)).toBe(true);
	});

	it('shortens the fades for a clip shorter than both', () => {
		expect([...applyFades(new Float32Array(5).fill(1), 1000, 0.01)]).toEqual([0, 0.5, 1, 0.5, 0]);
		expect([...applyFades(new Float32Array([0.5]), 1000, 0.01)]).toEqual([0.5]);
		expect(applyFades(new Float32Array(0), 1000)).toHaveLength(0);
	});

	it('defaults to 10 ms', () => {
		const faded = applyFades(new Float32Array(RATE).fill(0.5), RATE);
		expect(faded[0]).toBe(0);
		expect(faded[240]).toBeCloseTo(0.25, 6);
		expect(faded[WINDOW]).toBe(0.5);
		expect(faded[RATE - 1 - WINDOW]).toBe(0.5);
		expect(faded[RATE - 1]).toBe(0);
	});
});

describe('encodeWav and readWavInfo', () => {
	it('writes a 16-bit PCM mono RIFF header and little-endian samples', () => {
		const wav = encodeWav(new Float32Array([0, 0.5, -0.5, 1, -1, 2]), 24_000);
		const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
		const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
		const u16 = (n: number) => [n & 255, (n >> 8) & 255];
		const i16 = (n: number) => u16(n & 0xffff);
		expect([...new Uint8Array(wav)]).toEqual([
			...ascii('RIFF'),
			...u32(48),
			...ascii('WAVE'),
			...ascii('fmt '),
			...u32(16),
			...u16(1),
			...u16(1),
			...u32(24_000),
			...u32(48_000),
			...u16(2),
			...u16(16),
			...ascii('data'),
			...u32(12),
			...i16(0),
			...i16(16_384),
			...i16(-16_383),
			...i16(32_767),
			...i16(-32_767),
			...i16(32_767)
		]);
	});

	it('round-trips: the header reads back, and each sample within half a 16-bit step', () => {
		const samples = tone(0.25, 0.8, 997, 24_000);
		const wav = encodeWav(samples, 24_000);
		expect(wav.byteLength).toBe(44 + 6000 * 2);
		expect(readWavInfo(wav)).toEqual({
			ok: true,
			value: { sampleRate: 24_000, channels: 1, bitsPerSample: 16, frames: 6000, durationSeconds: 0.25, dataOffset: 44 }
		});
		const view = new DataView(wav);
		for (let i = 0; i < samples.length; i += 1) {
			expect(Math.abs(view.getInt16(44 + i * 2, true) / 32767 - samples[i]!)).toBeLessThanOrEqual(0.5 / 32767);
		}
	});

	it('skips other sections before the data', () => {
		const plain = new Uint8Array(encodeWav(new Float32Array(10), 8_000));
		const list = [...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]);
		const withList = new Uint8Array([...plain.subarray(0, 36), ...list, ...plain.subarray(36)]);
		const info = readWavInfo(withList.buffer);
		expect(info).toEqual({
			ok: true,
			value: {
				sampleRate: 8_000,
				channels: 1,
				bitsPerSample: 16,
				frames: 10,
				durationSeconds: 10 / 8_000,
				dataOffset: 56
			}
		});
	});

	it('refuses what is not a whole PCM WAV file, in plain words', () => {
		const wav = encodeWav(new Float32Array(100), 24_000);
		expect(readWavInfo(new TextEncoder().encode('hello, this is not audio').buffer)).toEqual({
			ok: false,
			reason: 'This file is not a WAV recording.'
		});
		expect(readWavInfo(new ArrayBuffer(4))).toEqual({ ok: false, reason: 'This file is not a WAV recording.' });
		expect(readWavInfo(wav.slice(0, 100))).toEqual({
			ok: false,
			reason: 'This WAV recording is damaged: its audio data is missing or cut short.'
		});
		expect(readWavInfo(wav.slice(0, 36))).toEqual({
			ok: false,
			reason: 'This WAV recording is damaged: its audio data is missing or cut short.'
		});
		const float = wav.slice(0);
		new DataView(float).setUint16(20, 3, true); // IEEE float
		expect(readWavInfo(float)).toEqual({
			ok: false,
			reason: 'This WAV recording is in a format Grounded can’t read (only plain PCM).'
		});
		const slow = wav.slice(0);
		new DataView(slow).setUint32(24, 100, true);
		expect(readWavInfo(slow)).toEqual({
			ok: false,
			reason: 'This WAV recording has a sample rate Grounded can’t play.'
		});
	});
});

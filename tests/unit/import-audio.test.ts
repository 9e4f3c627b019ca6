/**
 * Levelling imported music, without an audio stack: the gain rule, the measurement of decoded
 * samples, and an import whose decoder is a fake giving known samples. Decoding real files in
 * Chromium is in tests/audio/import-audio.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
	COARSE_PEAK_MARGIN_DB,
	gainFor,
	importAudioFiles,
	levelFile,
	MAX_BOOST_DB,
	PEAK_DECODE_MAX_BYTES,
	peakMayLimit,
	TARGET_LUFS,
	TRUE_PEAK_CEILING_DBTP
} from '../../src/lib/library/import-audio';
import { ImportedTrackStore, LEVELLING } from '../../src/lib/library/imported-tracks';
import { integratedLoudness } from '../../src/lib/loudness/loudness';
import { truePeakDb } from '../../src/lib/loudness/true-peak';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { fakeAudioBuffer, fakeDecoders, FULL_RATE, memoryFiles, RATE, wavBytes } from './levelling-fixtures';

describe('gainFor (levelling rule 2)', () => {
	it('brings a loud master all the way down to the target, however loud', () => {
		expect(TARGET_LUFS).toBe(-23);
		expect(gainFor(-7, -0.1)).toBe(-16);
		expect(gainFor(-8.7, 0.4)).toBeCloseTo(-14.3, 10);
		expect(gainFor(0, 3)).toBe(-23);
		expect(gainFor(-23, -10)).toBe(0);
	});

	it('boosts a quiet file only as far as its true peak stays at or under −1 dBTP', () => {
		expect(TRUE_PEAK_CEILING_DBTP).toBe(-1);
		expect(gainFor(-30, -2)).toBe(1);
		expect(gainFor(-30, -1)).toBe(0);
		// Peaks already over the ceiling: left as it is, never turned down for being quiet.
		expect(gainFor(-30, 0.5)).toBe(0);
	});

	it('gives a quiet file with low peaks the full boost, up to +12 dB', () => {
		expect(gainFor(-30, -20)).toBe(7);
		expect(MAX_BOOST_DB).toBe(12);
		expect(gainFor(-53, -50)).toBe(12);
		expect(gainFor(-40, -Infinity)).toBe(12);
	});

	it('leaves silence, and a file whose peak is unknown, as it is', () => {
		expect(gainFor(-Infinity, -Infinity)).toBe(0);
		expect(gainFor(Number.NaN, -3)).toBe(0);
		expect(gainFor(-30, Number.NaN)).toBe(0);
	});
});

describe('peakMayLimit', () => {
	it('is true only for a boost that the peak, read up to COARSE_PEAK_MARGIN_DB low, could stop short', () => {
		expect(COARSE_PEAK_MARGIN_DB).toBe(6);
		// −30 LUFS wants +7 dB: a peak up to −8 dBTP allows it, so −14 read at the analysis rate is enough to know.
		expect(peakMayLimit(-30, -14)).toBe(false);
		expect(peakMayLimit(-30, -13.9)).toBe(true);
		expect(peakMayLimit(-30, 0)).toBe(true);
		// Cuts and no change don't depend on the peak, nor does silence.
		expect(peakMayLimit(-8, 0)).toBe(false);
		expect(peakMayLimit(-23, -1)).toBe(false);
		expect(peakMayLimit(-Infinity, -Infinity)).toBe(false);
		// The boost stops at +12 dB anyway: a peak that allows that is enough.
		expect(peakMayLimit(-50, -19)).toBe(false);
		expect(peakMayLimit(-50, -18.9)).toBe(true);
	});
});

describe('levelFile', () => {
	const noPause = async () => undefined;
	const read = (tone: number) => async () => wavBytes(tone).buffer;

	it('measures a loud file and cuts it to the target, from one decode at the analysis rate', async () => {
		const fakes = fakeDecoders();
		const loud = fakes.signals[RATE].loud;
		const measured = await levelFile(read(1), { ...fakes, pause: noPause });
		const lufs = integratedLoudness(loud, RATE);
		expect(lufs).toBeGreaterThan(-8);
		expect(measured).toEqual({
			level: { loudnessLufs: lufs, truePeakDb: truePeakDb(loud), gainDb: TARGET_LUFS - lufs, levelling: LEVELLING },
			durationSeconds: 10
		});
		expect(fakes.calls).toEqual({ decode: 1, decodeForPeak: 0 });
	});

	it('boosts a quiet file with bright peaks only up to the ceiling, by its peak at full rate', async () => {
		const fakes = fakeDecoders();
		const { level } = (await levelFile(read(2), { ...fakes, pause: noPause }))!;
		expect(fakes.calls).toEqual({ decode: 1, decodeForPeak: 1 });
		// About −30 LUFS wants +7 dB. The click reads −8 dBTP at the analysis rate, which would allow
		// all of it and end at +3.9 dBTP; at full rate it reads −3.1 dBTP, which allows +2.1 only.
		expect(Math.abs(level.loudnessLufs! - -30)).toBeLessThan(1);
		expect(truePeakDb(fakes.signals[RATE].quietWithPeaks)).toBeCloseTo(-8, 1);
		const fullRatePeak = truePeakDb(fakes.signals[FULL_RATE].quietWithPeaks);
		expect(fullRatePeak).toBeCloseTo(-3.1, 1);
		expect(level.truePeakDb).toBe(fullRatePeak);
		expect(level.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - fullRatePeak, 10);
		expect(fullRatePeak + level.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 1e-9);
	});

	it('measures that peak at the file’s own rate up to 48 kHz, and not again for a file stored at the analysis rate', async () => {
		const fakes = fakeDecoders();
		const rates: number[] = [];
		const decodeForPeak = async (bytes: ArrayBuffer, rate: number) => {
			rates.push(rate);
			return fakes.decodeForPeak(bytes);
		};
		const levels = [];
		for (const fileSampleRate of [44_100, 96_000, null, 22_050, 16_000]) {
			const measured = await levelFile(read(2), {
				decode: fakes.decode,
				decodeForPeak,
				fileSampleRate,
				pause: noPause
			});
			levels.push(measured!.level);
		}
		expect(rates).toEqual([44_100, 48_000, 48_000]);
		// The decode at the analysis rate kept all of a file stored at 22.05 kHz or below: its peak stands, with no margin.
		const coarse = truePeakDb(fakes.signals[RATE].quietWithPeaks);
		expect(levels.slice(3).map((level) => level.truePeakDb)).toEqual([coarse, coarse]);
		expect(levels[3]!.gainDb).toBeCloseTo(
			Math.min(TARGET_LUFS - levels[3]!.loudnessLufs!, TRUE_PEAK_CEILING_DBTP - coarse),
			10
		);
	});

	it('gives a quiet file with low peaks its whole boost without decoding it again', async () => {
		const fakes = fakeDecoders();
		const { level } = (await levelFile(read(3), { ...fakes, pause: noPause }))!;
		expect(level.gainDb).toBeCloseTo(TARGET_LUFS - level.loudnessLufs!, 10);
		expect(level.gainDb).toBeCloseTo(7, 0);
		expect(fakes.calls).toEqual({ decode: 1, decodeForPeak: 0 });
	});

	it('allows the margin over the analysis rate’s peak when the decode at full rate fails', async () => {
		const fakes = fakeDecoders();
		const coarse = truePeakDb(fakes.signals[RATE].quietWithPeaks);
		const { level } = (await levelFile(read(2), {
			decode: fakes.decode,
			decodeForPeak: async () => {
				throw new RangeError('Array buffer allocation failed');
			},
			pause: noPause
		}))!;
		// What was measured is kept; the gain allows for its reading low.
		expect(level.truePeakDb).toBe(coarse);
		expect(level.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - (coarse + COARSE_PEAK_MARGIN_DB), 10);
		expect(level.gainDb).toBeCloseTo(1, 1);
	});

	it('does not decode a track too long for memory at full rate, and allows the margin instead', async () => {
		const fakes = fakeDecoders();
		const [left, right] = fakes.signals[RATE].quietWithPeaks;
		// Ten seconds of samples claiming to be an hour: 48 000 × 3600 × 2 × 4 bytes at full rate.
		const hour = fakeAudioBuffer([left!, right!], RATE, 3600);
		expect(48_000 * 3600 * 2 * 4).toBeGreaterThan(PEAK_DECODE_MAX_BYTES);
		const measured = (await levelFile(read(2), { decode: async () => hour, decodeForPeak: fakes.decodeForPeak }))!;
		expect(fakes.calls.decodeForPeak).toBe(0);
		expect(measured.durationSeconds).toBe(3600);
		expect(measured.level.gainDb).toBeCloseTo(
			TRUE_PEAK_CEILING_DBTP - (measured.level.truePeakDb! + COARSE_PEAK_MARGIN_DB),
			10
		);
	});

	it('pauses between slices of a long track, and measures the same as whole', async () => {
		const fakes = fakeDecoders(30);
		const loud = fakes.signals[RATE].loud;
		let pauses = 0;
		const measured = await levelFile(read(1), { ...fakes, pause: async () => void (pauses += 1) });
		expect(pauses).toBe(Math.ceil(loud[0]!.length / (1 << 17)) - 1);
		expect(measured!.level.truePeakDb).toBe(truePeakDb(loud));
		// The page's own pause (a message through a MessageChannel) gives the same.
		expect(await levelFile(read(1), fakes)).toEqual(measured);
	});

	it('gives silence no loudness, no peak and no gain, and a file that doesn’t decode nothing', async () => {
		const silence = [new Float32Array(22_050 * 2)];
		expect(await levelFile(read(1), { decode: async () => fakeAudioBuffer(silence), pause: noPause })).toEqual({
			level: { loudnessLufs: null, truePeakDb: null, gainDb: 0, levelling: LEVELLING },
			durationSeconds: 2
		});
		for (const decode of [
			async (): Promise<AudioBuffer> => {
				throw new DOMException('Unable to decode audio data', 'EncodingError');
			},
			async () => fakeAudioBuffer([new Float32Array(0)])
		]) {
			expect(await levelFile(read(1), { decode, pause: noPause })).toBeNull();
		}
	});
});

describe('importAudioFiles levels each track and keeps its true peak', () => {
	it('a loud file, a quiet file with high peaks and a quiet file with low peaks', async () => {
		const fakes = fakeDecoders();
		const store = new ImportedTrackStore({ backend: memoryBackend(), files: memoryFiles() });
		const result = await importAudioFiles(
			[new File([wavBytes(1)], 'loud.wav'), new File([wavBytes(2)], 'peaky.wav'), new File([wavBytes(3)], 'quiet.wav')],
			{ store, decode: fakes.decode, decodeForPeak: fakes.decodeForPeak }
		);
		expect(result.refused).toEqual([]);
		const [loud, peaky, quiet] = result.imported;
		expect(fakes.calls).toEqual({ decode: 3, decodeForPeak: 1 });

		expect(loud!.levelling).toBe(LEVELLING);
		expect(loud!.truePeakDb).toBe(truePeakDb(fakes.signals[RATE].loud));
		expect(loud!.gainDb).toBeCloseTo(TARGET_LUFS - loud!.loudnessLufs!, 10);
		expect(loud!.gainDb).toBeLessThan(-15);

		const peak = truePeakDb(fakes.signals[FULL_RATE].quietWithPeaks);
		expect(peaky!.truePeakDb).toBe(peak);
		expect(peaky!.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - peak, 10);
		expect(peaky!.gainDb).toBeLessThan(TARGET_LUFS - peaky!.loudnessLufs!);

		expect(quiet!.loudnessLufs!).toBeCloseTo(-30, 0);
		expect(quiet!.gainDb).toBeCloseTo(TARGET_LUFS - quiet!.loudnessLufs!, 10);

		// After gain, nothing passes the ceiling at full rate, and the three sit within 1 LU unless a peak forbids it.
		for (const [track, signal] of [
			[loud!, fakes.signals[FULL_RATE].loud],
			[peaky!, fakes.signals[FULL_RATE].quietWithPeaks],
			[quiet!, fakes.signals[FULL_RATE].quiet]
		] as const) {
			expect(truePeakDb(signal) + track.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 1e-9);
		}
		expect(Math.abs(loud!.loudnessLufs! + loud!.gainDb - (quiet!.loudnessLufs! + quiet!.gainDb))).toBeLessThan(1e-9);
		expect(await store.list()).toEqual(result.imported);
	});
});

/**
 * Levelling imported music, without an audio stack: the gain rule, the measurement of decoded
 * samples, and an import whose decoder is a fake giving known samples. Decoding real files in
 * Chromium is in tests/audio/import-audio.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
	gainFor,
	importAudioFiles,
	MAX_BOOST_DB,
	measureLevel,
	TARGET_LUFS,
	TRUE_PEAK_CEILING_DBTP
} from '../../src/lib/library/import-audio';
import { ImportedTrackStore, LEVELLING } from '../../src/lib/library/imported-tracks';
import { integratedLoudness } from '../../src/lib/loudness/loudness';
import { truePeakDb } from '../../src/lib/loudness/true-peak';
import { memoryBackend } from '../../src/lib/storage/key-value';
import { fakeAudioBuffer, levelledSignals, memoryFiles, wavBytes } from './levelling-fixtures';

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

describe('measureLevel', () => {
	const noPause = async () => undefined;

	it('measures a loud file and cuts it to the target', async () => {
		const { loud } = levelledSignals();
		const level = await measureLevel(fakeAudioBuffer(loud), noPause);
		const lufs = integratedLoudness(loud, 22_050);
		expect(lufs).toBeGreaterThan(-8);
		expect(level).toEqual({
			loudnessLufs: lufs,
			truePeakDb: truePeakDb(loud),
			gainDb: TARGET_LUFS - lufs,
			levelling: LEVELLING
		});
	});

	it('boosts a quiet file with high peaks only up to the ceiling', async () => {
		const { quietWithPeaks } = levelledSignals();
		const level = await measureLevel(fakeAudioBuffer(quietWithPeaks), noPause);
		// About −30 LUFS wants +7 dB; clicks at 0.7 (−3.1 dBTP) leave room for about +2.1 only.
		expect(Math.abs(level.loudnessLufs! - -30)).toBeLessThan(1);
		expect(Math.abs(level.truePeakDb! - -3.1)).toBeLessThan(0.1);
		expect(level.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - level.truePeakDb!, 10);
		expect(level.gainDb).toBeLessThan(TARGET_LUFS - level.loudnessLufs! - 4);
	});

	it('pauses between slices of a long track, and measures the same as whole', async () => {
		const { loud } = levelledSignals(30);
		let pauses = 0;
		const level = await measureLevel(fakeAudioBuffer(loud), async () => void (pauses += 1));
		expect(pauses).toBe(Math.ceil(loud[0]!.length / (1 << 17)) - 1);
		expect(level.truePeakDb).toBe(truePeakDb(loud));
		// The page's own pause (a message through a MessageChannel) gives the same.
		expect(await measureLevel(fakeAudioBuffer(loud))).toEqual(level);
	});

	it('gives silence no loudness, no peak and no gain', async () => {
		const silence = [new Float32Array(22_050 * 2)];
		expect(await measureLevel(fakeAudioBuffer(silence), noPause)).toEqual({
			loudnessLufs: null,
			truePeakDb: null,
			gainDb: 0,
			levelling: LEVELLING
		});
	});
});

describe('importAudioFiles levels each track and keeps its true peak', () => {
	it('a loud file, a quiet file with high peaks and a quiet file with low peaks', async () => {
		const signals = levelledSignals();
		const byTone = new Map([
			[1, signals.loud],
			[2, signals.quietWithPeaks],
			[3, signals.quiet]
		]);
		const store = new ImportedTrackStore({ backend: memoryBackend(), files: memoryFiles() });
		const result = await importAudioFiles(
			[new File([wavBytes(1)], 'loud.wav'), new File([wavBytes(2)], 'peaky.wav'), new File([wavBytes(3)], 'quiet.wav')],
			// The fake decoder reads which signal a file stands for from its last byte.
			{ store, decode: async (bytes) => fakeAudioBuffer(byTone.get(new Uint8Array(bytes).at(-1)!)!) }
		);
		expect(result.refused).toEqual([]);
		const [loud, peaky, quiet] = result.imported;

		expect(loud!.levelling).toBe(LEVELLING);
		expect(loud!.truePeakDb).toBe(truePeakDb(signals.loud));
		expect(loud!.gainDb).toBeCloseTo(TARGET_LUFS - loud!.loudnessLufs!, 10);
		expect(loud!.gainDb).toBeLessThan(-15);

		expect(peaky!.gainDb).toBeCloseTo(TRUE_PEAK_CEILING_DBTP - peaky!.truePeakDb!, 10);
		expect(peaky!.gainDb).toBeLessThan(TARGET_LUFS - peaky!.loudnessLufs!);

		expect(quiet!.loudnessLufs!).toBeCloseTo(-30, 0);
		expect(quiet!.gainDb).toBeCloseTo(TARGET_LUFS - quiet!.loudnessLufs!, 10);

		// After gain, nothing is louder than the ceiling, and the three sit within 1 LU unless a peak forbids it.
		for (const track of result.imported) {
			expect(track.truePeakDb! + track.gainDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DBTP + 1e-9);
		}
		expect(Math.abs(loud!.loudnessLufs! + loud!.gainDb - (quiet!.loudnessLufs! + quiet!.gainDb))).toBeLessThan(1e-9);
		expect(await store.list()).toEqual(result.imported);
	});
});

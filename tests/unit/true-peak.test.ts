import { describe, expect, it } from 'vitest';
import { samplePeak, toDb } from '../../src/lib/loudness/loudness';
import { SILENT_PEAK_DB, toDbtp, truePeak, truePeakDb } from '../../src/lib/loudness/true-peak';
import { mulberry32 } from '../../src/lib/music/prng';

/** `seconds` of a sine of peak `amplitude` starting at `phaseDegrees`. */
function sine(frequency: number, amplitude: number, seconds: number, rate: number, phaseDegrees = 0): Float32Array {
	const phase = (phaseDegrees * Math.PI) / 180;
	return Float32Array.from(
		{ length: Math.round(seconds * rate) },
		(_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + phase)
	);
}

describe('truePeakDb (ITU-R BS.1770-4 Annex 2)', () => {
	it('finds the 0 dBTP peak of a full-scale sine at a quarter of the rate whose samples fall 45° off its crests', () => {
		for (const rate of [22_050, 44_100, 48_000]) {
			const tone = sine(rate / 4, 1, 1, rate, 45);
			// Every sample is ±sin 45°: 3 dB below the crests the converter rebuilds between them.
			expect(toDb(samplePeak([tone]))).toBeCloseTo(-3.01, 2);
			expect(Math.abs(truePeakDb([tone]))).toBeLessThan(0.2);
		}
	});

	it('reads about 0 dBTP for a full-scale sine at a quarter of the rate whatever its phase', () => {
		for (const phase of [0, 10, 30, 60, 80]) {
			expect(Math.abs(truePeakDb([sine(12_000, 1, 1, 48_000, phase)]))).toBeLessThan(0.25);
		}
	});

	it('reads a low sine’s true peak as its sample peak', () => {
		for (const [frequency, dbfs] of [
			[100, -6],
			[440, -20],
			[1000, -1]
		] as const) {
			const tone = sine(frequency, 10 ** (dbfs / 20), 2, 48_000);
			const peak = truePeakDb([tone]);
			// The Annex's filter ripples by a few hundredths of a dB in its pass band.
			expect(Math.abs(peak - toDb(samplePeak([tone])))).toBeLessThan(0.05);
			expect(Math.abs(peak - dbfs)).toBeLessThan(0.05);
		}
	});

	it('is −Infinity for silence and for no samples', () => {
		expect(SILENT_PEAK_DB).toBe(-Infinity);
		expect(truePeakDb([new Float32Array(48_000), new Float32Array(48_000)])).toBe(-Infinity);
		expect(truePeakDb([new Float32Array(5)])).toBe(-Infinity);
		expect(truePeakDb([])).toBe(-Infinity);
		expect(toDbtp(0)).toBe(-Infinity);
		expect(toDbtp(0.5)).toBeCloseTo(-6.0206, 4);
	});

	it('takes the loudest channel, and is never below the sample peak', () => {
		const quiet = sine(1000, 0.1, 1, 48_000);
		const loud = sine(12_000, 0.5, 1, 48_000, 45);
		expect(truePeak([quiet, loud])).toBe(truePeak([loud]));
		expect(truePeak([loud, quiet])).toBe(truePeak([loud]));
		// A lone full-scale sample: no interpolated point lands on it (the phases sit at ⅛, ⅜, ⅝ and ⅞ of a
		// sample), yet the signal passes through it.
		const click = new Float32Array(100);
		click[50] = -1;
		expect(truePeak([click])).toBe(1);
		// Too short for the filter: only the samples count.
		expect(truePeak([Float32Array.from([0.2, -0.6, 0.3])])).toBeCloseTo(0.6, 6);
	});

	it('gives the same peak measured whole or in slices of any size', () => {
		const random = mulberry32(17);
		const noise = () => Float32Array.from({ length: 10_007 }, () => 0.8 * (random() * 2 - 1));
		const channels = [noise(), noise()];
		const whole = truePeak(channels);
		expect(whole).toBeGreaterThan(samplePeak(channels));
		for (const slice of [1, 7, 11, 12, 4096]) {
			let sliced = 0;
			for (let from = 0; from < 10_007; from += slice)
				sliced = Math.max(sliced, truePeak(channels, from, from + slice));
			expect(sliced).toBe(whole);
		}
	});
});

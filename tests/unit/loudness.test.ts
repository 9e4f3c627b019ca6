import { describe, expect, it } from 'vitest';
import * as reference from '../../scripts/music/loudness.js';
import {
	integratedLoudness,
	kWeighting,
	loudnessCurve,
	samplePeak,
	shortTermLoudness,
	toDb
} from '../../src/lib/loudness/loudness';
import { mulberry32 } from '../../src/lib/music/prng';
import { concat, sine as sineAt } from '../support/signals';

/** A sine whose peak is `dbfs` (amplitude per channel), `seconds` long. */
/** A sine at `dbfs` peak level. */
function sine(frequency: number, dbfs: number, seconds: number, sampleRate: number): Float32Array {
	return sineAt(frequency, 10 ** (dbfs / 20), seconds, sampleRate);
}

describe('kWeighting', () => {
	it('matches the 48 kHz coefficients printed in ITU-R BS.1770-4', () => {
		const { shelf, highpass } = kWeighting(48_000);
		expect(shelf.b0).toBeCloseTo(1.53512485958697, 9);
		expect(shelf.b1).toBeCloseTo(-2.69169618940638, 9);
		expect(shelf.b2).toBeCloseTo(1.19839281085285, 9);
		expect(shelf.a1).toBeCloseTo(-1.69065929318241, 9);
		expect(shelf.a2).toBeCloseTo(0.73248077421585, 9);
		expect([highpass.b0, highpass.b1, highpass.b2]).toEqual([1, -2, 1]);
		expect(highpass.a1).toBeCloseTo(-1.99004745483398, 9);
		expect(highpass.a2).toBeCloseTo(0.99007225036621, 9);
	});

	it('gives the same filters as the music scripts at any rate', () => {
		for (const rate of [8_000, 24_000, 44_100, 96_000]) {
			const { shelf, highpass } = kWeighting(rate);
			const ref = reference.kWeighting(rate);
			expect([shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2]).toEqual(ref.shelf);
			expect([highpass.b0, highpass.b1, highpass.b2, highpass.a1, highpass.a2]).toEqual(ref.highpass);
		}
	});
});

describe('integratedLoudness: known values', () => {
	it('reads −3.01 LUFS for a full-scale 997 Hz sine in one channel', () => {
		const tone = sine(997, 0, 5, 48_000);
		expect(Math.abs(integratedLoudness([tone], 48_000) - -3.01)).toBeLessThan(0.05);
		expect(Math.abs(integratedLoudness([tone, new Float32Array(tone.length)], 48_000) - -3.01)).toBeLessThan(0.05);
	});

	it('reads −23 and −33 LUFS for stereo 1 kHz sines at −23 and −33 dBFS (EBU Tech 3341, cases 1 and 2)', () => {
		for (const rate of [44_100, 48_000]) {
			const at23 = sine(1000, -23, 20, rate);
			const at33 = sine(1000, -33, 20, rate);
			expect(Math.abs(integratedLoudness([at23, at23], rate) - -23)).toBeLessThan(0.05);
			expect(Math.abs(integratedLoudness([at33, at33], rate) - -33)).toBeLessThan(0.05);
		}
	});

	it('gates out quiet passages (EBU Tech 3341, cases 3 and 4)', () => {
		const rate = 48_000;
		const case3 = concat(sine(1000, -36, 10, rate), sine(1000, -23, 60, rate), sine(1000, -36, 10, rate));
		expect(Math.abs(integratedLoudness([case3, case3], rate) - -23)).toBeLessThan(0.05);
		const case4 = concat(
			sine(1000, -72, 10, rate),
			sine(1000, -36, 10, rate),
			sine(1000, -23, 60, rate),
			sine(1000, -36, 10, rate),
			sine(1000, -72, 10, rate)
		);
		expect(Math.abs(integratedLoudness([case4, case4], rate) - -23)).toBeLessThan(0.05);
	});

	it('ignores a long silent tail: only the blocks that straddle the end count, as the gate intends', () => {
		const rate = 48_000;
		const tone = sine(1000, -23, 5, rate);
		const withTail = concat(tone, new Float32Array(60 * rate));
		// 47 whole blocks of tone and three straddling the end (¾, ½, ¼ tone); the 597 silent blocks are gated.
		const expected = -23 + 10 * Math.log10((47 + 0.75 + 0.5 + 0.25) / 50);
		expect(Math.abs(integratedLoudness([withTail, withTail], rate) - expected)).toBeLessThan(0.01);
		// Ungated, the tail would pull it down by 10·log10(65/5) ≈ 11 LU.
		expect(integratedLoudness([withTail, withTail], rate)).toBeGreaterThan(-23.2);
	});

	it('is −Infinity for silence and for a signal shorter than one 400 ms block', () => {
		expect(integratedLoudness([new Float32Array(48_000 * 3)], 48_000)).toBe(-Infinity);
		expect(integratedLoudness([sine(1000, -80, 3, 48_000)], 48_000)).toBe(-Infinity);
		expect(integratedLoudness([sine(1000, -10, 0.39, 48_000)], 48_000)).toBe(-Infinity);
		expect(integratedLoudness([], 48_000)).toBe(-Infinity);
	});
});

describe('against scripts/music/loudness.js', () => {
	// Noise in sections of different level, so both gates have work to do.
	function noise(seed: number, seconds: number, rate: number): Float32Array {
		const random = mulberry32(seed);
		const out = new Float32Array(Math.round(seconds * rate));
		const levels = [0.5, 0.02, 0.0001, 0.3, 0.001];
		for (let i = 0; i < out.length; i += 1) {
			const level = levels[Math.floor((i / out.length) * levels.length)]!;
			out[i] = level * (random() * 2 - 1);
		}
		return out;
	}

	it('measures random noise the same, within 0.01 LU, at several rates', () => {
		for (const [rate, seed] of [
			[24_000, 1],
			[44_100, 2],
			[48_000, 3]
		] as const) {
			const channels = [noise(seed, 12.34, rate), noise(seed + 10, 12.34, rate)];
			const ours = integratedLoudness(channels, rate);
			expect(Number.isFinite(ours)).toBe(true);
			expect(Math.abs(ours - reference.integratedLoudness(channels, rate))).toBeLessThan(0.01);
			expect(samplePeak(channels)).toBe(reference.samplePeak(channels));
		}
	});

	it('gives the same loudness curve', () => {
		const channels = [noise(7, 9.05, 44_100)];
		for (const [window, hop] of [
			[0.4, 0.1],
			[3, 0.1],
			[3, 1]
		] as const) {
			const ours = loudnessCurve(channels, 44_100, window, hop);
			const theirs = reference.loudnessCurve(channels, 44_100, window, hop);
			expect(ours.length).toBe(theirs.length);
			for (let i = 0; i < ours.length; i += 1) expect(Math.abs(ours[i]! - theirs[i]!)).toBeLessThan(0.01);
		}
	});
});

describe('loudness curve and peaks', () => {
	it('short-term loudness of a steady stereo −23 dBFS sine is −23 LUFS, one value per hop', () => {
		const tone = sine(1000, -23, 10, 48_000);
		const curve = shortTermLoudness([tone, tone], 48_000);
		// 100 segments, a 30-segment window: 71 positions.
		expect(curve.length).toBe(71);
		for (const value of curve) expect(Math.abs(value - -23)).toBeLessThan(0.05);
		expect(shortTermLoudness([tone, tone], 48_000, 1).length).toBe(8);
		expect(loudnessCurve([tone], 48_000, 20)).toHaveLength(0);
	});

	it('finds the sample peak over all channels and expresses it in dBFS', () => {
		const a = new Float32Array([0, 0.25, -0.5, 0.1]);
		const b = new Float32Array([0.75, -0.125, 0, 0]);
		expect(samplePeak([a, b])).toBe(0.75);
		expect(samplePeak([new Float32Array(10)])).toBe(0);
		expect(toDb(0.5)).toBeCloseTo(-6.0206, 4);
		expect(toDb(1)).toBe(0);
		expect(toDb(0)).toBe(-Infinity);
	});
});

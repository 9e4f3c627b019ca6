import { describe, expect, it } from 'vitest';
import { bestOffset, findOnsets, firstSoundAfter, longestQuiet, peakDb, rmsDb, trackJumps } from '../support/recording';
import { concat, sine } from '../support/signals';

const RATE = 8_000;

/** Music-like test material: a few drifting partials and a little noise, the same every run. */
function music(seconds: number, rate = RATE): Float32Array {
	const out = new Float32Array(Math.round(seconds * rate));
	let seed = 7;
	for (let i = 0; i < out.length; i += 1) {
		const t = i / rate;
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		out[i] =
			0.2 * Math.sin(2 * Math.PI * (220 + 3 * Math.sin(t)) * t) +
			0.1 * Math.sin(2 * Math.PI * 331 * t + Math.sin(0.7 * t)) +
			0.05 * Math.sin(2 * Math.PI * 587 * t) +
			0.02 * (seed / 1_073_741_824 - 1);
	}
	return out;
}

describe('findOnsets', () => {
	it('finds each sound that follows enough quiet, to the sample', () => {
		const beep = sine(440, 0.3, 0.1, RATE);
		const signal = concat(new Float32Array(800), beep, new Float32Array(800), beep, new Float32Array(200), beep);
		// The third beep follows only 25 ms of quiet: part of the second, not an onset of its own.
		// A sine's first sample is 0: the onset is the one after.
		expect(findOnsets(signal, RATE)).toEqual([801 / RATE, 2_401 / RATE]);
	});

	it('does not count a sound at the very start of the recording as an onset', () => {
		expect(findOnsets(concat(sine(440, 0.3, 0.1, RATE), new Float32Array(800)), RATE)).toEqual([]);
	});
});

describe('levels', () => {
	it('reads peak and RMS over a window', () => {
		const signal = concat(sine(500, 0.5, 1, RATE), sine(500, 0.05, 1, RATE));
		expect(peakDb(signal, RATE, 0, 1)).toBeCloseTo(-6.02, 1);
		expect(rmsDb(signal, RATE, 1, 2)).toBeCloseTo(-29.03, 1);
	});

	it('measures the longest stretch under a level, and none where sound goes on', () => {
		const signal = concat(sine(500, 0.5, 1, RATE), new Float32Array(RATE / 4), sine(500, 0.5, 1, RATE));
		expect(longestQuiet(signal, RATE, 0, 2.25)).toBeCloseTo(0.25, 2);
		expect(longestQuiet(signal, RATE, 1.3, 2.2)).toBe(0);
	});

	it('times the first sound after a moment', () => {
		const signal = concat(new Float32Array(RATE / 2), sine(500, 0.5, 0.5, RATE));
		expect(firstSoundAfter(signal, RATE, 0.1)).toBeCloseTo(0.4 + 1 / RATE, 3);
		expect(firstSoundAfter(new Float32Array(RATE), RATE, 0)).toBeNull();
	});
});

describe('heard against the file', () => {
	const file = music(6);

	it('finds where a stretch sits in the file, at any gain', () => {
		const stretch = file.slice(12_345, 12_345 + 2_000).map((value) => value * 0.3);
		const found = bestOffset(file, stretch, 0, file.length - stretch.length);
		expect(found.offset).toBe(12_345);
		expect(found.score).toBeGreaterThan(0.999);
	});

	it('reports no jump for a faithful recording, through a fade and a duck', () => {
		const fadeIn = 2 * RATE;
		const heard = file
			.slice(4_000, 44_000)
			.map((value, i) => value * (i < fadeIn ? i / fadeIn : i > 30_000 ? 0.25 : 1));
		const followed = trackJumps(heard, file, RATE);
		expect(followed.start).toBeCloseTo(0.5, 3);
		expect(followed.jumps).toEqual([]);
		// Only the first pieces of the fade from silence may match poorly: a ramp from zero scores 0.87 at best.
		expect(followed.lost).toBeLessThanOrEqual(2);
	});

	it('reports a skip ahead and a stall, each with its size', () => {
		// 2 s played, then 12 ms skipped; 1.5 s later the output stalls for 25 ms (silence), then goes on.
		const skip = Math.round(0.012 * RATE);
		const stall = Math.round(0.025 * RATE);
		const heard = concat(
			file.slice(0, 2 * RATE),
			file.slice(2 * RATE + skip, 3.5 * RATE + skip),
			new Float32Array(stall),
			file.slice(3.5 * RATE + skip, 5 * RATE)
		);
		const { jumps } = trackJumps(heard, file, RATE);
		expect(jumps.map((jump) => Math.round(jump.shift))).toEqual([12, -25]);
		expect(jumps[0]!.at).toBeCloseTo(2, 0);
		expect(jumps[1]!.at).toBeCloseTo(3.5, 0);
	});
});

// @ts-check
// Building blocks for the composer: band-limited wavetable oscillators with soft partials,
// control-rate envelopes and equal-power panning, state-variable filters, pink and brown
// noise, slow smooth random curves, and a modulated feedback-delay-network reverb.
// Hot loops work on Float32Array buffers with no per-sample allocation.

import { seedFrom, mulberry32 } from './prng.js';

export const SR = 44100;
/** Control-rate block: envelopes, pans and filter cutoffs are computed once per CTRL samples. */
export const CTRL = 64;
export const TABLE_SIZE = 4096;

/** @param {number} midi */
export function midiToHz(midi) {
	return 440 * Math.pow(2, (midi - 69) / 12);
}

/** @param {number} db */
export function dbToGain(db) {
	return Math.pow(10, db / 20);
}

/** @param {number} x */
export function smoothstep(x) {
	const t = x < 0 ? 0 : x > 1 ? 1 : x;
	return t * t * (3 - 2 * t);
}

/**
 * A curve through breakpoints [x, y] (x ascending), eased with smoothstep between them.
 * @param {ReadonlyArray<readonly [number, number]>} points
 * @returns {(x: number) => number}
 */
export function arc(points) {
	return (x) => {
		const first = points[0];
		if (!first) return 0;
		if (x <= first[0]) return first[1];
		for (let i = 1; i < points.length; i++) {
			const b = /** @type {readonly [number, number]} */ (points[i]);
			const a = /** @type {readonly [number, number]} */ (points[i - 1]);
			if (x <= b[0]) return a[1] + (b[1] - a[1]) * smoothstep((x - a[0]) / (b[0] - a[0]));
		}
		return /** @type {readonly [number, number]} */ (points[points.length - 1])[1];
	};
}

/**
 * A slow, smooth random curve: a sum of a few sines with random periods and phases.
 * Values stay in [-1, 1] (typically within ±0.6).
 * @param {import('./prng.js').Rng} rng
 * @param {number} minPeriod seconds
 * @param {number} maxPeriod seconds
 * @param {number} [count]
 * @returns {(t: number) => number}
 */
export function drift(rng, minPeriod, maxPeriod, count = 3) {
	/** @type {number[]} */
	const w = [];
	/** @type {number[]} */
	const ph = [];
	for (let i = 0; i < count; i++) {
		w.push((2 * Math.PI) / rng.range(minPeriod, maxPeriod));
		ph.push(rng.range(0, 2 * Math.PI));
	}
	return (t) => {
		let s = 0;
		for (let i = 0; i < count; i++) s += Math.sin(/** @type {number} */ (w[i]) * t + /** @type {number} */ (ph[i]));
		return s / count;
	};
}

/**
 * Equal-power pan gains for p in [-1, 1].
 * @param {number} p
 * @returns {[number, number]}
 */
export function panGains(p) {
	const c = p < -1 ? -1 : p > 1 ? 1 : p;
	const a = ((c + 1) * Math.PI) / 4;
	return [Math.cos(a), Math.sin(a)];
}

/** @type {Map<string, Float32Array>} */
const tableCache = new Map();

/**
 * A one-cycle wavetable of harmonic partials for a note of frequency f0, with partial n's
 * amplitude `amp(n)`, faded out smoothly between 0.5·maxHz and maxHz so nothing approaches
 * Nyquist (no aliasing, no harsh highs). Phases are random but fixed per table (lower crest
 * factor than all-sine phases). RMS is normalised to that of a unit sine.
 * With `from` > 1 the lower partials are left out (keeping the full table's scale): a
 * detuned copy without its fundamental adds shimmer to the upper partials without making
 * the note's overall level beat.
 * @param {string} timbre cache key of the amplitude law
 * @param {(n: number) => number} amp
 * @param {number} f0
 * @param {number} maxHz
 * @param {number} [from] lowest partial included
 */
export function harmonicTable(timbre, amp, f0, maxHz, from = 1) {
	const key = `${timbre}:${f0.toFixed(4)}:${maxHz}:${from}`;
	const hit = tableCache.get(key);
	if (hit) return hit;
	const rand = mulberry32(seedFrom(key));
	const table = new Float32Array(TABLE_SIZE + 1);
	const acc = new Float64Array(TABLE_SIZE);
	let power = 0;
	for (let n = 1; n * f0 < maxHz && n < 256; n++) {
		const f = n * f0;
		const edge = 0.5 * maxHz;
		const taper = f <= edge ? 1 : Math.pow(Math.cos(((f - edge) / (maxHz - edge)) * (Math.PI / 2)), 2);
		const a = amp(n) * taper;
		if (a <= 1e-5) continue;
		power += (a * a) / 2;
		if (n < from) continue;
		const phase = n === 1 ? 0 : rand() * 2 * Math.PI;
		const step = (2 * Math.PI * n) / TABLE_SIZE;
		for (let i = 0; i < TABLE_SIZE; i++) acc[i] = (acc[i] ?? 0) + a * Math.sin(step * i + phase);
	}
	const norm = power > 0 ? Math.sqrt(0.5 / power) : 0;
	for (let i = 0; i < TABLE_SIZE; i++) table[i] = (acc[i] ?? 0) * norm;
	table[TABLE_SIZE] = table[0] ?? 0;
	tableCache.set(key, table);
	return table;
}

/** A pure sine table (for bowls and other inharmonic partials). */
export const SINE = (() => {
	const t = new Float32Array(TABLE_SIZE + 1);
	for (let i = 0; i <= TABLE_SIZE; i++) t[i] = Math.sin((2 * Math.PI * i) / TABLE_SIZE);
	return t;
})();

/**
 * Adds an oscillator reading `table` at `freq` into outL/outR from sample `start` for `n`
 * samples. gainL/gainR hold control-rate gains (index k applies at sample start + k·CTRL)
 * and are linearly interpolated in between, so envelopes and pans never step.
 * @param {Float32Array} outL
 * @param {Float32Array} outR
 * @param {number} start
 * @param {number} n
 * @param {Float32Array} table
 * @param {number} freq
 * @param {number} phase0 in cycles [0, 1)
 * @param {Float32Array} gainL length ≥ ceil(n / CTRL) + 1
 * @param {Float32Array} gainR
 */
export function addOscillator(outL, outR, start, n, table, freq, phase0, gainL, gainR) {
	const end = Math.min(start + n, outL.length);
	const inc = (freq * TABLE_SIZE) / SR;
	let ph = (phase0 - Math.floor(phase0)) * TABLE_SIZE;
	let k = 0;
	for (let s = start; s < end; s += CTRL, k++) {
		const blockEnd = Math.min(s + CTRL, end);
		let gl = gainL[k] ?? 0;
		let gr = gainR[k] ?? 0;
		const dl = ((gainL[k + 1] ?? 0) - gl) / CTRL;
		const dr = ((gainR[k + 1] ?? 0) - gr) / CTRL;
		if (gl === 0 && gr === 0 && dl === 0 && dr === 0) {
			ph += inc * (blockEnd - s);
			ph -= Math.floor(ph / TABLE_SIZE) * TABLE_SIZE;
			continue;
		}
		for (let i = s; i < blockEnd; i++) {
			const j = ph | 0;
			const a = table[j] ?? 0;
			const v = a + ((table[j + 1] ?? 0) - a) * (ph - j);
			outL[i] = (outL[i] ?? 0) + v * gl;
			outR[i] = (outR[i] ?? 0) + v * gr;
			gl += dl;
			gr += dr;
			ph += inc;
			if (ph >= TABLE_SIZE) ph -= TABLE_SIZE;
		}
	}
}

/**
 * Control-rate samples of fn(t) for t = k·CTRL/SR seconds, k = 0..count-1.
 * @param {number} count
 * @param {(t: number, k: number) => number} fn
 */
export function controlCurve(count, fn) {
	const out = new Float32Array(count);
	for (let k = 0; k < count; k++) out[k] = fn((k * CTRL) / SR, k);
	return out;
}

/** @param {number} samples */
export function controlLength(samples) {
	return Math.ceil(samples / CTRL) + 2;
}

/**
 * Attack–sustain–release envelope value at time t (seconds from the note's start):
 * sin² rise over `attack`, 1 until `hold`, then a (1 − x)³ fall over `release` that reaches
 * zero with zero slope. Every edge is smooth: no clicks.
 * @param {number} t
 * @param {number} attack
 * @param {number} hold time the release starts
 * @param {number} release
 */
export function asr(t, attack, hold, release) {
	if (t <= 0) return 0;
	let v = 1;
	if (t < attack) {
		const s = Math.sin((Math.PI / 2) * (t / attack));
		v = s * s;
	}
	if (t > hold) {
		const x = (t - hold) / release;
		if (x >= 1) return 0;
		const r = 1 - x;
		v *= r * r * (1 + 2 * x); // smooth cubic fall (1 − smoothstep)
	}
	return v;
}

/**
 * In-place 2-pole TPT state-variable filter over a stereo pair, with the cutoff (Hz) given
 * as a function of time and updated every CTRL samples.
 * @param {Float32Array} L
 * @param {Float32Array} R
 * @param {(t: number) => number} cutoffAt
 * @param {number} q
 * @param {'low' | 'high' | 'band'} [mode]
 */
export function svf(L, R, cutoffAt, q, mode = 'low') {
	const n = L.length;
	const k = 1 / q;
	let l1 = 0,
		l2 = 0,
		r1 = 0,
		r2 = 0;
	for (let s = 0; s < n; s += CTRL) {
		const fc = Math.min(cutoffAt(s / SR), SR * 0.45);
		const g = Math.tan((Math.PI * fc) / SR);
		const a1 = 1 / (1 + g * (g + k));
		const a2 = g * a1;
		const a3 = g * a2;
		const end = Math.min(s + CTRL, n);
		for (let i = s; i < end; i++) {
			const xl = L[i] ?? 0;
			const v3l = xl - l2;
			const v1l = a1 * l1 + a2 * v3l;
			const v2l = l2 + a2 * l1 + a3 * v3l;
			l1 = 2 * v1l - l1;
			l2 = 2 * v2l - l2;
			const xr = R[i] ?? 0;
			const v3r = xr - r2;
			const v1r = a1 * r1 + a2 * v3r;
			const v2r = r2 + a2 * r1 + a3 * v3r;
			r1 = 2 * v1r - r1;
			r2 = 2 * v2r - r2;
			if (mode === 'low') {
				L[i] = v2l;
				R[i] = v2r;
			} else if (mode === 'high') {
				L[i] = xl - k * v1l - v2l;
				R[i] = xr - k * v1r - v2r;
			} else {
				L[i] = v1l;
				R[i] = v1r;
			}
		}
	}
}

/**
 * Fills `out` with pink noise (Paul Kellet's refined filter, about −3 dB/octave), unit-ish RMS.
 * @param {Float32Array} out
 * @param {() => number} rand
 */
export function pinkNoise(out, rand) {
	let b0 = 0,
		b1 = 0,
		b2 = 0,
		b3 = 0,
		b4 = 0,
		b5 = 0,
		b6 = 0;
	for (let i = 0; i < out.length; i++) {
		const w = rand() * 2 - 1;
		b0 = 0.99886 * b0 + w * 0.0555179;
		b1 = 0.99332 * b1 + w * 0.0750759;
		b2 = 0.969 * b2 + w * 0.153852;
		b3 = 0.8665 * b3 + w * 0.3104856;
		b4 = 0.55 * b4 + w * 0.5329522;
		b5 = -0.7616 * b5 - w * 0.016898;
		out[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.18;
		b6 = w * 0.115926;
	}
}

/**
 * Fills `out` with brown (−6 dB/octave) noise from a leaky integrator, unit-ish RMS.
 * @param {Float32Array} out
 * @param {() => number} rand
 */
export function brownNoise(out, rand) {
	let b = 0;
	for (let i = 0; i < out.length; i++) {
		b = 0.995 * b + (rand() * 2 - 1) * 0.1;
		out[i] = b * 1.0;
	}
}

/**
 * @typedef {object} ReverbOptions
 * @property {number} rt60 decay time in seconds (mid frequencies)
 * @property {number} size scales the delay lengths (0.6 small room … 1.6 hall)
 * @property {number} dampHz one-pole damping inside the loop: highs decay faster
 * @property {number} preDelayMs
 * @property {number} width stereo width of the tail (0 mono … 1 full, >1 wider)
 * @property {number} [lowCutHz] high-pass on the send, keeps the tail from getting muddy
 * @property {number} [highCutHz] low-pass on the send
 * @property {string} [seed]
 */

/**
 * A stereo reverb: pre-delay, a short allpass diffuser per channel, then an 8-line feedback
 * delay network with a Hadamard mixing matrix, per-line damping and slow delay modulation
 * (which smooths the metallic ringing a static network has on sustained tones). The wet
 * signal is added into outL/outR.
 * @param {Float32Array} inL
 * @param {Float32Array} inR
 * @param {Float32Array} outL
 * @param {Float32Array} outR
 * @param {ReverbOptions} o
 */
export function reverb(inL, inR, outL, outR, o) {
	const n = inL.length;
	const rand = mulberry32(seedFrom(o.seed ?? 'reverb'));
	const base = [1433, 1601, 1867, 2053, 2251, 2399, 2617, 2797];
	const lines = 8;
	const len = new Float64Array(lines);
	const gain = new Float64Array(lines);
	const damp = Math.exp((-2 * Math.PI * o.dampHz) / SR);
	/** @type {Float32Array[]} */
	const buf = [];
	const masks = new Int32Array(lines);
	const modDepth = new Float64Array(lines);
	const lfoC = new Float64Array(lines);
	const lfoS = new Float64Array(lines);
	const lfoE = new Float64Array(lines);
	const lp = new Float64Array(lines);
	for (let i = 0; i < lines; i++) {
		const l = Math.round((base[i] ?? 1500) * o.size);
		len[i] = l;
		gain[i] = Math.pow(10, (-3 * l) / (SR * o.rt60));
		modDepth[i] = (4 + 6 * rand()) * o.size;
		let size = 1;
		while (size < l + 64) size <<= 1;
		buf.push(new Float32Array(size));
		masks[i] = size - 1;
		const phase = rand() * 2 * Math.PI;
		lfoC[i] = Math.cos(phase);
		lfoS[i] = Math.sin(phase);
		lfoE[i] = (2 * Math.PI * (0.05 + 0.25 * rand())) / SR;
	}
	// Send filters (one-pole high-pass and low-pass) and pre-delay.
	const hpA = Math.exp((-2 * Math.PI * (o.lowCutHz ?? 120)) / SR);
	const lpA = Math.exp((-2 * Math.PI * (o.highCutHz ?? 6000)) / SR);
	const pre = Math.max(1, Math.round((o.preDelayMs / 1000) * SR));
	let preSize = 1;
	while (preSize < pre + 1) preSize <<= 1;
	const preL = new Float32Array(preSize);
	const preR = new Float32Array(preSize);
	const preMask = preSize - 1;
	// Allpass diffusers, two per channel.
	const apG = 0.6;
	const ap0 = new Float32Array(Math.round(142 * o.size));
	const ap1 = new Float32Array(Math.round(379 * o.size));
	const ap2 = new Float32Array(Math.round(163 * o.size));
	const ap3 = new Float32Array(Math.round(347 * o.size));
	let p0 = 0,
		p1 = 0,
		p2 = 0,
		p3 = 0;
	let hpxL = 0,
		hpyL = 0,
		hpxR = 0,
		hpyR = 0,
		lpL = 0,
		lpR = 0;
	const y = new Float64Array(lines);
	const h = new Float64Array(lines);
	let w = 0;
	const norm = 1 / Math.sqrt(8);
	const half = (1 + o.width) / 2;
	const cross = (1 - o.width) / 2;

	for (let s = 0; s < n; s++) {
		// Send filtering.
		const xl = inL[s] ?? 0;
		const xr = inR[s] ?? 0;
		hpyL = hpA * (hpyL + xl - hpxL);
		hpxL = xl;
		hpyR = hpA * (hpyR + xr - hpxR);
		hpxR = xr;
		lpL = hpyL + lpA * (lpL - hpyL);
		lpR = hpyR + lpA * (lpR - hpyR);
		const pw = s & preMask;
		preL[pw] = lpL;
		preR[pw] = lpR;
		const pr = (s - pre) & preMask;
		// Schroeder allpasses: v = x + g·d; out = d − g·v.
		let d = ap0[p0] ?? 0;
		let v = (preL[pr] ?? 0) + apG * d;
		ap0[p0] = v;
		p0 = p0 + 1 >= ap0.length ? 0 : p0 + 1;
		let x = d - apG * v;
		d = ap1[p1] ?? 0;
		v = x + apG * d;
		ap1[p1] = v;
		p1 = p1 + 1 >= ap1.length ? 0 : p1 + 1;
		const dl = d - apG * v;
		d = ap2[p2] ?? 0;
		v = (preR[pr] ?? 0) + apG * d;
		ap2[p2] = v;
		p2 = p2 + 1 >= ap2.length ? 0 : p2 + 1;
		x = d - apG * v;
		d = ap3[p3] ?? 0;
		v = x + apG * d;
		ap3[p3] = v;
		p3 = p3 + 1 >= ap3.length ? 0 : p3 + 1;
		const dr = d - apG * v;

		// Read the lines (modulated, linear interpolation) and damp.
		for (let i = 0; i < lines; i++) {
			const c = lfoC[i] ?? 0;
			const e = lfoE[i] ?? 0;
			const sn = (lfoS[i] ?? 0) + e * c;
			const cn = c - e * sn;
			lfoS[i] = sn;
			lfoC[i] = cn;
			const delay = (len[i] ?? 0) - (modDepth[i] ?? 0) * (1 + sn);
			const pos = w - delay;
			const ip = Math.floor(pos);
			const frac = pos - ip;
			const b = /** @type {Float32Array} */ (buf[i]);
			const m = masks[i] ?? 0;
			const r0 = b[ip & m] ?? 0;
			const val = r0 + ((b[(ip + 1) & m] ?? 0) - r0) * frac;
			const lpv = val + damp * ((lp[i] ?? 0) - val);
			lp[i] = lpv;
			y[i] = lpv;
		}
		const y0 = y[0] ?? 0,
			y1 = y[1] ?? 0,
			y2 = y[2] ?? 0,
			y3 = y[3] ?? 0,
			y4 = y[4] ?? 0,
			y5 = y[5] ?? 0,
			y6 = y[6] ?? 0,
			y7 = y[7] ?? 0;
		// Two orthogonal output taps: decorrelated left and right.
		const wl = (y0 - y1 + y2 - y3 + y4 - y5 + y6 - y7) * norm;
		const wr = (y0 + y1 - y2 - y3 + y4 + y5 - y6 - y7) * norm;
		outL[s] = (outL[s] ?? 0) + half * wl + cross * wr;
		outR[s] = (outR[s] ?? 0) + half * wr + cross * wl;
		// Fast Walsh–Hadamard transform (orthonormal) for the feedback.
		const a0 = y0 + y1,
			a1 = y0 - y1,
			a2 = y2 + y3,
			a3 = y2 - y3,
			a4 = y4 + y5,
			a5 = y4 - y5,
			a6 = y6 + y7,
			a7 = y6 - y7;
		const b0 = a0 + a2,
			b1 = a1 + a3,
			b2 = a0 - a2,
			b3 = a1 - a3,
			b4 = a4 + a6,
			b5 = a5 + a7,
			b6 = a4 - a6,
			b7 = a5 - a7;
		h[0] = b0 + b4;
		h[1] = b1 + b5;
		h[2] = b2 + b6;
		h[3] = b3 + b7;
		h[4] = b0 - b4;
		h[5] = b1 - b5;
		h[6] = b2 - b6;
		h[7] = b3 - b7;
		for (let i = 0; i < lines; i++) {
			const inject = i & 1 ? dr : dl;
			const sign = i & 2 ? -0.5 : 0.5;
			const b = /** @type {Float32Array} */ (buf[i]);
			b[w & (masks[i] ?? 0)] = (gain[i] ?? 0) * (h[i] ?? 0) * norm + sign * inject;
		}
		w++;
	}
}

/**
 * In-place iterative radix-2 complex FFT (re, im of power-of-two length).
 * @param {Float64Array} re
 * @param {Float64Array} im
 */
export function fft(re, im) {
	const n = re.length;
	for (let i = 1, j = 0; i < n; i++) {
		let bit = n >> 1;
		for (; j & bit; bit >>= 1) j ^= bit;
		j ^= bit;
		if (i < j) {
			const tr = re[i] ?? 0;
			re[i] = re[j] ?? 0;
			re[j] = tr;
			const ti = im[i] ?? 0;
			im[i] = im[j] ?? 0;
			im[j] = ti;
		}
	}
	for (let len = 2; len <= n; len <<= 1) {
		const ang = (-2 * Math.PI) / len;
		const wr = Math.cos(ang);
		const wi = Math.sin(ang);
		for (let i = 0; i < n; i += len) {
			let cr = 1,
				ci = 0;
			for (let k = 0; k < len / 2; k++) {
				const a = i + k;
				const b = a + len / 2;
				const xr = (re[b] ?? 0) * cr - (im[b] ?? 0) * ci;
				const xi = (re[b] ?? 0) * ci + (im[b] ?? 0) * cr;
				re[b] = (re[a] ?? 0) - xr;
				im[b] = (im[a] ?? 0) - xi;
				re[a] = (re[a] ?? 0) + xr;
				im[a] = (im[a] ?? 0) + xi;
				const nr = cr * wr - ci * wi;
				ci = cr * wi + ci * wr;
				cr = nr;
			}
		}
	}
}

// @ts-check
// Loudness and peak measurement after ITU-R BS.1770-4 / EBU R128:
// K-weighting (high shelf + high-pass, derived for any sample rate from the analogue
// prototypes, matching the 48 kHz coefficients in the standard), 400 ms blocks with 75 %
// overlap, an absolute gate at −70 LUFS and a relative gate 10 LU below the mean of the
// blocks that passed it. Peaks: sample peak, and true peak from 4× oversampling with a
// windowed-sinc polyphase interpolator (BS.1770-4 Annex 2).

/**
 * Biquad coefficients of the two K-weighting stages for a sample rate.
 * @param {number} fs
 * @returns {{ shelf: number[]; highpass: number[] }} each [b0, b1, b2, a1, a2]
 */
export function kWeighting(fs) {
	let f0 = 1681.974450955533;
	const G = 3.999843853973347;
	let Q = 0.7071752369554196;
	let K = Math.tan((Math.PI * f0) / fs);
	const Vh = Math.pow(10, G / 20);
	const Vb = Math.pow(Vh, 0.4996667741545416);
	let a0 = 1 + K / Q + K * K;
	const shelf = [
		(Vh + (Vb * K) / Q + K * K) / a0,
		(2 * (K * K - Vh)) / a0,
		(Vh - (Vb * K) / Q + K * K) / a0,
		(2 * (K * K - 1)) / a0,
		(1 - K / Q + K * K) / a0
	];
	f0 = 38.13547087602444;
	Q = 0.5003270373238773;
	K = Math.tan((Math.PI * f0) / fs);
	a0 = 1 + K / Q + K * K;
	const highpass = [1, -2, 1, (2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0];
	return { shelf, highpass };
}

/**
 * Sum over channels of the K-weighted signal's energy in consecutive segments of `seg`
 * samples (the last partial segment is dropped).
 * @param {Float32Array[]} channels
 * @param {number} fs
 * @param {number} seg
 */
export function kWeightedEnergy(channels, fs, seg) {
	const { shelf, highpass } = kWeighting(fs);
	const [sb0, sb1, sb2, sa1, sa2] = /** @type {[number, number, number, number, number]} */ (shelf);
	const [hb0, hb1, hb2, ha1, ha2] = /** @type {[number, number, number, number, number]} */ (highpass);
	const n = channels[0]?.length ?? 0;
	const segments = Math.floor(n / seg);
	const energy = new Float64Array(segments);
	for (const x of channels) {
		// Direct form II transposed, in double precision.
		let s1 = 0,
			s2 = 0,
			h1 = 0,
			h2 = 0;
		for (let j = 0; j < segments; j++) {
			let acc = 0;
			const end = (j + 1) * seg;
			for (let i = j * seg; i < end; i++) {
				const v = x[i] ?? 0;
				const y1 = sb0 * v + s1;
				s1 = sb1 * v - sa1 * y1 + s2;
				s2 = sb2 * v - sa2 * y1;
				const y2 = hb0 * y1 + h1;
				h1 = hb1 * y1 - ha1 * y2 + h2;
				h2 = hb2 * y1 - ha2 * y2;
				acc += y2 * y2;
			}
			energy[j] = (energy[j] ?? 0) + acc;
		}
	}
	return energy;
}

/** @param {number} meanSquare */
function lufsOf(meanSquare) {
	return meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity;
}

/**
 * Integrated loudness (LUFS) of a stereo (or mono) signal.
 * @param {Float32Array[]} channels
 * @param {number} fs
 */
export function integratedLoudness(channels, fs) {
	const seg = Math.round(fs * 0.1);
	const energy = kWeightedEnergy(channels, fs, seg);
	const blockLen = seg * 4;
	/** @type {number[]} */
	const blocks = [];
	for (let j = 0; j + 4 <= energy.length; j++) {
		const z = ((energy[j] ?? 0) + (energy[j + 1] ?? 0) + (energy[j + 2] ?? 0) + (energy[j + 3] ?? 0)) / blockLen;
		blocks.push(z);
	}
	const absGated = blocks.filter((z) => lufsOf(z) > -70);
	if (absGated.length === 0) return -Infinity;
	const mean = (/** @type {number[]} */ list) => list.reduce((a, b) => a + b, 0) / list.length;
	const relative = lufsOf(mean(absGated)) - 10;
	const relGated = absGated.filter((z) => lufsOf(z) > relative);
	return lufsOf(mean(relGated));
}

/**
 * A loudness curve: loudness (LUFS, ungated) of a sliding window every `hop` seconds —
 * 0.4 s windows give momentary loudness, 3 s windows short-term loudness.
 * @param {Float32Array[]} channels
 * @param {number} fs
 * @param {number} windowSeconds multiple of 0.1
 * @param {number} [hopSeconds] multiple of 0.1
 */
export function loudnessCurve(channels, fs, windowSeconds, hopSeconds = 0.1) {
	const seg = Math.round(fs * 0.1);
	const energy = kWeightedEnergy(channels, fs, seg);
	const w = Math.round(windowSeconds / 0.1);
	const hop = Math.max(1, Math.round(hopSeconds / 0.1));
	/** @type {number[]} */
	const out = [];
	let acc = 0;
	for (let j = 0; j < energy.length; j++) {
		acc += energy[j] ?? 0;
		if (j >= w) acc -= energy[j - w] ?? 0;
		if (j >= w - 1 && (j - (w - 1)) % hop === 0) out.push(lufsOf(Math.max(acc, 0) / (w * seg)));
	}
	return Float32Array.from(out);
}

/**
 * Largest absolute sample value over all channels (linear).
 * @param {Float32Array[]} channels
 */
export function samplePeak(channels) {
	let peak = 0;
	for (const x of channels) {
		for (let i = 0; i < x.length; i++) {
			const a = Math.abs(x[i] ?? 0);
			if (a > peak) peak = a;
		}
	}
	return peak;
}

const TP_TAPS = 16; // taps per phase; the full filter has 4·16 + 1 taps
/** Polyphase taps for the three in-between phases of a 4× windowed-sinc interpolator. */
const tpPhases = (() => {
	const half = 2 * TP_TAPS; // centre tap index
	const len = 4 * TP_TAPS + 1;
	/** @type {Float64Array[]} */
	const phases = [];
	for (let p = 1; p < 4; p++) {
		const taps = new Float64Array(TP_TAPS + 1);
		for (let k = 0; 4 * k + p < len; k++) {
			const m = 4 * k + p;
			const x = (m - half) / 4;
			const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
			// Blackman–Harris window over the whole filter.
			const r = m / (len - 1);
			const win =
				0.35875 -
				0.48829 * Math.cos(2 * Math.PI * r) +
				0.14128 * Math.cos(4 * Math.PI * r) -
				0.01168 * Math.cos(6 * Math.PI * r);
			taps[k] = sinc * win;
		}
		// Unity gain at DC for each phase.
		let sum = 0;
		for (const t of taps) sum += t;
		for (let k = 0; k < taps.length; k++) taps[k] = (taps[k] ?? 0) / sum;
		phases.push(taps);
	}
	return phases;
})();

/**
 * True peak (linear): the largest absolute value of the signal oversampled 4×.
 * @param {Float32Array[]} channels
 */
export function truePeak(channels) {
	let peak = samplePeak(channels);
	const taps = TP_TAPS + 1;
	for (const x of channels) {
		const n = x.length;
		for (const h of tpPhases) {
			// y[n] = Σ_k h[k]·x[n − k]; zero outside the signal.
			for (let i = 0; i < n + taps; i++) {
				let acc = 0;
				const kMax = Math.min(taps - 1, i);
				const kMin = Math.max(0, i - (n - 1));
				for (let k = kMin; k <= kMax; k++) acc += (h[k] ?? 0) * (x[i - k] ?? 0);
				const a = acc < 0 ? -acc : acc;
				if (a > peak) peak = a;
			}
		}
	}
	return peak;
}

/** @param {number} linear */
export function toDb(linear) {
	return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

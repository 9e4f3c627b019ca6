// @ts-check
// "Listening with numbers": onset count, spectral centroid, and a spectrogram with a
// loudness curve drawn as a PNG.

import { fft } from './dsp.js';
import { loudnessCurve } from './loudness.js';
import { encodePng } from './png.js';

/**
 * Short-term level envelope (dBFS of the mono mix), RMS over `win` seconds every `hop`.
 * @param {Float32Array[]} channels
 * @param {number} fs
 * @param {number} win
 * @param {number} hop
 */
export function levelEnvelope(channels, fs, win, hop) {
	const n = channels[0]?.length ?? 0;
	const w = Math.round(win * fs);
	const h = Math.round(hop * fs);
	const frames = Math.max(0, Math.floor((n - w) / h) + 1);
	const out = new Float32Array(frames);
	for (let f = 0; f < frames; f++) {
		let acc = 0;
		for (const x of channels) for (let i = f * h; i < f * h + w; i++) acc += (x[i] ?? 0) ** 2;
		const ms = acc / (w * channels.length);
		out[f] = ms > 0 ? 10 * Math.log10(ms) : -200;
	}
	return out;
}

/**
 * Sudden level rises: times where the short-term level (RMS over 50 ms windows every 10 ms;
 * long enough that low notes do not ripple it) climbs more than `riseDb` above its minimum
 * over the preceding `withinSeconds`, while within 30 dB of the track's loud level (so the
 * silence at the very start of a fade does not count). Refractory 250 ms.
 * @param {Float32Array[]} channels
 * @param {number} fs
 * @param {{ riseDb?: number; withinSeconds?: number }} [o]
 * @returns {number[]} onset times in seconds
 */
export function onsets(channels, fs, o = {}) {
	const riseDb = o.riseDb ?? 6;
	const hop = 0.01;
	const back = Math.round((o.withinSeconds ?? 0.05) / hop);
	const env = levelEnvelope(channels, fs, 0.05, hop);
	const sorted = Float32Array.from(env).sort();
	const loud = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
	const floor = loud - 30;
	/** @type {number[]} */
	const times = [];
	let lastAt = -Infinity;
	for (let j = back; j < env.length; j++) {
		const v = env[j] ?? 0;
		if (v < floor) continue;
		let min = Infinity;
		for (let k = j - back; k < j; k++) min = Math.min(min, env[k] ?? 0);
		const t = j * hop;
		if (v - min > riseDb && t - lastAt > 0.25) {
			times.push(t);
			lastAt = t;
		}
	}
	return times;
}

/**
 * Energy-weighted mean spectral centroid (Hz) of the mono mix: 4096-point Hann frames
 * every 0.5 s.
 * @param {Float32Array[]} channels
 * @param {number} fs
 */
export function spectralCentroid(channels, fs) {
	const size = 4096;
	const hop = Math.round(fs * 0.5);
	const n = channels[0]?.length ?? 0;
	const re = new Float64Array(size);
	const im = new Float64Array(size);
	let num = 0;
	let den = 0;
	for (let start = 0; start + size <= n; start += hop) {
		monoFrame(channels, start, re, im);
		fft(re, im);
		let c = 0;
		let m = 0;
		let e = 0;
		for (let k = 1; k < size / 2; k++) {
			const p = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
			const mag = Math.sqrt(p);
			c += ((k * fs) / size) * mag;
			m += mag;
			e += p;
		}
		if (m > 0) {
			num += (c / m) * e;
			den += e;
		}
	}
	return den > 0 ? num / den : 0;
}

/**
 * @param {Float32Array[]} channels
 * @param {number} start
 * @param {Float64Array} re
 * @param {Float64Array} im
 */
function monoFrame(channels, start, re, im) {
	const size = re.length;
	for (let i = 0; i < size; i++) {
		let v = 0;
		for (const x of channels) v += x[start + i] ?? 0;
		const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1));
		re[i] = (v / channels.length) * w;
		im[i] = 0;
	}
}

/**
 * A colour ramp from near-black through deep blue, violet and orange to pale yellow.
 * @param {number} v 0…1
 * @returns {[number, number, number]}
 */
function ramp(v) {
	const stops = [
		[0, 4, 4, 12],
		[0.25, 40, 20, 90],
		[0.5, 130, 40, 120],
		[0.75, 230, 110, 50],
		[1, 252, 240, 170]
	];
	const x = Math.min(1, Math.max(0, v));
	for (let i = 1; i < stops.length; i++) {
		const b = /** @type {number[]} */ (stops[i]);
		const a = /** @type {number[]} */ (stops[i - 1]);
		if (x <= (b[0] ?? 1)) {
			const f = (x - (a[0] ?? 0)) / ((b[0] ?? 1) - (a[0] ?? 0));
			/** @param {number} c */
			const mixChannel = (c) => Math.round((a[c] ?? 0) + ((b[c] ?? 0) - (a[c] ?? 0)) * f);
			return [mixChannel(1), mixChannel(2), mixChannel(3)];
		}
	}
	return [252, 240, 170];
}

/**
 * A picture of a track: a log-frequency spectrogram (30 Hz – 16 kHz, 90 dB range; grid
 * lines at 100 Hz, 1 kHz, 10 kHz and every 30 s) above its loudness curve (short-term 3 s
 * in white, momentary 0.4 s in grey; −50…−10 LUFS with lines every 10 LU and the −23 LUFS
 * target in green).
 * @param {Float32Array[]} all
 * @param {number} fs
 * @param {{ from: number; to: number }} [window] seconds: draw only this part
 * @returns {Buffer} PNG file bytes
 */
export function trackPicture(all, fs, window) {
	const channels = window ? all.map((c) => c.subarray(Math.round(window.from * fs), Math.round(window.to * fs))) : all;
	const width = 1000;
	const specH = 320;
	const gap = 6;
	const curveH = 160;
	const height = specH + gap + curveH;
	const rgb = new Uint8Array(width * height * 3);
	const n = channels[0]?.length ?? 0;
	const size = 8192;
	const re = new Float64Array(size);
	const im = new Float64Array(size);
	const fLo = Math.log(30);
	const fHi = Math.log(16000);
	/** @type {Float32Array[]} */
	const columns = [];
	let top = -Infinity;
	for (let x = 0; x < width; x++) {
		const start = Math.min(Math.max(0, n - size), Math.round((x / width) * n));
		monoFrame(channels, start, re, im);
		fft(re, im);
		const col = new Float32Array(specH);
		for (let y = 0; y < specH; y++) {
			// Row y (0 = top) covers a band of log frequency; take the band's peak bin.
			const f0 = Math.exp(fHi - ((y + 1) / specH) * (fHi - fLo));
			const f1 = Math.exp(fHi - (y / specH) * (fHi - fLo));
			const k0 = Math.max(1, Math.floor((f0 * size) / fs));
			const k1 = Math.max(k0, Math.ceil((f1 * size) / fs));
			let p = 0;
			for (let k = k0; k <= k1; k++) p = Math.max(p, (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2);
			const db = 10 * Math.log10(p + 1e-20);
			col[y] = db;
			if (db > top) top = db;
		}
		columns.push(col);
	}
	/**
	 * @param {number} x
	 * @param {number} y
	 * @param {[number, number, number]} c
	 */
	const put = (x, y, c) => {
		if (x < 0 || y < 0 || x >= width || y >= height) return;
		const i = (y * width + x) * 3;
		rgb[i] = c[0];
		rgb[i + 1] = c[1];
		rgb[i + 2] = c[2];
	};
	for (let x = 0; x < width; x++) {
		const col = /** @type {Float32Array} */ (columns[x]);
		for (let y = 0; y < specH; y++) put(x, y, ramp(((col[y] ?? -200) - (top - 90)) / 90));
	}
	for (const f of [100, 1000, 10000]) {
		const y = Math.round(((fHi - Math.log(f)) / (fHi - fLo)) * specH);
		for (let x = 0; x < width; x += 3) put(x, y, [90, 90, 90]);
	}
	const seconds = n / fs;
	for (let t = 30; t < seconds; t += 30) {
		const x = Math.round((t / seconds) * width);
		for (let y = 0; y < height; y += 3) put(x, y, [70, 70, 70]);
	}
	// Loudness panel.
	const y0 = specH + gap;
	for (let y = specH; y < y0; y++) for (let x = 0; x < width; x++) put(x, y, [30, 30, 30]);
	/** @param {number} lufs */
	const yOf = (lufs) => y0 + Math.round(((-10 - lufs) / 40) * (curveH - 1));
	for (const level of [-10, -20, -30, -40, -50]) for (let x = 0; x < width; x += 2) put(x, yOf(level), [60, 60, 60]);
	for (let x = 0; x < width; x++) put(x, yOf(-23), [40, 160, 80]);
	const momentary = loudnessCurve(channels, fs, 0.4);
	const shortTerm = loudnessCurve(channels, fs, 3);
	for (const [curve, colour] of /** @type {[Float32Array, [number, number, number]][]} */ ([
		[momentary, [120, 120, 120]],
		[shortTerm, [255, 255, 255]]
	])) {
		let prevY = -1;
		for (let x = 0; x < width; x++) {
			const v = curve[Math.min(curve.length - 1, Math.floor((x / width) * curve.length))] ?? -70;
			const y = yOf(Math.max(-50, Math.min(-10, v)));
			const from = prevY < 0 ? y : Math.min(prevY, y);
			const to = prevY < 0 ? y : Math.max(prevY, y);
			for (let yy = from; yy <= to; yy++) put(x, yy, colour);
			prevY = y;
		}
	}
	return encodePng(width, height, rgb);
}

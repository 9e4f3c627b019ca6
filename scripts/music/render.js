// @ts-check
// From a track spec to the 16-bit PCM that gets encoded: compose, fade in and out,
// normalise to −23 LUFS integrated with the true peak kept at or below −1 dBTP, dither to
// 16 bits, and measure the result (the very samples handed to the encoder).

import { composeTrack } from './compose.js';
import { SR } from './dsp.js';
import { integratedLoudness, samplePeak, toDb, truePeak } from './loudness.js';
import { mulberry32, seedFrom } from './prng.js';

export const LOUDNESS_TARGET = -23;
export const TRUE_PEAK_LIMIT = -1;
export const FADE_IN_SECONDS = 6;
export const FADE_OUT_SECONDS = 8;

/**
 * @typedef {object} RenderedTrack
 * @property {Int16Array} left
 * @property {Int16Array} right
 * @property {number} loudnessLufs measured on the 16-bit PCM
 * @property {number} truePeakDbtp measured on the 16-bit PCM
 * @property {number} samplePeakDbfs
 * @property {number} gainDb gain applied to reach the target
 * @property {boolean} peakLimited true if the gain had to be reduced to respect the peak limit
 * @property {{ layer: string; lufs: number }[]} report per-layer loudness (debug only)
 */

/**
 * sin² fades: zero slope at both ends, so they start and finish without a click.
 * @param {Float32Array[]} channels
 */
export function applyFades(channels) {
	const fi = FADE_IN_SECONDS * SR;
	const fo = FADE_OUT_SECONDS * SR;
	for (const x of channels) {
		const n = x.length;
		for (let i = 0; i < fi && i < n; i++) x[i] = (x[i] ?? 0) * Math.sin((Math.PI / 2) * (i / fi)) ** 2;
		for (let i = 0; i < fo && i < n; i++) {
			const j = n - 1 - i;
			x[j] = (x[j] ?? 0) * Math.sin((Math.PI / 2) * (i / fo)) ** 2;
		}
	}
}

/**
 * Scales to 16 bits with TPDF dither from a seeded generator (deterministic).
 * @param {Float32Array} x
 * @param {number} gain
 * @param {string} seed
 */
function toInt16(x, gain, seed) {
	const rand = mulberry32(seedFrom(seed));
	const out = new Int16Array(x.length);
	const scale = 32767 * gain;
	for (let i = 0; i < x.length; i++) {
		const v = Math.round((x[i] ?? 0) * scale + (rand() - rand()));
		out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
	}
	return out;
}

/** @param {Int16Array} x */
export function int16ToFloat(x) {
	const out = new Float32Array(x.length);
	for (let i = 0; i < x.length; i++) out[i] = (x[i] ?? 0) / 32768;
	return out;
}

/**
 * @param {import('./compose.js').TrackSpec} spec
 * @param {{ debug?: boolean; only?: string[] }} [options]
 * @returns {RenderedTrack}
 */
export function renderTrack(spec, options = {}) {
	const { L, R, report } = composeTrack(spec, options);
	applyFades([L, R]);
	let gainDb = LOUDNESS_TARGET - integratedLoudness([L, R], SR);
	let peakLimited = false;
	/** @type {Int16Array} */
	let left = new Int16Array(0);
	/** @type {Int16Array} */
	let right = new Int16Array(0);
	let lufs = 0;
	let peak = 0;
	let fl = new Float32Array(0);
	let fr = new Float32Array(0);
	// Up to three passes: the absolute gate makes loudness very slightly level-dependent,
	// and the gain is lowered if the true peak would pass the limit.
	for (let pass = 0; pass < 3; pass++) {
		const g = Math.pow(10, gainDb / 20) * (32768 / 32767); // measured back on a /32768 scale
		left = toInt16(L, g, `${spec.id}:dither:L`);
		right = toInt16(R, g, `${spec.id}:dither:R`);
		fl = int16ToFloat(left);
		fr = int16ToFloat(right);
		lufs = integratedLoudness([fl, fr], SR);
		peak = toDb(truePeak([fl, fr]));
		if (peak > TRUE_PEAK_LIMIT - 0.05) {
			gainDb += TRUE_PEAK_LIMIT - 0.1 - peak;
			peakLimited = true;
			continue;
		}
		if (peakLimited || Math.abs(lufs - LOUDNESS_TARGET) < 0.02) break;
		gainDb += LOUDNESS_TARGET - lufs;
	}
	return {
		left,
		right,
		loudnessLufs: lufs,
		truePeakDbtp: peak,
		samplePeakDbfs: toDb(samplePeak([fl, fr])),
		gainDb,
		peakLimited,
		report
	};
}

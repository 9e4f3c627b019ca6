// @ts-check
// MP3 encoding with the pure-JavaScript LAME port @breezystack/lamejs (pinned 1.2.7):
// constant bit rate, 44.1 kHz, stereo. Deterministic: the same PCM gives the same bytes.
//
// One workaround: the package's Mp3Encoder leaves LAME's output sample rate unset, so below
// 112 kbps LAME picks 32 kHz (or lower) and lamejs's resampler then produces a nearly
// silent, broken stream. The encoder module is therefore loaded with one setting added —
// `out_samplerate = in_samplerate` — which keeps 44.1 kHz at any bit rate. Everything else
// (stereo mode, quality 3, no bit reservoir, which is broken in lamejs) stays as shipped.
// Every encoded file's first frame header is checked for the expected rate and bit rate.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** @typedef {{ encodeBuffer(left: Int16Array, right?: Int16Array): Int8Array; flush(): Int8Array }} Encoder */
/** @typedef {new (channels: number, sampleRate: number, kbps: number) => Encoder} EncoderClass */

const NEEDLE = 'R.mode = lr.STEREO, R.quality = 3,';
const PATCHED = 'R.mode = lr.STEREO, R.out_samplerate = Z, R.quality = 3,';

/** @type {Promise<EncoderClass> | null} */
let loading = null;

/** @returns {Promise<EncoderClass>} */
export function loadEncoder() {
	loading ??= (async () => {
		const file = fileURLToPath(import.meta.resolve('@breezystack/lamejs'));
		const source = await readFile(file, 'utf8');
		if (!source.includes(NEEDLE)) {
			throw new Error(`${file}: the Mp3Encoder set-up has changed; update the patch in scripts/music/encode.js`);
		}
		const url = `data:text/javascript;base64,${Buffer.from(source.replace(NEEDLE, PATCHED)).toString('base64')}`;
		const module = /** @type {{ Mp3Encoder: EncoderClass }} */ (await import(url));
		return module.Mp3Encoder;
	})();
	return loading;
}

const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG1_RATES = [44100, 48000, 32000];

/**
 * Reads the first MPEG audio frame header.
 * @param {Uint8Array} mp3
 * @returns {{ sampleRate: number; kbps: number; channels: number }}
 */
export function firstFrame(mp3) {
	for (let i = 0; i + 4 <= mp3.length; i++) {
		const b1 = mp3[i + 1] ?? 0;
		if (mp3[i] !== 0xff || (b1 & 0xe0) !== 0xe0) continue;
		const version = (b1 >> 3) & 3; // 3 = MPEG-1
		const layer = (b1 >> 1) & 3; // 1 = Layer III
		const b2 = mp3[i + 2] ?? 0;
		const b3 = mp3[i + 3] ?? 0;
		if (version !== 3 || layer !== 1) throw new Error('not an MPEG-1 Layer III stream');
		return {
			kbps: MPEG1_L3_KBPS[b2 >> 4] ?? 0,
			sampleRate: MPEG1_RATES[(b2 >> 2) & 3] ?? 0,
			channels: b3 >> 6 === 3 ? 1 : 2
		};
	}
	throw new Error('no MPEG frame found');
}

/**
 * @param {EncoderClass} Mp3Encoder
 * @param {Int16Array} left
 * @param {Int16Array} right
 * @param {{ sampleRate?: number; kbps?: number }} [options]
 * @returns {Uint8Array}
 */
export function encodeMp3(Mp3Encoder, left, right, options = {}) {
	const sampleRate = options.sampleRate ?? 44100;
	const kbps = options.kbps ?? 80;
	const encoder = new Mp3Encoder(2, sampleRate, kbps);
	/** @type {Uint8Array[]} */
	const parts = [];
	const block = 1152 * 32;
	for (let i = 0; i < left.length; i += block) {
		const out = encoder.encodeBuffer(left.subarray(i, i + block), right.subarray(i, i + block));
		if (out.length > 0) parts.push(new Uint8Array(out.buffer, out.byteOffset, out.length).slice());
	}
	const tail = encoder.flush();
	if (tail.length > 0) parts.push(new Uint8Array(tail.buffer, tail.byteOffset, tail.length).slice());
	let size = 0;
	for (const p of parts) size += p.length;
	const mp3 = new Uint8Array(size);
	let at = 0;
	for (const p of parts) {
		mp3.set(p, at);
		at += p.length;
	}
	const frame = firstFrame(mp3);
	if (frame.sampleRate !== sampleRate || frame.kbps !== kbps || frame.channels !== 2) {
		throw new Error(`encoder wrote ${frame.sampleRate} Hz, ${frame.kbps} kbps, ${frame.channels} ch`);
	}
	return mp3;
}

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
//
// lamejs writes no Xing/Info tag, so a player can learn the stream's length only by reading or
// estimating through it. WebKitGTK (GStreamer) reports a duration of 0 at 'canplaythrough' for such
// a file, then loses seeks and may stall; every other engine estimates. `withInfoTag` puts the tag
// LAME itself writes for a constant-bit-rate file in front: one silent frame that says how many
// frames and bytes follow, which every MP3 decoder reads (and skips) to know the length at once.

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
	return withInfoTag(mp3);
}

/** Bytes of one MPEG-1 Layer III frame: 144 × bit rate ÷ sample rate, plus the padding byte if set. */
function frameBytes(/** @type {Uint8Array} */ mp3, /** @type {number} */ at) {
	const b2 = mp3[at + 2] ?? 0;
	const kbps = MPEG1_L3_KBPS[b2 >> 4] ?? 0;
	const rate = MPEG1_RATES[(b2 >> 2) & 3] ?? 0;
	if (kbps === 0 || rate === 0) throw new Error(`bad frame header at byte ${at}`);
	return Math.floor((144 * kbps * 1000) / rate) + ((b2 >> 1) & 1);
}

/**
 * The stream with an Info tag in front (the Xing header's constant-bit-rate name, as LAME writes
 * it): a frame with the stream's own header, no padding and zeroed audio, whose side-information
 * is followed by "Info", the flags for "frame count and byte count present", and those counts.
 * @param {Uint8Array} mp3 a stream of MPEG-1 Layer III frames, stereo, starting at byte 0
 * @returns {Uint8Array}
 */
export function withInfoTag(mp3) {
	let frames = 0;
	let at = 0;
	while (at + 4 <= mp3.length) {
		if (mp3[at] !== 0xff || ((mp3[at + 1] ?? 0) & 0xe0) !== 0xe0) throw new Error(`lost frame sync at byte ${at}`);
		at += frameBytes(mp3, at);
		frames += 1;
	}
	const header = mp3.subarray(0, 4);
	const tag = new Uint8Array(
		Math.floor(
			(144 * (MPEG1_L3_KBPS[(header[2] ?? 0) >> 4] ?? 0) * 1000) / (MPEG1_RATES[((header[2] ?? 0) >> 2) & 3] ?? 1)
		)
	);
	tag.set(header);
	tag[2] = (tag[2] ?? 0) & ~0x02; // no padding byte
	const view = new DataView(tag.buffer);
	const SIDE_INFO_STEREO = 32; // bytes of MPEG-1 side information for two channels
	const offset = 4 + SIDE_INFO_STEREO;
	tag.set([0x49, 0x6e, 0x66, 0x6f], offset); // "Info"
	view.setUint32(offset + 4, 0x0001 | 0x0002); // frames and bytes fields present
	view.setUint32(offset + 8, frames);
	view.setUint32(offset + 12, tag.length + mp3.length);
	const out = new Uint8Array(tag.length + mp3.length);
	out.set(tag);
	out.set(mp3, tag.length);
	return out;
}

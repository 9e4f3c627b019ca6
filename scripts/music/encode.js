// @ts-check
// MP3 encoding with the pure-JavaScript LAME port (@breezystack/lamejs): constant bit rate,
// joint stereo, 44.1 kHz. Deterministic: the same PCM gives the same bytes.

import { Mp3Encoder } from '@breezystack/lamejs';

/**
 * @param {Int16Array} left
 * @param {Int16Array} right
 * @param {{ sampleRate?: number; kbps?: number }} [options]
 * @returns {Uint8Array}
 */
export function encodeMp3(left, right, options = {}) {
	const encoder = new Mp3Encoder(2, options.sampleRate ?? 44100, options.kbps ?? 80);
	/** @type {Uint8Array[]} */
	const parts = [];
	const block = 1152 * 32;
	for (let i = 0; i < left.length; i += block) {
		const out = encoder.encodeBuffer(left.subarray(i, i + block), right.subarray(i, i + block));
		if (out.length > 0) parts.push(Uint8Array.from(out));
	}
	const tail = encoder.flush();
	if (tail.length > 0) parts.push(Uint8Array.from(tail));
	let size = 0;
	for (const p of parts) size += p.length;
	const mp3 = new Uint8Array(size);
	let at = 0;
	for (const p of parts) {
		mp3.set(p, at);
		at += p.length;
	}
	return mp3;
}

// @ts-check
// Worker thread: renders one track per message and either encodes it (make) or measures it
// (analyse). Heavy buffers go back as transferred ArrayBuffers.

import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { onsets, spectralCentroid, trackPicture } from './analysis.js';
import { SR } from './dsp.js';
import { encodeMp3, loadEncoder } from './encode.js';
import { loudnessCurve } from './loudness.js';
import { int16ToFloat, renderTrack } from './render.js';

/**
 * @typedef {object} MakeJob
 * @property {'make'} kind
 * @property {import('./compose.js').TrackSpec} spec
 * @property {number} kbps
 */

/**
 * @typedef {object} AnalyseJob
 * @property {'analyse'} kind
 * @property {import('./compose.js').TrackSpec} spec
 * @property {boolean} picture
 * @property {string[]} [only]
 * @property {{ from: number; to: number }} [window]
 */

/**
 * @typedef {object} MakeResult
 * @property {string} id
 * @property {number} loudnessLufs
 * @property {number} truePeakDbtp
 * @property {number} samplePeakDbfs
 * @property {number} gainDb
 * @property {boolean} peakLimited
 * @property {Uint8Array} mp3
 * @property {string} sha256 full hex digest of the MP3 bytes
 * @property {number} renderSeconds
 * @property {number} encodeSeconds
 * @property {{ opening: number, closing: number }} mix seconds of the track's own swell and closing fade
 */

/**
 * @typedef {object} AnalyseResult
 * @property {string} id
 * @property {number} seconds
 * @property {number} loudnessLufs
 * @property {number} truePeakDbtp
 * @property {number} samplePeakDbfs
 * @property {number[]} onsetTimes
 * @property {number} centroidHz
 * @property {Uint8Array | null} png
 */

/** A 3 s window within this of the loudest in the next (or last) 10 s is past the swell (or not yet fading). */
const SETTLED_WITHIN_LU = 1.5;
const SETTLE_LOOK_SECONDS = 10;

/**
 * Where the track's own swell ends and its closing fade begins: the first 3 s window whose
 * loudness is within SETTLED_WITHIN_LU of the loudest in the 10 s after it, and the last one
 * within that of the loudest in the 10 s before it. The app's crossfades stand in for the swell
 * and the fade (crossfading over them would stack two fades into a dip in level); a quiet
 * passage that is part of the music is not a swell, so it is kept.
 * @param {Float32Array[]} channels
 * @returns {{ opening: number, closing: number }} seconds, to 0.1 s
 */
export function mixPoints(channels) {
	const hop = 0.1;
	const look = Math.round(SETTLE_LOOK_SECONDS / hop);
	const curve = Array.from(loudnessCurve(channels, SR, 3, hop));
	const seconds = (channels[0]?.length ?? 0) / SR;
	const settledFrom = curve.findIndex((lufs, n) => lufs >= Math.max(...curve.slice(n, n + look)) - SETTLED_WITHIN_LU);
	const settledTo = curve.findLastIndex(
		(lufs, n) => lufs >= Math.max(...curve.slice(Math.max(0, n - look), n + 1)) - SETTLED_WITHIN_LU
	);
	if (settledFrom < 0 || settledTo < 0) return { opening: 0, closing: 0 };
	const round = (/** @type {number} */ value) => Math.round(value * 10) / 10;
	return { opening: round(settledFrom * hop), closing: round(Math.max(0, seconds - (settledTo * hop + 3))) };
}

/**
 * @param {MakeJob} job
 * @returns {Promise<{ result: MakeResult; transfer: ArrayBuffer[] }>}
 */
async function make(job) {
	const Mp3Encoder = await loadEncoder();
	const t0 = performance.now();
	const r = renderTrack(job.spec);
	const t1 = performance.now();
	const mp3 = encodeMp3(Mp3Encoder, r.left, r.right, { sampleRate: SR, kbps: job.kbps });
	const t2 = performance.now();
	const mix = mixPoints([int16ToFloat(r.left), int16ToFloat(r.right)]);
	return {
		result: {
			id: job.spec.id,
			loudnessLufs: r.loudnessLufs,
			truePeakDbtp: r.truePeakDbtp,
			samplePeakDbfs: r.samplePeakDbfs,
			gainDb: r.gainDb,
			peakLimited: r.peakLimited,
			mp3,
			sha256: createHash('sha256').update(mp3).digest('hex'),
			renderSeconds: (t1 - t0) / 1000,
			encodeSeconds: (t2 - t1) / 1000,
			mix
		},
		transfer: [/** @type {ArrayBuffer} */ (mp3.buffer)]
	};
}

/**
 * @param {AnalyseJob} job
 * @returns {{ result: AnalyseResult; transfer: ArrayBuffer[] }}
 */
function analyse(job) {
	const r = renderTrack(job.spec, job.only ? { only: job.only } : {});
	const channels = [int16ToFloat(r.left), int16ToFloat(r.right)];
	const png = job.picture ? new Uint8Array(trackPicture(channels, SR, job.window)) : null;
	return {
		result: {
			id: job.spec.id,
			seconds: r.left.length / SR,
			loudnessLufs: r.loudnessLufs,
			truePeakDbtp: r.truePeakDbtp,
			samplePeakDbfs: r.samplePeakDbfs,
			onsetTimes: onsets(channels, SR),
			centroidHz: spectralCentroid(channels, SR),
			png
		},
		transfer: png ? [/** @type {ArrayBuffer} */ (png.buffer)] : []
	};
}

parentPort?.on('message', (/** @type {MakeJob | AnalyseJob} */ job) => {
	void (async () => {
		const { result, transfer } = job.kind === 'make' ? await make(job) : analyse(job);
		parentPort?.postMessage(result, transfer);
	})();
});

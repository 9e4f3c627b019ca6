// @ts-check
// Worker thread: renders one track per message and either encodes it (make) or measures it
// (analyse). Heavy buffers go back as transferred ArrayBuffers.

import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { onsets, spectralCentroid, trackPicture } from './analysis.js';
import { SR } from './dsp.js';
import { encodeMp3, loadEncoder } from './encode.js';
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
			encodeSeconds: (t2 - t1) / 1000
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

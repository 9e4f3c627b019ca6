// The grounding bench: figures about the script player of the built app, measured on its real
// audio output in Chromium.
//
// A 10-minute script (20 timed steps of 30 s, a chime on each, one soundscape under all of them,
// and a 6 s recorded voice clip on step 3) is written into the app's database and played through
// from "Begin", in real time. The audio tap (tests/support/audio-tap-browser.js, the code the
// browser tests use) finds every onset on the audio thread, at the exact frame, on each context's
// own clock, and keeps the peak of every render quantum.
//
// - step_boundary_error_ms: the plan is the first chime's onset plus the steps' cumulative lengths
//   (the closing bell marks the end), on the chime context's clock; the figure is the largest
//   |onset − planned boundary| over all 21 boundaries. step_boundary_error_mean_ms is the mean.
// - voice_duck_depth_db: the background's level (mean block peak, on its own context's clock) over
//   the 2.5 s before the voice step begins, minus its level while the clip plays (from 1.5 s after
//   the clip's onset, when the 1.5 s duck ramp has ended, to 0.3 s before its end).
//
// Needs the app served (`npm run preview`, or BASE_URL) from a fresh build.
//   node scripts/bench-grounding.mjs               prints `name: value` lines
//   import { runGroundingBench } from './bench-grounding.mjs'   returns the same figures
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { installAudioTapInto } from '../tests/support/audio-tap-browser.js';
import { chromiumArgs, chromiumExecutable } from './browser.js';

const SCRIPT_ID = 'bench-grounding';
const STEPS = 20;
const STEP_SECONDS = 30;
/** The step (0-based) that carries the recorded voice. */
const VOICE_STEP = 2;
const CLIP_SECONDS = 6;
/** An onset further than this from a planned boundary is not that boundary's chime. */
const MATCH_WINDOW = 0.5;

/**
 * @typedef {object} GroundingFigures
 * @property {number} voice_duck_depth_db
 * @property {number} step_boundary_error_ms
 * @property {number} step_boundary_error_mean_ms
 */

/**
 * @typedef {{ id: number, context: AudioContext, delay: number, sampleRate: number, onsets: { time: number }[], levels: { startFrame: number, blockFrames: number, peaks: Float32Array }[] }} TapEntry
 * @typedef {{ __audioTap: { contexts: Record<number, TapEntry>, idOf(context: BaseAudioContext): number | null }, Howler?: { ctx?: AudioContext } }} TapWindow
 */

/**
 * @param {{ baseURL: string }} options
 * @returns {Promise<GroundingFigures>}
 */
export async function runGroundingBench({ baseURL }) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		// Timing, not offline: without the service worker's install traffic the run is steadier.
		const context = await browser.newContext({ serviceWorkers: 'block' });
		await installAudioTapInto(context);
		// Steps without a recording stay silent whatever voices this machine has, so only the clip ducks.
		await context.addInitScript(() => {
			if ('speechSynthesis' in window) window.speechSynthesis.getVoices = () => [];
		});
		const page = await context.newPage();
		await page.goto(new URL('/', baseURL).href);
		await page.evaluate(seedScript, {
			scriptId: SCRIPT_ID,
			steps: STEPS,
			seconds: STEP_SECONDS,
			voiceStep: VOICE_STEP,
			clipSeconds: CLIP_SECONDS
		});
		await page.goto(new URL(`/grounding/play/?script=${SCRIPT_ID}`, baseURL).href);
		await page.getByRole('button', { name: 'Begin' }).click();

		const ids = await page
			.waitForFunction(findContexts, undefined, { timeout: 60_000, polling: 200 })
			.then(
				(handle) => /** @type {Promise<{ voice: number, chimes: number, background: number }>} */ (handle.jsonValue())
			);
		const total = STEPS * STEP_SECONDS;
		// Until the tap has analysed the closing bell (the end boundary) and a little after it.
		await page.waitForFunction(
			({ id, until }) => {
				const entry = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts[id];
				const first = entry?.onsets[0]?.time;
				return entry !== undefined && first !== undefined && entry.context.currentTime - entry.delay > first + until;
			},
			{ id: ids.chimes, until: total + MATCH_WINDOW + 0.2 },
			{ timeout: (total + 120) * 1000, polling: 500 }
		);

		const chimeOnsets = await page.evaluate(readOnsets, ids.chimes);
		const boundaries = judgeBoundaries(chimeOnsets);
		const voiceOnset = (await page.evaluate(readOnsets, ids.voice))[0];
		if (voiceOnset === undefined) throw new Error('The recorded voice clip was never heard.');
		const first = /** @type {number} */ (chimeOnsets[0]);
		const stepOnBackground = await page.evaluate(onClock, {
			from: ids.chimes,
			to: ids.background,
			time: first + VOICE_STEP * STEP_SECONDS
		});
		const clipOnBackground = await page.evaluate(onClock, { from: ids.voice, to: ids.background, time: voiceOnset });
		const before = await page.evaluate(levelDb, {
			id: ids.background,
			from: stepOnBackground - 2.5,
			to: stepOnBackground - 0.2
		});
		const under = await page.evaluate(levelDb, {
			id: ids.background,
			from: clipOnBackground + 1.5,
			to: clipOnBackground + CLIP_SECONDS - 0.3
		});
		return {
			voice_duck_depth_db: Math.round((before - under) * 100) / 100,
			step_boundary_error_ms: boundaries.maxMs,
			step_boundary_error_mean_ms: boundaries.meanMs
		};
	} finally {
		await browser.close();
	}
}

/**
 * Every planned boundary (each step's start and the end) against the nearest chime onset.
 * @param {number[]} onsets chime onsets on their context's clock
 * @returns {{ maxMs: number, meanMs: number }}
 */
export function judgeBoundaries(onsets) {
	const first = onsets[0];
	if (first === undefined) throw new Error('No chime was heard.');
	const errors = [];
	for (let k = 0; k <= STEPS; k += 1) {
		const planned = first + k * STEP_SECONDS;
		let nearest;
		for (const onset of onsets) {
			if (
				Math.abs(onset - planned) <= MATCH_WINDOW &&
				(nearest === undefined || Math.abs(onset - planned) < Math.abs(nearest - planned))
			) {
				nearest = onset;
			}
		}
		if (nearest === undefined)
			throw new Error(`No chime within ${MATCH_WINDOW} s of boundary ${k} (${k * STEP_SECONDS} s).`);
		errors.push(Math.abs(nearest - planned) * 1000);
	}
	const round = (/** @type {number} */ ms) => Math.round(ms * 1000) / 1000;
	return { maxMs: round(Math.max(...errors)), meanMs: round(errors.reduce((sum, ms) => sum + ms, 0) / errors.length) };
}

/**
 * Runs in the page: writes the bench script and its voice clip into the app's database.
 * @param {{ scriptId: string, steps: number, seconds: number, voiceStep: number, clipSeconds: number }} options
 */
function seedScript({ scriptId, steps, seconds, voiceStep, clipSeconds }) {
	const background = { kind: 'soundscape', soundscape: 'warm-drone', seed: 3 };
	const script = {
		version: 1,
		id: scriptId,
		title: 'Bench: ten minutes of steps',
		summary: '',
		builtIn: false,
		steps: Array.from({ length: steps }, (_, index) => ({
			id: `step-${index + 1}`,
			text: `Step ${index + 1}.`,
			timing: { kind: 'timed', seconds },
			breath: null,
			chime: true,
			background
		}))
	};
	// A 660 Hz tone at about a normalized voice's level (−20 dBFS RMS), as a 24 kHz 16-bit WAV.
	const rate = 24_000;
	const frames = clipSeconds * rate;
	const data = new DataView(new ArrayBuffer(44 + frames * 2));
	const text = (/** @type {number} */ offset, /** @type {string} */ value) => {
		for (let i = 0; i < value.length; i += 1) data.setUint8(offset + i, value.charCodeAt(i));
	};
	text(0, 'RIFF');
	data.setUint32(4, 36 + frames * 2, true);
	text(8, 'WAVE');
	text(12, 'fmt ');
	data.setUint32(16, 16, true);
	data.setUint16(20, 1, true);
	data.setUint16(22, 1, true);
	data.setUint32(24, rate, true);
	data.setUint32(28, rate * 2, true);
	data.setUint16(32, 2, true);
	data.setUint16(34, 16, true);
	text(36, 'data');
	data.setUint32(40, frames * 2, true);
	for (let i = 0; i < frames; i += 1)
		data.setInt16(44 + i * 2, Math.round(0.14 * 32767 * Math.sin((2 * Math.PI * 660 * i) / rate)), true);
	const stepId = `step-${voiceStep + 1}`;
	const clip = {
		version: 1,
		scriptId,
		stepId,
		wav: new Blob([data.buffer], { type: 'audio/wav' }),
		durationSeconds: clipSeconds,
		gainDb: 0,
		recordedAt: Date.now()
	};
	return new Promise((resolve, reject) => {
		const open = indexedDB.open('grounded');
		open.onupgradeneeded = () => open.result.createObjectStore('keyval');
		open.onerror = () => reject(open.error);
		open.onsuccess = () => {
			const db = open.result;
			const tx = db.transaction('keyval', 'readwrite');
			tx.objectStore('keyval').put(script, `grounding-script:${scriptId}`);
			tx.objectStore('keyval').put(clip, `voice-clip:${scriptId}:${stepId}`);
			tx.oncomplete = () => {
				db.close();
				resolve(undefined);
			};
			tx.onerror = () => reject(tx.error);
		};
	});
}

/**
 * Runs in the page: the run's open contexts, or null until all three have sounded. Howler's is the
 * voice; of the others, the one with two onsets or more is the chimes' (each chime rings out before
 * the next), and the one with steady sound the background's.
 */
function findContexts() {
	const page = /** @type {TapWindow} */ (/** @type {unknown} */ (window));
	const tap = page.__audioTap;
	const howler = page.Howler?.ctx;
	const voice = howler ? tap.idOf(howler) : null;
	const open = Object.values(tap.contexts).filter((entry) => entry.context.state !== 'closed' && entry.id !== voice);
	const chimes = open.find((entry) => entry.onsets.length >= 2);
	const background = open.find((entry) => entry !== chimes && entry.onsets.length > 0);
	return voice !== null && chimes && background ? { voice, chimes: chimes.id, background: background.id } : null;
}

/**
 * Runs in the page.
 * @param {number} id
 * @returns {number[]}
 */
function readOnsets(id) {
	const entry = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts[id];
	if (!entry) throw new Error(`No tapped context ${id}`);
	return entry.onsets.map((onset) => onset.time);
}

/**
 * Runs in the page: `time` on context `from`'s clock, read on context `to`'s (through each one's
 * output timestamp, which pairs its clock with performance.now()).
 * @param {{ from: number, to: number, time: number }} options
 */
function onClock({ from, to, time }) {
	const tap = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap;
	const offset = (/** @type {number} */ id) => {
		const entry = tap.contexts[id];
		if (!entry) throw new Error(`No tapped context ${id}`);
		const stamp = entry.context.getOutputTimestamp();
		return (stamp.contextTime ?? 0) - (stamp.performanceTime ?? 0) / 1000;
	};
	return time - offset(from) + offset(to);
}

/**
 * Runs in the page: the mean block peak over [from, to) on the context's clock, in dB.
 * @param {{ id: number, from: number, to: number }} options
 */
function levelDb({ id, from, to }) {
	const entry = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts[id];
	if (!entry) throw new Error(`No tapped context ${id}`);
	let sum = 0;
	let count = 0;
	for (const batch of entry.levels) {
		batch.peaks.forEach((peak, i) => {
			const time = (batch.startFrame + i * batch.blockFrames) / entry.sampleRate;
			if (time >= from && time < to) {
				sum += peak;
				count += 1;
			}
		});
	}
	if (count === 0) throw new Error(`No background recorded between ${from.toFixed(2)} s and ${to.toFixed(2)} s.`);
	return 20 * Math.log10(Math.max(sum / count, 1e-9));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = await runGroundingBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}

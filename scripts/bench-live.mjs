// The live bench: figures about the built app in real Chromium.
//
// 1. Cue timing with a stalled main thread. The app plays a fast pattern (in 1 s, out 1 s, soft
//    tones) while, in the same page, a naive pacer plays a cue from setInterval every second at
//    `ctx.currentTime`, as pacers commonly do. The page's main thread is then stalled four times
//    for 10 s. The audio tap (tests/support/audio-tap-browser.js, the same code the browser tests
//    use) finds every onset on the audio thread, at the exact frame, in each context's own clock.
//    Each pacer's plan is a cue every second from its first onset; a cue is missed when no onset
//    lies within ±0.5 s of its planned time, and late by (onset − planned).
// 2. Tap to sound. The console's "Start the music" is tapped on a second visit (the first track is
//    in the browser's cache), and the time runs from the click's event time to the moment a sample
//    reaches the output (the context's getOutputTimestamp(), so output latency is included):
//    `tap_to_sound_ms` to the first sample that is not digital silence (the app's own latency:
//    loading the engine, the context, the media element and its pipeline), `tap_to_audible_ms` to
//    the first above −60 dBFS (adds the 6 s fade-in and the track's own soft opening). Median of five.
// 3. First-load JavaScript. For each prerendered page, every JS file the page loads before any
//    user action: its modulepreload links and the imports in its inline start-up script, plus their
//    static imports, recursively (dynamic import() chunks, like Tone.js, load later). Each file is
//    gzipped at level 9 and the sizes summed.
//
// Needs the app served (`npm run preview`, or BASE_URL) and a build in build/.
//   node scripts/bench-live.mjs            prints `name: value` lines
//   import { runLiveBench } from './bench-live.mjs'   returns the same figures as an object
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import { DEFAULT_TAP_OPTIONS, installAudioTapInto } from '../tests/support/audio-tap-browser.js';
import { chromiumArgs, chromiumExecutable } from './browser.js';

const defaultBuildDir = fileURLToPath(new URL('../build/', import.meta.url));

/** Seconds of cues judged, from each pacer's first onset: past the last stall with room to spare. */
const JUDGED_SECONDS = 64;
/** Both pacers play a cue every this many seconds (for the app: in 1 s, out 1 s). */
const CUE_PERIOD = 1;
/** An onset further than this from a planned cue does not count as that cue. */
const MATCH_WINDOW = 0.5;
const STALLS = 4;
const STALL_MS = 10_000;
const BETWEEN_STALLS_MS = 3_000;

/**
 * @typedef {object} LiveFigures
 * @property {number} stalled_main_thread_cues_missed
 * @property {number} stalled_main_thread_max_late_ms
 * @property {number} naive_stalled_main_thread_cues_missed
 * @property {number} naive_stalled_main_thread_max_late_ms
 * @property {number} tap_to_sound_ms
 * @property {number} tap_to_sound_max_ms
 * @property {number} tap_to_audible_ms
 * @property {number} first_load_js_gzip_kb_home
 * @property {number} first_load_js_gzip_kb_breathe
 * @property {0 | 1} first_load_includes_tone
 */

/**
 * @param {{ baseURL: string, buildDir?: string }} options
 * @returns {Promise<LiveFigures>}
 */
export async function runLiveBench({ baseURL, buildDir = defaultBuildDir }) {
	// Sizes first: they need no browser, and a missing build should fail fast.
	const home = firstLoadJs(buildDir, 'index.html');
	const breathe = firstLoadJs(buildDir, 'breathe/index.html');
	const live = await stalledPlayback(baseURL);
	const tapToSound = await tapToSoundMs(baseURL);
	return {
		stalled_main_thread_cues_missed: live.app.missed,
		stalled_main_thread_max_late_ms: live.app.maxLateMs,
		naive_stalled_main_thread_cues_missed: live.naive.missed,
		naive_stalled_main_thread_max_late_ms: live.naive.maxLateMs,
		tap_to_sound_ms: tapToSound.median,
		tap_to_sound_max_ms: tapToSound.max,
		tap_to_audible_ms: tapToSound.audibleMedian,
		first_load_js_gzip_kb_home: home.gzipKb,
		first_load_js_gzip_kb_breathe: breathe.gzipKb,
		first_load_includes_tone: home.includesTone || breathe.includesTone ? 1 : 0
	};
}

/**
 * Cues a pacer should have played: one every CUE_PERIOD from its first onset, for JUDGED_SECONDS.
 * @param {number[]} onsets exact onset times on the pacer's context clock
 * @returns {{ missed: number, maxLateMs: number, planned: number }}
 */
export function judgeCues(onsets) {
	const first = onsets[0];
	if (first === undefined) throw new Error('The pacer made no sound at all.');
	let missed = 0;
	let maxLate = 0;
	let planned = 0;
	for (let k = 0; k * CUE_PERIOD <= JUDGED_SECONDS + 1e-9; k += 1) {
		planned += 1;
		const due = first + k * CUE_PERIOD;
		let nearest;
		for (const onset of onsets) {
			if (
				Math.abs(onset - due) <= MATCH_WINDOW &&
				(nearest === undefined || Math.abs(onset - due) < Math.abs(nearest - due))
			) {
				nearest = onset;
			}
		}
		if (nearest === undefined) missed += 1;
		else maxLate = Math.max(maxLate, nearest - due);
	}
	return { missed, maxLateMs: Math.round(maxLate * 1e5) / 1e2, planned };
}

/** @param {string} baseURL */
async function stalledPlayback(baseURL) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		// The bench is about timing, not offline: without the service worker's install traffic the
		// measurement is steadier, and the page fetches the tap's worklet module itself.
		const context = await browser.newContext({ serviceWorkers: 'block' });
		await installAudioTapInto(context);
		const page = await context.newPage();
		await page.goto(new URL('/breathe/', baseURL).href);
		await page.getByRole('heading', { name: 'Your practice' }).waitFor();
		await page.getByRole('group', { name: 'Pattern' }).waitFor();

		await page.getByRole('radio', { name: 'Your own pattern' }).check();
		await page.getByLabel('Breathe in (seconds)').fill('1');
		await page.getByLabel('Hold (seconds)').fill('0');
		await page.getByLabel('Breathe out (seconds)').fill('1');
		await page.getByLabel('Rest (seconds)').fill('0');
		await page.getByRole('radio', { name: 'Breaths', exact: true }).check();
		// Longer than the judged stretch, so the closing bell never falls inside it.
		await page.getByLabel('How many breaths').fill(String(Math.ceil(JUDGED_SECONDS / (2 * CUE_PERIOD)) + 8));
		await page.getByRole('radio', { name: 'Soft tones' }).check();

		const before = await page.evaluate(() =>
			Object.keys(/** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts).map(Number)
		);
		await page.getByRole('button', { name: 'Begin' }).click();
		const naiveId = await page.evaluate(startNaivePacer, CUE_PERIOD);
		const appId = await page
			.waitForFunction(
				({ before, naiveId }) =>
					Object.values(/** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts).find(
						(entry) => !before.includes(entry.id) && entry.id !== naiveId && entry.onsets.length > 0
					)?.id ?? null,
				{ before, naiveId },
				{ timeout: 15_000 }
			)
			.then((handle) => /** @type {Promise<number>} */ (handle.jsonValue()));

		for (let n = 0; n < STALLS; n += 1) {
			await page.waitForTimeout(BETWEEN_STALLS_MS);
			const stalled = await page.evaluate((ms) => {
				const start = performance.now();
				while (performance.now() < start + ms) {
					// Busy on purpose: this is the stall.
				}
				return performance.now() - start;
			}, STALL_MS);
			if (stalled < STALL_MS) throw new Error(`A stall lasted only ${stalled} ms.`);
		}

		// Wait until the tap has analysed both pacers past the judged stretch and its match window.
		await page.waitForFunction(
			({ ids, until }) =>
				ids.every((id) => {
					const entry = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts[id];
					const first = entry?.onsets[0]?.time;
					return entry && first !== undefined && entry.context.currentTime - entry.delay > first + until;
				}),
			{ ids: [appId, naiveId], until: JUDGED_SECONDS + MATCH_WINDOW + 0.1 },
			{ timeout: (JUDGED_SECONDS + 30) * 1000, polling: 100 }
		);
		const readings = await page.evaluate(
			(ids) =>
				ids.map((id) => {
					const entry = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap.contexts[id];
					if (!entry) throw new Error(`No tapped context ${id}`);
					return { coveredFrom: entry.coveredFrom, onsets: entry.onsets.map((onset) => onset.time) };
				}),
			[appId, naiveId]
		);
		await page.evaluate(() => /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__naivePacer?.stop());
		const [app, naive] = readings.map((reading, n) => {
			const first = reading.onsets[0];
			// Only an onset after quiet the tap really heard is known to be the first cue's start.
			if (
				first === undefined ||
				reading.coveredFrom === null ||
				reading.coveredFrom + DEFAULT_TAP_OPTIONS.minQuiet > first
			) {
				throw new Error(`The tap did not hear the ${n === 0 ? 'app' : 'naive pacer'} from its start.`);
			}
			return judgeCues(reading.onsets);
		});
		return {
			app: /** @type {ReturnType<typeof judgeCues>} */ (app),
			naive: /** @type {ReturnType<typeof judgeCues>} */ (naive)
		};
	} finally {
		await browser.close();
	}
}

/** Trials of the tap-to-sound measurement; the first visit before them only fills the cache. */
const TAP_TRIALS = 5;
/** How long the bench “reads” the chooser before tapping Start, as a person would (1.5 s: a short glance). */
const READ_BEFORE_TAP_MS = 1_500;
/** "Audible" for `tap_to_audible_ms`: a block peak above −60 dBFS. */
const AUDIBLE_PEAK = 1e-3;

/**
 * Milliseconds from the tap on "Start the music" to sound at the output, track cached.
 * @param {string} baseURL
 */
export async function tapToSoundMs(baseURL) {
	const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs });
	try {
		const context = await browser.newContext({ serviceWorkers: 'block' });
		// Threshold 0: the first sample that is not exactly zero is an onset.
		await installAudioTapInto(context, { threshold: 0 });
		const page = await context.newPage();
		/** @type {{ sound: number, audible: number }[]} */
		const trials = [];
		for (let trial = 0; trial <= TAP_TRIALS; trial += 1) {
			await page.goto(new URL('/session/', baseURL).href);
			const start = page.getByRole('button', { name: 'Start the music' });
			// A session left from the last trial is ended first, so each trial starts afresh.
			const endSaved = page.getByRole('button', { name: 'End that session' });
			await Promise.race([start.waitFor(), endSaved.waitFor()]);
			if (await endSaved.isVisible()) await endSaved.click();
			// Closing and grounding opens with a recorded track.
			await page.getByRole('radio', { name: /Closing and grounding/ }).check();
			// A person reads the chooser before tapping; the console loads the first track meanwhile.
			await page.waitForTimeout(READ_BEFORE_TAP_MS);
			await start.click();
			const times = await page
				.waitForFunction(readTapToSound, AUDIBLE_PEAK, { timeout: 15_000, polling: 50 })
				.then((handle) => /** @type {Promise<{ sound: number, audible: number }>} */ (handle.jsonValue()));
			if (trial > 0) trials.push(times);
			await page.getByRole('button', { name: 'Fade out and end' }).click();
			await page.getByRole('button', { name: 'Start the music' }).waitFor();
		}
		const sound = trials.map((times) => times.sound).sort((a, b) => a - b);
		const audible = trials.map((times) => times.audible).sort((a, b) => a - b);
		/** @param {number[]} values sorted */
		const median = (values) => Math.round(/** @type {number} */ (values[values.length >> 1]));
		return {
			median: median(sound),
			max: Math.round(/** @type {number} */ (sound.at(-1))),
			audibleMedian: median(audible)
		};
	} finally {
		await browser.close();
	}
}

/**
 * Runs in the page: ms from the last click on Start to the first non-zero and the first audible
 * sample at the output, or null while the tap has not heard both yet.
 * @param {number} audiblePeak
 */
function readTapToSound(audiblePeak) {
	const tap = /** @type {TapWindow} */ (/** @type {unknown} */ (window)).__audioTap;
	const click = tap.clicks.findLast((entry) => entry.label.startsWith('Start the music'));
	const entry = Object.values(tap.contexts).find((candidate) => candidate.onsets.length > 0);
	if (!click || !entry) return null;
	let audibleFrame;
	for (const batch of entry.levels) {
		const index = Array.from(batch.peaks).findIndex((peak) => peak > audiblePeak);
		if (index >= 0) {
			audibleFrame = batch.startFrame + index * batch.blockFrames;
			break;
		}
	}
	if (audibleFrame === undefined) return null;
	const stamp = entry.context.getOutputTimestamp();
	if (stamp.contextTime === undefined || stamp.performanceTime === undefined) return null;
	/** @param {number} time context time @returns {number} ms after the click, at the output */
	const afterClick = (time) => stamp.performanceTime + (time - stamp.contextTime) * 1000 - click.timeStamp;
	return {
		sound: afterClick(/** @type {{ time: number }} */ (entry.onsets[0]).time),
		audible: afterClick(audibleFrame / entry.sampleRate)
	};
}

/**
 * @typedef {{ id: number, context: AudioContext, delay: number, sampleRate: number, coveredFrom: number | null, onsets: { time: number }[], levels: { startFrame: number, blockFrames: number, peaks: Float32Array }[] }} TapEntry
 * @typedef {{ contexts: Record<number, TapEntry>, clicks: { timeStamp: number, label: string }[], idOf(context: BaseAudioContext): number | null }} PageTap
 * @typedef {{ __audioTap: PageTap, __naivePacer?: { stop(): void } }} TapWindow what the tap (and the naive pacer) add to the page's window
 */

/**
 * Runs in the page: what a naive pacer does. A page timer fires every period and plays a short
 * enveloped tone starting "now" on its own AudioContext; nothing is scheduled ahead.
 * @param {number} period seconds
 * @returns {number} the tap's id for its context
 */
function startNaivePacer(period) {
	const ctx = new AudioContext();
	const cue = () => {
		const now = ctx.currentTime;
		const oscillator = new OscillatorNode(ctx, { frequency: 440 });
		const envelope = new GainNode(ctx, { gain: 0 });
		oscillator.connect(envelope).connect(ctx.destination);
		envelope.gain.setValueAtTime(0, now);
		envelope.gain.linearRampToValueAtTime(0.3, now + 0.01);
		envelope.gain.linearRampToValueAtTime(0, now + 0.3);
		oscillator.start(now);
		oscillator.stop(now + 0.35);
	};
	cue();
	const timer = setInterval(cue, period * 1000);
	const page = /** @type {TapWindow} */ (/** @type {unknown} */ (window));
	page.__naivePacer = { stop: () => clearInterval(timer) };
	const id = page.__audioTap.idOf(ctx);
	if (id === null) throw new Error('The audio tap did not see the naive pacer’s context.');
	return id;
}

/**
 * Every JS file a prerendered page loads at first load, gzipped.
 * @param {string} buildDir
 * @param {string} page path of the HTML file inside buildDir
 */
export function firstLoadJs(buildDir, page) {
	const htmlPath = join(buildDir, page);
	if (!existsSync(htmlPath)) throw new Error(`No ${htmlPath}: build the app first (npx vite build).`);
	const html = readFileSync(htmlPath, 'utf8');
	const entries = new Set();
	for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
		if (/\brel=["']?modulepreload\b/.test(tag)) {
			const href = tag.match(/\bhref=["']([^"']+)["']/)?.[1];
			if (href) entries.add(href);
		}
	}
	for (const match of html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/g)) entries.add(match[1]);
	// SvelteKit's inline start-up script imports the entry points; that is first load too.
	for (const script of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
		for (const match of (script[1] ?? '').matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) entries.add(match[1]);
	}

	/** @type {Set<string>} */
	const files = new Set();
	const pending = [...entries].map((href) => resolveFrom(dirname(htmlPath), href, buildDir)).filter(isString);
	while (pending.length > 0) {
		const file = /** @type {string} */ (pending.pop());
		if (files.has(file)) continue;
		files.add(file);
		const code = readFileSync(file, 'utf8');
		for (const specifier of staticImports(code)) {
			const target = resolveFrom(dirname(file), specifier, buildDir);
			if (target && !files.has(target)) pending.push(target);
		}
	}

	let gzipBytes = 0;
	let includesTone = false;
	for (const file of files) {
		const code = readFileSync(file);
		gzipBytes += gzipSync(code, { level: 9 }).length;
		if (code.includes('ToneAudioNode')) includesTone = true;
	}
	return {
		files: [...files].map((file) => relative(buildDir, file)).sort(),
		gzipKb: Math.round(gzipBytes / 100) / 10,
		includesTone
	};
}

/**
 * Specifiers of a module's static imports and re-exports (not dynamic import()).
 * @param {string} code
 */
export function staticImports(code) {
	const specifiers = [];
	// `import x from "./a.js"`, `import{a as b}from"./a.js"`, `import "./a.js"`; a dynamic
	// `import("./a.js")` has a parenthesis after the keyword and does not match.
	for (const match of code.matchAll(/(?<![\w$.])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'])([^"']+)\1/g)) {
		specifiers.push(match[2]);
	}
	for (const match of code.matchAll(
		/(?<![\w$.])export\s*(?:\*\s*(?:as\s+[\w$]+\s*)?|\{[^}]*\}\s*)from\s*(["'])([^"']+)\1/g
	)) {
		specifiers.push(match[2]);
	}
	return specifiers.filter(isString);
}

/**
 * A relative or root-relative specifier as a file in the build; undefined for anything else.
 * @param {string} fromDir
 * @param {string | undefined} specifier
 * @param {string} buildDir
 */
function resolveFrom(fromDir, specifier, buildDir) {
	if (!specifier) return undefined;
	const path = specifier.split(/[?#]/)[0] ?? '';
	let file;
	if (path.startsWith('./') || path.startsWith('../')) file = normalize(join(fromDir, path));
	else if (path.startsWith('/')) file = normalize(join(buildDir, path));
	else return undefined;
	if (!existsSync(file)) throw new Error(`First-load file missing from the build: ${specifier} (from ${fromDir})`);
	return file;
}

/** @param {unknown} value @returns {value is string} */
function isString(value) {
	return typeof value === 'string';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const baseURL = process.env.BASE_URL ?? 'http://localhost:4173';
	const figures = await runLiveBench({ baseURL });
	for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}

/**
 * The core journeys as a person makes them, in any engine, with what each engine played recorded at
 * its PulseAudio sink and measured. Each journey returns its measurements; the tests
 * (journeys.spec.ts) hold them to the plan, and the bench (bench/engines.bench.ts) prints them, so
 * both judge exactly the same run of the same steps.
 *
 * @example
 * const cues = await pacerCues(tab, listen, SHORT_CUSTOM);
 * expect(Math.max(...cues.intervalErrorsMs)).toBeLessThanOrEqual(3);
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTimeline, type TimelineRequest } from '../../src/lib/breath/timeline';
import type { Decibels, Milliseconds, Seconds } from '../../src/lib/units';
import {
	findOnsets,
	firstSoundAfter,
	longestQuiet,
	peakDb,
	rmsDb,
	trackJumps,
	type TrackJump
} from '../support/recording';
import { pcmWav, wav } from '../support/wav';
import { DEFAULT_SETTINGS } from '../../src/lib/breath/settings';
import { clipPath } from '../../src/lib/take-home/pack-format';
import { writePack } from '../../src/lib/take-home/pack-writer';
import { practiceFromSettings } from '../../src/lib/take-home/practice';
import type { EnginePage } from './harness/engine-page';
import type { Recording } from './harness/pulse';
import { decodedTrack } from './harness/reference';
import { BASELINE_PAGE, type Rig } from './harness/rig';

export type Listen = () => Promise<Recording>;

/** Every page of the app, in the state a first visit opens it in. */
export const ROUTES: readonly { path: string; heading: RegExp }[] = [
	{ path: '/', heading: /^Grounded$/ },
	{ path: '/breathe/', heading: /Breath/ },
	{ path: '/session/', heading: /session/i },
	{ path: '/session/sheet/?playlist=full-medicine-session', heading: /Session sheet/ },
	{ path: '/grounding/', heading: /Grounding/ },
	{ path: '/grounding/edit/?new', heading: /script/i },
	{ path: '/grounding/play/?script=arriving-breath', heading: /Arriving with the breath/ },
	{ path: '/library/', heading: /Your music/ },
	{ path: '/playlists/', heading: /playlists/i },
	{ path: '/playlists/edit/', heading: /playlist/i },
	{ path: '/storage/', heading: /device/i },
	{ path: '/privacy/', heading: /Privacy/ },
	{ path: '/take-home/', heading: /take-home pack/ },
	{ path: '/take-home/receive/', heading: /take-home pack/ },
	{ path: '/take-home/link/', heading: /Share by QR code/ },
	{ path: '/open/', heading: /Shared with you/ },
	{ path: '/integration/', heading: /After your session/ },
	{ path: '/integration/journal/', heading: /Journal/ },
	{ path: '/integration/check-in/', heading: /Check in/ },
	{ path: '/integration/preparation/', heading: /Preparation card/ }
];

// ——— small steps ———

export async function heading(tab: EnginePage, pattern: RegExp, timeout = 15_000): Promise<string> {
	return tab.waitFor(
		(source: string, flags: string) => {
			const text = document.querySelector('h1')?.textContent?.trim() ?? '';
			return new RegExp(source, flags).test(text) ? text : null;
		},
		[pattern.source, pattern.flags],
		{ timeout, message: `a heading like ${pattern}` }
	);
}

export async function textAppears(tab: EnginePage, pattern: RegExp, timeout = 15_000): Promise<string> {
	return tab.waitFor(
		(source: string, flags: string) => document.body.innerText.match(new RegExp(source, flags))?.[0] ?? null,
		[pattern.source, pattern.flags],
		{ timeout, message: `text like ${pattern}` }
	);
}

/** Seconds recorded so far: a moment in the recording. */
export const now = (recording: Recording): Seconds => recording.frames() / recording.rate;

/** Waits until the recording reaches `seconds`, and returns all of it. */
export async function recordUntil(recording: Recording, seconds: Seconds): Promise<Float32Array> {
	const deadline = Date.now() + (seconds - now(recording) + 30) * 1000;
	while (now(recording) < seconds) {
		if (Date.now() > deadline) throw new Error(`the recording stopped growing before ${seconds} s`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return recording.samples();
}

const sleep = (ms: Milliseconds) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shipped track's file and its own opening swell, from the catalog. */
function curatedTrack(id: string): { title: string; file: string; fadeInSeconds: number } {
	const catalog = JSON.parse(readFileSync('src/lib/music/curated-tracks.json', 'utf8')) as {
		tracks: { id: string; title: string; file: string; fadeInSeconds: number }[];
	};
	const track = catalog.tracks.find((entry) => entry.id === id);
	if (!track) throw new Error(`no curated track ${id}`);
	return track;
}

/** Each interval between consecutive onsets against the plan's, in ms (the first onset anchors nothing). */
function intervalErrors(onsets: readonly Seconds[], planned: readonly Seconds[]): Milliseconds[] {
	const errors: Milliseconds[] = [];
	for (let i = 1; i < Math.min(onsets.length, planned.length); i += 1) {
		errors.push(Math.abs(onsets[i]! - onsets[i - 1]! - (planned[i]! - planned[i - 1]!)) * 1000);
	}
	return errors;
}

// ——— every page ———

export interface RoutesVisit {
	readonly routes: number;
	/** Pages whose heading appeared. */
	readonly loaded: number;
	/** Uncaught errors, rejections, console errors, CSP violations and failed loads, in every page. */
	readonly errors: string[];
	/** Requests the server answered with an error status. */
	readonly failedRequests: string[];
}

export async function visitEveryRoute(tab: EnginePage, rig: Rig): Promise<RoutesVisit> {
	let loaded = 0;
	for (const route of ROUTES) {
		await tab.goto(route.path);
		if (
			await heading(tab, route.heading).then(
				() => true,
				() => false
			)
		)
			loaded += 1;
	}
	// Errors that come a moment after load (a failed import, a key clash on hydration) count too.
	await sleep(500);
	return { routes: ROUTES.length, loaded, errors: await tab.errors(), failedRequests: rig.server.failures() };
}

// ——— the pacer ———

/** How a pacer practice is set up on the page, and the same as a timeline request. */
export interface PacerSetup {
	readonly fill: (tab: EnginePage) => Promise<void>;
	readonly request: TimelineRequest;
}

/** Two breaths of in 2, hold 1, out 3, rest 0.5 s, in soft tones: every kind of phase, in 13 s. */
export const SHORT_CUSTOM: PacerSetup = {
	request: {
		pattern: { kind: 'custom', durations: { inhale: 2, holdIn: 1, exhale: 3, holdOut: 0.5 } },
		length: { kind: 'breaths', count: 2 }
	},
	fill: async (tab) => {
		await tab.click({ role: 'radio', name: /^Your own pattern/ });
		await tab.fill({ role: 'spinbutton', name: 'Breathe in (seconds)' }, '2');
		await tab.fill({ role: 'spinbutton', name: 'Hold (seconds)' }, '1');
		await tab.fill({ role: 'spinbutton', name: 'Breathe out (seconds)' }, '3');
		await tab.fill({ role: 'spinbutton', name: 'Rest (seconds)' }, '0.5');
		await tab.click({ role: 'radio', name: /^Breaths$/ });
		await tab.fill({ role: 'spinbutton', name: 'How many breaths' }, '2');
		await tab.click({ role: 'radio', name: /^Soft tones/ });
	}
};

/** A minute of coherent breathing at 5.5 breaths a minute, in soft tones: the bench's practice. */
export const COHERENT_MINUTE: PacerSetup = {
	request: { pattern: { kind: 'coherent', breathsPerMinute: 5.5 }, length: { kind: 'minutes', minutes: 1 } },
	fill: async (tab) => {
		await tab.click({ role: 'radio', name: /^Coherent breathing/ });
		await tab.fill({ role: 'spinbutton', name: 'Breaths a minute' }, '5.5');
		await tab.click({ role: 'radio', name: /^Minutes$/ });
		await tab.fill({ role: 'spinbutton', name: 'How many minutes' }, '1');
		await tab.click({ role: 'radio', name: /^Soft tones/ });
	}
};

export interface CueMeasure {
	/** Where the plan puts each cue (the voiced phases, then the closing bell), from the first. */
	readonly planned: Seconds[];
	/** Onsets heard after the tap, in seconds from the tap. */
	readonly onsets: Seconds[];
	/** Each interval between heard onsets against the plan's. */
	readonly intervalErrorsMs: Milliseconds[];
	readonly peakDb: Decibels;
	/** The first cue's level over its first two seconds. */
	readonly firstCuePeakDb: Decibels;
	/** Started from the integration plan: whether the home page then shows the practice done. */
	readonly doneOnPlan?: boolean;
}

/**
 * A journal entry written, then read back after a reload and found by search; then today's
 * check-in at the bottom of the mood scale: the support card and the chart's points.
 */
export async function journalAndCheckIn(
	tab: EnginePage
): Promise<{ afterReload: boolean; found: string; supportCard: string; chartPoints: number }> {
	const words = 'Warm light on the kitchen table.';
	await tab.goto('/integration/journal/');
	await heading(tab, /Journal/);
	await tab.click({ role: 'button', name: 'Write or speak an entry' });
	await tab.fill({ role: 'textbox', name: 'Your words' }, words);
	await tab.click({ role: 'button', name: 'Save the entry' });
	await textAppears(tab, /The entry is saved on this device/);
	await tab.reload();
	await heading(tab, /Journal/);
	const afterReload = await tab.waitFor(
		(text: string) => document.querySelector('[data-testid="journal-entries"]')?.textContent?.includes(text),
		[words],
		{ message: 'the entry after a reload' }
	);
	await tab.fill({ role: 'textbox', name: 'Search your entries' }, 'KITCHEN warm');
	const found = await textAppears(tab, /\d+ (entry|entries) found\.|No entry has those words\./);

	await tab.goto('/integration/check-in/');
	await heading(tab, /Check in/);
	// A slider is set as a person's drag would leave it; the page hears the same input event.
	await tab.evaluate(() => {
		const mood = document.querySelector<HTMLInputElement>('#scale-mood')!;
		mood.value = '0';
		mood.dispatchEvent(new Event('input', { bubbles: true }));
	});
	await tab.click({ role: 'button', name: 'Save the check-in' });
	const supportCard = await textAppears(tab, /Grounded tells no one/);
	const chartPoints = await tab.waitFor(
		() => document.querySelectorAll('[data-testid="check-in-chart"] circle').length,
		[],
		{ message: 'the check-in on the chart' }
	);
	return { afterReload: afterReload === true, found, supportCard, chartPoints };
}

/**
 * An integration plan whose session was yesterday, set on /integration/ as a client would: today
 * is its day 1, with the pacer's own breathing (as set on this device) as the first practice.
 */
async function planFromYesterday(tab: EnginePage): Promise<void> {
	await tab.goto('/integration/');
	await heading(tab, /After your session/);
	// Date and time inputs take typed text differently in every engine: the value is set as a
	// picker would set it, and the page hears the same input event.
	await tab.evaluate(() => {
		const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);
		const pad = (value: number) => String(value).padStart(2, '0');
		const date = `${yesterday.getFullYear()}-${pad(yesterday.getMonth() + 1)}-${pad(yesterday.getDate())}`;
		const set = (selector: string, value: string) => {
			const input = document.querySelector<HTMLInputElement>(selector)!;
			input.value = value;
			input.dispatchEvent(new Event('input', { bubbles: true }));
		};
		set('input[type="date"]', date);
		set('input[type="time"]', '10:00');
	});
	await tab.click({ role: 'button', name: 'Set the plan' });
	await textAppears(tab, /Your plan is set/);
}

/**
 * Sets up a practice, taps Begin, and listens to the end of it. `fromPlan`: the practice is begun
 * with one tap from today's plan on the home page, as a client at home would.
 */
export async function pacerCues(
	tab: EnginePage,
	listen: Listen,
	setup: PacerSetup,
	{ fromPlan = false }: { fromPlan?: boolean } = {}
): Promise<CueMeasure> {
	const timeline = buildTimeline(setup.request);
	const planned = [
		...timeline.events.filter((event) => event.kind !== 'hold-in' && event.kind !== 'hold-out').map((e) => e.start),
		timeline.end
	];
	await tab.goto('/breathe/');
	await heading(tab, /Breath/);
	await setup.fill(tab);
	if (fromPlan) {
		// The settings are written 250 ms after the last change. Leaving sooner writes them as the page
		// goes (pagehide), and in WebKitGTK 2.50 that write never ends: every later read of the store,
		// on the next page, waits behind it (seen for over a minute).
		await sleep(1_000);
		await planFromYesterday(tab);
		await tab.goto('/');
		await tab.click({ role: 'link', name: 'Begin “Slow breathing”' });
		await heading(tab, /Breath/);
	}
	const recording = await listen();
	const tapAt = now(recording);
	await tab.click({ role: 'button', name: 'Begin' });
	await textAppears(tab, /Breathe in|Breathe out|Hold/);
	// The warm-up (about 1 s), the practice, the bell's onset and a little more.
	const samples = await recordUntil(recording, tapAt + 4 + timeline.end);
	await recording.stop();
	const onsets = findOnsets(samples, recording.rate)
		.filter((time) => time > tapAt)
		.map((time) => time - tapAt);
	const first = onsets[0] ?? 0;
	let doneOnPlan: boolean | undefined;
	if (fromPlan) {
		await textAppears(tab, /Marked done on your plan/);
		await tab.goto('/');
		doneOnPlan = await tab.waitFor(
			() =>
				[...document.querySelectorAll('label')]
					.find((label) => label.textContent?.replace(/\s+/g, ' ').includes('Done “Slow breathing”'))
					?.querySelector('input')?.checked,
			[],
			{ message: 'the practice ticked done on the home page' }
		);
	}
	return {
		doneOnPlan,
		planned,
		onsets,
		intervalErrorsMs: intervalErrors(onsets, planned),
		peakDb: peakDb(samples, recording.rate, tapAt, samples.length / recording.rate),
		firstCuePeakDb: peakDb(samples, recording.rate, tapAt + first, tapAt + first + 2)
	};
}

/** The same measure for a bare page that beeps on the audio clock every `period` seconds. */
export async function baselineCues(
	tab: EnginePage,
	listen: Listen,
	period: Seconds,
	count: number,
	shape: 'beep' | 'soft' = 'beep',
	/** How long each sound lasts; the shape's own length when not given. */
	length?: Seconds
): Promise<{ onsets: Seconds[]; intervalErrorsMs: Milliseconds[] }> {
	const held = length === undefined ? '' : `&length=${length}`;
	await tab.goto(`${BASELINE_PAGE}?period=${period}&count=${count}&lead=1&shape=${shape}${held}`);
	await heading(tab, /Audio-clock baseline/);
	const recording = await listen();
	const tapAt = now(recording);
	await tab.click({ role: 'button', name: 'Begin' });
	const samples = await recordUntil(recording, tapAt + 2 + count * period);
	await recording.stop();
	const onsets = findOnsets(samples, recording.rate)
		.filter((time) => time > tapAt)
		.map((time) => time - tapAt);
	const planned = Array.from({ length: count }, (_, i) => i * period);
	return { onsets, intervalErrorsMs: intervalErrors(onsets, planned) };
}

// ——— the session console ———

export interface ConsoleMeasure {
	/** What the console said it played first: "Playing: …", or its "Could not play …" line. */
	readonly firstLine: string;
	readonly firstTrackTitle: string;
	/** From the tap on Start the music to the first sample above −60 dBFS; null if none came. */
	readonly firstSoundSeconds: Seconds | null;
	/** The level once the fade-in has settled, and the loudest sample of the start. */
	readonly settledDb: Decibels;
	readonly startPeakDb: Decibels;
	/** The first track heard against its own file, from just after it began to the dose. */
	readonly jumps: TrackJump[];
	readonly piecesCompared: number;
	readonly piecesLost: number;
	/** The longest stretch under −50 dBFS (10 ms pieces) inside each transition: dose, next piece, back. */
	readonly transitionQuietMs: Milliseconds[];
	/** How far talking over lowered the music, and how close it came back. */
	readonly duckDepthDb: Decibels;
	readonly duckReturnDb: Decibels;
	/** The console's log, as shown. */
	readonly log: string;
	/** The pre-session test sound: its level held, how far it rose from its first quarter second and fell to its last, and what followed. */
	readonly testSound: {
		readonly heardSeconds: Seconds | null;
		readonly fullDb: Decibels;
		readonly riseDb: Decibels;
		readonly fallDb: Decibels;
		readonly afterPeakDb: Decibels;
	};
	/** The check's speaker line, and whether this engine can send a context elsewhere (AudioContext.setSinkId). */
	readonly outputLine: string;
	readonly canChooseOutput: boolean;
}

/**
 * A therapist's session: the full medicine session, started from a tap, the dose given, talking
 * over and back, the next piece and back a piece, faded out at the end.
 */
export async function consoleSession(tab: EnginePage, listen: Listen): Promise<ConsoleMeasure> {
	const harbour = curatedTrack('arrival-harbour-first-light');
	await tab.goto('/session/');
	await heading(tab, /session/i);
	// Choosing loads the playlist's first track while the therapist reads (where the engine allows).
	await tab.click({ role: 'radio', name: /^Closing and grounding/ });
	await tab.click({ role: 'radio', name: /^Full medicine session/ });
	await sleep(2_000);
	const recording = await listen();

	// Before the session: the test sound from the check, fading in and out like the music. In WebKit
	// this tap makes the music's engine, and Start then plays into it.
	const outputLine = await tab.evaluate(
		() => document.querySelector<HTMLElement>('[data-line="output"]')?.innerText ?? ''
	);
	const canChooseOutput = await tab.evaluate(() => 'setSinkId' in AudioContext.prototype);
	const testAt = now(recording);
	await tab.click({ role: 'button', name: /^Play a test sound/ });
	await textAppears(tab, /Played\. Too loud or too soft\?/, 20_000);
	const tested = await recordUntil(recording, testAt + 8);
	const testHeard = firstSoundAfter(tested, recording.rate, testAt);
	const testFrom = testAt + (testHeard ?? 0);
	const testLevel = (from: Seconds, to: Seconds) => rmsDb(tested, recording.rate, testFrom + from, testFrom + to);
	const testSound = {
		heardSeconds: testHeard,
		fullDb: testLevel(2.5, 3.5),
		riseDb: testLevel(2.5, 3.5) - testLevel(0, 0.25),
		fallDb: testLevel(2.5, 3.5) - testLevel(5.7, 5.95),
		afterPeakDb: peakDb(tested, recording.rate, testFrom + 6.4, testFrom + 7.5)
	};

	const tapAt = now(recording);
	await tab.click({ role: 'button', name: 'Start the music' });
	const firstLine = await textAppears(tab, /Playing: \S[^\n]*?(?=\s+\d+:\d\d)|Could not play[^\n]*/, 20_000);
	const started = await recordUntil(recording, tapAt + 7);
	const firstSound = firstSoundAfter(started, recording.rate, tapAt);

	const doseAt = now(recording);
	const heardFrom = tapAt + (firstSound ?? 0) + 0.5;
	const reference = await decodedTrack(tab, harbour.file, {
		to: harbour.fadeInSeconds + doseAt - heardFrom + 5,
		rate: recording.rate
	});
	const firstStretch = recording
		.samples()
		.subarray(Math.round(heardFrom * recording.rate), Math.round(doseAt * recording.rate));
	const followed = trackJumps(firstStretch, reference, recording.rate);

	// The dose moves the session on: the arrival phase gives way, the music crossfades.
	const doseClickAt = now(recording);
	await tab.click({ role: 'button', name: 'Dose given' });
	await textAppears(tab, /Since dose\s*0:0\d/);
	const afterDose = await recordUntil(recording, doseClickAt + 8);
	const beforeDuck = rmsDb(afterDose, recording.rate, doseClickAt + 7, doseClickAt + 8);

	const duckAt = now(recording);
	await tab.click({ role: 'button', name: /^Talk over/ });
	const ducked = await recordUntil(recording, duckAt + 2.5);
	const duckedLevel = rmsDb(ducked, recording.rate, duckAt + 1.8, duckAt + 2.5);
	const upAt = now(recording);
	await tab.click({ role: 'button', name: /^Talk over/ });
	const up = await recordUntil(recording, upAt + 2.5);
	const upLevel = rmsDb(up, recording.rate, upAt + 1.8, upAt + 2.5);

	const nextAt = now(recording);
	await tab.click({ role: 'button', name: /^Next piece/ });
	await recordUntil(recording, nextAt + 7);
	const backAt = now(recording);
	await tab.click({ role: 'button', name: /^Back a piece/ });
	await textAppears(tab, /Back to /);
	const all = await recordUntil(recording, backAt + 7);
	await tab.click({ role: 'button', name: 'Fade out and end' });
	await recording.stop();

	const quietMs = (from: Seconds) => longestQuiet(all, recording.rate, from, from + 7, -50, 0.01) * 1000;
	return {
		firstLine,
		firstTrackTitle: harbour.title,
		firstSoundSeconds: firstSound,
		settledDb: rmsDb(started, recording.rate, tapAt + 5, tapAt + 7),
		startPeakDb: peakDb(started, recording.rate, tapAt, tapAt + 7),
		jumps: followed.jumps,
		piecesCompared: followed.compared,
		piecesLost: followed.lost,
		transitionQuietMs: [quietMs(doseClickAt), quietMs(nextAt), quietMs(backAt)],
		duckDepthDb: beforeDuck - duckedLevel,
		duckReturnDb: upLevel - beforeDuck,
		log: await tab.evaluate(() => document.body.innerText),
		testSound,
		outputLine,
		canChooseOutput
	};
}

// ——— the grounding player ———

export interface GroundingMeasure {
	/** Onsets after the tap on Begin, in seconds from it. */
	readonly onsets: Seconds[];
	/** The background's level after its fade-in, and the longest quiet from the chime on. */
	readonly backgroundDb: Decibels;
	readonly longestQuietMs: Milliseconds;
	readonly peakDb: Decibels;
}

export async function groundingBegins(tab: EnginePage, listen: Listen): Promise<GroundingMeasure> {
	await tab.goto('/grounding/play/?script=arriving-breath');
	await heading(tab, /Arriving with the breath/);
	// Text only: what this machine's speech would say is not what is measured here.
	await tab.click({ role: 'radio', name: /^Text only/ });
	const recording = await listen();
	const tapAt = now(recording);
	await tab.click({ role: 'button', name: /^Begin/ });
	await textAppears(tab, /Let yourself arrive here/);
	const samples = await recordUntil(recording, tapAt + 9);
	await recording.stop();
	const onsets = findOnsets(samples, recording.rate)
		.filter((time) => time > tapAt)
		.map((time) => time - tapAt);
	const firstOnset = tapAt + (onsets[0] ?? 0);
	return {
		onsets,
		backgroundDb: rmsDb(samples, recording.rate, tapAt + 7, tapAt + 9),
		longestQuietMs: longestQuiet(samples, recording.rate, firstOnset, tapAt + 9, -60, 0.05) * 1000,
		peakDb: peakDb(samples, recording.rate, tapAt, tapAt + 9)
	};
}

// ——— importing, and offline ———

/** Imports one WAV through the file picker on “Your music”; resolves with the outcome line. */
/** What "Your music" kept of an imported track's level, read from the app's store. */
export interface ImportedLevel {
	readonly loudnessLufs: number | null;
	readonly truePeakDb: number | null;
	readonly gainDb: number;
	readonly levelling: number | null;
}

/**
 * A quiet file with high peaks (a soft tone at 44.1 kHz with short bursts near full scale), imported
 * on “Your music”: the outcome line, and the level kept for it (its boost limited by the true peak,
 * which is measured at the file's own rate in every engine).
 */
export async function importOneFile(
	tab: EnginePage,
	rig: Rig
): Promise<{ outcome: string; level: ImportedLevel | null }> {
	const path = join(rig.scratch, 'soft tone.wav');
	writeFileSync(path, quietWithPeaks());
	await tab.goto('/library/');
	await heading(tab, /Your music/);
	await textAppears(tab, /No music imported yet/);
	await tab.setFiles({ role: 'file', name: 'Choose music files…' }, [path]);
	const outcome = await textAppears(tab, /Imported 1 track\.|No tracks were imported\./);
	if (!outcome.startsWith('Imported'))
		return { outcome: `${outcome} ${await textAppears(tab, /soft tone\.wav: [^\n]*/)}`, level: null };
	await textAppears(tab, /soft tone/);
	const level = await tab.evaluate(
		() =>
			new Promise<ImportedLevel | null>((resolve) => {
				const open = indexedDB.open('grounded');
				open.onerror = () => resolve(null);
				open.onsuccess = () => {
					const range = IDBKeyRange.bound('imported-track:', 'imported-track:\uffff');
					const read = open.result.transaction('keyval').objectStore('keyval').getAll(range);
					read.onerror = () => resolve(null);
					read.onsuccess = () => {
						const track = read.result[0] as Record<string, number | null> | undefined;
						open.result.close();
						resolve(
							track
								? {
										loudnessLufs: track.loudnessLufs ?? null,
										truePeakDb: track.truePeakDb ?? null,
										gainDb: track.gainDb ?? NaN,
										levelling: track.levelling ?? null
									}
								: null
						);
					};
				};
			})
	);
	return { outcome, level };
}

/** The peak of the bursts in `quietWithPeaks`, in dBFS. */
export const QUIET_FILE_PEAK_DB = 20 * Math.log10(0.5);

/**
 * Two seconds of a soft 220 Hz tone at 44.1 kHz with a 1 ms burst of 3 kHz at half of full scale
 * every 250 ms: about −32 LUFS, so it wants some +9 dB, and its peaks (−6 dBFS) allow only about +5.
 */
function quietWithPeaks(): Buffer {
	const rate = 44_100;
	const samples = new Float32Array(2 * rate);
	for (let i = 0; i < samples.length; i += 1) {
		const t = i / rate;
		const burst = t % 0.25 >= 0.1 && t % 0.25 < 0.101;
		samples[i] = burst ? 0.5 * Math.sin(2 * Math.PI * 3_000 * (t % 0.25)) : 0.012 * Math.sin(2 * Math.PI * 220 * t);
	}
	return pcmWav(samples, rate);
}

// ——— a take-home pack ———

export interface PackMeasure {
	/** What the home page said once the pack was confirmed. */
	readonly outcome: string;
	/** From the tap on Begin: the therapist's two clips (440 Hz, 1 s; 660 Hz, 2 s), one in each step. */
	readonly voiceOnsets: Seconds[];
	/** The second clip's level, and the quiet between the two clips. */
	readonly voiceDb: Decibels;
	readonly betweenDb: Decibels;
}

/** Step 1 lasts this long; each clip plays about a second after its step begins. */
export const PACK_STEP_ONE: Seconds = 2.5;

/**
 * The client's side of a take-home pack: a pack made in Node (a script of two steps, each in the
 * therapist's recorded voice) opened from the home page's picker, previewed, put on the device,
 * and its script played with the recorded voice. Every step has a clip, so no system voice speaks
 * (WebKitGTK has one). The pack is written by the app's own writer: this checks the reading, the
 * install and the playing in each engine.
 */
export async function openTakeHomePack(tab: EnginePage, rig: Rig, listen: Listen): Promise<PackMeasure> {
	const step = (id: string, text: string, seconds: Seconds) => ({
		id,
		text,
		timing: { kind: 'timed' as const, seconds },
		breath: null,
		chime: false,
		background: null
	});
	const script = {
		version: 1 as const,
		id: 'therapist-landing',
		title: 'Landing, in my voice',
		summary: '',
		builtIn: false,
		steps: [step('arrive', 'Arrive, just as you are.', PACK_STEP_ONE), step('voice', 'Listen to my voice.', 5)]
	};
	const clip = (stepId: string, frequency: number, seconds: Seconds) => ({
		meta: {
			scriptId: script.id,
			stepId,
			path: clipPath(script.id, stepId),
			durationSeconds: seconds,
			gainDb: 0,
			recordedAt: 1
		},
		audio: {
			path: clipPath(script.id, stepId),
			blob: new Blob([wav(frequency, seconds, 24_000) as BlobPart], { type: 'audio/wav' })
		}
	});
	const clips = [clip('arrive', 440, 1), clip('voice', 660, 2)];
	const pack = await writePack(
		{
			from: { id: 'engine-therapist-0001', name: 'Dr. Ana Ruiz', contact: '', supportLine: '' },
			clientName: null,
			note: 'Go gently this week.',
			scripts: [script],
			builtInScriptIds: [],
			clips: clips.map((c) => c.meta),
			breathing: practiceFromSettings(DEFAULT_SETTINGS, 'Evening breathing'),
			playlists: [],
			tracks: []
		},
		clips.map((c) => c.audio),
		{ createdAt: new Date('2026-12-01T10:00:00Z'), builtInTitles: new Map() }
	);
	const file = join(rig.scratch, 'from-ana.grounded');
	writeFileSync(file, Buffer.from(await pack.arrayBuffer()));

	await tab.goto('/');
	await heading(tab, /^Grounded$/);
	await tab.setFiles({ role: 'file', name: 'Take-home pack file' }, [file]);
	await textAppears(tab, /Dr\. Ana Ruiz made this pack on/);
	await tab.click({ role: 'button', name: 'Put it on this device' });
	const outcome = await textAppears(
		tab,
		/It is on this device now\.|can’t be opened[^\n]*|could not be stored[^\n]*/,
		30_000
	);
	await textAppears(tab, /Go gently this week\./);

	await tab.click({ role: 'link', name: /^Landing, in my voice/ });
	await heading(tab, /Landing, in my voice/);
	await tab.click({ role: 'radio', name: /^Recorded voice where there is one/ });
	const recording = await listen();
	const tapAt = now(recording);
	await tab.click({ role: 'button', name: /^Begin/ });
	await textAppears(tab, /Arrive, just as you are\./);
	const samples = await recordUntil(recording, tapAt + 1 + PACK_STEP_ONE + 4);
	await recording.stop();
	const voiceOnsets = findOnsets(samples, recording.rate)
		.filter((time) => time > tapAt)
		.map((time) => time - tapAt);
	const [first = 0, second = 0] = voiceOnsets;
	return {
		outcome,
		voiceOnsets,
		voiceDb: rmsDb(samples, recording.rate, tapAt + second + 0.3, tapAt + second + 1.5),
		betweenDb: rmsDb(samples, recording.rate, tapAt + first + 1.2, tapAt + Math.max(first + 1.4, second - 0.2))
	};
}

/**
 * A first visit, then the network gone: the home page reloads, the pacer opens and its first tap
 * starts the sound (Tone.js comes from the device too). Returns the onsets heard after the tap.
 */
export async function reopenOffline(tab: EnginePage, rig: Rig, listen: Listen): Promise<Seconds[]> {
	await tab.goto('/');
	await heading(tab, /^Grounded$/);
	await tab.waitFor(() => navigator.serviceWorker.controller !== null, [], {
		timeout: 30_000,
		message: 'the service worker to control the page'
	});
	rig.server.setOffline(true);
	try {
		await tab.reload();
		await heading(tab, /^Grounded$/);
		await tab.goto('/breathe/');
		await heading(tab, /Breath/);
		const recording = await listen();
		const tapAt = now(recording);
		await tab.click({ role: 'button', name: 'Begin' });
		const samples = await recordUntil(recording, tapAt + 4);
		await recording.stop();
		return findOnsets(samples, recording.rate)
			.filter((time) => time > tapAt)
			.map((time) => time - tapAt);
	} finally {
		rig.server.setOffline(false);
	}
}
